"""The limits and OCR settings of reading attachments (PDF, Word, Excel, OFD), from the environment.

Every setting is ``GOVSEARCH_<NAME>`` (the README lists them); a build's worker processes read
them once. ``ocr_cache`` defaults to ``<index>/ocr-cache``: the builders name it
(``use_ocr_cache``) before they start their workers, which inherit it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "GOVSEARCH_"

_default_cache = ""


def use_ocr_cache(folder: Path | str) -> str:
    """The OCR cache of this process and the workers it forks, unless GOVSEARCH_OCR_CACHE says;
    returns the one it replaces ("" for none)."""
    global _default_cache
    previous, _default_cache = _default_cache, str(folder)
    return previous


@dataclass(frozen=True)
class Limits:
    #: a file whose reading takes longer is skipped (its reader process is killed)
    file_seconds: float = 300.0
    #: a larger file is skipped unread (the largest real attachment we have is 3.7 MB)
    file_max_mb: int = 200
    #: address space of the reader process: a parser that wants more fails (MemoryError)
    #: instead of taking the machine's memory
    file_memory_mb: int = 2048
    #: OCR pages that have no text layer (tesseract chi_sim); 0 turns it off
    ocr: int = 1
    #: pages OCR'd per document at most (the rest is left out, with a warning)
    ocr_max_pages: int = 50
    #: one page's OCR is abandoned after this long (the page is left out, with a warning)
    ocr_page_seconds: float = 120.0
    #: resolution pages are rendered at for OCR. bench/ocr_dpi.py on the scanned annual report
    #: (150-dpi images), 4-character runs kept / s per page: 100 dpi 0.976 / 1.5, 150 0.966 /
    #: 1.7, 200 0.976 / 2.6, 300 0.953 / 4.0. 200 ties the best and keeps small print that 100
    #: would blur on finer scans
    ocr_dpi: int = 200
    #: folder of OCR results by content hash, so that a rebuild does not OCR a scan twice
    ocr_cache: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            kind = type(f.default)
            try:
                values[f.name] = kind(raw) if kind is not str else raw
            except ValueError:
                raise ValueError(
                    f"{ENV_PREFIX}{f.name.upper()} must be a number (got {raw!r})"
                ) from None
        limits = cls(**values)  # type: ignore[arg-type]
        if not limits.ocr_cache and _default_cache:
            limits = dataclasses.replace(limits, ocr_cache=_default_cache)
        return limits
