"""The JSON API, the CSV export and the Atom feed: read-only GET endpoints over ``SearchEngine``.

Rebuilding stays a CLI job: nothing here writes. Every endpoint answers GET and HEAD only (no
automatic OPTIONS), so any other method is a 405 JSON error with an ``Allow`` header.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from indexer.errors import (
    AnalyzerMismatchError,
    DocumentNotFoundError,
    IndexMissingError,
    QueryError,
)
from indexer.params import MAX_SIZE, parse_search_params, run_search, to_query_params
from indexer.records import Document, Hit, SearchRequest

from .engine import get_engine

bp = Blueprint("api", __name__)

# Ids are URL-safe slugs made from the corpus path (indexer.extract.make_id): no '/', no '..',
# so an id can never name a file, and anything else is answered 404 before the docstore is asked.
DOC_ID = re.compile(r"[A-Za-z0-9_~-](?:[A-Za-z0-9._~-]{0,254})")

CSV_COLUMNS = ("id", "title", "agency", "date", "doc_type", "doc_no", "index_no", "url", "link")
# A cell starting with one of these is run as a formula by Excel/LibreOffice (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# XML 1.0 forbids most control characters; a stray one in a title would make the feed unparsable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ATOM_NS = "http://www.w3.org/2005/Atom"
# Dates are Chinese local dates; Atom wants a full RFC 3339 timestamp.
CHINA_MIDNIGHT = "T00:00:00+08:00"


def _get(rule: str):
    return bp.get(rule, provide_automatic_options=False)


def _request_params() -> dict[str, list[str]]:
    return request.args.to_dict(flat=False)


def _parsed(params: dict[str, list[str]]) -> SearchRequest:
    return parse_search_params(params, max_window=current_app.config["MAX_RESULT_WINDOW"])


@_get("/api/search")
def search() -> Response:
    window = current_app.config["MAX_RESULT_WINDOW"]
    return jsonify(run_search(get_engine(), _request_params(), window).to_dict())


#: longer prefixes are a 400: nobody types more into a search box before choosing
SUGGEST_MAX_CHARS = 100


@_get("/api/suggest")
def suggest() -> Response:
    """Titles, terms, agencies and 文号 that start with or contain ``q`` (Chinese or pinyin),
    most documents first (``indexer.lexicon.Lexicon.suggest``)."""
    q = request.args.get("q", "")
    if len(q) > SUGGEST_MAX_CHARS:
        raise QueryError(f"q may be at most {SUGGEST_MAX_CHARS} characters for suggestions", "q")
    found = get_engine().lexicon().suggest(q) if q.strip() else []
    return jsonify(query=q, suggestions=[dataclasses.asdict(s) for s in found])


@_get("/api/documents/<doc_id>")
def document(doc_id: str) -> Response:
    if ".." in doc_id or not DOC_ID.fullmatch(doc_id):
        raise DocumentNotFoundError("no document has this id")
    engine = get_engine()
    doc = engine.get(doc_id)
    body = doc.to_dict()
    body["attachments"] = attachment_listing(engine, doc)
    body["download_url"] = file_url(doc.id) if doc.file_type else ""
    related = engine.related(doc_id, limit=current_app.config["RELATED_LIMIT"])
    body["related"] = [dataclasses.asdict(hit) for hit in related]
    return jsonify(body)


def file_url(doc_id: str) -> str:
    return url_for("files.download", doc_id=doc_id)


def attachment_listing(engine, doc: Document) -> list[dict[str, Any]]:
    """A page's attachments with their page counts and download links; one the index does not
    hold (skipped when it was built: broken, encrypted, too large) has no link."""
    listed = []
    for item in doc.attachments:
        try:
            attached = engine.get(item["id"])
        except DocumentNotFoundError:
            listed.append({**item, "pages": 0, "url": ""})
            continue
        listed.append({**item, "pages": attached.page_count, "url": file_url(attached.id)})
    return listed


@_get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        stats = get_engine().stats()
    except IndexMissingError as exc:
        return jsonify(status="no index", message=exc.public()), 503
    except AnalyzerMismatchError as exc:
        return jsonify(status="analyzer mismatch", message=exc.public()), 503
    return jsonify(status="ok", **stats), 200


def _doc_link(doc_id: str) -> str:
    """The absolute URL of a document's page (``url`` is the original site's page)."""
    return f"{current_app.config['BASE_URL']}doc/{quote(doc_id, safe='')}"


@cache
def _openapi_bytes(base: str) -> bytes:
    spec = json.loads(resources.files("webui").joinpath("openapi.json").read_bytes())
    # the paths start with /api: the server is the site's base without its trailing slash
    spec["servers"] = [{"url": base.rstrip("/")}]
    return json.dumps(spec, ensure_ascii=False, indent=2).encode("utf-8")


@_get("/api/openapi.json")
def openapi() -> Response:
    return Response(_openapi_bytes(current_app.config["BASE_URL"]), mimetype="application/json")


def _csv_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_hits(params: dict[str, list[str]], request_: SearchRequest) -> list[Hit]:
    """The asked page when page or size is given, else the first ``CSV_MAX_ROWS`` hits."""
    request_.facets = False
    if any(params.get("page", [])) or any(params.get("size", [])):
        return get_engine().search(request_).hits
    return all_hits(request_, current_app.config["CSV_MAX_ROWS"])


def all_hits(request_: SearchRequest, cap: int) -> list[Hit]:
    """The first ``cap`` hits of a search, in its order, read page by page."""
    engine = get_engine()
    request_.facets = False
    request_.page, request_.size = 1, MAX_SIZE
    hits: list[Hit] = []
    generation, restarted = None, False
    while len(hits) < cap:
        result = engine.search(request_)
        if generation not in (None, result.generation) and not restarted:
            # a rebuild switched generations mid-export: pages of two indexes could repeat or
            # skip documents, so start over once on the new one
            request_.page, hits, restarted = 1, [], True
            generation = result.generation
            continue
        generation = result.generation
        hits += result.hits
        if request_.page * request_.size >= result.total or not result.hits:
            break
        request_.page += 1
    return hits[:cap]


@_get("/api/search.csv")
def search_csv() -> Response:
    params = _request_params()
    hits = _csv_hits(params, _parsed(params))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        row = {**dataclasses.asdict(hit), "link": _doc_link(hit.id)}
        writer.writerow([_csv_cell(str(row[column])) for column in CSV_COLUMNS])
    # The BOM is what makes Excel read the file as UTF-8 instead of the local ANSI code page.
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="govsearch.csv"'},
    )


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text:
        element.text = _xml_text(text)
    return element


@_get("/feed.atom")
def feed() -> Response:
    """The newest matching documents, for following a saved search in a feed reader."""
    params = _request_params()
    request_ = _parsed(params)
    request_.sort, request_.facets = "date", False
    if not any(params.get("size", [])):
        request_.size = min(current_app.config["FEED_SIZE"], MAX_SIZE)
    result = get_engine().search(request_)

    root = current_app.config["BASE_URL"]
    query = urlencode(to_query_params(request_), doseq=True)
    search_query = urlencode(
        {k: v for k, v in to_query_params(request_).items() if k not in ("size", "facets")},
        doseq=True,
    )
    dates = [hit.date for hit in result.hits if hit.date]
    updated = max(dates) + CHINA_MIDNIGHT if dates else datetime.now(UTC).isoformat()

    atom = ET.Element("feed", xmlns=ATOM_NS)
    title = f"govsearch: {request_.q}" if request_.q else "govsearch: newest documents"
    _sub(atom, "title", title)
    _sub(atom, "id", f"{root}feed.atom?{query}")
    _sub(atom, "updated", updated)
    _sub(atom, "link", rel="self", href=f"{root}feed.atom?{query}")
    _sub(atom, "link", rel="alternate", type="text/html", href=f"{root}search?{search_query}")
    _sub(_sub(atom, "author"), "name", "govsearch")
    for hit in result.hits:
        url = _doc_link(hit.id)
        entry = _sub(atom, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", hit.title or "(无标题)")
        _sub(entry, "updated", hit.date + CHINA_MIDNIGHT if hit.date else updated)
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        if hit.agency:
            _sub(_sub(entry, "author"), "name", hit.agency)
        if hit.doc_type:
            _sub(entry, "category", term=_xml_text(hit.doc_type))
        # the snippet is HTML (escaped text + <mark>); ElementTree escapes it once more for XML
        _sub(entry, "summary", hit.snippet, type="html")
    body = ET.tostring(atom, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")
