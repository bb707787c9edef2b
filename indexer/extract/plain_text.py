"""Plain text that follows no known layout (e.g. Jiangxi ``JX_text/*.txt``): title = first line.

The first line is the title only when it reads like one: not a salutation (``各直属单位：``), a
sentence or a fragment of one (punctuation inside), a numbered heading (``一、``, ``第232号``) or a
stub; otherwise the document has no title rather than a wrong one. Jiangxi's JX_text files, body
text only, are the real case: none of their 29 first lines is a title.
"""

from __future__ import annotations

import re

from ..records import Document

_SENTENCE_PUNCTUATION = re.compile(r"[：:。，,；;！!？?]")
NUMBERED = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第.{1,6}号$)"
)


def parse_plain_text(text: str) -> Document:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    doc = Document(id="")
    if lines:
        doc.title = lines[0] if _reads_as_title(lines[0]) else ""
        doc.body = "\n".join(lines[1:] if doc.title else lines)
    return doc


def _reads_as_title(line: str) -> bool:
    return (
        5 <= len(line) <= 80
        and not _SENTENCE_PUNCTUATION.search(line)
        and not NUMBERED.match(line)
    )
