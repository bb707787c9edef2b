"""Query latency: p50 / p95 / p99 of 200 rare word pairs + 20 common words, facets on.

    python bench/query_bench.py                       # builds both indexes under bench/.work/
    python bench/query_bench.py --index DIR           # reuse an index of ../shared/corpora
    python bench/query_bench.py --http http://127.0.0.1:8080   # also via /api/search of a server

Two indexes: all of ../shared/corpora (laws included), built by ``govsearch index``'s code, and a
100k-document index made of the same documents REPEATED under distinct ids (bodies cut to
``--body-chars`` so that it builds in minutes on 2 cores; the output says so).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import qparser, sorting

from indexer.analysis import ANALYZER_VERSION, analyze
from indexer.docstore import DocStore, pack
from indexer.records import Document, SearchRequest
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine
from indexer.whoosh.schema import FACET_COLUMNS, SCHEMA_VERSION, document_to_fields, make_schema

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "corpora"
WORK = Path(__file__).resolve().parent / ".work"
COMMON = [
    "政府",
    "经济 发展",
    "管理",
    "规定",
    "人民",
    "工作",
    "国家",
    "社会",
    "服务",
    "建设",
    "企业",
    "安全",
    "规定 管理",
    "人民政府",
    "法律",
    "组织",
    "部门",
    "市场 经济",
    "领导 干部",
    "公共 服务",
]
RARE_PAIRS = 200
SEED = 20261127


def percentiles(samples: list[float]) -> str:
    s = sorted(samples)

    def q(p: float) -> float:
        return s[min(len(s) - 1, int(round(p * (len(s) - 1))))]

    return (
        f"n={len(s)} p50={q(0.50):.1f} ms  p95={q(0.95):.1f} ms  p99={q(0.99):.1f} ms  "
        f"max={s[-1]:.1f} ms  mean={statistics.fmean(s):.1f} ms"
    )


def rare_pairs(docs: list[Document], n: int, seed: int = SEED) -> list[str]:
    """Pairs of words that occur together in a document, each word in few documents."""
    rng = random.Random(seed)
    df: dict[str, int] = {}
    per_doc: list[list[str]] = []
    for doc in docs:
        words = sorted({t.text for t in analyze(doc.title + " " + doc.body[:3000]) if not t.sub})
        words = [w for w in words if len(w) >= 2 and not w.isascii()]
        per_doc.append(words)
        for w in words:
            df[w] = df.get(w, 0) + 1
    queries: list[str] = []
    while len(queries) < n:
        words = rng.choice(per_doc)
        rare = [w for w in words if 1 < df[w] <= max(3, len(docs) // 200)]
        if len(rare) >= 2:
            a, b = rng.sample(rare, 2)
            queries.append(f"{a} {b}")
    return queries


def write_index(index_dir: Path, docs: Iterable[Document]) -> Path:
    """A generation made of already extracted Documents (no corpus walk), made current.

    One writer: document_to_fields analyzes each text in this process (for the exact length
    columns), so MpWriter's sub-writers would only receive pickled tokens.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    gen = layout.create_generation(index_dir)
    whoosh_dir = gen / layout.WHOOSH_DIR
    whoosh_dir.mkdir()
    ix = whoosh_index.create_in(str(whoosh_dir), make_schema())
    writer = ix.writer(limitmb=256)
    count = 0
    with DocStore(gen / layout.DOCSTORE) as store:
        batch: list[tuple[str, str, str, bytes]] = []
        for doc in docs:
            writer.add_document(**document_to_fields(doc))
            batch.append((doc.id, doc.source_path, "", pack(doc)))
            count += 1
            if len(batch) >= 2000:
                store.put_packed(batch)
                batch = []
                print(f"  {count} documents", file=sys.stderr, flush=True)
        store.put_packed(batch)
    writer.commit()
    meta = {
        "analyzer_version": ANALYZER_VERSION,
        "schema_version": SCHEMA_VERSION,
        "documents": count,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "generation": gen.name,
    }
    (gen / layout.META).write_text(json.dumps(meta), encoding="utf-8")
    layout.switch_current(index_dir, gen)
    return gen


def repeated(docs: list[Document], total: int, body_chars: int) -> Iterator[Document]:
    for i in range(total):
        doc = docs[i % len(docs)]
        yield replace(doc, id=f"r{i // len(docs)}-{doc.id}", body=doc.body[:body_chars])


def all_documents(index_dir: Path) -> list[Document]:
    with DocStore(layout.current_generation(index_dir) / layout.DOCSTORE, readonly=True) as s:
        return list(s)


def run_api(engine: SearchEngine, queries: list[str]) -> list[float]:
    times: list[float] = []
    for q in queries:
        t = time.perf_counter()
        engine.search(SearchRequest(q=q, facets=True))
        times.append((time.perf_counter() - t) * 1000)
    return times


