"""Text scraped from a disclosure page, like the seed: label lines, title, ``发布日期:``, body.

::

    索引号 / 00250260-2/2024-31773 / 文号 / (empty) / 公布日期 / 2024-06-03 / … / 统一编号
    关于区政协六届三次会议第13号提案的复函          ← the title: the line before 发布日期:
    发布日期: 2024-06-03 16:46
    浏览次数:
    王强委员:                                      ← addressee
    … body …
    (联系人:卜欣,联系电话:0571-89510494)          ← contact
"""

from __future__ import annotations

import re

from ..records import Document
from .fields import LABELS, canonical_label, clean_value, doc_type_from_title, parse_date

#: labels that stand on a line of their own, their value on the next line
_BLOCK_LABELS = set(LABELS) | {"统一编号", "有效性", "浏览次数", "来源", "信息来源"}
_INLINE = re.compile(r"^(?P<label>[\u4e00-\u9fff \u3000]{2,8})[:：]\s*(?P<value>.*)$")
_NOISE_LINE = re.compile(r"^[|｜\s]*$")
_DATE_FIELDS = {"date", "written_date"}
_CODE_LABELS = {"统一编号", "索引号", "文号", "发文字号", "公布日期", "发布日期", "成文日期"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if not _NOISE_LINE.match(line)]


def _is_block_label(line: str) -> bool:
    """A label alone on its line (``索引号``); ``浏览次数:`` with its colon is an inline label."""
    return (
        canonical_label(line) in _BLOCK_LABELS
        and len(line) <= 12
        and not line.endswith((":", "："))
    )


def _is_value_of(label_line: str, line: str) -> bool:
    """Whether ``line`` is the value of the label above it (not the next label, not the title)."""
    if not line or _is_block_label(line) or _inline_label(line):
        return False
    # codes and dates are never a title: 统一编号 left empty is followed by the title itself
    is_code = canonical_label(label_line) in _CODE_LABELS
    return not (is_code and len(line) > 8 and doc_type_from_title(line))


def _inline_label(line: str) -> str:
    match = _INLINE.match(line)
    return canonical_label(match.group("label")) if match else ""


def looks_like_seed(text: str) -> bool:
    """At least two metadata labels alone on their line among the first 40 lines."""
    return sum(_is_block_label(line) for line in _lines(text)[:40]) >= 2


def parse_seed_text(text: str) -> Document:
    lines = _lines(text)
    doc = Document(id="")
    title_at = next(
        (i - 1 for i, line in enumerate(lines) if i and _inline_label(line) == "发布日期"), None
    )
    if title_at is None:
        title_at = _end_of_label_block(lines)
    if title_at < len(lines) and not _is_block_label(lines[title_at]):
        doc.title = lines[title_at]
    body_start = min(title_at + 1, len(lines))
    i = 0
    while i < body_start:
        line = lines[i]
        if _is_block_label(line):
            value_line = lines[i + 1] if i + 1 < title_at else ""
            value = value_line if _is_value_of(line, value_line) else ""
            _set(doc, canonical_label(line), value)
            i += 2 if value else 1
        else:
            i += 1
    # inline "发布日期: …" / "浏览次数:" lines right after the title
    while body_start < len(lines) and _inline_label(lines[body_start]) in _BLOCK_LABELS:
        match = _INLINE.match(lines[body_start])
        _set(doc, _inline_label(lines[body_start]), match.group("value") if match else "")
        body_start += 1
    doc.body = "\n".join(lines[body_start:])
    return doc


def _end_of_label_block(lines: list[str]) -> int:
    """Without a ``发布日期:`` line: the first line after the labels and their values."""
    i, seen_label = 0, False
    while i < len(lines):
        if _is_block_label(lines[i]):
            seen_label = True
            following = lines[i + 1] if i + 1 < len(lines) else ""
            i += 2 if _is_value_of(lines[i], following) else 1
        elif not seen_label:
            i += 1  # navigation lines before the first label (法定主动公开内容 …)
        else:
            break
    return i


def _set(doc: Document, label: str, value: str) -> None:
    name = LABELS.get(label)
    value = clean_value(value)
    if not name or not value or getattr(doc, name):
        return
    setattr(doc, name, parse_date(value) if name in _DATE_FIELDS else value)
