"""Saved HTML pages of government CMSs (Hanweb/大汉 as in Jiangxi and Lishui, TRS as in Pingtan).

Metadata, most trusted first: the disclosure table (索引号, 文号/发文字号, 发布机构, 成文日期 …,
labels padded with spaces or U+3000), then ``<meta>`` tags (ArticleTitle, PubDate, ContentSource,
ColumnName, Url), then ``label：value`` lines such as ``发布时间：`` and ``信息来源：``. The body is
the CMS's content container (``#zoom``, ``.TRS_Editor``, ``.article_content`` …) or, failing
that, the block holding most text; without navigation, scripts, share buttons, footers and
view counters.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ..errors import ExtractError
from ..records import Document
from .fields import (
    LABELS,
    canonical_label,
    clean_value,
    find_doc_no,
    parse_date,
)
from .html_text import element_text, strip_boilerplate
from .replies import reply_fields

#: content containers of the CMS templates we have met, most specific first: ("id"|"class", name)
_BODY_CONTAINERS = (
    ("id", "zoom"),
    ("class", "TRS_Editor"),
    ("class", "article_content"),
    ("class", "zoom"),
    ("id", "UCAP-CONTENT"),
    ("class", "article-content"),
    ("class", "pages_content"),
    ("id", "content"),
)
_BODY_KEYS = frozenset(_BODY_CONTAINERS)
_WITH_ID_OR_CLASS = etree.XPath("//*[@id or @class]")
_META_FIELDS = {
    "articletitle": "title",
    "pubdate": "date",
    "contentsource": "agency",
    "columnname": "category",
    "url": "url",
}
_TITLE_XPATHS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article_title ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' sp_title ')]",
    "//h1",
)
#: label-value elements are short; a paragraph of body text is not a metadata cell
_MAX_LABEL_CELL = 12
_MAX_VALUE_CELL = 200
_INLINE_LABEL = re.compile(
    r"^\s*([\u4e00-\u9fff][\u4e00-\u9fff \u3000]{1,9})\s*[:：]\s*(.*)$", re.S
)
#: elements that hold a label or a value; a cell with more children than this is a container
_CELL_TAGS = ("td", "th", "dt", "span", "li", "label", "b", "strong", "em", "p", "font", "div")
_MAX_CELL_CHILDREN = 3
#: a word every label we read has (索引号, 发文字号, 发布机构, 成文日期, 组配分类, 公开方式 …)
_LABEL_WORD = re.compile(r"号|日期|时间|机构|机关|单位|分类|方式|来源|标|栏目|链接")
_EXTRA_LABELS = {"信息来源": "agency", "来源": "agency"}
# [^<>], not [^>]: a '<' never closed must cost one scan to the next '<', not one to the end
# (quadratic in a title of many '<')
_TAGS = re.compile(r"<script.*?(?:</script>|$)|<style.*?(?:</style>|$)|<[^<>]*>", re.S | re.I)
_DATE_FIELDS = {"date", "written_date"}
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s-\s|\s—\s|——)\s*")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_OPENED = re.compile(r"<(?:html|body)\b", re.I)
_CLOSED = re.compile(r"</(?:html|body)\s*>", re.I)


def _text(el: etree._Element) -> str:
    return " ".join(el.text_content().replace("\u3000", " ").split())


def clean_markup(text: str) -> str:
    """Titles taken from ``<title>``/``<meta>`` may carry markup (``<script>`` …): drop it."""
    return " ".join(_TAGS.sub(" ", text).split())


def parse_html(text: str) -> Document:
    if not text.strip():
        raise ExtractError("empty document")
    # lxml refuses str input that carries an XML encoding declaration (XHTML pages); the text
    # is decoded already, so the declaration says nothing any more
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"unparseable HTML: {exc}") from exc
    doc = Document(id="")
    if _OPENED.search(text) and not _CLOSED.search(text):
        doc.warnings.append("HTML looks truncated: no closing </body> or </html>")
    _labelled_cells(root, doc)
    _meta_tags(root, doc)
    if not doc.title:
        doc.title = _visible_title(root)
    body_el = _body_element(root)
    if body_el is None:
        raise ExtractError("no body text in the HTML")
    strip_boilerplate(body_el)
    doc.body = reply_fields(element_text(body_el), doc)
    if not doc.doc_no:
        doc.doc_no = _standalone_doc_no(doc.body)
    return doc


def _set(doc: Document, name: str, value: str) -> None:
    value = clean_value(value)
    if name in _DATE_FIELDS:
        value = parse_date(value)
    elif name == "title":
        value = clean_markup(value)
    if value and not getattr(doc, name):
        setattr(doc, name, value)


def _labelled_cells(root: etree._Element, doc: Document) -> None:
    """``<td>索 引 号</td><td>value</td>`` and ``<span>发布时间：2023-10-23</span>`` pairs."""
    for el in root.iter(*_CELL_TAGS):
        # cheap tests first: text_content() of every container cost as much as parsing the page
        children = len(el)
        if children > _MAX_CELL_CHILDREN or (children and el.tag == "div"):
            continue
        raw = el.text_content() if children else el.text
        if not raw or len(raw) > 2 * _MAX_VALUE_CELL or not _LABEL_WORD.search(raw):
            continue
        text = " ".join(raw.replace("\u3000", " ").split())
        label = canonical_label(text)
        name = LABELS.get(label) if len(text) <= _MAX_LABEL_CELL else None
        if name:
            value_el = el.getnext()
            if value_el is not None and value_el.tag in ("td", "th", "dd", "span", "div", "p"):
                value = _text(value_el)
                if value and not LABELS.get(canonical_label(value)):
                    _set(doc, name, value)
            continue
        match = _INLINE_LABEL.match(text)
        if match:
            label = canonical_label(match.group(1))
            name = LABELS.get(label) or _EXTRA_LABELS.get(label)
            if name and name != "title":
                _set(doc, name, match.group(2))


def _meta_tags(root: etree._Element, doc: Document) -> None:
    for meta in root.iter("meta"):
        name = _META_FIELDS.get((meta.get("name") or "").strip().lower())
        if name:
            _set(doc, name, meta.get("content") or "")


def _visible_title(root: etree._Element) -> str:
    for xpath in _TITLE_XPATHS:
        for el in root.xpath(xpath):
            title = clean_markup(_text(el))
            if title:
                return title
    title_el = root.find(".//title")
    if title_el is None:
        return ""
    # CMS <title>s join the title with column and site names: 标题_栏目_站点, 标题 - 站点
    parts = _TITLE_SEPARATORS.split(clean_markup(title_el.text_content()))
    return max(parts, key=len).strip()


def _body_element(root: etree._Element) -> etree._Element | None:
    # one pass in Python: an XPath per container name (concat/normalize-space over every
    # element) cost a tenth of the extraction time
    found: dict[tuple[str, str], etree._Element] = {}
    for el in _WITH_ID_OR_CLASS(root):
        keys = [("id", el.get("id", "").strip())]
        keys += [("class", name) for name in el.get("class", "").split()]
        for key in keys:
            if key in _BODY_KEYS and key not in found and el.text_content().strip():
                found[key] = el
    for key in _BODY_CONTAINERS:
        if key in found:
            return found[key]
    for el in root.iter("article"):
        if _text(el):
            return el
    body = root.find("body")
    if body is None:
        body = root
    strip_boilerplate(body)
    # the block holding most text: a div/td whose own paragraphs carry the content
    best, best_len = None, 0
    for el in body.iter("div", "td", "section", "article", "main"):
        own = sum(len(_text(p)) for p in el if p.tag in ("p", "br", "span", "font", "table"))
        own += len((el.text or "").strip())
        if own > best_len:
            best, best_len = el, own
    return best if best is not None and best_len >= 20 else body


def _standalone_doc_no(body: str) -> str:
    """A 文号 alone on one of the first lines (a 文号 cited inside a sentence is not ours)."""
    for line in body.splitlines()[:4]:
        found = find_doc_no(line)
        if found and found == line.strip():
            return found
    return ""
