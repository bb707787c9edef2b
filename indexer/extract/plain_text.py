"""Plain text that follows no known layout (e.g. Jiangxi ``JX_text/*.txt``): title = first line.

The first line is the title only when it reads like one: a salutation (``各直属单位：``) or a
sentence (ending 。) is body text, and the document then has no title rather than a wrong one.
"""

from __future__ import annotations

from ..records import Document

_NOT_TITLE_ENDINGS = ("：", ":", "。", "，", ",", "；", ";")


def parse_plain_text(text: str) -> Document:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    doc = Document(id="")
    if lines:
        first = lines[0]
        doc.title = first if len(first) <= 80 and not first.endswith(_NOT_TITLE_ENDINGS) else ""
        doc.body = "\n".join(lines[1:] if doc.title else lines)
    return doc
