"""Run-together ``label：value`` fields, as crawlers flatten disclosure tables into one line.

``索 引 号： PZ00101-1300-2016-00001 主题分类： 无 发文机关： 平潭综合实验区管委会 …`` and
``事 由：…提 案 人：…承办单位：…`` become ordered ``(label, value)`` pairs; labels may be padded
with spaces between their characters, values run until the next known label.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .fields import canonical_label


@lru_cache(maxsize=64)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    spaced = [r"[ \u3000]*".join(map(re.escape, label)) for label in labels]
    # longest first so 提案人 wins over 提案, 发布日期 over 发布
    spaced.sort(key=len, reverse=True)
    return re.compile(rf"(?:{'|'.join(spaced)})[ \u3000]*[:：]")


def split_labelled(text: str, labels: tuple[str, ...]) -> tuple[str, list[tuple[str, str]]]:
    """(text before the first label, [(canonical label, value) …]) for the given label names."""
    matches = list(_label_pattern(labels).finditer(text))
    if not matches:
        return text, []
    pairs = []
    for this, nxt in zip(matches, [*matches[1:], None], strict=True):
        end = nxt.start() if nxt else len(text)
        pairs.append((canonical_label(this.group(0)), text[this.end() : end].strip()))
    return text[: matches[0].start()], pairs
