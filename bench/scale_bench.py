"""Scale benchmark: the Sphinx backend (1 and 2 shards) and the Whoosh backend as the corpus grows.

The corpus is the shared documents REPEATED under distinct ids (``<id>~<copy>``) up to each size:
real text, but every word's frequency is a multiple of the number of copies, so it measures
volume, not the variety of a real province's documents. Each size is printed with how many
distinct documents it repeats.

For Sphinx, each distinct document is segmented once (our analyzer) and its tsvpipe row reused
for its copies, so "index s" is the docstore + tsv + Sphinx ``indexer`` time; the one-off
segmentation is printed apart. Whoosh is built by ``build_index`` from JSONL files of the
expanded corpus (it segments every copy: that is what a Whoosh build of such a corpus costs).

Queries: common single words, pairs, a phrase, OR, NOT; every third query also selects a year
(disjunctive facet counts: one more query per selected facet). Each is a full
``engine.search`` with the five facets, top-10 hits, snippets; latency is measured in-process,
after one warm-up round.

    python bench/scale_bench.py --sizes 100000,1000000 --shards 1,2 --whoosh-sizes 10000,50000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import extract  # noqa: E402
from indexer.analysis import analyze  # noqa: E402
from indexer.corpus import BuildReport  # noqa: E402
from indexer.docstore import DocStore, pack  # noqa: E402
from indexer.records import Document, SearchRequest  # noqa: E402
from indexer.sphinx.build import write_meta  # noqa: E402
from indexer.sphinx.cluster import plan_cluster  # noqa: E402
from indexer.sphinx.conf import tsv_path, write_confs  # noqa: E402
from indexer.sphinx.engine import SphinxEngine  # noqa: E402
from indexer.sphinx.feed import FacetCodes, Segmented, segment, shard_of, tsv_row  # noqa: E402
from indexer.sphinx.process import (  # noqa: E402
    build_shards,
    free_port_range,
    start_searchd,
    stop_searchd,
)
from indexer.whoosh.build import build_index  # noqa: E402
from indexer.whoosh.engine import SearchEngine  # noqa: E402

QUERIES = [
    "经济",
    "发展",
    "建设",
    "管理",
    "工作",
    "政府",
    "服务",
    "项目",
    "企业",
    "教育",
    "交通 建设",
    "提案 答复",
    "乡村振兴",
    "环境保护",
    '"安全生产"',
    "旅游 OR 渔业",
    "企业 -金融",
    "城市 管理",
    "农业 发展",
    "人民 政府",
]


def _load(corpus: Path, exclude: list[str]) -> list[Document]:
    docs: list[Document] = []
    for source in extract.discover(corpus):
        if any(source.relpath.startswith(e) for e in exclude):
            continue
        try:
            docs.extend(extract.extract_source(source))
        except extract.ExtractError:
            continue
    return docs


def _segment_all(docs: list[Document]) -> list[Segmented]:
    analyze("预热")
    with multiprocessing.get_context("fork").Pool() as pool:
        return pool.map(segment, docs, chunksize=16)


def _copy_id(doc_id: str, copy: int) -> str:
    return doc_id if copy == 0 else f"{doc_id}~{copy}"


def _size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _latencies(engine, rounds: int) -> dict[str, float]:
    requests = [
        SearchRequest(q=q, size=10, year=["2023"] if i % 3 == 2 else [])
        for i, q in enumerate(QUERIES)
    ]
    for r in requests:  # warm-up: caches, connections, the analyzer
        engine.search(r)
    times: list[float] = []
    totals: list[int] = []
    for _ in range(rounds):
        for r in requests:
            t = time.perf_counter()
            result = engine.search(r)
            times.append((time.perf_counter() - t) * 1000)
            totals.append(result.total)
            if result.warnings and "partial" in " ".join(result.warnings):
                raise RuntimeError(result.warnings)
    q = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "p50": statistics.median(times),
        "p95": q[94],
        "p99": q[98],
        "n": len(times),
        "median_hits": statistics.median(totals),
    }


def bench_sphinx(
    docs: list[Document],
    columns: list[Segmented],
    size: int,
    shards: int,
    workdir: Path,
    rounds: int,
) -> dict:
    index_dir = workdir / f"sphinx-{size}-{shards}"
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.mkdir(parents=True)
    cluster = plan_cluster(index_dir, shards, base_port=free_port_range(2 * shards + 2))
    started = time.perf_counter()
    write_confs(cluster)
    tsvs = [open(tsv_path(cluster, n), "w", encoding="utf-8") for n in cluster.shards]
    codes = FacetCodes()
    # the copies share their original's stored form (hits take their id from the index)
    packed = [pack(d) for d in docs]
    with DocStore(cluster.docstore_path) as store:
        batch = []
        for i in range(size):
            doc, seg = docs[i % len(docs)], columns[i % len(docs)]
            doc_id = _copy_id(doc.id, i // len(docs))
            tsvs[shard_of(doc_id, shards)].write(tsv_row(doc_id, seg, codes))
            batch.append((doc_id, doc.source_path, "", packed[i % len(docs)]))
            if len(batch) >= 5000:
                store.put_packed(batch)
                batch.clear()
        store.put_packed(batch)
    for f in tsvs:
        f.close()
    codes.save(index_dir)
    fed = time.perf_counter()
    tsv_bytes = sum(tsv_path(cluster, n).stat().st_size for n in cluster.shards)
    build_shards(cluster)
    built = time.perf_counter()
    for n in cluster.shards:
        tsv_path(cluster, n).unlink()
    cluster.save()
    report = BuildReport(str(workdir), str(index_dir), "sphinx", False, total_documents=size)
    write_meta(cluster, workdir, report)
    pids = start_searchd(cluster)
    try:
        with SphinxEngine(index_dir) as engine:
            lat = _latencies(engine, rounds)
    finally:
        stop_searchd(cluster, pids)
    out = {
        "backend": f"sphinx x{shards}",
        "docs": size,
        "index_s": built - started,
        "feed_s": fed - started,
        "indexer_s": built - fed,
        "tsv_mb": tsv_bytes / 1e6,
        "index_mb": _size_of(index_dir) / 1e6,
        **lat,
    }
    shutil.rmtree(index_dir)
    return out


def bench_whoosh(docs: list[Document], size: int, workdir: Path, rounds: int) -> dict:
    corpus = workdir / f"whoosh-corpus-{size}"
    index_dir = workdir / f"whoosh-{size}"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    corpus.mkdir(parents=True)
    per_file = 500  # one JSONL file is one build job: several files keep both workers busy
    for start in range(0, size, per_file):
        with open(corpus / f"part-{start // per_file:05d}.jsonl", "w", encoding="utf-8") as f:
            for i in range(start, min(size, start + per_file)):
                doc = docs[i % len(docs)]
                record = {k: v for k, v in doc.to_dict().items() if isinstance(v, str) and v}
                record["title"] = doc.title or doc.id
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    report = build_index(corpus, index_dir, progress=False)
    built = time.perf_counter()
    with SearchEngine(index_dir) as engine:
        lat = _latencies(engine, rounds)
    out = {
        "backend": "whoosh",
        "docs": report.total_documents,
        "index_s": built - started,
        "feed_s": 0.0,
        "indexer_s": built - started,
        "tsv_mb": 0.0,
        "index_mb": _size_of(index_dir) / 1e6,
        **lat,
    }
    shutil.rmtree(corpus)
    shutil.rmtree(index_dir)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora")
    ap.add_argument(
        "--exclude",
        default="lawrefbook-laws",
        help="comma-separated corpus sub-folders left out (default: the laws, 6k-character "
        "statutes, not disclosure documents)",
    )
    ap.add_argument("--sizes", default="100000", help="Sphinx sizes, comma-separated ('' for none)")
    ap.add_argument("--shards", default="1,2", help="shard counts, comma-separated")
    ap.add_argument("--whoosh-sizes", default="10000", help="Whoosh sizes ('' for none)")
    ap.add_argument("--rounds", type=int, default=10, help="times each query is run")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/govsearch-scale-bench"))
    args = ap.parse_args()

    exclude = [e for e in args.exclude.split(",") if e]
    t = time.perf_counter()
    docs = _load(args.corpus, exclude)
    chars = sum(len(d.title) + len(d.body) for d in docs)
    print(
        f"base: {len(docs)} distinct documents from {args.corpus} (excluded: {exclude or 'none'}), "
        f"{chars / len(docs):.0f} characters each on average; extracted in "
        f"{time.perf_counter() - t:.1f} s"
    )
    t = time.perf_counter()
    columns = _segment_all(docs)
    print(f"segmented once for Sphinx in {time.perf_counter() - t:.1f} s (not in index_s)")
    print("every size repeats those documents under distinct ids (<id>~<copy>)")
    print(
        f"queries: {len(QUERIES)} x {args.rounds} rounds (every third with year=2023 selected), "
        "five facets, top 10 with snippets"
    )
    args.workdir.mkdir(parents=True, exist_ok=True)

    header = (
        f"{'backend':<10} {'docs':>9} {'copies':>7} {'index_s':>8} {'docs/s':>8} {'indexer_s':>9}"
        f" {'index_MB':>9} {'p50_ms':>7} {'p95_ms':>7} {'p99_ms':>7} {'hits_med':>9} {'load':>5}"
    )
    print(header)
    runs = [("whoosh", int(s), 0) for s in args.whoosh_sizes.split(",") if s]
    runs += [
        ("sphinx", int(s), int(k))
        for s in args.sizes.split(",")
        if s
        for k in args.shards.split(",")
    ]
    for backend, size, shards in runs:
        if backend == "whoosh":
            r = bench_whoosh(docs, size, args.workdir, args.rounds)
        else:
            r = bench_sphinx(docs, columns, size, shards, args.workdir, args.rounds)
        copies = -(-size // len(docs))
        print(
            f"{r['backend']:<10} {r['docs']:>9} {copies:>7} {r['index_s']:>8.1f} "
            f"{r['docs'] / r['index_s']:>8.0f} {r['indexer_s']:>9.1f} {r['index_mb']:>9.0f} "
            f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['median_hits']:>9.0f}"
            # the 1-minute load average when the queries ended: this machine is shared
            f" {os.getloadavg()[0]:>5.1f}  (n={r['n']})",
            flush=True,
        )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
