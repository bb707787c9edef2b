"""The HTML pages: ``/`` (search box), ``/search`` (results, facets, chart), ``/doc/<id>``.

Server-rendered so that they work without JavaScript; every piece of search state lives in the
URL (a GET form), so a result page can be shared and the back button works. Only ``Hit.snippet``
and ``Hit.title_html`` (escaped by the search layer, ``<mark>`` added) and markup built here with
``escape`` are marked safe; everything else goes through Jinja's autoescape.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from markupsafe import Markup, escape

from indexer.assist import assisted_search
from indexer.errors import DocumentNotFoundError, GovsearchError, QueryError
from indexer.highlight import Marker, render
from indexer.normalize import normalize
from indexer.params import DEFAULT_SIZE, last_reachable_page, parse_search_params
from indexer.query import parse_query
from indexer.records import FACET_FIELDS, Document, SearchRequest, SearchResult

from .api import attachment_listing, file_url
from .chart import bar_chart_svg, year_bars
from .engine import get_engine

bp = Blueprint("pages", __name__)

FACET_LABELS = {
    "agency": "发布机构",
    "year": "年份",
    "doc_type": "文种",
    "category": "主题分类",
    "proposal_kind": "提案/建议",
    "session": "届次",
    "handling_unit": "承办单位",
    "feedback": "委员/代表反馈",
    "kind_of_page": "提案建议页面",
    "file_type": "文件类型",
}
#: facet values shown in Chinese (the API keeps the values)
VALUE_LABELS = {"kind_of_page": {"reply": "单件答复", "session_list": "届次办理汇总"}}
SORT_LABELS = {"relevance": "相关度", "date": "最新发布", "written_date": "最新成文"}

#: queries shown on the home page; tests/test_pages.py checks each has hits in corpus/
EXAMPLE_QUERIES = ("地瓜经济", "提案 答复", "消防安全", "政府信息公开 年度报告", "空气质量")

#: every URL parameter a result page understands, in the order URLs list them
STATE_KEYS = ("q", *FACET_FIELDS, "date_from", "date_to", "sort", "size", "page")

# Page links around the current one; more would wrap to a third line at 375 px.
_PAGE_WINDOW = 2
# Long agency lists push the other facets off screen: the rest goes into a <details>.
_FACET_VISIBLE = 8
# Agencies / document types offered for browsing on the home page.
_BROWSE_VALUES = 8


# --- search state in the URL -------------------------------------------------------------


class UrlState:
    """The result page's parameters as ordered (key, value) pairs, and links that change one.

    Every link but a page link goes back to page 1: another filter means other pages.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]]):
        self.pairs = [(k, v) for k, v in pairs if k in STATE_KEYS and v.strip()]

    def _link(self, pairs: list[tuple[str, str]], base: str | None = None) -> str:
        base = url_for("pages.search") if base is None else base
        return base + ("?" + urlencode(pairs) if pairs else "")

    def _unpaged(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.pairs if k != "page"]

    def without(self, key: str, value: str | None = None) -> str:
        """This search minus one filter value (or every value of ``key``)."""
        return self._link(
            [(k, v) for k, v in self._unpaged() if k != key or value not in (None, v)]
        )

    def with_value(self, key: str, value: str) -> str:
        """This search with ``key`` set to the single ``value``, where ``key`` was."""
        pairs = self._unpaged()
        keys = [k for k, _ in pairs]
        at = keys.index(key) if key in keys else len(pairs)
        pairs = [(k, v) for k, v in pairs if k != key]
        pairs.insert(at, (key, value))
        return self._link(pairs)

    def page(self, number: int) -> str:
        return self._link(self._unpaged() + ([("page", str(number))] if number > 1 else []))

    def export(self, path: str) -> str:
        """The same search at the CSV export / Atom feed path (all pages: no page parameter)."""
        return self._link(self._unpaged(), path)

    def only(self, *keys: str) -> str:
        return self._link([(k, v) for k, v in self._unpaged() if k in keys])


@dataclass(frozen=True)
class Chip:
    label: str
    href: str


