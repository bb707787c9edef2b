"""Spreadsheets (XLSX, XLS, ODS) → one page of text per sheet, with python-calamine (Rust).

Every sheet, rows in order, a row's non-empty cells `` | `` apart (as the HTML extractor writes
table cells, so that neighbouring cells never fuse into one run of the character view); the
sheet's name opens its page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import ExtractError
from .text_file import FileText


def read_sheets(path: Path) -> FileText:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        out = FileText(page_count=len(book.sheet_names))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
            lines = []
            for row in rows:
                cells = [_cell(c) for c in row]
                cells = [c for c in cells if c]
                if cells:
                    lines.append(" | ".join(cells))
            lines.append(f"工作表：{name.strip()}")
            out.pages.append("\n".join(lines))
    except (CalamineError, ValueError) as exc:
        raise ExtractError(f"not a readable spreadsheet ({_first_line(exc)})") from exc
    return out


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return " ".join(str(value).split())
