"""Tokenization throughput: jieba and rjieba alone vs our analyze() (both segmenter paths).

    python bench/tokenize_bench.py [--corpus ../shared/corpora/lawrefbook-laws] [--limit-mb 61]

Reads the Markdown files of the corpus (sorted, up to --limit-mb of UTF-8), then times each
contender over the same texts in this one process, and prints MB/s and the time relative to
jieba's accurate mode (``jieba.lcut``, HMM on; CPU time) — the baseline of the index-time target.
The machine is shared and noisy: the contenders take turns file by file, so that a change of load
during the run weighs on all of them alike; compare the rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jieba  # noqa: E402
import rjieba  # noqa: E402

from indexer.analysis import Analyzer  # noqa: E402
from indexer.normalize import normalize  # noqa: E402


def load(corpus: Path, limit_mb: float) -> list[str]:
    texts, size = [], 0
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text("utf-8", errors="replace")
        texts.append(text)
        size += len(text.encode("utf-8"))
        if size >= limit_mb * 1e6:
            break
    return texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared/corpora/lawrefbook-laws")
    ap.add_argument("--limit-mb", type=float, default=100.0)
    args = ap.parse_args()
    texts = load(args.corpus, args.limit_mb)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts)} files, {mb:.1f} MB of UTF-8 text from {args.corpus}")

    jieba.setLogLevel(60)
    t0 = time.perf_counter()
    jieba.initialize()
    ours_jieba = Analyzer("jieba")
    print(f"start-up: jieba dictionaries {time.perf_counter() - t0:.2f} s", end=", ")
    t0 = time.perf_counter()
    ours_rjieba = Analyzer("rjieba")
    print(f"rjieba + our dictionary {time.perf_counter() - t0:.2f} s")

    contenders: list[tuple[str, Callable[[str], object]]] = [
        ("jieba.lcut (baseline)", jieba.lcut),
        ("jieba.tokenize search mode", lambda t: list(jieba.tokenize(t, mode="search"))),
        ("rjieba.cut", rjieba.cut),
        ("rjieba.tokenize search mode", lambda t: rjieba.tokenize(t, mode="search")),
        ("normalize() alone", normalize),
        ("analyze(), jieba path", ours_jieba.analyze),
        ("analyze(), rjieba path (default)", ours_rjieba.analyze),
    ]
    wall = [0.0] * len(contenders)
    cpu = [0.0] * len(contenders)
    for text in texts:
        for i, (_, fn) in enumerate(contenders):
            w0, c0 = time.perf_counter(), time.process_time()
            fn(text)
            wall[i] += time.perf_counter() - w0
            cpu[i] += time.process_time() - c0
    # CPU seconds are less disturbed than wall seconds by the other processes on the machine
    print(f"{'contender':34} {'wall s':>7} {'MB/s':>6} {'CPU s':>7} {'MB/CPU s':>8} {'× jieba':>7}")
    for (name, _), w, c in zip(contenders, wall, cpu, strict=True):
        print(f"{name:34} {w:7.2f} {mb / w:6.2f} {c:7.2f} {mb / c:8.2f} {c / cpu[0]:7.2f}")
    sample = texts[:200]
    per100 = 100 * sum(len(ours_rjieba.analyze(t)) for t in sample) / sum(map(len, sample))
    print(f"tokens per 100 characters (first 200 files, sub-words included): {per100:.1f}")


if __name__ == "__main__":
    main()
