"""An index's ``meta.json``, whatever engine wrote it: written atomically, checked on open.

Query terms must be segmented exactly as the indexed text was, so an index built with another
analyzer would silently miss documents: both engines refuse it with AnalyzerMismatchError and
say how to rebuild, and ``govsearch serve --corpus`` rebuilds it by itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .errors import AnalyzerMismatchError, IndexMissingError

META = "meta.json"


def write_meta(directory: Path, meta: dict[str, Any]) -> None:
    """``directory/meta.json`` replaced atomically: a reader sees the old file or the new one."""
    tmp = directory / (META + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, directory / META)


def read_meta(directory: Path) -> dict[str, Any]:
    return json.loads((directory / META).read_text(encoding="utf-8"))


def checked_meta(directory: Path, versions: dict[str, str], rebuild: str) -> dict[str, Any]:
    """The meta of ``directory`` if it records each of ``versions`` (name -> the value this code
    writes), else AnalyzerMismatchError ending in ``rebuild`` (the command that fixes it)."""
    from .analysis import ANALYZER_VERSION
    from .docstore import FORMAT_VERSION

    try:
        meta = read_meta(directory)
    except FileNotFoundError:
        raise IndexMissingError(f"index {directory} is gone") from None
    built_with = meta.get("analyzer_version")
    if built_with != ANALYZER_VERSION:
        raise AnalyzerMismatchError(
            f"index {directory.name} was built with analyzer {built_with}, this govsearch uses "
            f"{ANALYZER_VERSION}: {rebuild}"
        )
    for name, value in {**versions, "docstore_version": FORMAT_VERSION}.items():
        if meta.get(name) != value:
            # e.g. an index from before the exact length columns: Whoosh would fail on a
            # missing field deep inside a query; say what to do instead
            raise AnalyzerMismatchError(
                f"index {directory.name} was built in another index format: {rebuild}"
            )
    return meta