def filter_chips(req: SearchRequest, state: UrlState) -> list[Chip]:
    chips = [
        Chip(
            f"{FACET_LABELS[name]}：{VALUE_LABELS.get(name, {}).get(value, value)}",
            state.without(name, value),
        )
        for name, values in req.filters().items()
        for value in values
    ]
    if req.date_from:
        chips.append(Chip(f"起始日期：{req.date_from}", state.without("date_from")))
    if req.date_to:
        chips.append(Chip(f"截止日期：{req.date_to}", state.without("date_to")))
    return chips


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    href: str = ""
    current: bool = False


def page_links(current: int, last: int, state: UrlState) -> list[PageLink]:
    """First, last and a window around the current page; gaps become one ellipsis."""
    shown = {1, last, *range(current - _PAGE_WINDOW, current + _PAGE_WINDOW + 1)}
    links: list[PageLink] = []
    for n in sorted(p for p in shown if 1 <= p <= last):
        if links and links[-1].number is not None and n - links[-1].number > 1:
            links.append(PageLink(None))
        links.append(PageLink(n, state.page(n), n == current))
    return links


@dataclass(frozen=True)
class FacetOption:
    value: str
    count: int
    selected: bool
    input_id: str


def facet_options(result: SearchResult, req: SearchRequest) -> dict[str, list[FacetOption]]:
    """Checkbox rows per facet; a selected value the engine did not return stays untickable."""
    out: dict[str, list[FacetOption]] = {}
    for name in FACET_FIELDS:
        chosen = list(getattr(req, name))
        values = result.facets.get(name, [])
        listed = {v.value for v in values}
        rows = [(v.value, v.count, v.selected or v.value in chosen) for v in values]
        rows += [(value, 0, True) for value in chosen if value not in listed]
        if name == "year":
            rows.sort(key=lambda r: r[0], reverse=True)
        out[name] = [
            FacetOption(value, count, sel, f"f-{name}-{i}")
            for i, (value, count, sel) in enumerate(rows)
        ]
    return out


def to_simplified(text: str) -> str:
    """Traditional → Simplified as the analyzer maps them; other characters (NOT, -x) unchanged."""
    pairs = zip(text, normalize(text), strict=True)  # normalize() keeps the length
    return "".join(n if "\u3400" <= c <= "\u9fff" else c for c, n in pairs)


def empty_suggestions(req: SearchRequest, state: UrlState) -> list[Markup]:
    """What to change when nothing matched, most likely fix first; links where we can."""
    tips: list[Markup] = []
    if req.filters() or req.date_from or req.date_to:
        tips.append(
            Markup('去掉筛选条件：<a href="{}">只按关键词搜索</a>').format(state.only("q", "sort"))
        )
    if len(req.q.split()) > 1:
        tips.append(Markup("减少关键词：多个词之间是“并且”关系，每多一个词结果就更少"))
    simplified = to_simplified(req.q)
    if simplified != req.q:
        tips.append(
            Markup('改用简体字：<a href="{}">{}</a>').format(
                state.with_value("q", simplified), simplified
            )
        )
    else:
        tips.append(Markup("试试简体字，或同义的说法（例如“复函”与“答复”）"))
    tips.append(Markup("检查错别字，或换一个更常用的词"))
    return tips


# --- the document page -------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # "p" or "table"
    rows: list[list[str]]
    ocr: bool = False  # text of a scanned page, read by OCR


_CELL_SPLIT = re.compile(r"\t| \| ")
_MARK = "<mark>"


def body_blocks(body: str, ocr: Sequence[tuple[int, int]] = ()) -> list[Block]:
    """Paragraphs, and runs of tab- or `` | ``-separated lines as one table (as extracted);
    a block that starts inside one of the ``ocr`` spans (body offsets) is marked as OCR text."""
    blocks: list[Block] = []
    at = 0
    for raw in body.splitlines(keepends=True):
        start, at = at, at + len(raw)
        line = raw.strip()
        if not line:
            continue
        scanned = any(a <= start < b for a, b in ocr)
        if _CELL_SPLIT.search(line):
            cells = [c.strip() for c in _CELL_SPLIT.split(line)]
            if blocks and blocks[-1].kind == "table" and blocks[-1].ocr == scanned:
                blocks[-1].rows.append(cells)
            else:
                blocks.append(Block("table", [cells], scanned))
        else:
            blocks.append(Block("p", [[line]], scanned))
    return blocks


