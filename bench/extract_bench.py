"""Extraction throughput (MB/s of input bytes) in one process over the Jiangxi + Pingtan HTML.

Each page.html is extracted as an HTML Source of its own (not as a page.txt companion). The
baseline in the same run is plain ``lxml.html`` parsing + ``text_content()`` of the same decoded
pages: the machines are noisy, so the ratio to it says more than the absolute figure.

Reports wall and process CPU time (medians over the rounds).
Usage: python3 bench/extract_bench.py [CORPORA_DIR] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import lxml.html

from indexer.extract import Source, extract_source


def pages(corpora: Path) -> list[Path]:
    jiangxi = sorted((corpora / "jiangxi-gov-html" / "html").glob("*.html"))
    pingtan = sorted((corpora / "pingtan").rglob("page.html"))
    return jiangxi + pingtan


def run_extract(files: list[Path]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for path in files:
        extract_source(Source(path, path.name))
    return time.perf_counter() - wall, time.process_time() - cpu


def run_baseline(texts: list[str]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        lxml.html.document_fromstring(text).text_content()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    default = Path(__file__).resolve().parents[2] / "shared" / "corpora"
    parser.add_argument("corpora", nargs="?", type=Path, default=default)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    files = pages(args.corpora)
    size = sum(p.stat().st_size for p in files)
    texts = [p.read_text("utf-8") for p in files]
    run_extract(files)  # warm-up: imports, regex compilation, file cache
    extract = [run_extract(files) for _ in range(args.rounds)]
    baseline = [run_baseline(texts) for _ in range(args.rounds)]
    mb = size / 1e6
    cpus = os.cpu_count()
    print(f"machine: {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}")
    print(f"input: {len(files)} HTML pages, {mb:.2f} MB (Jiangxi html/ + Pingtan page.html)")
    print(f"rounds: {args.rounds}, one process")
    # CPU time too: on a shared 2-core machine other processes inflate wall time
    for name, runs in (("extract_source", extract), ("baseline lxml parse+text", baseline)):
        wall = statistics.median(t for t, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"{name:26s} wall median {wall * 1000:7.1f} ms {mb / wall:6.1f} MB/s   "
            f"CPU median {cpu * 1000:7.1f} ms {mb / cpu:6.1f} MB/s"
        )
    ratio = statistics.median(c for _, c in extract) / statistics.median(c for _, c in baseline)
    print(
        f"extract_source takes {ratio:.1f}x the baseline's CPU time; load average {os.getloadavg()}"
    )


if __name__ == "__main__":
    main()
