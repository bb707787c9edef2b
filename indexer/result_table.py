"""A SearchResult as a plain-text table for a terminal (``govsearch search`` without ``--json``).

Chinese characters take two terminal columns, so widths are counted with
``unicodedata.east_asian_width`` instead of ``len``; otherwise every row with a CJK title would
push its date and agency out of line.
"""

from __future__ import annotations

import unicodedata

from .records import SearchResult

#: column (Hit attribute), heading, largest width in terminal cells; the title takes what is left
_FIXED_COLUMNS = (("date", "日期", 10), ("agency", "发布机构", 24), ("doc_no", "文号", 22))
_MIN_TITLE = 20
_GAP = "  "


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def _printable(text: str) -> str:
    # a title may carry ESC or other control characters: never send them to a terminal
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def fit(text: str, width: int) -> str:
    """``text`` cut (with …) or padded to exactly ``width`` terminal cells."""
    text = _printable(text)
    if display_width(text) > width:
        out, used = [], 0
        for ch in text:
            if used + char_width(ch) > width - 1:
                break
            out.append(ch)
            used += char_width(ch)
        text = "".join(out) + "…"
    return text + " " * (width - display_width(text))


def format_table(result: SearchResult, width: int = 100) -> str:
    """A header line, then one row per hit: title, date, agency, 文号."""
    pages = max(1, -(-result.total // result.size))
    lines = [
        f"{result.total} result{'' if result.total == 1 else 's'} for {_printable(result.query)!r} "
        f"(page {result.page} of {pages}, {result.took_ms:.0f} ms)"
    ]
    lines += [f"warning: {_printable(w)}" for w in result.warnings]
    if not result.hits:
        return "\n".join(lines)
    fixed = [
        (name, heading, min(limit, max(display_width(getattr(h, name)) for h in result.hits)))
        for name, heading, limit in _FIXED_COLUMNS
    ]
    fixed = [(n, h, max(w, display_width(h))) for n, h, w in fixed]
    number_width = len(str(len(result.hits) + (result.page - 1) * result.size))
    used = number_width + len(_GAP) * (len(fixed) + 1) + sum(w for _, _, w in fixed)
    title_width = max(_MIN_TITLE, width - used)
    header = [" " * number_width, fit("标题", title_width), *(fit(h, w) for _, h, w in fixed)]
    lines.append(_GAP.join(header).rstrip())
    first = (result.page - 1) * result.size + 1
    for n, hit in enumerate(result.hits, start=first):
        row = [str(n).rjust(number_width), fit(hit.title or "(无标题)", title_width)]
        row += [fit(getattr(hit, name), w) for name, _, w in fixed]
        lines.append(_GAP.join(row).rstrip())
    return "\n".join(lines)