def ocr_spans(doc: Document) -> list[tuple[int, int]]:
    """(start, end) body offsets of the pages read by OCR."""
    starts = doc.page_starts or [0]
    ends = [*starts[1:], len(doc.body)]
    return [(starts[n - 1], ends[n - 1]) for n in doc.ocr_pages if 0 < n <= len(starts)]


def size_text(size: int) -> str:
    """A file size as people read it: 3.7 MB, 245 KB, 608 字节."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1000:
        return f"{size / 1000:.0f} KB"
    return f"{size} 字节"


#: the metadata table of a document page: label, Document field (in the order shown)
METADATA_FIELDS = (
    ("索引号", "index_no"),
    ("文号", "doc_no"),
    ("发布机构", "agency"),
    ("成文日期", "written_date"),
    ("发布日期", "date"),
    ("主题分类", "category"),
    ("文种", "doc_type"),
    ("公开方式", "disclosure"),
    ("联系人", "contact"),
    ("文件类型", "file_type"),
    ("页数", "page_count"),
)
#: the reply block of a document page (a reply or a session list): label, Document field
REPLY_FIELDS_SHOWN = (
    ("类别", "proposal_kind"),
    ("届次", "session"),
    ("编号", "proposal_no"),
    ("提案人/建议人", "addressee"),
    ("承办单位", "handling_units"),
    ("委员/代表反馈", "feedback"),
    ("答复日期", "reply_date"),
)


def metadata_rows(
    doc: Document, fields: tuple[tuple[str, str], ...] = METADATA_FIELDS
) -> list[tuple[str, str]]:
    """Label/value rows for the metadata table (or the reply block); fields with a value."""
    rows = []
    for label, name in fields:
        value = getattr(doc, name)
        value = "、".join(value) if isinstance(value, list) else value
        value = str(value) if value else ""
        if value:
            rows.append((label, value))
    return rows


def safe_original_url(url: str) -> str:
    """The original page's link only when it is http(s): a javascript: URL must not be a link."""
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def highlighter(q: str, doc: Document) -> Callable[[str], Markup]:
    """Escapes a piece of the document, marking what the query matched as the result snippets
    do (a part's run where the document holds it, else its words)."""
    marks = parse_query(q).marks if q.strip() else ()
    if not marks:
        return escape
    marker = Marker(marks, doc.title + "\n" + doc.body)

    def mark(text: str) -> Markup:
        # render() escapes every character outside the marks
        return Markup(render(text, marker.spans(text)))

    return mark


# --- routes ------------------------------------------------------------------------------


@bp.get("/")
def home():
    engine = get_engine()
    # Browse links from the index itself: whatever corpus is served, each one has hits.
    everything = engine.search(SearchRequest(size=1))
    browse = {
        name: everything.facets.get(name, [])[:_BROWSE_VALUES] for name in ("agency", "doc_type")
    }
    return render_template(
        "home.html",
        examples=EXAMPLE_QUERIES,
        browse=browse,
        facet_labels=FACET_LABELS,
        stats=engine.stats(),
    )


