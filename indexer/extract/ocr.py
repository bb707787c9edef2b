"""OCR of PDF pages that have no text layer: pypdfium2 renders, tesseract (chi_sim) reads.

Results are cached by content (the file's hash, page number, resolution and language) in
``Limits.ocr_cache``: a rebuild, or the same scan under another name, is not OCR'd again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .limits import Limits

LANG = "chi_sim"
#: tesseract's page segmentation 3 (automatic) kept the reading order of the scanned annual
#: report's paragraphs; tesseract puts spaces between Chinese characters, which the character
#: view ignores (chars.stream)
CONFIG = "--psm 3"


def available() -> str | None:
    """None when OCR can run here, else why not."""
    if shutil.which("tesseract") is None:
        return "tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
    try:
        import pytesseract

        if LANG not in pytesseract.get_languages(config=""):
            return f"tesseract has no {LANG} data (apt-get install tesseract-ocr-chi-sim)"
    except Exception as exc:  # pytesseract raises its own and OSError for a broken install
        return f"tesseract does not run: {exc}"
    return None


class OcrCache:
    """page number -> text of one file, in ``<folder>/<hash[:2]>/<hash>.json``."""

    def __init__(self, folder: str, file_digest: str, dpi: int):
        self.path = (
            Path(folder) / file_digest[:2] / f"{file_digest}-{dpi}-{LANG}.json" if folder else None
        )
        self.pages: dict[str, str] = {}
        if self.path is not None:
            try:
                self.pages = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.pages = {}

    def get(self, page: int) -> str | None:
        return self.pages.get(str(page))

    def put(self, page: int, text: str) -> None:
        self.pages[str(page)] = text
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.pages, fh, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a cache that cannot be written costs time, not correctness


def file_digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "blake2b").hexdigest()[:32]


def ocr_page(page: Any, limits: Limits) -> str:
    """The text of one pypdfium2 page; RuntimeError when tesseract timed out."""
    import pytesseract

    image = page.render(scale=limits.ocr_dpi / 72).to_pil()
    return pytesseract.image_to_string(
        image, lang=LANG, config=CONFIG, timeout=limits.ocr_page_seconds
    )