def run_whoosh_baseline(index_dir: Path, queries: list[str]) -> tuple[float, list[float]]:
    """The baseline the issue quotes: plain Whoosh, ``search(q, limit=10, groupedby=facets)``,
    the query parsed by Whoosh's own parser over title+body with our analyzer (implicit AND).
    Returns (seconds to open the searcher, per-query ms)."""
    t = time.perf_counter()
    ix = whoosh_index.open_dir(str(layout.current_generation(index_dir) / layout.WHOOSH_DIR))
    parser = qparser.MultifieldParser(["title", "body"], ix.schema, group=qparser.AndGroup)
    facets = {name: sorting.FieldFacet(column) for name, column in FACET_COLUMNS.items()}
    times: list[float] = []
    with ix.searcher() as searcher:
        opened = time.perf_counter() - t
        for q in queries:
            t = time.perf_counter()
            results = searcher.search(parser.parse(q), limit=10, groupedby=facets)
            [hit["id"] for hit in results[:10]]  # PERFORMANCE.md trap 4: iterate results[:limit]
            for name in facets:
                results.groups(name)
            times.append((time.perf_counter() - t) * 1000)
    return opened, times


def run_http(base: str, queries: list[str]) -> list[float]:
    times: list[float] = []
    for q in queries:
        url = f"{base.rstrip('/')}/api/search?{urllib.parse.urlencode({'q': q})}"
        t = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as r:
            r.read()
        times.append((time.perf_counter() - t) * 1000)
    return times


def report(label: str, index_dir: Path, rare: list[str], http: str | None) -> None:
    t = time.perf_counter()
    engine = SearchEngine(index_dir)
    opened = time.perf_counter() - t
    try:
        print(f"\n== {label}")
        documents = engine.stats()["documents"]
        print(f"{documents} documents in {index_dir}; engine opened in {opened:.2f} s")
        # pass 1 reads every posting list from disk; pass 2 finds the decoded ones in the LRU
        for run in ("pass 1 (cold posting cache)", "pass 2 (warm posting cache)"):
            rare_t = run_api(engine, rare)
            common_t = run_api(engine, COMMON)
            print(f"python API, {run}:")
            print(f"  rare pairs   {percentiles(rare_t)}")
            print(f"  common words {percentiles(common_t)}")
            print(f"  all          {percentiles(rare_t + common_t)}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this bench process so far: {rss:.0f} MB (includes the documents")
        print("  loaded to draw the queries, and every engine opened so far)")
    finally:
        engine.close()
    opened, base_rare = run_whoosh_baseline(index_dir, rare)
    _, base_common = run_whoosh_baseline(index_dir, COMMON)
    print(
        f"baseline, plain Whoosh search(limit=10, groupedby=5 facets), searcher opened in"
        f" {opened:.2f} s:"
    )
    print(f"  rare pairs   {percentiles(base_rare)}")
    print(f"  common words {percentiles(base_common)}")
    print(f"  all          {percentiles(base_rare + base_common)}")
    if http:
        times = run_http(http, rare + COMMON)
        print(f"HTTP {http}/api/search (after the API passes), all: {percentiles(times)}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--index", type=Path, help="an existing index of ../shared/corpora")
    ap.add_argument("--big-index", type=Path, help="an existing 100k-document index")
    ap.add_argument("--docs", type=int, default=100_000, help="size of the repeated index")
    ap.add_argument("--body-chars", type=int, default=1200, help="body cut in the repeated index")
    ap.add_argument("--http", help="also query /api/search of a govsearch serve of --index")
    ap.add_argument("--http-big", help="also query /api/search of a govsearch serve of --big-index")
    ap.add_argument("--skip-big", action="store_true", help="only the shared-corpora index")
    args = ap.parse_args(argv)

    WORK.mkdir(exist_ok=True)
    (WORK / ".gitignore").write_text("*\n", encoding="utf-8")  # built indexes, never committed
    index = args.index or WORK / "shared"
    if args.index is None and not (index / layout.CURRENT).exists():
        print(f"building {index} from {SHARED} …", file=sys.stderr)
        t = time.perf_counter()
        build_index(SHARED, index, progress=True)
        print(f"  built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    docs = all_documents(index)
    rare = rare_pairs(docs, RARE_PAIRS)
    print(f"machine: 2 cores; queries: {len(rare)} rare word pairs (seed {SEED}) + {len(COMMON)}")
    print("common words/pairs; facets on; times per query, single client")
    report("all of ../shared/corpora", index, rare, args.http)
    if args.skip_big:
        return
    big = args.big_index or WORK / f"repeated-{args.docs}"
    if args.big_index is None and not (big / layout.CURRENT).exists():
        print(f"building {big} …", file=sys.stderr)
        t = time.perf_counter()
        write_index(big, repeated(docs, args.docs, args.body_chars))
        print(f"  built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    report(
        f"{args.docs} documents = the {len(docs)} shared documents REPEATED under distinct ids"
        f" (bodies cut to {args.body_chars} characters)",
        big,
        rare,
        args.http_big,
    )


if __name__ == "__main__":
    main()
