"""Search parameters → ``SearchRequest``: the one validator the CLI, the HTTP layer and the
engines share.

Input is a mapping of name → list of values (Werkzeug's ``request.args.to_dict(flat=False)``,
``urllib.parse.parse_qs`` or the CLI's options). Every invalid value raises ``QueryError`` with a
message a person can act on; nothing here raises anything else. Unknown names are ignored so that
pages may carry their own parameters. ``prepare`` is what every engine runs first on a
``SearchRequest`` (built by this module or by a caller in code): the same checks, then the query
parsed once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .assist import assisted_search
from .dates import parameter_day
from .errors import QueryError
from .query import ParsedQuery, parse_query
from .records import FACET_FIELDS, SearchRequest, SearchResult

if TYPE_CHECKING:
    from .engines import Engine

MAX_QUERY_LENGTH = 500
DEFAULT_SIZE = 10
MAX_SIZE = 100
# A page costs the ranking of every hit before it (a top-k of page * size), and nobody reads hit
# 10,001: page * size is capped, as Elasticsearch's index.max_result_window (default 10,000). The
# web app's setting MAX_RESULT_WINDOW (GOVSEARCH_MAX_RESULT_WINDOW) may change it.
MAX_RESULT_WINDOW = 10_000
#: the most digits a page number may have at all (the result window refuses it long before)
_MAX_PAGE_NUMBER = 999_999_999
#: per facet: more selected values than any page offers means a scripted request
MAX_FACET_VALUES = 50
MAX_FACET_VALUE_LENGTH = 200
#: relevance, newest published first, newest written (成文日期) first
SORTS = ("relevance", "date", "written_date")

#: parameters that take one value; the facet fields take any number (OR within a facet)
SINGLE_PARAMS = ("q", "date_from", "date_to", "sort", "page", "size", "facets")

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII only: int() would accept '٣', '+3', '1_0'
_YEAR = re.compile(r"[0-9]{4}")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _shown(value: str) -> str:
    """A value quoted in a message, cut short so a 10,000-character input is not echoed back."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _clean(value: str) -> str:
    """Control characters (NUL, ESC …) become spaces; they match nothing and break terminals."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in value).strip()


def _values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    raw = params.get(name, ())
    # a plain str is a Sequence too: one value, not a list of characters
    return [v for v in map(_clean, [raw] if isinstance(raw, str) else raw) if v]


def _single(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = _values(params, name)
    if len(values) > 1:
        raise QueryError(f"{name} may be given only once (got {len(values)} values)", name)
    return values[0] if values else ""


def _whole_number(name: str, raw: str, default: int, low: int, high: int) -> int:
    if not raw:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
        raise QueryError(
            f"{name} must be a whole number from {low} to {high} (got {_shown(raw)})", name
        )
    return int(raw)


def _date(name: str, raw: str) -> str:
    if raw:
        parameter_day(name, raw)
    return raw


def _facet_values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    values: list[str] = []
    for value in _values(params, name):
        if value in values:
            continue
        if len(value) > MAX_FACET_VALUE_LENGTH:
            raise QueryError(
                f"{name} values may be at most {MAX_FACET_VALUE_LENGTH} characters", name
            )
        if name == "year" and not _YEAR.fullmatch(value):
            raise QueryError(f"year must be four digits, e.g. 2023 (got {_shown(value)})", "year")
        values.append(value)
    if len(values) > MAX_FACET_VALUES:
        raise QueryError(f"at most {MAX_FACET_VALUES} {name} values may be selected at once", name)
    return values


def last_reachable_page(size: int, max_window: int = MAX_RESULT_WINDOW) -> int:
    """The deepest page of ``size`` hits whose last hit is inside the result window."""
    return max(1, max_window // size)


def parse_search_params(
    params: Mapping[str, Sequence[str]], *, max_window: int | None = MAX_RESULT_WINDOW
) -> SearchRequest:
    """Validate search parameters; raise ``QueryError`` naming the first invalid one.

    Empty values count as absent (a submitted form sends ``date_from=`` for an empty field).
    ``page`` × ``size`` may reach at most ``max_window`` hits; None leaves the page unchecked for
    a caller that clamps it itself (the result page shows the last page it can reach).
    """
    q = _single(params, "q")
    if len(q) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query may be at most {MAX_QUERY_LENGTH} characters (got {len(q)}); "
            "shorten it to its key words",
            "q",
        )
    sort = _single(params, "sort") or "relevance"
    if sort not in SORTS:
        raise QueryError(
            f"sort must be 'relevance', 'date' or 'written_date' (got {_shown(sort)})", "sort"
        )
    date_from = _date("date_from", _single(params, "date_from"))
    date_to = _date("date_to", _single(params, "date_to"))
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"date_from ({date_from}) is after date_to ({date_to})", "date_to")
    facets_raw = _single(params, "facets").lower() or "true"
    if facets_raw not in _TRUE + _FALSE:
        raise QueryError(f"facets must be true or false (got {_shown(facets_raw)})", "facets")
    size = _whole_number("size", _single(params, "size"), DEFAULT_SIZE, 1, MAX_SIZE)
    page = _whole_number("page", _single(params, "page"), 1, 1, max_window or _MAX_PAGE_NUMBER)
    if max_window is not None and page * size > max_window:
        raise QueryError(
            f"page × size may reach at most hit {max_window} (got page {page} × size {size}): "
            f"with size {size} the last page is {last_reachable_page(size, max_window)}; "
            "narrow the search to see the documents past it",
            "page",
        )
    return SearchRequest(
        q=q,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=page,
        size=size,
        facets=facets_raw in _TRUE,
        **{name: _facet_values(params, name) for name in FACET_FIELDS},
    )


def to_query_params(request: SearchRequest) -> dict[str, list[str]]:
    """The inverse of ``parse_search_params``: only what differs from the defaults (for links)."""
    params: dict[str, list[str]] = {}
    if request.q:
        params["q"] = [request.q]
    for name in FACET_FIELDS:
        if getattr(request, name):
            params[name] = list(getattr(request, name))
    for name, value, default in (
        ("date_from", request.date_from, ""),
        ("date_to", request.date_to, ""),
        ("sort", request.sort, "relevance"),
        ("page", str(request.page), "1"),
        ("size", str(request.size), str(DEFAULT_SIZE)),
        ("facets", "true" if request.facets else "false", "true"),
    ):
        if value != default:
            params[name] = [value]
    return params


def prepare(request: SearchRequest) -> ParsedQuery:
    """What every engine runs first: QueryError for a request no engine should run (one built in
    code, not by ``parse_search_params``), else its query parsed."""
    if not isinstance(request.page, int) or request.page < 1:
        raise QueryError("page must be a whole number ≥ 1", "page")
    if not isinstance(request.size, int) or not 1 <= request.size <= MAX_SIZE:
        raise QueryError(f"size must be between 1 and {MAX_SIZE}", "size")
    if request.sort not in SORTS:
        raise QueryError("sort must be 'relevance', 'date' or 'written_date'", "sort")
    for name in ("date_from", "date_to"):
        _date(name, getattr(request, name))
    return parse_query(request.q)


def run_search(
    engine: Engine, params: Mapping[str, Sequence[str]], max_window: int = MAX_RESULT_WINDOW
) -> SearchResult:
    """The one path from parameters to a result: ``GET /api/search`` answers its ``to_dict()``
    and ``govsearch search --json`` prints the same (pinyin read and did you mean: assist.py)."""
    return assisted_search(engine, parse_search_params(params, max_window=max_window))
