"""Replies to 人大建议 / 政协提案 published as a handling record (Pingtan yata pages).

``事 由：… 提 案 人：… 承办单位：… 代表反馈：… 办理情况：…`` (a deputy's 建议) or ``案 由：…
提 案 人：… 主办单位：… 协办单位：… 委员反馈：… 办复内容：…`` (a CPPCC 提案): run together on one
line in the crawler's page.txt, one paragraph each in the page.html. The fields become
metadata (addressee, handling_units, feedback, proposal_kind …) and the body lists them one per
line. ``proposals.read_reply`` completes what a letter-style reply says.
"""

from __future__ import annotations

import re

from ..records import Document
from .fields import canonical_label, parse_date
from .labels import split_labelled
from .proposals import clean_session, normalize_feedback, split_units

_PROPOSERS = (
    "提案人",
    "提建议人",
    "建议人",
    "提出人",
    "领衔人",
    "领衔代表",
    "领衔委员",
    "提案单位",
)
# the lead unit first, whatever order the record lists them in; then the others as written
_LEADS = ("主办单位", "牵头单位", "承办单位")
_CO_UNITS = ("协办单位", "分办单位", "会办单位", "配合单位")
_FEEDBACK = ("代表反馈", "委员反馈", "反馈意见", "代表意见", "委员意见", "满意度", "办理结果")
_NUMBERS = ("建议号", "提案号", "案号", "建议编号", "提案编号")
_DATES = ("答复时间", "答复日期", "办复时间", "办复日期", "办结时间")
_REPLY_LABELS = (
    "事由",
    "案由",
    "届次",
    *_NUMBERS,
    *_PROPOSERS,
    *_LEADS,
    *_CO_UNITS,
    *_FEEDBACK,
    *_DATES,
)
_PAD = r"[ \u3000]*"
_REPLY_TEXT = re.compile(
    rf"(办{_PAD}理{_PAD}情{_PAD}况|办{_PAD}复{_PAD}内{_PAD}容|答{_PAD}复{_PAD}内{_PAD}容){_PAD}[:：]"
)
_PADDED_NAME = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
# a label alone in a table cell: html_text joins cells with " | " (a page.txt with tabs)
_CELL_LABELS = sorted({*_REPLY_LABELS, "办理情况", "办复内容", "答复内容"}, key=len, reverse=True)
_CELL_LABEL = re.compile(
    r"(?:^|(?<=[|\t\n]))[ \u3000]*("
    + "|".join(_PAD.join(map(re.escape, label)) for label in _CELL_LABELS)
    + r")[ \u3000]*(?:\||\t)[ \u3000]*",
    re.M,
)
# a handling record opens with its subject (事由 / 案由) or its proposer
_RECORD_START = re.compile(
    r"(?:事|案)[ \u3000]*由\s*[:：]|提[ \u3000]*(?:案|建[ \u3000]*议)[ \u3000]*人\s*[:：]"
)


def _cell_labels(body: str) -> str:
    """A record laid out as a table (``提案人 | 王强 | 承办单位 | 区交建局``, cells without
    colons) written as run-together fields (``提案人：王强 承办单位：区交建局``)."""
    return _CELL_LABEL.sub(lambda m: canonical_label(m.group(1)) + "：", body)


def reply_fields(body: str, doc: Document) -> str:
    """Replies to 建议/提案: the run-together fields become metadata and lines of the body."""
    start = _RECORD_START.search(body[:300])
    if not start and _CELL_LABEL.search(body[:300]):
        # only a table whose cells hold the labels is rewritten; other bodies stay as written
        body = _cell_labels(body)
        start = _RECORD_START.search(body[:300])
    if not start:
        return body
    before, record = body[: start.start()].strip(), body[start.start() :]
    cut = _REPLY_TEXT.search(record)
    head_end = cut.start() if cut else len(record)
    _, pairs = split_labelled(record[:head_end], _REPLY_LABELS)
    # a table's cell separators (" | ") stay outside the values
    pairs = [(label, re.sub(r"\s*\n\s*", "", value).strip(" |\t\u3000")) for label, value in pairs]
    fields = dict(pairs)
    proposer_label = next((label for label in _PROPOSERS if fields.get(label)), "")
    units_labels = [label for label, _ in pairs if label in _LEADS + _CO_UNITS]
    if not proposer_label or not units_labels:
        return body  # a page that merely mentions 事由: no record
    reply_label = canonical_label(cut.group(1)) if cut else ""
    reply = record[cut.end() :].strip() if cut else ""
    # names padded to three characters (陈 兴) are one name
    doc.addressee = _PADDED_NAME.sub("", fields[proposer_label]).strip()
    ordered = sorted(units_labels, key=lambda label: label not in _LEADS)
    units: list[str] = []
    for label in ordered:
        units += [u for u in split_units(fields[label]) if u not in units]
    doc.handling_units = units
    feedback_label = next((label for label in _FEEDBACK if label in fields), "")
    doc.feedback = normalize_feedback(fields.get(feedback_label, ""))
    doc.session = clean_session(fields.get("届次", ""))
    number = next((fields[label] for label in _NUMBERS if fields.get(label)), "")
    doc.proposal_no = "".join(re.findall(r"\d+", number))[:8]
    doc.reply_date = next((parse_date(fields[label]) for label in _DATES if fields.get(label)), "")
    cppcc = feedback_label == "委员反馈" or "案由" in fields or "提案单位" in fields
    if cppcc or "委员" in doc.addressee or "政协" in doc.category:
        doc.proposal_kind = "提案"
    elif feedback_label == "代表反馈" or "事由" in fields or "代表" in doc.addressee:
        # the channel, not the title's last word: Pingtan files deputies' 建议 under 人大议案
        doc.proposal_kind = "建议"
    # the title names the suggestion; the page is the reply to it (its 办理情况 / 办复内容 block)
    doc.doc_type = "答复" if reply else ""
    lines = [before] if before else []
    lines += [f"{label}：{value}" for label, value in pairs]
    if reply_label:
        lines.append(f"{reply_label}：")
        lines.append(reply)
    return "\n".join(lines)
