"""Attachments (附件: PDF, Word, WPS, Excel, OFD files) → Document.

The file is read in a process of its own under limits (``isolated.py``); here its page texts
become a Document: the body is the pages in order (``page_starts`` says where each begins), the
title is the file's own when it is meaningful, else its first heading, and agency / date / 文号
come from the text by the rules pages use (``fields.py``).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from ..errors import ExtractError
from ..records import Document
from .fields import clean_value, find_doc_no, label_field, parse_date
from .isolated import read_isolated
from .limits import Limits
from .plain_text import NUMBERED
from .text_file import FileText

#: suffix -> file_type facet value (an image-only PDF becomes 扫描件)
FILE_TYPES: dict[str, str] = {
    ".pdf": "PDF",
    ".docx": "Word",
    ".doc": "Word",
    ".wps": "Word",
    ".xlsx": "Excel",
    ".xls": "Excel",
    ".ods": "Excel",
    ".ofd": "OFD",
}
SCANNED = "扫描件"
#: MIME types /files/<id> serves
MIME_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".wps": "application/vnd.ms-works",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".ofd": "application/ofd",
}
#: a page break in the body: a blank line (the document view shows paragraphs)
PAGE_BREAK = "\n\n"

# metadata titles that name no document: producer defaults, scanner and converter names
_PLACEHOLDER = re.compile(
    r"^(?:untitled|无标题|文档\d*|document\d*|microsoft word|wps|pdf|scan|scanned|新建.*)$", re.I
)
_WORD_PREFIX = re.compile(r"^Microsoft (?:Word|Excel) - ", re.I)
_EXTENSION = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|ods|ofd|txt|html?)$", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PAGE_NUMBER = re.compile(r"^[-—－\s]*(?:第\s*)?\d+\s*(?:页)?[-—－\s]*$|^\d+\s*/\s*\d+$")
_SENTENCE = re.compile(r"[。；;！!？?]|[，,].*[，,]")
_COLON = re.compile(r"[:：]")
_LABELLED = re.compile(r"^\s*([^:：\s][^:：]{0,9}?)\s*[:：]\s*(\S.*)$")
#: a heading is at most this many lines of the first page, this long in all
_HEADING_LINES, _HEADING_CHARS = 3, 80


def file_type_of(path: Path) -> str:
    return FILE_TYPES.get(path.suffix.lower(), "")


def extract_attachment(path: Path, limits: Limits | None = None) -> Document:
    limits = limits or Limits.from_env()
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ExtractError("no such file") from exc
    if size > limits.file_max_mb * 1024 * 1024:
        raise ExtractError(
            f"file too large: {size} bytes > limit of {limits.file_max_mb} MB "
            "(GOVSEARCH_FILE_MAX_MB)"
        )
    if size == 0:
        raise ExtractError("empty file")
    text = read_isolated(path, path.suffix.lower(), limits)
    return document_of(text, path.name, file_type_of(path), size)


def document_of(text: FileText, name: str, file_type: str, size: int) -> Document:
    """The Document of a file's page texts (no I/O)."""
    doc = Document(id="", file_name=name, file_size=size, page_count=text.page_count)
    pages = [_tidy(page) for page in text.pages]
    body, starts = "", []
    for page in pages:
        if body and page:
            body += PAGE_BREAK
        starts.append(len(body))
        body += page
    doc.body = body
    doc.page_starts = starts if len(starts) > 1 else []
    doc.ocr_pages = list(text.ocr_pages)
    scanned = text.ocr_pages and len(text.ocr_pages) * 2 >= max(1, len(pages))
    doc.file_type = SCANNED if scanned else file_type
    doc.warnings = list(text.warnings)
    if text.ocr_pages:
        doc.warnings.append(f"OCR text on pages {_ranges(text.ocr_pages)}")
    first = next((p for p in pages if p.strip()), "")
    doc.title = choose_title(text.title, first, name)
    if not doc.title:
        doc.title = _EXTENSION.sub("", name)
        doc.warnings.append("no title in the file: titled by its name")
    _fields_from_text(doc, first, pages)
    return doc


def _tidy(page: str) -> str:
    lines = [" ".join(line.split()) for line in page.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _ranges(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:20])) + (" …" if len(pages) > 20 else "")


