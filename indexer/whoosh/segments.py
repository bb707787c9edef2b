"""A generation's Whoosh files: a new empty index, an incremental copy, the one final commit.

Whoosh never rewrites a file it has written (a commit writes a new TOC and new segments), which
is what makes both the copy-on-write start of an incremental update and the commit of segments
written by several worker processes safe. Each segment has its gram file (``grams.py``) beside
it (and its words file, ``words.py``), and a segment that Whoosh merges from others gets ones
merged from theirs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from . import layout
from .gram_reader import GramSegment, merge_segments
from .grams import SUFFIX
from .schema import make_schema
from .words import SUFFIX as WORDS_SUFFIX
from .words import WordSegment, merge_words


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
    # the segments Whoosh merges, in the order it numbers their live documents
    merged: list[tuple[Any, np.ndarray]] = []
    add_reader = writer.add_reader

    def recording(reader: Any) -> None:
        merged.append((reader._segment, np.fromiter(reader.all_doc_ids(), dtype=np.int64)))
        add_reader(reader)

    writer.add_reader = recording
    try:
        for doc_id in stale_ids:
            writer.delete_by_term("id", doc_id)
        final = writer._merge_segments(None, False, merge_small)
        final += segments
        if writer._added:
            new = writer._finalize_segment()
            _merge_ours(whoosh_dir, merged, new)
            final.append(new)
        else:
            writer._close_segment()
        writer._commit_toc(final)
    except BaseException:
        writer.cancel()
        raise
    writer._finish()


def _merge_ours(whoosh_dir: Path, merged: list[tuple[Any, np.ndarray]], new: Any) -> None:
    """The gram and words files of a segment Whoosh merged from others (written before the TOC
    names it; Whoosh's commit removes the files of the segments it merged, ours included)."""
    grams = [(GramSegment(whoosh_dir / seg.make_filename(SUFFIX)), live) for seg, live in merged]
    try:
        merge_segments(grams, whoosh_dir / new.make_filename(SUFFIX))
    finally:
        for seg, _ in grams:
            seg.close()
    words = [
        (WordSegment(whoosh_dir / seg.make_filename(WORDS_SUFFIX)), live) for seg, live in merged
    ]
    try:
        merge_words(words, whoosh_dir / new.make_filename(WORDS_SUFFIX))
    finally:
        for seg, _ in words:
            seg.close()
