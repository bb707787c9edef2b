"""query_bench's 200 queries on two checkouts of govsearch, alternately, in the same minutes.

    git worktree add /tmp/base <commit>
    python3 bench/query_ab.py /tmp/base .          # base first, then this checkout, 3 rounds

This machine is shared and its speed drifts by a fifth within an hour (bench/README.md), so
a figure of one checkout is compared with the other's measured right before it, not with one
from another time. Each round runs each checkout in a fresh process on the index query_bench
built (``bench/.work/shared``; build it with ``python3 bench/query_bench.py`` first): one
warm-up pass, then five timed passes; printed per checkout and round are the first timed
pass's p95 and, per query, its fastest of the five (p50 / p95 / p99 / mean).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import statistics, sys, time
from pathlib import Path
sys.path.insert(0, ROOT)
sys.path.insert(0, BENCH)
import indexer
assert indexer.__file__.startswith(ROOT), indexer.__file__
import query_bench as qb
from indexer.records import SearchRequest
from indexer.whoosh.engine import SearchEngine

index = Path(BENCH) / ".work" / "shared"
docs = qb.all_documents(index)
queries = qb.title_pairs(docs, qb.PAIRS) + qb.COMMON
del docs
engine = SearchEngine(index)
qb.run_api(engine, queries)
best = [float("inf")] * len(queries)
first = []
for p in range(5):
    for i, q in enumerate(queries):
        t = time.perf_counter()
        engine.search(SearchRequest(q=q, facets=True))
        ms = (time.perf_counter() - t) * 1000
        best[i] = min(best[i], ms)
        if p == 0:
            first.append(ms)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


print(
    "first pass p95 %.2f ms | fastest of 5: p50 %.2f  p95 %.2f  p99 %.2f  mean %.3f ms"
    % (pct(first, 0.95), pct(best, 0.5), pct(best, 0.95), pct(best, 0.99), statistics.mean(best))
)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("base", type=Path, help="checkout measured first in each round")
    ap.add_argument("other", type=Path, help="checkout measured second")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    for _ in range(args.rounds):
        for name, root in (("base ", args.base), ("other", args.other)):
            code = f"ROOT = {str(root.resolve())!r}\nBENCH = {str(HERE)!r}\n" + _CHILD
            done = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, cwd="/"
            )
            print(name, done.stdout.strip() or done.stderr.strip()[-800:], flush=True)


if __name__ == "__main__":
    main()
