"""Build or update an index: extract in worker processes, write a new generation, switch to it.

A full rebuild writes a new generation directory next to the live one; an incremental update
copies the live generation (hard links for Whoosh's immutable segment files, a copy of the
SQLite docstore) and updates the copy. Either way readers keep using the old generation until
CURRENT is replaced atomically, and a crash or Ctrl-C leaves only a half-built directory that no
reader knows of and that the next run deletes.

Parallelism: each worker process extracts its share of the sources, analyzes them and writes its
own Whoosh segment (``SegmentWriter(_lk=False)``, the way the sub-writers of Whoosh's own
``MpWriter`` do); the parent only inserts the packed documents into the docstore and finally
commits one TOC listing every worker's segment (``_commit_whoosh``). Measured on the first 600
files of lawrefbook-laws (10.8 MB of text), 2 cores, while other jobs loaded the machine (so
CPU seconds are the comparable figure): jieba.cut alone 8.8-10.0 s CPU; this design 12.5-12.9 s
CPU (including the docstore, which the others don't write); ``MpWriter(procs=2,
multisegment=True)`` 11.4-12.1 s; one ``SegmentWriter`` 11.3-12.2 s. In wall time, in an earlier
run with less load: this design 13.4 s, MpWriter 22.1 s, one writer 23.0 s. MpWriter extracts in
the parent (HTML parsing at ~10 MB/s would be serial there) and deals 100-document batches, which
balance badly on small corpora; workers that extract and write their own segment need no second
hand-off of the documents and keep both cores busy. Workers that only analyze, feeding one
writer, would leave that writer the serial bottleneck: of one SegmentWriter's CPU on 200 laws
files (3.6 s), analyze is 1.5 s and Whoosh's postings 2.1 s.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from . import extract, layout
from .analysis import ANALYZER_VERSION, analyze
from .docstore import DocStore, pack
from .errors import CorpusMissingError, ExtractError, IndexMissingError
from .lock import WriteLock, close_inherited
from .schema import SCHEMA_VERSION, document_to_fields, make_schema

#: sources per job sent to a worker: small enough to balance two workers on a few dozen files
BATCH_SIZE = 8
#: Whoosh's per-writer posting buffer before it spills a sorted run to disk. Spilled runs are
#: merged back in Python: on all of lawrefbook-laws (55.7 MB of text, 2 workers) the build took
#: 74.1 s CPU with Whoosh's default 128 and 50.9 s with 384 (no spill), for a peak RSS of 438 MB
#: per worker instead of 271 MB.
WRITER_LIMIT_MB = 384


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


def source_hash(source: extract.Source) -> str:
    """Content hash over the source file and its companions (names and bytes)."""
    h = hashlib.blake2b(digest_size=16)
    for path in (source.path, *source.companions):
        h.update(path.name.encode("utf-8") + b"\0")
        with open(path, "rb") as f:
            h.update(hashlib.file_digest(f, "blake2b").digest())
    return h.hexdigest()


def _source_size(source: extract.Source) -> int:
    total = 0
    for path in (source.path, *source.companions):
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def build_index(
    corpus: Path | str,
    index_dir: Path | str,
    *,
    incremental: bool = False,
    workers: int | None = None,
    progress: bool | None = None,
) -> BuildReport:
    """Index ``corpus`` into a new generation of ``index_dir`` and make it current.

    ``incremental`` re-extracts only new or changed source files and removes deleted ones
    (a full build when there is no usable index yet). ``workers`` defaults to the CPU count.
    ``progress``: a tqdm bar on stderr; None shows it only when stderr is a terminal.
    Raises CorpusMissingError, IndexLockedError; bad files are skipped and listed.
    """
    started = time.perf_counter()
    corpus = Path(corpus)
    index_dir = Path(index_dir)
    if not corpus.is_dir():
        problem = "is not a folder" if corpus.exists() else "does not exist"
        raise CorpusMissingError(f"corpus folder {corpus} {problem}")
    index_dir.mkdir(parents=True, exist_ok=True)
    with WriteLock(index_dir) as lock:
        # Holding the lock, no build is running: any generation that is neither current nor
        # leased was abandoned by a crashed build.
        _, kept = layout.remove_unused_generations(index_dir)
        base, notes = _incremental_base(index_dir) if incremental else (None, [])
        report = BuildReport(
            corpus=str(corpus),
            index_dir=str(index_dir),
            generation="",
            incremental=base is not None,
            took_over_lock_from=lock.took_over,
            kept_generations=kept,
            notes=notes,
        )
        sources = list(extract.discover(corpus))
        if base is None:
            todo, stale_ids = sources, []
        else:
            todo, stale_ids = _plan_update(sources, base, report)
            if not todo and not stale_ids:
                # Nothing changed: the live generation stays, and readers have nothing to reopen.
                report.generation = base.name
                report.total_documents = layout.read_meta(base)["documents"]
                report.index_bytes = layout.size_bytes(base)
                report.seconds = time.perf_counter() - started
                return report
        gen = layout.create_generation(index_dir)
        report.generation = gen.name
        try:
            _build_generation(gen, base, todo, stale_ids, report, workers, progress)
            report.index_bytes = layout.size_bytes(gen)
            report.seconds = time.perf_counter() - started
            _write_meta(gen, corpus, report)
            _fsync_tree(gen)
            layout.switch_current(index_dir, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        _, report.kept_generations = layout.remove_unused_generations(index_dir)
    return report


def _incremental_base(index_dir: Path) -> tuple[Path | None, list[str]]:
    try:
        live = layout.current_generation(index_dir)
    except IndexMissingError:
        return None, ["no index yet: full build"]
    meta = layout.read_meta(live)
    if meta.get("analyzer_version") != ANALYZER_VERSION:
        return None, ["the index was built with another analyzer: full rebuild"]
    if meta.get("schema_version") != SCHEMA_VERSION:
        return None, ["the index was built with another schema: full rebuild"]
    return live, []


def _build_generation(
    gen: Path,
    base: Path | None,
    todo: list[extract.Source],
    stale_ids: list[str],
    report: BuildReport,
    workers: int | None,
    progress: bool | None,
) -> None:
    whoosh_dir = gen / layout.WHOOSH_DIR
    if base is None:
        whoosh_dir.mkdir()
        whoosh_index.create_in(str(whoosh_dir), make_schema())
    else:
        _copy_generation(base, gen)
    store = DocStore(gen / layout.DOCSTORE)
    try:
        store.delete_many(stale_ids)
        segments = _run_workers(todo, whoosh_dir, store, report, workers, progress)
        _commit_whoosh(whoosh_dir, stale_ids, segments, merge_small=base is not None)
        report.total_documents = store.count()
    finally:
        store.close()


def _plan_update(
    sources: list[extract.Source], base: Path, report: BuildReport
) -> tuple[list[extract.Source], list[str]]:
    """(sources to extract, ids of documents to delete) for an incremental update of ``base``.

    A file skipped by an earlier run and unchanged since is listed as skipped again without
    being re-read, with the reason it had then.
    """
    with DocStore(base / layout.DOCSTORE, readonly=True) as store:
        known = store.source_hashes()
        was_skipped = {
            s["path"]: Skipped(s["path"], s["reason"], s["hash"])
            for s in layout.read_meta(base).get("skipped", [])
        }
        todo: list[extract.Source] = []
        for source in sources:
            try:
                digest = source_hash(source)
            except OSError:
                digest = ""  # a worker will report why it cannot be read
            if known.get(source.relpath) == digest:
                report.unchanged += 1
            elif source.relpath not in known and (
                (skipped := was_skipped.get(source.relpath)) and skipped.content_hash == digest
            ):
                report.skipped.append(skipped)
            else:
                todo.append(source)
        present = {s.relpath for s in sources}
        gone = [p for p in known if p not in present]
        report.removed = len(gone)
        changed = [s.relpath for s in todo if s.relpath in known]
        return todo, store.ids_of_sources(gone + changed)


def _copy_generation(base: Path, gen: Path) -> None:
    """Copy-on-write start of an incremental update: Whoosh never rewrites a file it has
    written (a commit writes a new TOC and new segments), so hard links are safe there; SQLite
    updates its file in place, so the docstore is copied."""
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


def _run_workers(
    todo: list[extract.Source],
    whoosh_dir: Path,
    store: DocStore,
    report: BuildReport,
    workers: int | None,
    progress: bool | None,
) -> list[Any]:
    """Extract + analyze + write segments in worker processes; returns their Whoosh segments."""
    if not todo:
        return []
    batches = [todo[i : i + BATCH_SIZE] for i in range(0, len(todo), BATCH_SIZE)]
    count = max(1, min(workers or os.cpu_count() or 1, len(batches)))
    report.workers = count
    # Load the dictionary once here so that forked workers share it instead of each loading it.
    analyze("预热")
    # fork: workers inherit the loaded analyzer (and a test's monkeypatches) without re-importing.
    ctx = multiprocessing.get_context("fork")
    jobs: multiprocessing.Queue = ctx.Queue()
    results: multiprocessing.Queue = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(str(whoosh_dir), jobs, results, os.getpid()), daemon=True)
        for _ in range(count)
    ]
    # Fork before the first put starts the queue's feeder thread: forking a threaded process
    # can deadlock the child (Python 3.12 warns about it).
    for proc in procs:
        proc.start()
    for batch in batches:
        jobs.put(batch)
    for _ in range(count):
        jobs.put(None)
    bar = _progress_bar(len(todo), progress)
    segments: list[Any] = []
    finished = 0
    try:
        while finished < count:
            try:
                kind, payload = results.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in procs if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(
                        f"a build worker died (exit code {dead[0].exitcode})"
                    ) from None
                continue
            if kind == "batch":
                _store_batch(payload, store, report)
                bar.update(len(payload))
            elif kind == "done":
                finished += 1
                if payload is not None:
                    segments.append(payload)
            else:
                raise RuntimeError(f"a build worker failed:\n{payload}")
        for proc in procs:
            proc.join()
        # Every worker's writer keeps its temporary column files in the same MAIN.tmp folder:
        # a worker that removed it when done broke a slower one (FileNotFoundError on its .ctmp
        # file in 2 of 6 builds of corpus/), so it goes once all of them have finished.
        shutil.rmtree(whoosh_dir / "MAIN.tmp", ignore_errors=True)
    finally:
        bar.close()
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()
        jobs.cancel_join_thread()
        results.cancel_join_thread()
    return segments


def _store_batch(outcomes: list[tuple], store: DocStore, report: BuildReport) -> None:
    rows = []
    for relpath, size, digest, result in outcomes:
        if isinstance(result, str):
            report.skipped.append(Skipped(relpath, result, digest))
            continue
        report.indexed += 1
        report.documents += len(result)
        report.bytes_read += size
        rows.extend(result)
    store.put_packed(rows)


def _worker(whoosh_dir: str, jobs: Any, results: Any, parent: int) -> None:
    # Ctrl-C reaches the whole process group: the builder handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    close_inherited()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    try:
        writer = SegmentWriter(
            whoosh_index.open_dir(whoosh_dir), _lk=False, limitmb=WRITER_LIMIT_MB
        )
        while True:
            try:
                batch = jobs.get(timeout=2.0)
            except queue.Empty:
                if os.getppid() != parent:  # the builder was killed: don't linger
                    return
                continue
            if batch is None:
                break
            if os.getppid() != parent:
                return
            results.put(("batch", [_index_source(writer, s) for s in batch]))
        if writer.doc_count():
            segment = writer._finalize_segment()
        else:
            writer._close_segment()
            segment = None
        results.put(("done", segment))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _exit_when_orphaned(parent: int) -> None:
    """Exit as soon as the builder is gone (kill -9 of it alone). A worker that has finished
    blocks at exit flushing its results into a pipe nobody reads any more, and the other waits
    for the queue's lock: both hung for good (tests/test_reliability.py)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _index_source(
    writer: SegmentWriter, source: extract.Source
) -> tuple[str, int, str, str | list[tuple[str, str, str, bytes]]]:
    """(relpath, bytes, content hash, docstore rows), or the reason instead of rows if skipped."""
    size = _source_size(source)
    try:
        digest = source_hash(source)
    except OSError as exc:
        return source.relpath, size, "", f"cannot read: {exc.strerror or exc}"
    try:
        docs = extract.extract_source(source)
    except ExtractError as exc:
        return source.relpath, size, digest, exc.reason
    rows = []
    for doc in docs:
        writer.add_document(**document_to_fields(doc))
        rows.append((doc.id, doc.source_path or source.relpath, digest, pack(doc)))
    return source.relpath, size, digest, rows


def _commit_whoosh(
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


def _write_meta(gen: Path, corpus: Path, report: BuildReport) -> None:
    meta = {
        "analyzer_version": ANALYZER_VERSION,
        "schema_version": SCHEMA_VERSION,
        "documents": report.total_documents,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "corpus": str(corpus.resolve()),
        "generation": gen.name,
        "incremental": report.incremental,
        "indexed": report.indexed,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "skipped": [
            {"path": s.path, "reason": s.reason, "hash": s.content_hash} for s in report.skipped
        ],
    }
    tmp = gen / (layout.META + ".tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, gen / layout.META)


def _fsync_tree(gen: Path) -> None:
    """Make the generation durable before CURRENT names it (a power cut must not leave CURRENT
    pointing at files still in the page cache)."""
    for path in layout.iter_files(gen):
        with open(path, "rb") as f:
            os.fsync(f.fileno())
    for directory in (gen / layout.WHOOSH_DIR, gen):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _progress_bar(total: int, progress: bool | None) -> Any:
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else progress
    return tqdm(total=total, unit="file", disable=not enabled, file=sys.stderr, leave=False)
