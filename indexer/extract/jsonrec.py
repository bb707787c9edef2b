"""JSON and JSONL records: one Document per object, common field names mapped to ours.

A ``.json`` file holds one object (one document, id from the relpath alone), an array of
objects, or an object whose ``documents`` / ``records`` / ``items`` / ``data`` member is such an
array. A ``.jsonl`` file holds one object per line. Each record keeps its position in the file
as its record number (the id is ``relpath#n``), so that fixing or dropping one record never
renumbers the others.
"""

from __future__ import annotations

import json
import re
from typing import Any

import lxml.html
from lxml import etree

from ..errors import ExtractError
from ..records import Document
from .fields import canonical_label, clean_value, parse_date
from .html_text import element_text, strip_boilerplate
from .proposals import normalize_feedback

#: key (lower case, spaces/colons removed) → Document field
KEYS: dict[str, str] = {
    **{k: "title" for k in ("title", "标题", "name", "名称", "articletitle", "headline")},
    **{k: "body" for k in ("body", "content", "text", "正文", "内容", "fulltext", "html")},
    **{k: "agency" for k in ("agency", "发布机构", "发布单位", "发文机关", "发文单位", "publisher",
                             "contentsource", "issuer", "department", "source_org")},
    **{k: "date" for k in ("date", "发布日期", "公布日期", "发布时间", "pubdate", "pub_date",
                           "publish_date", "published", "publishdate", "publish_time")},
    **{k: "written_date" for k in ("written_date", "成文日期", "sign_date")},
    **{k: "index_no" for k in ("index_no", "索引号", "indexno", "index_number")},
    **{k: "doc_no" for k in ("doc_no", "文号", "发文字号", "docno", "document_number", "wenhao")},
    **{k: "category" for k in ("category", "主题分类", "组配分类", "信息分类", "栏目", "column",
                               "columnname", "channel")},
    **{k: "url" for k in ("url", "link", "原文链接", "source_url", "href")},
    **{k: "disclosure" for k in ("disclosure", "公开方式")},
    **{k: "doc_type" for k in ("doc_type", "文种", "type")},
    **{k: "proposal_kind" for k in ("proposal_kind",)},
    **{k: "session" for k in ("session", "会议", "届次")},
    **{k: "proposal_no" for k in ("proposal_no", "提案号", "建议号")},
    **{k: "addressee" for k in ("addressee", "提案人", "代表", "委员")},
    **{k: "handling_units" for k in ("handling_units", "承办单位", "主办单位")},
    **{k: "feedback" for k in ("feedback", "代表反馈", "委员反馈", "反馈意见", "满意度")},
    **{k: "reply_date" for k in ("reply_date", "答复日期", "答复时间", "办复时间")},
    **{k: "contact" for k in ("contact", "联系人", "联系方式")},
}  # fmt: skip
_CONTAINERS = ("documents", "records", "items", "data", "docs", "results")
_DATE_FIELDS = {"date", "written_date", "reply_date"}
_MARKUP = re.compile(r"<(?:p|br|div|table|span)\b", re.I)


def _records(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in _CONTAINERS:
            inner = value.get(key)
            if isinstance(inner, list) and inner and all(isinstance(v, dict) for v in inner):
                return inner
        return [value]
    raise ExtractError("JSON holds neither an object nor an array of objects")


def parse_json_records(text: str, *, jsonl: bool) -> list[tuple[int | None, Document]]:
    """(record number, Document) pairs; invalid JSONL lines are skipped with a warning.

    The number is None for a ``.json`` file holding a single object (not a list of records).
    """
    items: list[tuple[int | None, Any]] = []
    skipped: list[str] = []
    if jsonl:
        numbered = [line for line in text.splitlines() if line.strip()]
        for number, line in enumerate(numbered):
            try:
                items.append((number, json.loads(line)))
            except (ValueError, RecursionError):
                skipped.append(f"record {number} skipped: invalid JSON")
    else:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ExtractError(f"invalid JSON: {exc}") from exc
        except RecursionError as exc:
            raise ExtractError("invalid JSON: nested too deeply") from exc
        records = _records(value)
        # one object is one document, like any other file: its id is the relpath's, no #0
        items = [(None, value)] if records == [value] else list(enumerate(records))
    docs = []
    for number, item in items:
        if not isinstance(item, dict):
            skipped.append(f"record {number} skipped: not an object")
            continue
        doc = record_to_document(item)
        docs.append((number, doc))
    if not docs:
        raise ExtractError(skipped[0] if skipped else "no records")
    for _, doc in docs:
        doc.warnings.extend(skipped[:3])
    return docs


def record_to_document(record: dict[str, Any]) -> Document:
    doc = Document(id="")
    for key, value in record.items():
        name = KEYS.get(canonical_label(str(key)).lower())
        if not name or getattr(doc, name):
            continue
        if name == "handling_units":
            units = value if isinstance(value, list) else [value]
            doc.handling_units = [clean_value(str(u)) for u in units if _scalar(u) and str(u)]
            continue
        if not _scalar(value) or value is None:
            continue
        text = str(value)
        if name == "body":
            doc.body = _body_text(text)
        elif name == "feedback":
            doc.feedback = normalize_feedback(text)
        elif name in _DATE_FIELDS:
            setattr(doc, name, parse_date(text))
        else:
            setattr(doc, name, clean_value(text))
    return doc


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _body_text(text: str) -> str:
    if not _MARKUP.search(text):
        return text
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):
        return text
    strip_boilerplate(root)
    return element_text(root)
