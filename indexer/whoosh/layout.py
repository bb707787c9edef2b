"""Where a Whoosh index lives on disk, and how readers and the builder share it.

INDEX_DIR/
  CURRENT              name of the live generation (replaced atomically with os.replace)
  gen-<stamp>-<rand>/  one complete generation:
    whoosh/            the Whoosh index (TOC, segments)
    docs.sqlite        the documents as JSON (what pages and API show), see docstore.py
    meta.json          analyzer version, schema version, build time, counts
    reader.lease       readers hold a shared flock on it while they use the generation
  write.lock           held by the one writer (see lock.py)

Readers: ``gen = current_generation(d)``, ``check_generation(gen)``, then hold
``reader_lease(gen)`` for as long as they read it. The builder deletes a generation that is no
longer current only when it can take an exclusive lock on its lease, i.e. when no reader holds it.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import IndexMissingError
from ..meta import META, checked_meta
from .schema import SCHEMA_VERSION

CURRENT = "CURRENT"
WHOOSH_DIR = "whoosh"
DOCSTORE = "docs.sqlite"
LEASE = "reader.lease"
GEN_PREFIX = "gen-"


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


def check_generation(generation: Path) -> dict[str, Any]:
    """The generation's meta, if this code can read it (AnalyzerMismatchError otherwise): built
    with the analyzer this code runs and in this schema (an incremental update would mix two)."""
    return checked_meta(
        generation, {"schema_version": SCHEMA_VERSION}, "rebuild with govsearch index"
    )


class ReaderLease:
    """A shared flock on ``generation/reader.lease``; release it when done with the generation."""

    def __init__(self, generation: Path, handle: IO[bytes]):
        self.generation = generation
        self._handle: IO[bytes] | None = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the descriptor drops the flock
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> ReaderLease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def reader_lease(generation: Path) -> ReaderLease:
    """Hold ``generation`` against deletion; IndexMissingError if it is already gone."""
    path = Path(generation) / LEASE
    try:
        handle = open(path, "rb")  # kept open: the lease lasts as long as it
    except FileNotFoundError:
        raise IndexMissingError(f"index generation {generation} is gone") from None
    fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
    # The builder may have deleted the generation between our open() and flock(): it removes
    # the files only while holding the exclusive lock, so after taking ours, the lease file
    # still being the one we opened proves the generation is intact.
    try:
        same = os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except FileNotFoundError:
        same = False
    if not same:
        handle.close()
        raise IndexMissingError(f"index generation {generation} is gone")
    return ReaderLease(Path(generation), handle)


def new_generation_name() -> str:
    """Sortable by creation time, unique even for two builds in the same second."""
    return f"{GEN_PREFIX}{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(4)}"


def create_generation(index_dir: Path) -> Path:
    gen = Path(index_dir) / new_generation_name()
    gen.mkdir(parents=True)
    (gen / LEASE).touch()
    return gen


def generations(index_dir: Path) -> list[Path]:
    return sorted(p for p in Path(index_dir).glob(f"{GEN_PREFIX}*") if p.is_dir())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def switch_current(index_dir: Path, generation: Path) -> None:
    """Point CURRENT at ``generation`` atomically: readers see the old or the new, never neither."""
    index_dir = Path(index_dir)
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(generation.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)


def current_name(index_dir: Path) -> str | None:
    try:
        return (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def remove_unused_generations(index_dir: Path) -> tuple[list[str], list[str]]:
    """Delete every generation but the current one that no reader holds.

    Call it only while holding the write lock: a generation that is neither current nor leased
    is then either superseded or abandoned by a crashed build. Returns (removed, kept) names.
    """
    live = current_name(index_dir)
    removed: list[str] = []
    kept: list[str] = []
    for gen in generations(index_dir):
        if gen.name == live:
            continue
        if _remove_if_unleased(gen):
            removed.append(gen.name)
        else:
            kept.append(gen.name)
    return removed, kept


def _remove_if_unleased(gen: Path) -> bool:
    try:
        handle = open(gen / LEASE, "rb")
    except FileNotFoundError:
        # A build killed before it created its lease: nobody can be reading it.
        shutil.rmtree(gen, ignore_errors=True)
        return True
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        # Unlink the lease first, still holding the lock, so a reader that opened it meanwhile
        # sees it is gone (see reader_lease).
        (gen / LEASE).unlink()
        shutil.rmtree(gen, ignore_errors=True)
    return True


def iter_files(generation: Path) -> Iterator[Path]:
    return (p for p in Path(generation).rglob("*") if p.is_file())


def size_bytes(generation: Path) -> int:
    return sum(p.stat().st_size for p in iter_files(generation))
