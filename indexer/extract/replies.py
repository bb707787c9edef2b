"""Replies to 人大建议 / 政协提案 published with their case fields (Pingtan yata pages).

``事 由：… 提 案 人：… 承办单位：… 代表反馈：… 办理情况：…`` (a deputy's 建议) or ``案 由：…
提 案 人：… 主办单位：… 协办单位：… 委员反馈：… 办复内容：…`` (a CPPCC 提案): run together on one
line in the crawler's page.txt, one paragraph each in the page.html. The fields become
metadata (addressee, handling_units, proposal_kind) and the body lists them one per line.
"""

from __future__ import annotations

import re

from ..records import Document
from .fields import canonical_label, split_units
from .labels import split_labelled

_REPLY_LABELS = (
    "事由",
    "案由",
    "提案人",
    "提案单位",
    "领衔人",
    "承办单位",
    "主办单位",
    "协办单位",
    "分办单位",
    "会办单位",
    "代表反馈",
    "委员反馈",
)
_PAD = r"[ \u3000]*"
_REPLY_TEXT = re.compile(rf"(办{_PAD}理{_PAD}情{_PAD}况|办{_PAD}复{_PAD}内{_PAD}容){_PAD}[:：]")
_PADDED_NAME = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
_HANDLING = ("主办单位", "承办单位", "分办单位", "协办单位", "会办单位")


def reply_fields(body: str, doc: Document) -> str:
    """Replies to 建议/提案: the run-together fields become metadata and lines of the body."""
    if not re.match(r"(?:事|案)[ \u3000]*由\s*[:：]", body):
        return body
    cut = _REPLY_TEXT.search(body)
    head_end = cut.start() if cut else len(body)
    _, pairs = split_labelled(body[:head_end], _REPLY_LABELS)
    reply_label = canonical_label(cut.group(1)) if cut else ""
    reply = body[cut.end() :].strip() if cut else ""
    pairs = [(label, re.sub(r"\s*\n\s*", "", value)) for label, value in pairs]
    fields = dict(pairs)
    proposer = fields.get("提案人") or fields.get("提案单位") or fields.get("领衔人") or ""
    # names padded to three characters (陈 兴) are one name
    doc.addressee = _PADDED_NAME.sub("", proposer)
    units: list[str] = []
    for label in _HANDLING:
        units += [u for u in split_units(fields.get(label, "")) if u not in units]
    doc.handling_units = units
    if "委员反馈" in fields or "委员" in proposer or "政协" in doc.category:
        doc.proposal_kind = "提案"
    elif "代表反馈" in fields or "代表" in proposer:
        doc.proposal_kind = "议案" if doc.title.endswith("议案") else "建议"
    # the title names the suggestion; the page is the reply to it (its 办理情况 / 办复内容 block)
    doc.doc_type = "答复" if reply else ""
    lines = [f"{label}：{value}" for label, value in pairs]
    if reply_label:
        lines.append(f"{reply_label}：")
        lines.append(reply)
    return "\n".join(lines)
