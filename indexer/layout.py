"""Where an index lives on disk (no Whoosh here).

INDEX_DIR/
  CURRENT              name of the live generation (replaced atomically with os.replace)
  gen-<stamp>-<rand>/  one complete generation:
    whoosh/            the Whoosh index (TOC, segments)
    docs.sqlite        the documents as JSON (what pages and API show), see docstore.py
    meta.json          analyzer version, build time, counts
  write.lock           held by the one writer (see build.py)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import IndexMissingError

CURRENT = "CURRENT"
META = "meta.json"
WHOOSH_DIR = "whoosh"
DOCSTORE = "docs.sqlite"


def current_generation(index_dir: Path | str) -> Path:
    """The live generation's directory; IndexMissingError when there is none."""
    index_dir = Path(index_dir)
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(f"no index at {index_dir}: run 'govsearch index' first") from None
    gen = index_dir / name
    if not name or "/" in name or not (gen / META).is_file():
        raise IndexMissingError(f"index at {index_dir} points to a missing generation {name!r}")
    return gen


def read_meta(generation: Path) -> dict[str, Any]:
    return json.loads((generation / META).read_text(encoding="utf-8"))
