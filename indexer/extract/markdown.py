"""Markdown documents, LawRefBook laws being the real example.

::

    # 中华人民共和国宪法                                   ← title
    1982年12月4日 第五届全国人民代表大会第五次会议通过     ← history lines
    …
    <!-- INFO END -->
    ## 第一章 总纲 …

The date is the version date in the file name (``xxx(2019-03-02).md``); a file name without one
takes the first dated history line. Laws carry no 索引号/文号/发布机构: those stay empty.
"""

from __future__ import annotations

import re

from ..records import Document
from .fields import parse_date

_VERSION_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)\s*\.(?:md|markdown)$", re.I)
# the closing #s of an ATX heading are stripped in code (_heading_text): the pattern
# (.*?)\s*#*\s*$ was cubic in a heading line with a long run of spaces
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_INFO_END = "<!-- INFO END -->"
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*(?:\n|\Z)", re.S)


def parse_markdown(text: str, filename: str) -> Document:
    doc = Document(id="")
    text = _FRONT_MATTER.sub("", text.lstrip("\ufeff"))
    lines = text.splitlines()
    body_lines: list[str] = []
    for line in lines:
        heading = _HEADING.match(line)
        if heading and heading.group(1) == "#" and not doc.title:
            doc.title = _heading_text(heading.group(2))
            continue
        body_lines.append(_heading_text(heading.group(2)) if heading else line)
    body = _drop_comments("\n".join(body_lines))
    doc.body = "\n".join(line.rstrip() for line in body.splitlines() if line.strip())
    version = _VERSION_DATE.search(filename)
    if version:
        doc.date = parse_date(version.group(1))
    if not doc.date:
        header = text.split(_INFO_END, 1)[0] if _INFO_END in text else "\n".join(lines[:30])
        doc.date = _first_dated_line(header)
    return doc


def _heading_text(text: str) -> str:
    return text.rstrip().rstrip("#").rstrip()


def _drop_comments(text: str) -> str:
    """The text without its ``<!-- … -->`` comments; an unclosed one is kept as text.

    Done with ``find``: ``<!--.*?-->`` rescanned the rest of the text from every unclosed
    ``<!--`` (quadratic).
    """
    parts, at = [], 0
    while (start := text.find("<!--", at)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts.append(text[at:start])
        at = end + 3
    parts.append(text[at:])
    return "".join(parts)


def _first_dated_line(header: str) -> str:
    for line in header.splitlines():
        if line.lstrip().startswith("#"):
            continue
        found = parse_date(line)
        if found:
            return found
    return ""
