"""Crawler ``page.txt``: a ``key: value`` header, ``==== 正文 ====``, a body flattened to one line.

The Pingtan (平潭) archive is the real example: its bodies carry the site's breadcrumb, share
buttons, a run-together disclosure block (索 引 号： … 发文字号： …) and, for replies to
proposals, run-together fields (事 由：… 提 案 人：… 承办单位：… 办理情况：…); see
``../shared/corpora/SOURCES.md``. The noise is removed and the fields become metadata.
"""

from __future__ import annotations

import re

from ..errors import ExtractError
from ..records import Document
from .fields import SITE_NAMES, clean_value, find_doc_no, parse_date
from .labels import split_labelled
from .replies import reply_fields

_SEPARATOR = re.compile(r"^=+\s*正文\s*=+\s*$", re.M)
_HEADER_FIELDS = {
    "标题": "title",
    "发布时间": "date",
    "文号": "doc_no",
    "发布机构": "agency",
    "栏目": "category",
    "原文链接": "url",
}

# "当前位置： 首页… 时间：2022-11-01 15:03 微信 微博 QQ空间 [全真版 文字版 … 相关链接： -->]",
# or without the breadcrumb: "<title> 时间：2017-07-01 16:55 微信 微博 QQ空间" (gsgg/201707/7433)
_BREADCRUMB = re.compile(
    r"^\s*(?:当前位置\s*[:：].{0,2000}?|[^\n]{0,300}?)时间\s*[:：][\d\s:-]{0,20}"
    r"微信\s*微博\s*QQ空间(?:\s*全真版\s*文字版\s*文件下载\s*相关链接\s*[:：]\s*-->)?\s*",
    re.S,
)
_TAIL = re.compile(r"(?:来源\s*[:：]\s*(?P<source>[^\s：:]{2,40})\s*)?附件下载\s*")
#: the template's footer is at the very end of the body (来源, 附件下载, at most a few attachment
#: names: 101 characters at most in the Pingtan archive); looking for it only there keeps _TAIL's
#: cost fixed, where finditer over the whole body was quadratic in a run of whitespace
_TAIL_WINDOW = 500
_ATTACHMENT_END = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|zip|rar|ofd|jpe?g|png)\s*$", re.I)
_DISCLOSURE_LABELS = (
    "索引号",
    "主题分类",
    "发文机关",
    "成文日期",
    "标题",
    "发文字号",
    "发布日期",
    "有效性",
    "来源",
    "时间",
)
_DISCLOSURE_FIELDS = {
    "索引号": "index_no",
    "主题分类": "category",
    "发文机关": "agency",
    "成文日期": "written_date",
    "发文字号": "doc_no",
}


def looks_like_crawler(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("标题:") and bool(_SEPARATOR.search(text))


def parse_crawler_text(text: str) -> Document:
    separator = _SEPARATOR.search(text)
    if not separator:
        raise ExtractError("crawler page.txt without its 正文 separator line")
    doc = Document(id="")
    for line in text[: separator.start()].splitlines():
        key, sep, value = line.partition(":")
        name = _HEADER_FIELDS.get(key.strip())
        if sep and name:
            value = clean_value(value)
            setattr(doc, name, parse_date(value) if name == "date" else value)
    if doc.agency in SITE_NAMES:
        doc.warnings.append(f"发布机构 {doc.agency!r} names the web site, not an agency: ignored")
        doc.agency = ""
    body = text[separator.end() :].strip()
    body = _clean_pingtan_body(body, doc)
    body = reply_fields(body, doc)
    doc.body = body
    if not doc.doc_no:
        doc.doc_no = _leading_doc_no(body, doc.title)
    return doc


def _clean_pingtan_body(body: str, doc: Document) -> str:
    crumb = _BREADCRUMB.match(body)
    if crumb:
        _disclosure_block(crumb.group(0), doc)
        body = body[crumb.end() :]
    body = body.rstrip()
    offset = max(0, len(body) - _TAIL_WINDOW)
    tail = next(reversed(list(_TAIL.finditer(body, offset))), None)
    # the template's footer, not the words 附件下载 inside the text: the last one, with its 来源
    # or followed only by attachment file names
    rest = body[tail.end() :].strip() if tail else ""
    if tail and (tail.group("source") or not rest or _ATTACHMENT_END.search(rest)):
        if not doc.agency and tail.group("source") and tail.group("source") not in SITE_NAMES:
            doc.agency = tail.group("source")
        # attachment file names follow 附件下载 on some pages: keep them as their own line
        body = body[: tail.start()].rstrip() + (f"\n附件：{rest}" if rest else "")
    return body.strip()


def _disclosure_block(zone: str, doc: Document) -> None:
    """索引号 / 主题分类 / 发文机关 / 成文日期 / 发文字号 of the gwhwj pages' flattened table."""
    _, pairs = split_labelled(zone, _DISCLOSURE_LABELS)
    for label, value in pairs:
        name = _DISCLOSURE_FIELDS.get(label)
        if not name:
            continue
        value = clean_value(value.split(" ")[0] if name != "agency" else value)
        if value in SITE_NAMES:
            continue
        if name == "written_date":
            value = parse_date(value)
        if value and (name == "agency" or not getattr(doc, name)):
            setattr(doc, name, value)


def _leading_doc_no(body: str, title: str) -> str:
    """A 文号 the document opens with or carries in its title (not one it merely cites)."""
    in_title = find_doc_no(title)
    if in_title:
        return in_title
    head = find_doc_no(body[:60])
    return head if head and body.startswith(head) else ""
