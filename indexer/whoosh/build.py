"""Build or update a Whoosh index: extract in worker processes, write a new generation, switch.

A full rebuild writes a new generation directory next to the live one; an incremental update
copies the live generation (``segments.copy_generation``) and updates the copy. Either way
readers keep using the old generation until CURRENT is replaced atomically, and a crash or
Ctrl-C leaves only a half-built directory that no reader knows of and that the next run deletes.
The work itself is done by ``workers.py`` (extract, analyze, one segment per worker) and
``segments.py`` (the one commit).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from .. import extract
from ..analysis import ANALYZER_VERSION
from ..corpus import BuildReport, Skipped, ocr_cache_in, require_corpus, source_hash
from ..docpack import write_pack
from ..docstore import FORMAT_VERSION as DOCSTORE_VERSION
from ..docstore import DocStore
from ..errors import IndexMissingError
from ..lexicon import lexicon_path, write_lexicon
from ..lock import WriteLock
from ..meta import read_meta, write_meta
from . import layout
from .schema import SCHEMA_VERSION
from .segments import commit_segments, copy_generation, create_index
from .workers import run_workers


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
    corpus = require_corpus(corpus)
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with ocr_cache_in(index_dir), WriteLock(index_dir) as lock:
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
                report.total_documents = read_meta(base)["documents"]
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
    meta = read_meta(live)
    if meta.get("analyzer_version") != ANALYZER_VERSION:
        return None, ["the index was built with another analyzer: full rebuild"]
    if meta.get("schema_version") != SCHEMA_VERSION:
        return None, ["the index was built with another schema: full rebuild"]
    if meta.get("docstore_version") != DOCSTORE_VERSION:
        return None, ["the index stores its documents another way: full rebuild"]
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
    whoosh_dir = create_index(gen) if base is None else copy_generation(base, gen)
    store = DocStore(gen / layout.DOCSTORE)
    try:
        store.delete_many(stale_ids)
        segments = run_workers(todo, whoosh_dir, store, report, workers, progress)
        commit_segments(whoosh_dir, stale_ids, segments, merge_small=base is not None)
        report.total_documents = store.count()
    finally:
        store.close()
    write_pack(gen / layout.DOCSTORE)
    write_lexicon(gen / layout.DOCSTORE, lexicon_path(gen / layout.DOCSTORE))


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
            for s in read_meta(base).get("skipped", [])
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


def _write_meta(gen: Path, corpus: Path, report: BuildReport) -> None:
    write_meta(
        gen,
        {
            "analyzer_version": ANALYZER_VERSION,
            "schema_version": SCHEMA_VERSION,
            "docstore_version": DOCSTORE_VERSION,
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
        },
    )


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
