"""OCR resolution against accuracy and time, on the scanned pages of the shared attachments.

``scanned/huaian_2024_report_p1-2_scanned.pdf`` is pages 1-2 of ``annual-reports/szfgs2024.pdf``
rendered to 150-dpi images (SOURCES.md), so the real text of those pages is known. For each
resolution the pages are rendered at (pypdfium2) and read by tesseract ``chi_sim`` (psm 3, one
thread, as the build runs it), this prints seconds per page and the share of the real text's
distinct 4- and 6-character runs (whitespace left out, NFKC, as the character view compares)
that occur intact in the OCR text.

    python3 bench/ocr_dpi.py [--dpi 100,150,200,300]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ATTACHMENTS = REPO.parent / "shared" / "corpora" / "attachments"
SCAN = ATTACHMENTS / "scanned" / "huaian_2024_report_p1-2_scanned.pdf"
REAL = ATTACHMENTS / "annual-reports" / "szfgs2024.pdf"
PAGES = 2


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def runs(text: str, n: int) -> set[str]:
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def kept(real: str, ocr: str, n: int) -> float:
    want = runs(real, n)
    return len(want & runs(ocr, n)) / len(want)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", default="100,150,200,300")
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    import pypdfium2 as pdfium

    from indexer.extract.limits import Limits
    from indexer.extract.ocr import ocr_page

    real_pdf = pdfium.PdfDocument(str(REAL))
    real = squeeze("".join(real_pdf[i].get_textpage().get_text_bounded() for i in range(PAGES)))
    scan = pdfium.PdfDocument(str(SCAN))
    print(f"real text of pages 1-{PAGES}: {len(real)} characters")
    print(f"{'dpi':>4} {'s/page':>7} {'4-runs kept':>12} {'6-runs kept':>12}")
    for dpi in map(int, args.dpi.split(",")):
        limits = Limits(ocr_dpi=dpi)
        started = time.perf_counter()
        text = "".join(ocr_page(scan[i], limits) for i in range(PAGES))
        per_page = (time.perf_counter() - started) / PAGES
        ocr = squeeze(text)
        print(f"{dpi:4} {per_page:7.2f} {kept(real, ocr, 4):12.3f} {kept(real, ocr, 6):12.3f}")


if __name__ == "__main__":
    main()