@bp.get("/search")
def search():
    state = UrlState(request.args.items(multi=True))
    req = parse_search_params(request.args.to_dict(flat=False), max_window=None)
    # past the result window a person gets the last page it reaches, not an error page
    reachable = last_reachable_page(req.size, current_app.config["MAX_RESULT_WINDOW"])
    asked_page = req.page
    req.page = min(req.page, reachable)
    result = assisted_search(get_engine(), req)
    last_page = min(reachable, max(1, math.ceil(result.total / req.size)))
    bars = year_bars(result.facets.get("year", []), lambda y: state.with_value("year", y))
    return render_template(
        "search.html",
        req=req,
        result=result,
        state=state,
        chips=filter_chips(req, state),
        facets=facet_options(result, req),
        facet_labels=FACET_LABELS,
        value_labels=VALUE_LABELS,
        sort_labels=SORT_LABELS,
        pages=page_links(req.page, last_page, state) if last_page > 1 else [],
        last_page=last_page,
        window_page=asked_page if asked_page > req.page else None,
        chart=bar_chart_svg(bars, "各年份匹配文件数"),
        suggestions=empty_suggestions(req, state) if not result.total else [],
        facet_visible=_FACET_VISIBLE,
        default_size=DEFAULT_SIZE,
    )


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    engine = get_engine()
    doc = engine.get(doc_id)
    q = request.args.get("q", "")
    hl = highlighter(q, doc)
    blocks = [
        Block(block.kind, [[hl(cell) for cell in row] for row in block.rows], block.ocr)
        for block in body_blocks(doc.body, ocr_spans(doc))
    ]
    attachments = [
        {**item, "size_text": size_text(int(item["size"]))}
        for item in attachment_listing(engine, doc)
    ]
    # Long laws run to 100,000 characters: a link takes the reader to the first match.
    marked = [i for i, block in enumerate(blocks) if any(_MARK in c for r in block.rows for c in r)]
    return render_template(
        "document.html",
        doc=doc,
        q=q,
        title=hl(doc.title),
        blocks=blocks,
        first_match=marked[0] if marked else None,
        match_count=sum(c.count(_MARK) for b in blocks for r in b.rows for c in r),
        metadata=metadata_rows(doc),
        reply=metadata_rows(doc, REPLY_FIELDS_SHOWN) if doc.kind_of_page else [],
        reply_kind=VALUE_LABELS["kind_of_page"].get(doc.kind_of_page, ""),
        original_url=safe_original_url(doc.url),
        attachments=attachments,
        download_url=file_url(doc.id) if doc.file_type else "",
        size_text=size_text(doc.file_size),
        ocr_page_list="、".join(map(str, doc.ocr_pages)),
        related=engine.related(doc.id, limit=current_app.config["RELATED_LIMIT"]),
    )


# --- errors ------------------------------------------------------------------------------

# The app's own handlers (webui/app.py) render error.html for unrouted URLs and crashes; errors
# raised by these views get a Chinese message here instead of the engine's English one.


#: what a citizen should change, per invalid parameter (QueryError.param); the engine's English
#: detail follows in brackets for whoever reports the problem
_QUERY_HINTS = {
    "q": "检索词太长，请只保留关键词（最多 500 字）。",
    "date_from": "起始日期请按“年-月-日”填写，例如 2024-03-01。",
    "date_to": "截止日期请按“年-月-日”填写，例如 2024-03-01，且不能早于起始日期。",
    "page": "页码应为正整数。",
    "size": "每页条数应为 1 到 100 之间的整数。",
    "sort": "排序方式只能是“相关度”“最新发布”或“最新成文”。",
    "year": "年份应为四位数字，例如 2023。",
    "agency": "发布机构的筛选条件过多或过长。",
    "doc_type": "文种的筛选条件过多或过长。",
    "category": "主题分类的筛选条件过多或过长。",
    "proposal_kind": "提案/建议的筛选条件过多或过长。",
    "session": "届次的筛选条件过多或过长。",
    "handling_unit": "承办单位的筛选条件过多或过长。",
    "feedback": "反馈的筛选条件过多或过长。",
    "kind_of_page": "页面类型的筛选条件过多或过长。",
    "file_type": "文件类型的筛选条件过多或过长。",
}


def _error_page(status: int, message: str):
    q = request.args.get("q", "")
    return render_template("error.html", status=status, message=message, q=q), status


@bp.errorhandler(GovsearchError)
def govsearch_error(exc: GovsearchError):
    if isinstance(exc, DocumentNotFoundError):
        return _error_page(404, "没有找到这篇文件：它可能已被删除，或者链接有误。")
    if isinstance(exc, QueryError):
        hint = _QUERY_HINTS.get(exc.param or "", "请检查检索条件后重试。")
        return _error_page(400, f"检索条件有误：{hint}（{exc}）")
    current_app.logger.warning("page error: %s", exc)
    return _error_page(exc.http_status, f"暂时无法检索：{exc.public()}")
