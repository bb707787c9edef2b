"""Pinyin success@3: a title typed as toneless pinyin, one syllable group per word, finds its
document in the top 3.

    python3 bench/pinyin_eval.py --index DIR [--build] [--corpus DIR] [--sample 300]

The queries are the titles of the index (a seeded random sample), each segmented into words by
our analyzer (jieba) and every word written as its toneless pinyin without spaces, words
separated by one space (``tuopin gongjianzhan``), the way issue 17 describes phone users typing.
Pinyin comes from ``pypinyin`` word by word, so the query is not copied from the lexicon's
pinyin (which reads whole titles). A query succeeds when a document with exactly that title is
among the first 3 hits of ``assisted_search`` (the path of /api/search). Titles without a
Chinese character are left out, and so are titles typed like another (the news days
《新闻联播》（20241130）: no query can tell them apart). ``--build`` indexes ``--corpus``
(default: ../shared/corpora) into ``--index`` first.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from indexer.assist import assisted_search
from indexer.engines import build, open_engine
from indexer.lexicon import typed_pinyin
from indexer.records import SearchRequest

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
_CJK = re.compile("[\u4e00-\u9fff]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    if args.build:
        build(args.corpus or CORPORA, args.index, progress=False)
    engine = open_engine(args.index)
    lexicon = engine.lexicon()
    titles = sorted(
        {t for t, k in zip(lexicon.text, lexicon.kind, strict=True) if k == "title"}
        & {t for t in lexicon.text if _CJK.search(t)}
    )
    # titles that type the same (《新闻联播》（20241130） and every other day) no query can tell
    # apart: left out, and counted
    typed: dict[str, list[str]] = {}
    for title in titles:
        typed.setdefault(typed_pinyin(title), []).append(title)
    distinct = sorted(ts[0] for q, ts in typed.items() if len(ts) == 1 and q)
    sample = random.Random(args.seed).sample(distinct, min(args.sample, len(distinct)))
    found, took = 0, []
    misses = []
    for title in sample:
        q = typed_pinyin(title)
        started = time.perf_counter()
        result = assisted_search(engine, SearchRequest(q=q, size=3, facets=False))
        took.append(time.perf_counter() - started)
        if any(hit.title == title for hit in result.hits):
            found += 1
        else:
            misses.append((title, q, result.read_as))
    took.sort()
    print(
        f"titles in the index: {len(titles)}, {len(distinct)} typed unlike any other; "
        f"sampled {len(sample)} of those (seed {args.seed})"
    )
    print(f"success@3: {found / len(sample):.3f} ({found} of {len(sample)})")
    print(
        f"time per query: p50 {took[len(took) // 2] * 1000:.1f} ms, "
        f"p95 {took[int(len(took) * 0.95)] * 1000:.1f} ms"
    )
    for title, q, read in misses[:10]:
        print(f"  miss: {title[:40]} | {q[:60]} | read as {read[:40]!r}")
    engine.close()


if __name__ == "__main__":
    main()
