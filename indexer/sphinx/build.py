"""``govsearch index --backend sphinx``: extract, segment, write tsvpipe files, run ``indexer``.

Extraction and analysis (the costly part, jieba at ~1.5 MB/s) run in worker processes; the parent
writes the docstore and one tsv file per shard (documents split by ``feed.shard_of``), then runs
Sphinx's ``indexer`` on each local shard — with ``--rotate`` when that shard's searchd is running,
so search never stops during a rebuild. The docstore is replaced atomically at the end.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import secrets
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import extract
from ..analysis import ANALYZER_VERSION, analyze
from ..corpus import (
    BuildReport,
    Skipped,
    SourceRead,
    ocr_cache_in,
    progress_bar,
    read_source,
    require_corpus,
)
from ..docstore import FORMAT_VERSION as DOCSTORE_VERSION
from ..docstore import DocStore, pack
from ..lexicon import lexicon_path, write_lexicon
from ..lock import WriteLock
from ..meta import write_meta as write_meta_file
from ..records import Document
from .cluster import (
    DEFAULT_BASE_PORT,
    Cluster,
    SphinxConfigError,
    is_sphinx_dir,
    load_cluster,
    plan_cluster,
)
from .conf import config_path, tsv_path, write_confs
from .feed import FEED_VERSION, FacetCodes, Segmented, pad_row, segment, shard_of, tsv_row
from .process import build_shards, running_pid

#: (doc id, source path, content hash, packed document, its Sphinx columns)
Row = tuple[str, str, str, bytes, Segmented]


def _extract_one(source: extract.Source) -> tuple[SourceRead, list[Row]]:
    """In a worker: the source read (its documents dropped) and their rows, segmented."""
    read = read_source(source)
    rows = [document_row(d, read.digest) for d in read.documents]
    read.documents = []
    return read, rows


def document_row(doc: Document, digest: str = "") -> Row:
    digest = digest or hashlib.blake2b(pack(doc), digest_size=16).hexdigest()
    return doc.id, doc.source_path, digest, pack(doc), segment(doc)


def resolve_cluster(
    index_dir: Path,
    shards: int | None,
    hosts: list[str] | None,
    base_port: int | None,
    agent_failure: str | None,
) -> Cluster:
    """The existing cluster of ``index_dir`` (a rebuild), or a new plan when options say so."""
    if is_sphinx_dir(index_dir):
        old = load_cluster(index_dir)
        same = (
            (shards is None or shards == len(old.shards))
            and (hosts is None or hosts == [n.host for n in old.shards])
            and (base_port is None or base_port == old.shards[0].api_port)
        )
        if same:
            if agent_failure and agent_failure != old.agent_failure:
                return plan_cluster(
                    index_dir,
                    len(old.shards),
                    hosts=[n.host for n in old.shards],
                    base_port=old.shards[0].api_port,
                    front_host=old.front.host,
                    agent_failure=agent_failure,
                )
            return old
        live = [n.name for n in old.nodes if running_pid(old, n) is not None]
        if live:
            raise SphinxConfigError(
                f"{index_dir} is served by running searchd ({', '.join(live)}): stop them "
                "before changing the number of shards, hosts or ports"
            )
    return plan_cluster(
        index_dir,
        shards or 1,
        hosts=hosts,
        base_port=base_port or DEFAULT_BASE_PORT,
        agent_failure=agent_failure or "warn",
    )


def build_sphinx(
    corpus: Path | str,
    index_dir: Path | str,
    *,
    shards: int | None = None,
    hosts: list[str] | None = None,
    base_port: int | None = None,
    agent_failure: str | None = None,
    workers: int | None = None,
    progress: bool | None = None,
) -> BuildReport:
    """Index ``corpus`` into the Sphinx cluster described (or to be described) in ``index_dir``."""
    started = time.perf_counter()
    corpus = require_corpus(corpus)
    index_dir = Path(index_dir).resolve()
    config_path(index_dir)  # refused before anything is written, not half way through the build
    index_dir.mkdir(parents=True, exist_ok=True)
    with ocr_cache_in(index_dir), WriteLock(index_dir) as lock:
        cluster = resolve_cluster(index_dir, shards, hosts, base_port, agent_failure)
        report = BuildReport(
            corpus=str(corpus),
            index_dir=str(index_dir),
            generation="",  # one index, rotated in place: no generations
            incremental=False,
            took_over_lock_from=lock.took_over,
        )
        sources = list(extract.discover(corpus))
        report.workers = max(1, min(workers or os.cpu_count() or 1, len(sources) or 1))
        rows = _extracted_rows(sources, report, progress)
        write_cluster(cluster, rows, report)
        report.seconds = time.perf_counter() - started
        write_meta(cluster, corpus, report)
    return report


def _extracted_rows(
    sources: list[extract.Source], report: BuildReport, progress: bool | None
) -> Iterator[Row]:
    analyze("预热")  # load the dictionary once, before forking: the workers share it
    bar = progress_bar(len(sources), progress)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(report.workers) as pool:
        for read, rows in pool.imap(_extract_one, sources, chunksize=8):
            bar.update(1)
            report.add(read)
            yield from rows
    bar.close()


def write_cluster(cluster: Cluster, rows: Iterable[Row], report: BuildReport) -> None:
    """Write docstore + shard tsv files from ``rows``, build every local shard, swap the store.

    Also the benchmark's entry point (it feeds expanded rows without a corpus).
    """
    write_confs(cluster)
    codes = FacetCodes.load(cluster.index_dir)
    new_store = cluster.index_dir / "docs.sqlite.new"
    new_store.unlink(missing_ok=True)
    tsvs = [open(tsv_path(cluster, n), "w", encoding="utf-8") for n in cluster.shards]
    seen: set[str] = set()
    try:
        for f in tsvs:
            f.write(pad_row())
        with DocStore(new_store) as store:
            batch: list[tuple[str, str, str, bytes]] = []
            for doc_id, source_path, digest, packed, seg in rows:
                if doc_id in seen:
                    report.skipped.append(Skipped(source_path, f"duplicate document id {doc_id}"))
                    continue
                seen.add(doc_id)
                tsvs[shard_of(doc_id, len(cluster.shards))].write(tsv_row(doc_id, seg, codes))
                batch.append((doc_id, source_path, digest, packed))
                if len(batch) >= 2000:
                    store.put_packed(batch)
                    batch.clear()
            store.put_packed(batch)
    finally:
        for f in tsvs:
            f.close()
    report.total_documents = len(seen)
    # before the shards rotate: codes only ever get appended, so the old searchd and a running
    # engine keep reading the codes they know
    codes.save(cluster.index_dir)
    try:
        build_shards(cluster)
    finally:
        for node in cluster.shards:
            tsv_path(cluster, node).unlink(missing_ok=True)
    report.notes += [
        f"{node.name} was built here for {node.host}: copy {cluster.node_dir(node)} there "
        "and start its searchd (README, 'Scaling out')"
        for node in cluster.shards
        if not node.is_local
    ]
    # the lexicon of the new documents first: a reader that sees the new store finds it
    write_lexicon(new_store, lexicon_path(cluster.docstore_path))
    os.replace(new_store, cluster.docstore_path)
    cluster.save()
    report.index_bytes = sum(p.stat().st_size for p in cluster.index_dir.rglob("*") if p.is_file())


def write_meta(cluster: Cluster, corpus: Path, report: BuildReport) -> None:
    meta = {
        "backend": "sphinx",
        # names this build in SearchResult.generation (two builds may share a second)
        "generation": f"sphinx-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-"
        + secrets.token_hex(4),
        "analyzer_version": ANALYZER_VERSION,
        "feed_version": FEED_VERSION,
        "docstore_version": DOCSTORE_VERSION,
        "documents": report.total_documents,
        "shards": len(cluster.shards),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "corpus": str(corpus.resolve()),
        "indexed": report.indexed,
        "skipped": [[s.path, s.reason] for s in report.skipped],
    }
    write_meta_file(cluster.index_dir, meta)
