"""The build's worker processes: each extracts its share of the sources, analyzes them and
writes its own Whoosh segment; the builder stores the packed documents as they come back.

Each worker writes with ``SegmentWriter(_lk=False)``, the way the sub-writers of Whoosh's own
``MpWriter`` do; the builder finally commits one TOC listing every worker's segment
(``segments.commit_segments``). Measured on the first 600 files of lawrefbook-laws (10.8 MB of
text), 2 cores, while other jobs loaded the machine (so CPU seconds are the comparable figure):
jieba.cut alone 8.8-10.0 s CPU; this design 12.5-12.9 s CPU (including the docstore, which the
others don't write); ``MpWriter(procs=2, multisegment=True)`` 11.4-12.1 s; one ``SegmentWriter``
11.3-12.2 s. In wall time, in an earlier run with less load: this design 13.4 s, MpWriter 22.1 s,
one writer 23.0 s. MpWriter extracts in the parent (HTML parsing at ~10 MB/s would be serial
there) and deals 100-document batches, which balance badly on small corpora; workers that
extract and write their own segment need no second hand-off of the documents and keep both
cores busy. Workers that only analyze, feeding one writer, would leave that writer the serial
bottleneck: of one SegmentWriter's CPU on 200 laws files (3.6 s), analyze is 1.5 s and
Whoosh's postings 2.1 s.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import queue
import shutil
import signal
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from .. import extract
from ..analysis import analyze
from ..corpus import BuildReport, SourceRead, progress_bar, read_source
from ..docstore import DocStore, pack
from ..lock import close_inherited
from ..records import Document
from .grams import MAX_SEGMENT_DOCS, GramWriter
from .grams import SUFFIX as GRAMS_SUFFIX
from .schema import index_document
from .words import SUFFIX as WORDS_SUFFIX
from .words import WordWriter

#: sources per job sent to a worker: small enough to balance two workers on a few dozen files
BATCH_SIZE = 8
#: Whoosh's per-writer posting buffer before it spills a sorted run to disk. Spilled runs are
#: merged back in Python: on all of lawrefbook-laws (55.7 MB of text, 2 workers) the build took
#: 74.1 s CPU with Whoosh's default 128 and 50.9 s with 384 (no spill), for a peak RSS of 438 MB
#: per worker instead of 271 MB.
WRITER_LIMIT_MB = 384
#: characters (titles and bodies) of one segment: its gram postings are sorted in memory at
#: about 40 bytes a character, so a worker holds at most ~320 MB of them
SEGMENT_CHARS = 8_000_000
#: (id, source path, content hash, pack(document)): a docstore row
Row = tuple[str, str, str, bytes]


def run_workers(
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
    bar = progress_bar(len(todo), progress)
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
                segments.extend(payload)
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


def _store_batch(
    outcomes: list[tuple[SourceRead, list[Row]]], store: DocStore, report: BuildReport
) -> None:
    rows: list[Row] = []
    for read, packed in outcomes:
        report.add(read)
        rows.extend(packed)
    store.put_packed(rows)


class _Segments:
    """One worker's output: Whoosh segments with their gram and words files, new ones every
    SEGMENT_CHARS characters so that the postings sorted in memory stay bounded."""

    def __init__(self, whoosh_dir: str):
        self.whoosh_dir = whoosh_dir
        self.done: list[Any] = []
        self._start()

    def _start(self) -> None:
        ix = whoosh_index.open_dir(self.whoosh_dir)
        self.writer = SegmentWriter(ix, _lk=False, limitmb=WRITER_LIMIT_MB)
        self.grams = GramWriter()
        self.words = WordWriter()

    def add(self, doc: Document) -> None:
        indexed = index_document(doc)
        self.writer.add_document(**indexed.fields)
        self.grams.add(indexed.title, indexed.body)
        self.words.add(indexed.words)
        if self.grams.chars >= SEGMENT_CHARS or self.grams.docs >= MAX_SEGMENT_DOCS - 1:
            self._finish()
            self._start()

    def _finish(self) -> None:
        if not self.writer.doc_count():
            self.writer._close_segment()
            return
        segment = self.writer._finalize_segment()
        self.grams.write(Path(self.whoosh_dir) / segment.make_filename(GRAMS_SUFFIX))
        self.words.write(Path(self.whoosh_dir) / segment.make_filename(WORDS_SUFFIX))
        self.done.append(segment)

    def finish(self) -> list[Any]:
        self._finish()
        return self.done


def _worker(whoosh_dir: str, jobs: Any, results: Any, parent: int) -> None:
    # Ctrl-C reaches the whole process group: the builder handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    close_inherited()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    try:
        segments = _Segments(whoosh_dir)
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
            results.put(("batch", [_index_source(segments, s) for s in batch]))
        results.put(("done", segments.finish()))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _exit_when_orphaned(parent: int) -> None:
    """Exit as soon as the builder is gone (kill -9 of it alone). A worker that has finished
    blocks at exit flushing its results into a pipe nobody reads any more, and the other waits
    for the queue's lock: both hung for good (tests/test_reliability.py)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _index_source(segments: _Segments, source: extract.Source) -> tuple[SourceRead, list[Row]]:
    """The source as read (its documents dropped: they are in the segment now) and its rows."""
    read = read_source(source)
    rows: list[Row] = []
    for doc in read.documents:
        segments.add(doc)
        rows.append((doc.id, doc.source_path or source.relpath, read.digest, pack(doc)))
    return dataclasses.replace(read, documents=[], count=read.count), rows
