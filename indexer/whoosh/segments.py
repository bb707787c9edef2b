"""A generation's Whoosh files: a new empty index, an incremental copy, the one final commit.

Whoosh never rewrites a file it has written (a commit writes a new TOC and new segments), which
is what makes both the copy-on-write start of an incremental update and the commit of segments
written by several worker processes safe.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from . import layout
from .schema import make_schema


def create_index(gen: Path) -> Path:
    """An empty Whoosh index in ``gen``; returns its directory."""
    whoosh_dir = gen / layout.WHOOSH_DIR
    whoosh_dir.mkdir()
    whoosh_index.create_in(str(whoosh_dir), make_schema())
    return whoosh_dir


def copy_generation(base: Path, gen: Path) -> Path:
    """Copy-on-write start of an incremental update: hard links for Whoosh's immutable files,
    a copy of the docstore (SQLite updates its file in place). Returns the Whoosh directory."""
    src_whoosh = base / layout.WHOOSH_DIR
    dst_whoosh = gen / layout.WHOOSH_DIR
    dst_whoosh.mkdir()
    for path in src_whoosh.iterdir():
        if not path.is_file() or path.name.endswith("WRITELOCK"):
            continue  # Whoosh's lock file: a hard link would share one lock between generations
        try:
            os.link(path, dst_whoosh / path.name)
        except OSError:
            shutil.copy2(path, dst_whoosh / path.name)
    shutil.copy2(base / layout.DOCSTORE, gen / layout.DOCSTORE)
    return dst_whoosh


def commit_segments(
    whoosh_dir: Path, stale_ids: Iterable[str], segments: list[Any], *, merge_small: bool
) -> None:
    """One TOC: the existing segments (minus deleted documents) plus every worker's segment.

    This is what Whoosh's ``MpWriter(multisegment=True)`` does at commit. A full build does not
    merge (PERFORMANCE.md: merging took longer than building and did not speed queries up); an
    incremental update lets Whoosh merge small segments so updates don't pile them up.
    """
    ix = whoosh_index.open_dir(str(whoosh_dir))
    writer = ix.writer()
    try:
        for doc_id in stale_ids:
            writer.delete_by_term("id", doc_id)
        final = writer._merge_segments(None, False, merge_small)
        final += segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
