"""The plain records that flow through govsearch: Document in, SearchResult out.

They hold data only (no Whoosh, no Flask) so that every layer and a second engine can share them.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Document:
    """One disclosure document. Missing fields are empty strings / lists, never invented."""

    id: str  # stable, URL-safe; derived from the path relative to the corpus root
    title: str = ""
    body: str = ""
    agency: str = ""  # 发布机构 / 发布单位 / 发文机关 / 发文单位
    date: str = ""  # YYYY-MM-DD; 发布日期 / 公布日期 / 发布时间 / PubDate
    written_date: str = ""  # YYYY-MM-DD; 成文日期
    index_no: str = ""  # 索引号
    doc_no: str = ""  # 文号 / 发文字号, as written
    doc_no_norm: str = ""  # 文号 normalised for matching (bracket variants unified)
    category: str = ""  # 主题分类 / 组配分类 / 信息分类 / 栏目
    doc_type: str = ""  # 复函, 答复, 通知, 公告 … derived from the title
    disclosure: str = ""  # 公开方式
    url: str = ""  # 原文链接
    source_path: str = ""  # path relative to the corpus root (posix separators)
    proposal_kind: str = ""  # 提案 / 建议 / 议案
    session: str = ""  # e.g. 区政协六届三次会议
    proposal_no: str = ""  # e.g. 13
    addressee: str = ""  # e.g. 王强委员, 陈朝雄代表
    handling_units: list[str] = field(default_factory=list)  # 主办 / 会办 / 承办单位
    feedback: str = ""  # the proposer's recorded satisfaction: 满意 / 基本满意 / 不满意
    reply_date: str = ""  # YYYY-MM-DD; the letter's own date (落款), not the publication date
    kind_of_page: str = ""  # "reply" (one reply), "session_list" (a whole session's), or ""
    contact: str = ""  # 联系人 …
    # --- attachments (附件): files read by indexer/extract/attachment.py; "" / 0 / [] for pages
    file_type: str = ""  # PDF / Word / Excel / OFD / 扫描件 ("" for a page: its facet value 网页)
    file_name: str = ""  # the file's own name, e.g. 2024年度部门决算.pdf
    file_size: int = 0  # bytes
    page_count: int = 0  # pages (PDF, OFD), sheets (Excel); 0 when the format has none
    page_starts: list[int] = field(default_factory=list)  # body offset where each page starts
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text is OCR'd
    parent_id: str = ""  # the page that links this attachment
    parent_title: str = ""
    #: a page's attachments: {"id", "name", "type", "size"} each (ids of indexed documents)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    #: the source gave no title: ``title`` is the body's first meaningful line (pages say so)
    title_from_body: bool = False
    warnings: list[str] = field(default_factory=list)  # usable text, but something was off

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        names = _field_names(cls)
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def year(self) -> str:
        return self.date[:4] if self.date else ""

    @property
    def kind(self) -> str:
        """The ``file_type`` facet's value: a page's is 网页."""
        return self.file_type or PAGE_TYPE


#: the file_type facet's value of a page (HTML, text, JSON, Markdown: text that is no file)
PAGE_TYPE = "网页"


@functools.cache
def field_defaults(cls: type) -> dict[str, Any]:
    """A dataclass's field -> default (a default_factory's value; dataclasses.MISSING for a field
    without one): the docstore leaves defaults out, a Hit copies the rest."""
    return {
        f.name: f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        for f in dataclasses.fields(cls)
    }


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    # asked for each of a page's hits: dataclasses.fields() builds its tuple on every call
    return frozenset(f.name for f in dataclasses.fields(cls))


#: the fields a reply to a proposal or suggestion has, and a page that is none has empty
REPLY_FIELDS: tuple[str, ...] = (
    "proposal_kind",
    "session",
    "proposal_no",
    "addressee",
    "handling_units",
    "feedback",
    "reply_date",
)


#: the facet fields, in the order pages show them
FACET_FIELDS: tuple[str, ...] = (
    "agency",
    "year",
    "doc_type",
    "category",
    "proposal_kind",
    "session",
    "handling_unit",
    "feedback",
    "kind_of_page",
    "file_type",
)
#: facets a document may have several values of (a reply's handling units)
MULTI_VALUED_FACETS: tuple[str, ...] = ("handling_unit",)


@dataclass
class SearchRequest:
    """Everything a search can be asked; validated by ``indexer.params``."""

    q: str = ""
    agency: list[str] = field(default_factory=list)
    doc_type: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    proposal_kind: list[str] = field(default_factory=list)
    session: list[str] = field(default_factory=list)
    handling_unit: list[str] = field(default_factory=list)  # canonical names (indexer.agencies)
    feedback: list[str] = field(default_factory=list)
    kind_of_page: list[str] = field(default_factory=list)  # reply / session_list
    file_type: list[str] = field(default_factory=list)  # 网页 / PDF / Word / Excel / OFD / 扫描件
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive
    sort: str = "relevance"  # relevance | date | written_date
    page: int = 1
    size: int = 10
    facets: bool = True

    def filters(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in FACET_FIELDS if getattr(self, name)}


@dataclass
class Hit:
    id: str
    title: str
    agency: str
    date: str
    doc_type: str
    doc_no: str
    index_no: str
    snippet: str  # HTML: every character escaped, only <mark>…</mark> added
    score: float
    url: str
    title_html: str = ""  # the title, escaped, with <mark> on matched words
    category: str = ""
    proposal_kind: str = ""
    title_from_body: bool = False  # see Document.title_from_body
    # the reply fields (Document.REPLY_FIELDS): empty on a document that is no reply
    session: str = ""
    proposal_no: str = ""
    addressee: str = ""
    handling_units: list[str] = field(default_factory=list)
    feedback: str = ""
    reply_date: str = ""
    kind_of_page: str = ""
    written_date: str = ""
    file_type: str = ""  # "" for a page
    parent_title: str = ""  # an attachment's page: shown as 附件 · <page title>


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    size: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facets_truncated: bool = False
    warnings: list[str] = field(
        default_factory=list
    )  # e.g. "query syntax error: searched as words"
    generation: str = ""  # which index generation answered
    suggestion: str = ""  # did you mean (assist.py): a better query, when there is one
    read_as: str = ""  # the Chinese a pinyin query was searched as (assist.py)

    def to_dict(self) -> dict[str, Any]:
        """The exact JSON body of ``GET /api/search`` (``suggestion`` and ``read_as`` only when
        they are set)."""
        out = dataclasses.asdict(self)
        for key in ("suggestion", "read_as"):
            if not out[key]:
                del out[key]
        return out
