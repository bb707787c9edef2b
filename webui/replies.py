"""``/replies``: the replies to proposals and suggestions as a table, and ``/replies.csv``.

The same filters as a search (the reply facets first), restricted to pages that are one reply
(``kind_of_page=reply``). A table sorts by any of its columns, so the rows (up to
``CSV_MAX_ROWS``, as an export) are read once in the engine's order and sorted here; a column's
empty cells come last whichever way it is sorted.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for

from indexer.params import parse_search_params
from indexer.records import Hit, SearchRequest

from .api import _csv_cell, all_hits
from .engine import get_engine
from .pages import FACET_LABELS, STATE_KEYS, VALUE_LABELS, PageLink, facet_options

bp = Blueprint("replies", __name__)

#: the table's columns: (key, heading); the key is a Hit field
COLUMNS = (
    ("session", "届次"),
    ("proposal_no", "编号"),
    ("title", "标题"),
    ("addressee", "提案人/建议人"),
    ("handling_units", "承办单位"),
    ("feedback", "反馈"),
    ("reply_date", "答复日期"),
)
#: the CSV's columns: the table's, then what locates the document
CSV_COLUMNS = (*(key for key, _ in COLUMNS), "proposal_kind", "agency", "date", "id", "url")
#: the facets offered beside the table, reply facets first
FACETS = ("proposal_kind", "session", "handling_unit", "feedback", "agency", "year")
#: the table's order when none is asked: newest reply first
DEFAULT_ORDER = "-reply_date"
ROWS_PER_PAGE = 50
_KEYS = (*STATE_KEYS, "order")


@dataclass(frozen=True)
class Heading:
    key: str
    label: str
    href: str
    direction: str  # "ascending" / "descending" when the table is sorted by it, else ""


def _sort_value(hit: Hit, key: str) -> tuple:
    value = getattr(hit, key)
    if isinstance(value, list):
        value = "、".join(value)
    if key == "proposal_no" and value.isdigit():
        return (int(value), value)
    return (0, value)


def sort_rows(hits: list[Hit], order: str) -> list[Hit]:
    """Rows by ``order`` (a column key, ``-key`` for descending); empty cells last; ties in the
    engine's order."""
    key = order.lstrip("-")
    if key not in dict(COLUMNS) and key != "date":
        key, order = DEFAULT_ORDER.lstrip("-"), DEFAULT_ORDER
    filled = [h for h in hits if getattr(h, key)]
    empty = [h for h in hits if not getattr(h, key)]
    filled.sort(key=lambda h: _sort_value(h, key), reverse=order.startswith("-"))
    return filled + empty


def _request() -> tuple[SearchRequest, list[tuple[str, str]], str]:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k in _KEYS and v.strip()]
    order = request.args.get("order", DEFAULT_ORDER) or DEFAULT_ORDER
    params: dict[str, list[str]] = {}
    for k, v in pairs:
        if k not in ("order", "page"):
            params.setdefault(k, []).append(v)
    req = parse_search_params(params)
    req.kind_of_page = ["reply"]
    return req, pairs, order


def _link(pairs: list[tuple[str, str]], endpoint: str = "replies.replies", **changes: str) -> str:
    kept = [(k, v) for k, v in pairs if k not in changes and k != "page"]
    kept += [(k, v) for k, v in changes.items() if v]
    return url_for(endpoint) + ("?" + urlencode(kept) if kept else "")


def _rows(req: SearchRequest, order: str) -> list[Hit]:
    req.sort = "date"
    return sort_rows(all_hits(req, current_app.config["CSV_MAX_ROWS"]), order)


@bp.get("/replies")
def replies():
    req, pairs, order = _request()
    counts = get_engine().search(dataclasses.replace(req, page=1, size=1, facets=True))
    rows = _rows(req, order)
    last = max(1, math.ceil(len(rows) / ROWS_PER_PAGE))
    try:
        page = min(max(1, int(request.args.get("page", "1"))), last)
    except ValueError:
        page = 1
    sorted_by = order.lstrip("-")
    headings = []
    for key, label in COLUMNS:
        current = key == sorted_by
        flip = key if current and order.startswith("-") else "-" + key
        direction = ("descending" if order.startswith("-") else "ascending") if current else ""
        headings.append(Heading(key, label, _link(pairs, order=flip), direction))
    options = facet_options(counts, req)
    return render_template(
        "replies.html",
        req=req,
        q=req.q,
        rows=rows[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE],
        total=counts.total,
        shown=len(rows),
        headings=headings,
        facets={name: options.get(name, []) for name in FACETS},
        facet_labels=FACET_LABELS,
        value_labels=VALUE_LABELS,
        order=order,
        pages=[
            PageLink(n, _link(pairs, page=str(n) if n > 1 else ""), n == page)
            for n in range(1, last + 1)
        ]
        if last > 1
        else [],
        csv_href=_link(pairs, "replies.replies_csv"),
    )


@bp.get("/replies.csv")
def replies_csv() -> Response:
    req, _, order = _request()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for hit in _rows(req, order):
        cells = []
        for column in CSV_COLUMNS:
            value = getattr(hit, column)
            cells.append(_csv_cell("、".join(value) if isinstance(value, list) else str(value)))
        writer.writerow(cells)
    # the BOM makes Excel read UTF-8, as /api/search.csv
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="replies.csv"'},
    )
