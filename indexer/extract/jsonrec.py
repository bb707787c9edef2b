"""JSON and JSONL records: one Document per object, common field names mapped to ours.

A ``.json`` file holds one object (one document, id from the relpath alone), an array of
objects, or an object whose ``documents`` / ``records`` / ``items`` / ``data`` member is such an
array. A ``.jsonl`` file holds one object per line.

A record's id must not depend on where it sits in the file: deleting the first line used to
renumber every other record, so every ``/doc/<id>`` link and bookmark moved to another document.
Its key (the id is ``make_id(relpath, key)``) is the record's own identifier (``id``, ``_id``,
``uuid`` …), else its original URL, else a hash of its raw title, date and body. Two records of
one file with the same key are one document given twice: the first is kept and the others are
skipped with a warning that names both (the build's summary lists it), never merged silently.
"""

from __future__ import annotations

import hashlib
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
#: names (lower case, spaces/colons removed) under which exports carry a record's own identifier
_ID_KEYS = frozenset(
    {"id", "_id", "doc_id", "docid", "document_id", "documentid", "uuid", "guid", "article_id",
     "articleid", "record_id", "文档id", "文章id"}
)  # fmt: skip
#: the fields whose raw text identifies a record that has neither an identifier nor a URL
_CONTENT_FIELDS = ("title", "date", "body")
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


def parse_json_records(
    text: str, *, jsonl: bool
) -> list[tuple[int | None, str | None, Document]]:
    """(record number, record key, Document) triples; invalid JSONL lines and records whose key
    an earlier record of the file already has are skipped with a warning.

    Number and key are None for a ``.json`` file holding a single object (not a list of records).
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
    docs: list[tuple[int | None, str | None, Document]] = []
    first_with: dict[str, int | None] = {}
    for number, item in items:
        if not isinstance(item, dict):
            skipped.append(f"record {number} skipped: not an object")
            continue
        doc = record_to_document(item)
        key = None if number is None else record_key(item, doc)
        if key is not None and key in first_with:
            skipped.append(
                f"record {number} skipped: same {_shown_key(key)} as record {first_with[key]}"
            )
            continue
        if key is not None:
            first_with[key] = number
        docs.append((number, key, doc))
    if not docs:
        raise ExtractError(skipped[0] if skipped else "no records")
    for _, _, doc in docs:
        doc.warnings.extend(skipped[:3])
    return docs


def record_key(record: dict[str, Any], doc: Document) -> str:
    """What identifies a record within its file, whatever its position (see the module doc)."""
    for key, value in record.items():
        if canonical_label(str(key)).lower() in _ID_KEYS and _scalar(value) and str(value).strip():
            return "id:" + str(value).strip()
    if doc.url:
        return "url:" + doc.url
    content: dict[str, str] = {}
    for key, value in record.items():
        name = KEYS.get(canonical_label(str(key)).lower())
        if name in _CONTENT_FIELDS and name not in content and _scalar(value):
            content[name] = str(value)
    raw = "\0".join(content.get(name, "") for name in _CONTENT_FIELDS)
    return "sha1:" + hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _shown_key(key: str) -> str:
    kind, _, value = key.partition(":")
    shown = value if len(value) <= 60 else value[:60] + "…"
    return {"id": f"id {shown!r}", "url": f"url {shown!r}"}.get(kind, "title, date and body")


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
