"""Text PDFs: pages per second and table text order of pypdfium2, pdftotext and pdfminer.six.

Over every PDF with a text layer in ../shared/corpora/attachments (132 pages): wall time of
each library over all pages (best of ``--repeat``), pages/s; and for the annual report's tables
(szfgs2024.pdf), whether each of its known table rows comes out as one line with its cells in
order (what keeps neighbouring cells from fusing into runs that are in no cell, once cells are
written `` | `` apart). pdfminer.six is only measured here (``pip install pdfminer.six``).

    python3 bench/pdf_text.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ATTACHMENTS = REPO.parent / "shared" / "corpora" / "attachments"
REPORT = "annual-reports/szfgs2024.pdf"
#: table rows of the annual report, cells in order (read off the PDF by eye)
ROWS = [
    ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ["规章", "1", "0", "11"],
    ["行政规范性文件", "8", "26", "66"],
    ["行政许可", "447228"],
]


def _pdfium_ours(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    from indexer.extract.pdf import page_text

    pdf = pdfium.PdfDocument(str(path))
    pages = []
    for page in pdf:
        textpage = page.get_textpage()
        pages.append(page_text(textpage))
        textpage.close()
    pdf.close()
    return pages


def _pdfium_plain(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    pages = [page.get_textpage().get_text_bounded() for page in pdf]
    pdf.close()
    return pages


def _pdftotext(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")


def _pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(str(path)).split("\f")


READERS = {
    "pypdfium2 (page_text: cells ' | ' apart)": _pdfium_ours,
    "pypdfium2 get_text_bounded": _pdfium_plain,
    "pdftotext (poppler)": _pdftotext,
    "pdfminer.six": _pdfminer,
}


def row_on_one_line(text: str, row: list[str]) -> bool:
    for line in text.splitlines():
        cells = [c for c in line.replace("|", " ").split() if c]
        joined = " ".join(cells)
        if " ".join(row) in joined:
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import pypdfium2 as pdfium

    pdfs = []
    for path in sorted(ATTACHMENTS.rglob("*.pdf")):
        doc = pdfium.PdfDocument(str(path))
        chars = sum(len(p.get_textpage().get_text_bounded().strip()) for p in doc)
        pages = len(doc)
        doc.close()
        if chars:
            pdfs.append((path, pages))
    total = sum(p for _, p in pdfs)
    print(f"{len(pdfs)} text PDFs, {total} pages")
    print(f"{'reader':44} {'best s':>7} {'pages/s':>8}  table rows on one line, in order")
    for name, read in READERS.items():
        if name.startswith("pdftotext") and shutil.which("pdftotext") is None:
            print(f"{name:44} (not installed)")
            continue
        try:
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                for path, _ in pdfs:
                    read(path)
                best = min(best, time.perf_counter() - started)
        except ImportError:
            print(f"{name:44} (not installed)")
            continue
        report = "\n".join(read(ATTACHMENTS / REPORT))
        kept = sum(row_on_one_line(report, row) for row in ROWS)
        print(f"{name:44} {best:7.2f} {total / best:8.0f}  {kept}/{len(ROWS)}")


if __name__ == "__main__":
    main()
