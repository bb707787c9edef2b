"""A corpus read for a build, whatever engine writes the index (no engine here).

Both builders walk the corpus with ``extract.discover``, read each Source in worker processes
with ``read_source`` (extraction, content hash, size: a skipped file comes back with its reason),
show a progress bar on a terminal and end with the same ``BuildReport``.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import extract
from .errors import CorpusMissingError, ExtractError
from .extract.limits import use_ocr_cache
from .records import Document


@dataclass
class Skipped:
    path: str  # relative to the corpus root
    reason: str
    content_hash: str = ""  # so an incremental run skips it again without re-reading it


@dataclass
class BuildReport:
    """What a build did; ``summary()`` is what ``govsearch index`` prints."""

    corpus: str
    index_dir: str
    generation: str
    incremental: bool
    indexed: int = 0  # source files (re-)indexed in this run
    documents: int = 0  # documents those files yielded
    unchanged: int = 0  # source files an incremental run left as they were
    removed: int = 0  # source files gone from the corpus, their documents removed
    skipped: list[Skipped] = field(default_factory=list)
    total_documents: int = 0  # documents in the new generation
    bytes_read: int = 0  # size of the source files (re-)indexed
    index_bytes: int = 0  # size of the new generation on disk
    seconds: float = 0.0
    workers: int = 0
    attachments: dict[str, int] = field(default_factory=dict)  # file_type -> files indexed
    ocr_pages: int = 0  # pages of those read by OCR (from the cache or OCR'd now)
    took_over_lock_from: dict[str, Any] | None = None
    kept_generations: list[str] = field(default_factory=list)  # still leased by a reader
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        mb = self.bytes_read / 1e6
        lines = [
            f"indexed {self.indexed} files ({self.documents} documents), "
            f"unchanged {self.unchanged}, removed {self.removed}, skipped {len(self.skipped)}; "
            f"{mb:.1f} MB read in {self.seconds:.1f} s",
        ]
        if self.attachments:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.attachments.items()))
            lines.append(f"attachments: {kinds}; OCR pages {self.ocr_pages}")
        lines += [f"note: {n}" for n in self.notes]
        if self.took_over_lock_from:
            holder = self.took_over_lock_from
            lines.append(
                f"note: took over the lock of PID {holder['pid']} (a build started "
                f"{holder.get('started', '?')} that died)"
            )
        lines += [
            f"note: kept {name}: a reader still uses it; the next build removes it"
            for name in self.kept_generations
        ]
        if self.skipped:
            lines.append("skipped files:")
            lines += [f"  {s.path}: {s.reason}" for s in self.skipped]
        lines.append(
            f"index {Path(self.index_dir) / self.generation}: {self.total_documents} documents, "
            f"{self.index_bytes / 1e6:.1f} MB"
        )
        return "\n".join(lines)

    def add(self, outcome: SourceRead) -> None:
        """Count one read source: indexed with its documents, or skipped with its reason."""
        if outcome.reason is not None:
            self.skipped.append(Skipped(outcome.relpath, outcome.reason, outcome.digest))
            return
        self.indexed += 1
        self.documents += outcome.count
        self.bytes_read += outcome.size
        self.notes += [f"{outcome.relpath}: {note}" for note in outcome.notes]
        if outcome.file_type:
            self.attachments[outcome.file_type] = self.attachments.get(outcome.file_type, 0) + 1
            self.ocr_pages += outcome.ocr_pages


#: the OCR cache's folder inside an index dir (extract/limits.py): it outlives generations, so
#: that a rebuild reads a scan's pages from it instead of OCR'ing them again
OCR_CACHE = "ocr-cache"


@contextmanager
def ocr_cache_in(index_dir: Path) -> Iterator[None]:
    """Point the OCR cache of a build (and of the workers it forks) into ``index_dir``, and back
    when it is done: a later ``parse`` or build in this process must not read another index's
    cache (a test that had marked one saw its text in the next test's document)."""
    previous = use_ocr_cache(index_dir / OCR_CACHE)
    try:
        yield
    finally:
        use_ocr_cache(previous)


def require_corpus(corpus: Path | str) -> Path:
    """The corpus folder, or CorpusMissingError saying what is wrong with it."""
    corpus = Path(corpus)
    if not corpus.is_dir():
        problem = "is not a folder" if corpus.exists() else "does not exist"
        raise CorpusMissingError(f"corpus folder {corpus} {problem}")
    return corpus


def source_hash(source: extract.Source) -> str:
    """Content hash over the source file and its companions (names and bytes)."""
    h = hashlib.blake2b(digest_size=16)
    # a page lists its attachments (name, size): it is re-read when that list changes
    for rel, path in source.attachments:
        h.update(f"{rel}\0{path.stat().st_size}\0".encode())
    for path in source.hashed_paths():
        h.update(path.name.encode("utf-8") + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.file_digest(f, "blake2b").digest())
    return h.hexdigest()


def source_size(source: extract.Source) -> int:
    total = 0
    for path in (source.path, *source.companions):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


@dataclass
class SourceRead:
    """One source as a build read it: its documents, or the reason it was skipped."""

    relpath: str
    size: int
    digest: str  # "" when the file could not be read at all
    documents: list[Document]
    reason: str | None = None
    #: how many documents it yielded (kept when ``documents`` is dropped to send it back from a
    #: worker process after indexing them there)
    count: int = 0
    #: records of the file that were skipped (invalid, or the same id as an earlier record)
    notes: list[str] = field(default_factory=list)
    file_type: str = ""  # an attachment's (Document.file_type), for the build's summary
    ocr_pages: int = 0

    def __post_init__(self) -> None:
        self.count = self.count or len(self.documents)
        if self.documents and not self.file_type:
            self.file_type = self.documents[0].file_type
            self.ocr_pages = len(self.documents[0].ocr_pages)


def read_source(source: extract.Source) -> SourceRead:
    size = source_size(source)
    try:
        digest = source_hash(source)
    except OSError as exc:
        return SourceRead(source.relpath, size, "", [], f"cannot read: {exc.strerror or exc}")
    try:
        docs = extract.extract_source(source)
    except ExtractError as exc:
        return SourceRead(source.relpath, size, digest, [], exc.reason)
    # each kept record carries the file's "record N skipped: …" warnings: the summary lists them
    skipped = {w for d in docs for w in d.warnings if w.startswith("record ") and "skipped" in w}
    return SourceRead(source.relpath, size, digest, docs, notes=sorted(skipped))


def progress_bar(total: int, progress: bool | None) -> Any:
    """A tqdm bar on stderr; ``progress`` None shows it only when stderr is a terminal."""
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else progress
    return tqdm(total=total, unit="file", disable=not enabled, file=sys.stderr, leave=False)
