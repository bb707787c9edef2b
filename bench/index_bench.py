"""Index throughput against jieba alone, on the same text (not a test: prints numbers).

    python3 bench/index_bench.py [--corpus ../shared/corpora/lawrefbook-laws] [--limit N]
                                 [--workers N]

Builds the corpus with ``build_index`` into a temporary directory, and in the same run times
jieba tokenization alone (one process, ``jieba.cut``) and our ``analyze`` over the same texts the
index receives. Prints MB/s, index time / tokenization time, index size / text size and peak
RSS. Targets (issue 13, 2-core machine): index time <= 0.8x jieba, index with its docstore <= 2.5x
the text.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import extract  # noqa: E402
from indexer.analysis import analyze  # noqa: E402
from indexer.errors import ExtractError  # noqa: E402
from indexer.whoosh import layout  # noqa: E402
from indexer.whoosh.build import build_index  # noqa: E402


def _slice(corpus: Path, limit: int, into: Path) -> Path:
    """A copy of the first ``limit`` sources (in discovery order), to bench a part quickly."""
    for source in list(extract.discover(corpus))[:limit]:
        for path in (source.path, *source.companions):
            target = into / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return into


def _texts(corpus: Path) -> list[str]:
    """The text the index analyzes: every document's title, body and agency."""
    texts = []
    for source in extract.discover(corpus):
        try:
            docs = extract.extract_source(source)
        except ExtractError:
            continue
        texts += [t for d in docs for t in (d.title, d.body, d.agency) if t]
    return texts


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the build's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _timed(fn, texts: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of fn over texts."""
    wall, cpu = time.perf_counter(), _cpu()
    for text in texts:
        fn(text)
    return time.perf_counter() - wall, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "lawrefbook-laws"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N files")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    import jieba

    with tempfile.TemporaryDirectory(prefix="govsearch-bench-") as tmp:
        corpus = args.corpus
        if args.limit:
            corpus = _slice(corpus, args.limit, Path(tmp) / "corpus")

        started, cpu = time.perf_counter(), _cpu()
        report = build_index(corpus, Path(tmp) / "index", workers=args.workers, progress=False)
        index_s, index_cpu = time.perf_counter() - started, _cpu() - cpu
        gen = layout.current_generation(Path(tmp) / "index")
        whoosh_bytes = layout.size_bytes(gen / layout.WHOOSH_DIR)
        gen_bytes = layout.size_bytes(gen)

        started = time.perf_counter()
        texts = _texts(corpus)
        extract_s = time.perf_counter() - started
        text_bytes = sum(len(t.encode("utf-8")) for t in texts)
        jieba.initialize()
        analyze("预热")
        jieba_s, jieba_cpu = _timed(lambda t: list(jieba.cut(t)), texts)
        analyze_s, analyze_cpu = _timed(analyze, texts)

    mb = text_bytes / 1e6
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"corpus           {args.corpus}" + (f" (first {args.limit} files)" if args.limit else "")
    )
    print(
        f"documents        {report.total_documents} from {report.indexed} files "
        f"({len(report.skipped)} skipped), workers {report.workers}"
    )
    print(f"text             {mb:.1f} MB (UTF-8 of title+body+agency)")
    print(
        f"load average     {os.getloadavg()[0]:.1f} (wall times assume an otherwise idle machine)"
    )
    print(
        f"index            {index_s:.1f} s  {mb / index_s:.2f} MB/s  "
        f"CPU {index_cpu:.1f} s  (build_index, end to end)"
    )
    print(f"extract alone    {extract_s:.1f} s  (one process)")
    print(f"jieba.cut        {jieba_s:.1f} s  {mb / jieba_s:.2f} MB/s  CPU {jieba_cpu:.1f} s")
    print(f"analyze          {analyze_s:.1f} s  {mb / analyze_s:.2f} MB/s  CPU {analyze_cpu:.1f} s")
    print(
        f"index / jieba    {index_s / jieba_s:.2f}x wall   (target <= 0.8); "
        f"CPU {index_cpu / jieba_cpu:.2f}x"
    )
    print(f"index / analyze  {index_s / analyze_s:.2f}x wall; CPU {index_cpu / analyze_cpu:.2f}x")
    print(
        f"size / text      {whoosh_bytes / text_bytes:.2f}x whoosh, "
        f"{gen_bytes / text_bytes:.2f}x with docstore and its pack   (target <= 2.5)"
    )
    print(f"peak RSS         {peak_self:.0f} MB self, {peak_children:.0f} MB largest child")


if __name__ == "__main__":
    main()
