"""Attachments: index time and size with and without OCR, OCR from the cache, the isolated
reader's cost, and the recall of exact runs on Whoosh and Sphinx.

Over a copy of ../shared/corpora/attachments (15 files):

* a full Whoosh build with OCR (empty cache), again (OCR text from the cache), and with OCR off
  (``GOVSEARCH_OCR=0``): seconds, index size, OCR pages;
* the isolated reader (``indexer/extract/isolated.py``): a small XLS read in its own process
  against the same read in this one;
* recall: random runs of 6 characters (seed 14) that occur in one file only, typed plainly, and
  whether that file is in the top 10. The runs are drawn from each file's text as an
  independent reader gives it, never from what the index stored: poppler's ``pdftotext`` for
  PDFs, the ``TextCode`` strings of OFD pages, calamine's cells, python-docx's paragraphs and
  cells — a run never crosses one of those units (a cell, a line of pdftotext) or whitespace.
  For the scan, the runs come from the real text of the pages that were scanned (pdftotext of
  szfgs2024.pdf pages 1-2), and the scan must be in the top 10.

    python3 bench/attachments_bench.py [--runs-per-file 10] [--scan-runs 60] [--no-sphinx]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

ATTACHMENTS = REPO.parent / "shared" / "corpora" / "attachments"
SCAN = "scanned/huaian_2024_report_p1-2_scanned.pdf"
SCANNED_FROM = "annual-reports/szfgs2024.pdf"
RUN = 6
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _one(char: str) -> str:
    # character by character, as the README says text is compared: a character NFKC expands
    # into several (㎡ → m2) matches only itself
    out = unicodedata.normalize("NFKC", char)
    return (out if len(out) == 1 else char).lower()


def norm(text: str) -> str:
    return "".join("".join(map(_one, text)).split())


def units(path: Path) -> list[str]:
    """The file's text in the units an independent reader gives (a run stays inside one)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
        return out.stdout.decode("utf-8").split()
    if suffix == ".ofd":
        from lxml import etree

        texts = []
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.lower().endswith("content.xml"):
                    root = etree.fromstring(z.read(name))
                    texts += [
                        el.text or "" for el in root.iter() if str(el.tag).endswith("TextCode")
                    ]
        return texts
    if suffix in (".xlsx", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        return [
            str(cell)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
            for cell in row
        ]
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return [p.text for p in document.paragraphs] + cells
    return []


def draw_runs(segments: list[str], others: list[str], count: int, rng: random.Random) -> list[str]:
    pieces = [norm(s) for s in segments if len(norm(s)) >= RUN]
    found: list[str] = []
    for _ in range(200 * count):
        if not pieces or len(found) == count:
            break
        piece = rng.choice(pieces)
        at = rng.randrange(len(piece) - RUN + 1)
        run = piece[at : at + RUN]
        usable = _CJK.search(run) and run[0].isalnum() and run[-1].isalnum()
        usable = usable and not set(run) & set('"“”＂()（）-')
        if usable and run not in found and not any(run in o for o in others):
            found.append(run)
    return found


def recall(engine, targets: list[tuple[str, str]]) -> tuple[int, int, list[str]]:
    from indexer.records import SearchRequest

    hit = 0
    missed = []
    for run, doc_id in targets:
        ids = [h.id for h in engine.search(SearchRequest(q=run, size=10, facets=False)).hits]
        if doc_id in ids:
            hit += 1
        else:
            missed.append(run)
    return hit, len(targets), missed


def build(corpus: Path, index: Path, env: dict[str, str]) -> tuple[float, object]:
    from indexer.whoosh.build import build_index

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        started = time.perf_counter()
        report = build_index(corpus, index, progress=False)
        return time.perf_counter() - started, report
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-per-file", type=int, default=10)
    parser.add_argument("--scan-runs", type=int, default=60)
    parser.add_argument("--no-sphinx", action="store_true")
    args = parser.parse_args()

    from indexer.extract import make_id
    from indexer.extract.isolated import read_here, read_isolated
    from indexer.extract.limits import Limits
    from indexer.whoosh.engine import SearchEngine

    work = Path(tempfile.mkdtemp(prefix="attachments-bench-"))
    corpus = work / "corpus"
    shutil.copytree(ATTACHMENTS, corpus)
    (corpus / "SOURCES.md").unlink()
    size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"corpus: {size / 1e6:.1f} MB")

    for label, index, env in [
        ("with OCR, empty cache", work / "ix", {}),
        ("with OCR, from the cache", work / "ix", {}),
        ("OCR off", work / "ix-noocr", {"GOVSEARCH_OCR": "0"}),
    ]:
        seconds, report = build(corpus, index, env)
        print(
            f"build {label:26} {seconds:6.1f} s, index {report.index_bytes / 1e6:.2f} MB, "
            f"{report.total_documents} documents, OCR pages {report.ocr_pages}, "
            f"skipped {len(report.skipped)}"
        )

    sample = REPO / "tests" / "data" / "attachments" / "收支预算.xls"
    limits = Limits()
    for label, read in [("in its own process", read_isolated), ("in this process", read_here)]:
        started = time.perf_counter()
        for _ in range(10):
            read(sample, ".xls", limits)
        print(f"read a 6 KB XLS {label:20} {(time.perf_counter() - started) / 10 * 1000:6.0f} ms")

    rng = random.Random(14)
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    texts = {p.relative_to(corpus).as_posix(): units(p) for p in files}
    joined = {rel: "\n".join(norm(u) for u in us) for rel, us in texts.items()}
    text_targets: list[tuple[str, str]] = []
    for rel, segments in texts.items():
        if rel == SCAN:
            continue
        others = [t for r, t in joined.items() if r not in (rel, SCAN)]
        for run in draw_runs(segments, others, args.runs_per_file, rng):
            text_targets.append((run, make_id(rel)))
    real = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "2", str(corpus / SCANNED_FROM), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    others = [t for r, t in joined.items() if r not in (SCAN, SCANNED_FROM)]
    scan_runs = draw_runs(real.split(), others, args.scan_runs, rng)
    scan_targets = [(run, make_id(SCAN)) for run in scan_runs]

    with contextlib.ExitStack() as stack:
        engines = [("whoosh", stack.enter_context(SearchEngine(work / "ix")))]
        if not args.no_sphinx:
            from conftest import running_cluster

            from indexer.sphinx.engine import SphinxEngine
            from indexer.sphinx.process import binaries_available

            if binaries_available():
                cluster = stack.enter_context(running_cluster(corpus, work / "sphinx"))
                sphinx = SphinxEngine(cluster.index_dir)
                stack.callback(sphinx.close)
                engines.append(("sphinx (2 shards)", sphinx))
        for name, engine in engines:
            for label, targets in (("text files", text_targets), ("scanned", scan_targets)):
                hit, total, missed = recall(engine, targets)
                print(f"recall {name:18} {label:10} {hit}/{total} = {hit / total:.3f}", end="")
                print(f"  missed: {missed[:8]}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
