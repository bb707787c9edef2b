"""Suggestions as you type: p50/p95/p99 of ``Lexicon.suggest`` (what /api/suggest answers, JSON
encoding included) at N documents, and the lexicon's build time, size and load time.

    python3 bench/suggest_bench.py                 # 100,000 documents
    python3 bench/suggest_bench.py --docs 20000

The documents are distinct_corpus.py's: every distinct news item, law and page of
../shared/corpora, then repeated until ``--docs`` (the lexicon counts a repeated title once per
copy, as it would count two documents with one title). They go into a docstore in
bench/.work/suggest-N/ (no engine index: the lexicon is built from the docstore alone, by
``lexicon.write_lexicon``, as both builds do). Timed in process (``Lexicon.suggest`` and
its JSON) and through the app (Flask's test client: routing, JSON, headers; no sockets).
Prefixes typed: 1-4 first characters of sampled titles, the first 2-8 letters of their pinyin
(``lexicon.typed_pinyin``), and initials of dictionary terms, 600 in all (seeded).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from indexer.docstore import DocStore
from indexer.lexicon import (
    Lexicon,
    dictionary_terms,
    lexicon_beside,
    lexicon_path,
    syllables,
    typed_pinyin,
    write_lexicon,
)
from indexer.records import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from distinct_corpus import SHARED, distinct_documents  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work"


def fill(store_path: Path, docs: int) -> None:
    distinct = [record for _, record in distinct_documents(SHARED, Counter())]
    records = itertools.islice(itertools.cycle(distinct), docs)
    with DocStore(store_path) as store:
        batch = []
        for n, r in enumerate(records):
            doc = Document(
                id=f"d{n}",
                title=r["title"],
                body=r["body"],
                date=r.get("date", ""),
                agency=r.get("agency", ""),
                category=r.get("category", ""),
            )
            batch.append((doc, ""))
            if len(batch) == 2000:
                store.put_many(batch)
                batch = []
        store.put_many(batch)


def prefixes(lexicon: Lexicon, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    titles = [t for t, k in zip(lexicon.text, lexicon.kind, strict=True) if k == "title"]
    out = []
    for title in rng.sample(titles, n // 3):
        out.append(title[: rng.randint(1, 4)])
        out.append(typed_pinyin(title).replace(" ", "")[: rng.randint(2, 8)] or "zh")
    for term in rng.choices(dictionary_terms(), k=n - len(out)):
        out.append("".join(p[0] for p, _ in syllables(term) if p))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    work = WORK / f"suggest-{args.docs}"
    work.mkdir(parents=True, exist_ok=True)
    store = work / "docs.sqlite"
    if not store.exists():
        started = time.perf_counter()
        fill(store.with_suffix(".tmp"), args.docs)
        store.with_suffix(".tmp").rename(store)
        print(f"docstore of {args.docs} documents: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    write_lexicon(store, lexicon_path(store))
    print(
        f"write_lexicon: {time.perf_counter() - started:.1f} s, "
        f"{lexicon_path(store).stat().st_size / 1e6:.1f} MB"
    )
    started = time.perf_counter()
    lexicon = lexicon_beside(store)
    print(f"load: {time.perf_counter() - started:.2f} s, {len(lexicon)} entries")
    qs = prefixes(lexicon, args.queries, args.seed)
    in_process = timed(qs, lambda q: json.dumps([asdict(s) for s in lexicon.suggest(q)]))
    client = suggest_client(lexicon)
    http = timed(qs, lambda q: client.get("/api/suggest", query_string={"q": q}).get_json())
    for label, took in (("in process", in_process), ("GET /api/suggest", http)):
        ranked = sorted(took)
        p = [ranked[min(len(ranked) - 1, int(len(ranked) * f))] for f in (0.5, 0.95, 0.99)]
        print(f"{label}, {len(qs)} prefixes: p50 {p[0]:.2f}, p95 {p[1]:.2f}, p99 {p[2]:.2f} ms")
    slow = sorted(zip(http, qs, strict=True), reverse=True)[:5]
    print("slowest:", ", ".join(f"{q!r} {ms:.1f} ms" for ms, q in slow))


def timed(qs: list[str], call) -> list[float]:
    took = []
    for q in qs:
        t = time.perf_counter()
        call(q)
        took.append((time.perf_counter() - t) * 1000)
    return took


class _LexiconOnly:
    """The one engine call /api/suggest makes: there is no engine index here."""

    def __init__(self, lexicon: Lexicon):
        self._lexicon = lexicon

    def lexicon(self) -> Lexicon:
        return self._lexicon


def suggest_client(lexicon: Lexicon):
    """Flask's test client of the whole app (routing, JSON, security headers) whose engine
    answers ``lexicon()`` with ``lexicon``."""
    from webui.app import create_app
    from webui.engine import _KEY

    app = create_app({"INDEX": str(WORK / "no-index")})  # the engine opens on first use
    app.extensions[_KEY]._engine = _LexiconOnly(lexicon)
    return app.test_client()


if __name__ == "__main__":
    main()
