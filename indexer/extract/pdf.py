"""PDF → page texts with pypdfium2 (PDFium, Chrome's PDF library); pages without text are OCR'd.

pypdfium2 against pdftotext and pdfminer.six (bench/pdf_text.py, the 152 text pages of the
shared attachments, a shared machine): pypdfium2 529-790 pages/s (300-433 with the cell gaps
below), pdftotext 472-697, pdfminer.six 19-27; and only pypdfium2 keeps the annual report's
table rows on one line with their cells in order (4 of 4; pdftotext puts every cell on a line of
its own, pdfminer groups a table by column: 0 of 4). Cells are told apart by their gap
(``CELL_GAP``) and written `` | `` apart, the way the HTML extractor writes table cells: the
character view ignores whitespace, so cells only separated by a space would fuse into runs that
are in no cell ("信息内容本年制发件数").
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ExtractError
from .limits import Limits
from .ocr import OcrCache, file_digest, ocr_page
from .text_file import FileText

#: a gap wider than this many character heights between two characters of one line separates
#: table cells or columns; spaces inside a sentence of the real PDFs (``2024 年``) are below 0.6
CELL_GAP = 1.5
#: a page with fewer characters of text than this is read as a scan when it holds an image
MIN_PAGE_CHARS = 10
CELL = " | "


def read_pdf(path: Path, limits: Limits) -> FileText:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ExtractError("encrypted PDF (password-protected)") from exc
        raise ExtractError(f"not a readable PDF ({message})") from exc
    try:
        return _read(pdf, path, limits)
    finally:
        pdf.close()


def _read(pdf, path: Path, limits: Limits) -> FileText:
    out = FileText(title=(pdf.get_metadata_dict().get("Title") or "").strip())
    out.page_count = len(pdf)
    cache: OcrCache | None = None
    for number in range(1, len(pdf) + 1):
        page = pdf[number - 1]
        textpage = page.get_textpage()
        text = page_text(textpage)
        textpage.close()
        if len("".join(text.split())) < MIN_PAGE_CHARS and _has_image(page):
            if not limits.ocr:
                out.warnings.append(f"page {number} has no text layer (OCR is off)")
            elif len(out.ocr_pages) >= limits.ocr_max_pages:
                out.warnings.append(
                    f"page {number} not OCR'd: over the limit of {limits.ocr_max_pages} pages"
                )
            else:
                cache = cache or OcrCache(limits.ocr_cache, file_digest(path), limits.ocr_dpi)
                text = _ocr(page, number, cache, limits, out)
        out.pages.append(text)
        page.close()
    return out


def _ocr(page, number: int, cache: OcrCache, limits: Limits, out: FileText) -> str:
    cached = cache.get(number)
    if cached is not None:
        out.ocr_pages.append(number)
        return cached
    try:
        text = ocr_page(page, limits)
    except RuntimeError as exc:  # pytesseract's timeout
        out.warnings.append(f"page {number} not OCR'd: {exc}")
        return ""
    cache.put(number, text)
    out.ocr_pages.append(number)
    out.ocr_new += 1
    return text


def _has_image(page) -> bool:
    import pypdfium2.raw as raw

    return any(obj.type == raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=3))


def page_text(textpage) -> str:
    """The page's text in PDFium's order, lines as lines, table cells `` | `` apart."""
    import pypdfium2.raw as raw

    count = textpage.count_chars()
    parts: list[str] = []
    last_box = None  # (left, bottom, right, top) of the last visible character of the line
    pending_space = False
    for i in range(count):
        ch = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
        if ch in "\r\n":
            if parts and parts[-1] != "\n":
                parts.append("\n")
            last_box, pending_space = None, False
            continue
        if ch.isspace() or ch in "\x00\ufffe\uffff":
            pending_space = True
            continue
        box = textpage.get_charbox(i)
        if last_box is not None:
            height = max(last_box[3] - last_box[1], box[3] - box[1], 1.0)
            same_line = box[1] < last_box[3] and last_box[1] < box[3]
            if same_line and box[0] - last_box[2] > CELL_GAP * height:
                parts.append(CELL)
            elif pending_space:
                parts.append(" ")
        elif pending_space and parts and parts[-1] != "\n":
            parts.append(" ")
        parts.append(ch)
        last_box, pending_space = box, False
    return "".join(parts).strip()