def meaningful_title(title: str, first_page: str, name: str) -> str:
    """The metadata title when it names this document, else "".

    Not meaningful: empty, a placeholder (``Untitled``, ``文档1``), a file name (its extension is
    dropped first: ``2024年…决算表.pdf``), no Chinese at all, or words the first page does not
    carry: three of the shared final accounts keep the title of the template they were made
    from (``附件2：预算主管部门公开样张``).
    """
    title = _EXTENSION.sub("", _WORD_PREFIX.sub("", " ".join(title.split())))
    stem = _EXTENSION.sub("", PurePosixPath(name).name)
    if not title or _PLACEHOLDER.match(title) or title == stem or not _CJK.search(title):
        return ""
    squeezed = "".join(title.split())
    return title if squeezed in "".join(first_page.split()) else ""


def first_heading(first_page: str) -> str:
    """The opening lines of the first page that read as a heading, joined: a cover's title is
    often set on two or three lines (上海市普陀区规划和自然 / 资源局 / 2024 年度部门决算).

    A heading line has fewer Chinese characters than the page's full lines (the annual report's
    first body line, ``本报告由…《中华人民共和国政府``, runs the page's width without a full
    stop) and holds no sentence, label, table cell or numbered section (``一、总体情况``).
    """
    lines = [line.strip() for line in first_page.splitlines()]
    # page numbers and a 文号 above the title (浦府办发〔2025〕12号) are not part of it
    lines = [
        line
        for line in lines
        if line and not _PAGE_NUMBER.match(line) and find_doc_no(line) != line
    ]
    widest = max((len(_CJK.findall(line)) for line in lines), default=0)
    parts: list[str] = []
    for line in lines:
        # a line of cells (a form's title beside its first field, 1.ofd): its first cell may be
        # the heading's last line
        celled = " | " in line
        if celled and not parts:
            line = line.split(" | ")[0]
        if (
            _SENTENCE.search(line)
            or _COLON.search(line)
            or NUMBERED.match(line)
            or " | " in line
            or len(_CJK.findall(line)) < 2
            or (len(lines) > _HEADING_LINES and len(_CJK.findall(line)) > 0.75 * widest)
            or len("".join(parts)) + len(line) > _HEADING_CHARS
        ):
            break
        parts.append(line)
        if len(parts) == _HEADING_LINES or celled:
            break
    heading = "".join(parts)
    return heading if len(_CJK.findall(heading)) >= 4 else ""


def choose_title(meta_title: str, first_page: str, name: str) -> str:
    """The metadata title when meaningful (the heading when that says more, as
    ``淮安市人民政府2024 年政府信息公开工作年度报告`` does of ``政府信息公开工作年度报告``), else
    the first heading, else "" (the caller falls back to the file's name)."""
    meta = meaningful_title(meta_title, first_page, name)
    heading = first_heading(first_page)
    if meta and "".join(meta.split()) not in "".join(heading.split()):
        return meta
    return heading


def _fields_from_text(doc: Document, first_page: str, pages: list[str]) -> None:
    """Labelled fields (发布机构：…, 文号：…) of the first page, a 文号 alone on one of its first
    lines or in the title, and the signing date (落款) alone on one of the last lines."""
    lines = [line.strip() for line in first_page.splitlines() if line.strip()]
    for line in lines[:30]:
        match = _LABELLED.match(line)
        name = label_field(match.group(1)) if match else None
        if not match or name not in ("agency", "date", "written_date", "doc_no", "index_no"):
            continue
        value = clean_value(match.group(2).split(" | ")[0])
        if name in ("date", "written_date"):
            value = parse_date(value)
        if value and not getattr(doc, name):
            setattr(doc, name, value)
    if not doc.doc_no:
        for line in lines[:6]:
            found = find_doc_no(line)
            if found and found == line:
                doc.doc_no = found
                break
        else:
            doc.doc_no = find_doc_no(doc.title)
    last = next((p for p in reversed(pages) if p.strip()), "")
    tail = [line.strip() for line in last.splitlines() if line.strip()][-6:]
    for line in reversed(tail):
        found = parse_date(line)
        if found and len(line) <= 16:
            doc.written_date = doc.written_date or found
            doc.date = doc.date or found
            break
