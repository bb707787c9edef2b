"""The JSON API, CSV export, Atom feed and health check over a real index of corpus/."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import quote, urlsplit

import pytest
from conftest import REPO

from indexer.whoosh.build import build_index
from webui.api import CSV_COLUMNS, _csv_cell
from webui.app import close_engine, create_app
from webui.settings import SETTINGS, resolve_settings

ATOM = "{http://www.w3.org/2005/Atom}"
HIT_KEYS = {"id", "title", "agency", "date", "doc_type", "doc_no", "index_no", "snippet"}
HIT_KEYS |= {"score", "url"}


@pytest.fixture
def make_client():
    """``make_client(config)``: a test client whose search engine is closed after the test."""
    apps = []

    def make(config: dict):
        apps.append(create_app(config))
        return apps[-1].test_client()

    yield make
    for app in apps:
        close_engine(app)


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def assert_error(client, url: str, status: int, *words: str) -> dict:
    body = get_json(client, url, status)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    for word in words:
        assert word in body["error"]["message"]
    return body["error"]


# --- /api/search -------------------------------------------------------------------------


def test_search_returns_the_result_shape_with_the_seed_first(api_client):
    response = api_client.get("/api/search?q=地瓜经济")
    assert response.status_code == 200
    # Chinese as UTF-8 characters, not \\u escapes
    assert "地瓜经济".encode() in response.data
    assert b"\\u" not in response.data
    body = response.get_json()
    assert set(body) >= {"query", "total", "page", "size", "took_ms", "hits", "facets"}
    assert set(body) >= {"facets_truncated", "warnings", "generation"}
    assert body["query"] == "地瓜经济" and body["page"] == 1 and body["size"] == 10
    assert body["total"] >= 1 and body["generation"].startswith("gen-")
    first = body["hits"][0]
    assert HIT_KEYS <= set(first)
    assert "地瓜经济" in first["snippet"] or "地瓜经济" in first["title"]
    assert "13号提案" in first["title"]
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "count", "selected"}


def test_search_filters_and_pages(api_client):
    everything = get_json(api_client, "/api/search?size=100")
    assert everything["total"] >= 40
    year = everything["hits"][0]["date"][:4]
    filtered = get_json(api_client, f"/api/search?size=100&year={year}")
    assert 0 < filtered["total"] < everything["total"]
    assert all(hit["date"].startswith(year) for hit in filtered["hits"])
    selected = [v for v in filtered["facets"]["year"] if v["selected"]]
    assert [v["value"] for v in selected] == [year]

    page2 = get_json(api_client, "/api/search?size=5&page=2&sort=date")
    newest = get_json(api_client, "/api/search?size=10&sort=date")
    assert [h["id"] for h in page2["hits"]] == [h["id"] for h in newest["hits"][5:10]]
    dates = [h["date"] for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True)


def test_repeated_facet_parameters_select_several_values(api_client):
    facets = get_json(api_client, "/api/search?size=1")["facets"]["agency"]
    a, b = facets[0], facets[1]
    both = get_json(
        api_client, f"/api/search?size=1&agency={quote(a['value'])}&agency={quote(b['value'])}"
    )
    assert both["total"] == a["count"] + b["count"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("size=100000", ["size"]),
        ("page=-1", ["page"]),
        ("page=abc", ["page"]),
        ("page=1000000000", ["page"]),
        ("date_from=2024-13-45", ["date_from", "YYYY-MM-DD"]),
        ("date_from=2024-02-01&date_to=2024-01-01", ["after"]),
        ("sort=foo", ["sort"]),
        ("year=24", ["year"]),
        ("q=" + "政" * 501, ["500"]),
        ("q=a&q=b", ["only once"]),
    ],
)
def test_invalid_parameters_are_a_400_with_a_message(api_client, query, words):
    for path in ("/api/search", "/api/search.csv", "/feed.atom"):
        error = assert_error(api_client, f"{path}?{query}", 400, *words)
        assert error["code"] == "bad_request"


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "((", "AND", "OR", "NOT", "-", "*", "?*", "title:", "nofield:x", "%zz%"],
)
def test_hostile_queries_never_fail(api_client, query):
    response = api_client.get("/api/search?q=" + quote(query, safe="%"))
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/json"


def test_invalid_utf8_in_the_query_string_is_answered(api_client):
    response = api_client.get("/api/search?q=%ff%fe%e6")
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/json"


# --- /api/documents/<id> -------------------------------------------------------------------


def test_document_is_the_whole_document_with_related_hits(api_client):
    hit = get_json(api_client, "/api/search?q=地瓜经济")["hits"][0]
    doc = get_json(api_client, f"/api/documents/{hit['id']}")
    assert doc["id"] == hit["id"] and doc["title"] == hit["title"]
    assert "地瓜经济" in doc["body"] and len(doc["body"]) > len(hit["snippet"]) // 2
    assert {"written_date", "handling_units", "source_path", "related"} <= set(doc)
    assert isinstance(doc["related"], list)
    for related in doc["related"]:
        assert HIT_KEYS <= set(related) and related["id"] != doc["id"]


def test_reply_fields_on_the_document_and_its_hit(api_client):
    hit = get_json(api_client, "/api/search?q=地瓜经济")["hits"][0]
    doc = get_json(api_client, f"/api/documents/{hit['id']}")
    seed = {
        "proposal_kind": "提案",
        "session": "区政协六届三次会议",
        "proposal_no": "13",
        "addressee": "王强委员",
        "feedback": "",
        "reply_date": "",
        "kind_of_page": "reply",
    }
    for name, value in seed.items():
        assert doc[name] == value and hit[name] == value, name
    assert doc["handling_units"] == hit["handling_units"]
    assert hit["handling_units"][0] == "区商务局"


@pytest.mark.parametrize(
    "doc_id",
    [
        "0000000000000000",
        "..",
        "%2e%2e",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%5c..%5cwindows",
        "a..b",
        "%00",
        "docs.sqlite",
        "<script>alert(1)</script>",
    ],
)
def test_unknown_and_traversal_ids_are_a_json_404(api_client, doc_id):
    error = assert_error(api_client, f"/api/documents/{doc_id}", 404)
    assert "<script>" not in error["message"]


def test_a_path_with_slashes_is_a_json_404(api_client):
    assert_error(api_client, "/api/documents/../../etc/passwd", 404)
    assert_error(api_client, "/api/documents/a/b", 404)


# --- /healthz ----------------------------------------------------------------------------


def test_healthz_reports_the_index(api_client):
    body = get_json(api_client, "/healthz")
    assert body["status"] == "ok"
    assert body["documents"] == get_json(api_client, "/api/search?size=1")["total"]
    assert body["generation"].startswith("gen-") and body["analyzer"]


def test_healthz_without_an_index_is_a_503_and_search_too(make_client, tmp_path):
    client = make_client({"INDEX": str(tmp_path / "none")})
    body = get_json(client, "/healthz", 503)
    assert body["status"] == "no index"
    error = assert_error(client, "/api/search?q=政府", 503)
    assert error["code"] == "index_missing"


def test_an_index_built_after_start_up_is_served(make_client, tmp_path):
    index = tmp_path / "index"
    client = make_client({"INDEX": str(index)})
    get_json(client, "/healthz", 503)
    build_index(REPO / "corpus" / "seed", index, workers=1, progress=False)
    assert get_json(client, "/healthz")["documents"] == 1


# --- /api/search.csv ---------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    text = response.data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_a_bom_and_the_hits_in_chinese(api_client):
    rows = read_csv(api_client.get("/api/search.csv?q=地瓜经济"))
    hits = get_json(api_client, "/api/search?q=地瓜经济&size=100")["hits"]
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert CSV_COLUMNS == (
        *("id", "title", "agency", "date", "doc_type", "doc_no", "index_no", "url", "link"),
    )
    assert [r["id"] for r in rows] == [h["id"] for h in hits]
    assert rows[0]["title"] == hits[0]["title"] and "提案" in rows[0]["title"]


def test_csv_without_page_exports_every_hit_and_with_page_that_page(api_client):
    total = get_json(api_client, "/api/search?size=1")["total"]
    assert len(read_csv(api_client.get("/api/search.csv"))) == total
    page = get_json(api_client, "/api/search?size=5&page=2&sort=date")["hits"]
    rows = read_csv(api_client.get("/api/search.csv?size=5&page=2&sort=date"))
    assert [r["id"] for r in rows] == [h["id"] for h in page]


def test_csv_export_is_capped(make_client, sample_index):
    client = make_client({"INDEX": str(sample_index), "CSV_MAX_ROWS": 3})
    assert len(read_csv(client.get("/api/search.csv"))) == 3


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("闽政〔2024〕1号", "闽政〔2024〕1号"),
        ("", ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_defused(cell, expected):
    assert _csv_cell(cell) == expected


# --- /feed.atom --------------------------------------------------------------------------


def test_feed_is_atom_with_the_newest_matching_documents(api_client):
    response = api_client.get("/feed.atom?q=通知")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert "通知" in feed.findtext(f"{ATOM}title")
    datetime.fromisoformat(feed.findtext(f"{ATOM}updated"))
    entries = feed.findall(f"{ATOM}entry")
    expected = get_json(api_client, "/api/search?q=通知&sort=date&size=20")["hits"]
    assert len(entries) == len(expected) > 0
    for entry, hit in zip(entries, expected, strict=True):
        link = entry.find(f"{ATOM}link").get("href")
        assert urlsplit(link).path == f"/doc/{hit['id']}"
        assert entry.findtext(f"{ATOM}title") == hit["title"]
        assert entry.findtext(f"{ATOM}updated").startswith(hit["date"])
        # the summary is the escaped snippet: XML-parsed, it is the HTML again
        assert entry.findtext(f"{ATOM}summary") == hit["snippet"]


def test_feed_escapes_markup_in_the_query(api_client):
    response = api_client.get("/feed.atom?q=" + quote('<script>alert("x")</script>&'))
    assert response.status_code == 200
    assert b"<script>" not in response.data
    feed = ET.fromstring(response.data)
    assert "<script>" in feed.findtext(f"{ATOM}title")


# --- methods, OpenAPI, configuration ---------------------------------------------------------

API_PATHS = ("/api/search", "/api/search.csv", "/feed.atom", "/healthz", "/api/openapi.json")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head_are_allowed(api_client, method):
    for path in API_PATHS:
        response = api_client.open(path, method=method)
        assert response.status_code == 405, path
        assert response.get_json()["error"]["code"] == "method_not_allowed"
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD"}


def test_head_answers_without_a_body(api_client):
    response = api_client.head("/api/search?q=政府")
    assert response.status_code == 200 and response.data == b""


def test_unknown_api_paths_are_a_json_404(api_client):
    assert_error(api_client, "/api/nothing-here", 404)
    assert_error(api_client, "/api/", 404)


def test_the_engine_is_opened_once_and_reused(sample_index):
    app = create_app({"INDEX": str(sample_index)})
    client = app.test_client()
    client.get("/api/search?q=政府")
    engine = app.extensions["govsearch_engine"].get()
    client.get("/api/search?q=经济")
    client.get("/healthz")
    assert app.extensions["govsearch_engine"].get() is engine
    close_engine(app)


def test_settings_come_from_the_mapping_then_the_environment_then_defaults():
    environ = {"GOVSEARCH_PORT": "9001", "GOVSEARCH_INDEX": "/from/env"}
    settings = resolve_settings({"INDEX": "/from/config"}, environ)
    assert settings["INDEX"] == "/from/config"
    assert settings["PORT"] == 9001
    assert settings["HOST"] == "127.0.0.1"
    with pytest.raises(ValueError, match="GOVSEARCH_WORKERS"):
        resolve_settings({}, {"GOVSEARCH_WORKERS": "many"})


def test_create_app_reads_govsearch_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVSEARCH_INDEX", str(tmp_path))
    monkeypatch.setenv("GOVSEARCH_FEED_SIZE", "7")
    app = create_app()
    assert app.config["INDEX"] == str(tmp_path) and app.config["FEED_SIZE"] == 7


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    for setting in SETTINGS:
        rows = [line for line in readme if line.startswith(f"| `{setting.envvar}` |")]
        assert rows, f"{setting.envvar} is not in the README's configuration table"
        if setting.default != "":
            assert f"`{setting.default}`" in rows[0], f"README: wrong default of {setting.envvar}"
