"""Hostile input over HTTP, to the JSON API and to the HTML pages, and raw bytes to waitress.

The index holds the seed document (normal hits) and ``tests/data/hostile/corpus`` (markup and
control characters in every field). Each request must be answered: a 4xx JSON error (API) or
error page (pages) where the input is invalid, never a 5xx, never markup of the input or of a
document reflected unescaped, and within HANG_S — a hang detector, not a speed test (speed is
measured in bench/). Run with ``-s`` to see the table of what each input got.
"""

from __future__ import annotations

import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import CORPUS, DATA
from test_serve import Server

from indexer.whoosh.build import build_index
from webui.app import close_engine, create_app

HOSTILE = DATA / "hostile" / "corpus"
SCRIPT = "<script>alert(1)</script>"
#: markup a document or a query carries; none of it may reach a page as markup
MARKUP = (SCRIPT, "<img src=x", "<svg onload", "<b>通知</b>")
HANG_S = 5.0
# Whoosh and the query parser cap work per query (MAX_QUERY_LENGTH 500 characters, MAX_TERMS 64,
# wildcards ignored): a query of 64+ distinct words must still answer, with a warning
MANY_WORDS = " ".join(f"w{i}" for i in range(100))  # 390 characters, 200 terms

OK, BAD = {200}, {400}
#: (name, query string, statuses the API may answer, statuses a page may answer)
QUERIES: list[tuple[str, str, set[int], set[int]]] = [
    ("unbalanced quote", "q=%22%E5%9C%B0%E7%93%9C", OK, OK),
    ("unbalanced quote at the end", "q=%E5%9C%B0%E7%93%9C%22", OK, OK),
    ("unbalanced '('", "q=((%E5%9C%B0%E7%93%9C", OK, OK),
    ("unbalanced ')'", "q=%E5%9C%B0%E7%93%9C))", OK, OK),
    ("lone AND", "q=AND", OK, OK),
    ("lone OR", "q=OR", OK, OK),
    ("lone NOT", "q=NOT", OK, OK),
    ("lone -", "q=-", OK, OK),
    ("operators only", "q=AND+OR+NOT+-+(+)", OK, OK),
    ("wildcard *", "q=*", OK, OK),
    ("wildcard ?*", "q=%3F*", OK, OK),
    ("prefix wildcard", "q=%E6%94%BF*", OK, OK),
    ("unknown field", "q=foo:bar", OK, OK),
    ("empty field", "q=title:", OK, OK),
    ("100 distinct words (term cap)", "q=" + quote(MANY_WORDS), OK, OK),
    ("10,000-character query", "q=" + "%E6%94%BF" * 10_000, BAD, BAD),
    ("10,000 '('", "q=" + "(" * 10_000, BAD, BAD),
    ("499 '(' (was a RecursionError: 500)", "q=" + "%28" * 499, OK, OK),
    ("250 '-('", "q=" + "-%28" * 250, OK, OK),
    ("124 NOT and a word", "q=" + "NOT+" * 124 + "%E6%94%BF", OK, OK),
    ("32 nested groups", "q=" + "%28" * 32 + "%E6%94%BF" + "%29" * 32, OK, OK),
    ("NUL", "q=%00", OK, OK),
    ("ESC sequence", "q=%1B%5B31m%E6%94%BF%E5%BA%9C", OK, OK),
    ("U+202E", "q=%E2%80%AE%E6%94%BF%E5%BA%9C", OK, OK),
    ("invalid escape %zz", "q=%zz", OK, OK),
    ("lone %", "q=%", OK, OK),
    ("invalid UTF-8 %ff%fe", "q=%ff%fe", OK, OK),
    ("truncated UTF-8", "q=%E5%9C", OK, OK),
    ("size=100000", "size=100000", BAD, BAD),
    ("size=0", "size=0", BAD, BAD),
    ("page=-1", "page=-1", BAD, BAD),
    ("page=1000000000", "page=1000000000", BAD, BAD),
    ("page=1e3", "page=1e3", BAD, BAD),
    ("date 2024-13-45", "date_from=2024-13-45", BAD, BAD),
    ("date 2023-02-29", "date_to=2023-02-29", BAD, BAD),
    ("date 'yesterday'", "date_from=yesterday", BAD, BAD),
    ("date with markup", "date_from=" + quote(SCRIPT), BAD, BAD),
    ("date year 99999", "date_to=99999-01-01", BAD, BAD),
    ("<script> query", "q=" + quote(SCRIPT), OK, OK),
    ("<script> agency filter", "agency=" + quote(SCRIPT + "测试局"), OK, OK),
    ("<script> doc_type filter", "doc_type=" + quote("<b>通知</b>"), OK, OK),
    ("<script> year filter", "year=" + quote(SCRIPT), BAD, BAD),
    ("<script> sort", "sort=" + quote(SCRIPT), BAD, BAD),
    ("1,000 agency values", "&".join(f"agency=a{i}" for i in range(1000)), BAD, BAD),
    ("agency value of 10,000 characters", "agency=" + "a" * 10_000, BAD, BAD),
    ("attribute breakout", "q=" + quote('"><svg onload=alert(1)>'), OK, OK),
]

#: document ids: only a real id answers 200
DOC_IDS: list[tuple[str, str]] = [
    ("../", "../../etc/passwd"),
    ("%2e%2e%2f", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    ("..%2f", "..%2f..%2fetc%2fpasswd"),
    ("%252e", "%252e%252e%252fetc%252fpasswd"),
    ("..%5c", "..%5c..%5cwindows"),
    ("%00", "%00"),
    ("<script>", quote(SCRIPT, safe="")),
    ("docs.sqlite", "docs.sqlite"),
    ("10,000 characters", "a" * 10_000),
]

METHODS = ("POST", "PUT", "DELETE", "PATCH", "OPTIONS")


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    shutil.copytree(CORPUS / "seed", corpus / "seed")
    shutil.copytree(HOSTILE, corpus / "hostile")
    index = tmp_path_factory.mktemp("hostile-index")
    build_index(corpus, index, workers=1, progress=False)
    return index


@pytest.fixture(scope="module")
def client(hostile_index: Path) -> Iterator:
    app = create_app({"INDEX": str(hostile_index), "TESTING": True})
    yield app.test_client()
    close_engine(app)


@pytest.fixture(scope="module")
def hostile_ids(client) -> dict[str, str]:
    """Title → id of the fixture's documents."""
    hits = client.get("/api/search?q=%E6%95%8C%E6%84%8F%E6%B5%8B%E8%AF%95").get_json()["hits"]
    assert len(hits) == 2  # 敌意测试: both fixture documents
    return {hit["title"]: hit["id"] for hit in hits}


def timed(client, method: str, url: str):
    started = time.perf_counter()
    response = client.open(url, method=method)
    elapsed = time.perf_counter() - started
    assert elapsed < HANG_S, f"{method} {url[:80]} took {elapsed:.1f} s"
    return response, elapsed


def row(kind: str, name: str, response, elapsed: float) -> None:
    code = ""
    if response.mimetype == "application/json":
        body = response.get_json(silent=True) or {}
        code = (body.get("error") or {}).get("code", "") if isinstance(body, dict) else ""
        if not code and isinstance(body, dict) and body.get("warnings"):
            code = "warning: " + "; ".join(body["warnings"])[:70]
    print(
        f"\n| {kind} | {name} | {response.status_code} {code} | {elapsed * 1000:.0f} ms |", end=""
    )


def assert_no_markup(text: str) -> None:
    """Page text holds no markup from the input or the documents, and only our own scripts."""
    for markup in MARKUP:
        assert markup not in text, markup
    page = BeautifulSoup(text, "html.parser")
    assert all(script.get("src", "").startswith("/static/") for script in page.find_all("script"))
    for tag in page.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag.name
        for attr in ("href", "src", "action"):
            assert not str(tag.get(attr, "")).lower().startswith("javascript:"), tag


def assert_json_answer(response, statuses: set[int]) -> None:
    assert response.status_code in statuses, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # never sniffed as HTML
    body = response.get_json()
    if response.status_code >= 400:
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
        # a message may quote the bad value (JSON is data: nosniff and CSP default-src 'none'),
        # but cut short: a 10,000-character input is not echoed
        assert len(body["error"]["message"]) < 400


@pytest.mark.parametrize(("name", "query", "api", "page"), QUERIES, ids=[q[0] for q in QUERIES])
def test_hostile_search_parameters(client, name, query, api, page):
    for path in ("/api/search", "/api/search.csv", "/feed.atom"):
        response, elapsed = timed(client, "GET", f"{path}?{query}")
        if path == "/api/search":
            row("API", name, response, elapsed)
            assert_json_answer(response, api)
        else:
            assert response.status_code in api
            if path == "/feed.atom" and response.status_code == 200:
                assert b"<script>" not in response.data  # XML-escaped
            elif response.status_code == 200:  # CSV is data, saved as a file, never rendered
                assert response.headers["Content-Disposition"].startswith("attachment")
    response, elapsed = timed(client, "GET", f"/search?{query}")
    row("page", name, response, elapsed)
    assert response.status_code in page
    assert response.mimetype == "text/html"
    assert_no_markup(response.get_data(as_text=True))


def test_the_term_cap_and_ignored_wildcards_are_said(client):
    body = client.get("/api/search?q=" + quote(MANY_WORDS)).get_json()
    assert any("first 64 terms" in w for w in body["warnings"]), body["warnings"]
    body = client.get("/api/search?q=%E6%94%BF*").get_json()
    assert any("wildcards" in w for w in body["warnings"])
    everything = client.get("/api/search").get_json()["total"]
    # '*' is not "every document" and expands to nothing
    assert client.get("/api/search?q=*").get_json()["total"] in (0, everything)


@pytest.mark.parametrize(("name", "doc_id"), DOC_IDS, ids=[d[0] for d in DOC_IDS])
def test_traversal_and_hostile_document_ids(client, name, doc_id):
    response, elapsed = timed(client, "GET", f"/api/documents/{doc_id}")
    row("API", f"document id {name}", response, elapsed)
    assert_json_answer(response, {404})
    response, elapsed = timed(client, "GET", f"/doc/{doc_id}")
    row("page", f"document id {name}", response, elapsed)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert_no_markup(response.get_data(as_text=True))


@pytest.mark.parametrize("method", METHODS)
def test_write_methods_are_refused(client, hostile_ids, method):
    doc_id = next(iter(hostile_ids.values()))
    for url in ("/api/search?q=x", f"/api/documents/{doc_id}", "/healthz", "/", "/search?q=x"):
        response, elapsed = timed(client, method, url)
        row("API" if url.startswith(("/api", "/healthz")) else "page", f"{method} {url}", response,
            elapsed)  # fmt: skip
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        allowed = response.headers["Allow"]
        assert "GET" in allowed and "POST" not in allowed and "PUT" not in allowed
        if method == "OPTIONS" and not url.startswith(("/api/", "/healthz")):
            # Flask's automatic OPTIONS on pages: an empty answer that only lists GET/HEAD
            assert response.status_code == 200 and response.data == b"", url
            continue
        assert response.status_code == 405, url
        if url.startswith("/api/"):
            assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_no_route_accepts_a_write_method(hostile_index):
    """Rebuilding stays a CLI job: no URL of the app takes anything but GET/HEAD(/OPTIONS)."""
    app = create_app({"INDEX": str(hostile_index)})
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 5
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, (rule.rule, rule.methods)


def test_head_answers_without_a_body(client, hostile_ids):
    for url in ("/api/search?q=%22((", f"/api/documents/{next(iter(hostile_ids.values()))}"):
        response, elapsed = timed(client, "HEAD", url)
        row("API", f"HEAD {url}", response, elapsed)
        assert response.status_code == 200 and response.data == b""


def test_markup_in_documents_is_data_in_the_api_and_text_on_pages(client, hostile_ids):
    title = next(t for t in hostile_ids if t.startswith(SCRIPT))
    doc = client.get(f"/api/documents/{hostile_ids[title]}").get_json()
    # the API returns the document as it is (JSON is data: nosniff, CSP default-src 'none')
    assert doc["title"] == title and doc["agency"].startswith(SCRIPT)
    for url in (
        f"/doc/{hostile_ids[title]}",
        "/search?q=%E6%95%8C%E6%84%8F%E6%B5%8B%E8%AF%95",  # 敌意测试
        "/search?q=" + quote(SCRIPT),
        "/search?agency=" + quote(SCRIPT + "测试局"),
        "/search?doc_type=" + quote("<b>通知</b>"),
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert_no_markup(text)
        if "doc/" in url:
            page = BeautifulSoup(text, "html.parser")
            assert SCRIPT in page.find("h1").get_text()  # shown, as text


def test_control_characters_in_a_document_do_not_break_pages_or_feeds(client, hostile_ids):
    title = next(t for t in hostile_ids if t.startswith("控制字符"))
    text = client.get(f"/doc/{hostile_ids[title]}").get_data(as_text=True)
    assert "\x00" not in text  # NUL is a parse error in HTML
    feed = client.get("/feed.atom?q=%E6%8E%A7%E5%88%B6%E5%AD%97%E7%AC%A6")  # 控制字符
    assert feed.status_code == 200
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", feed.data)  # XML 1.0 forbids them


# --- raw bytes to the real server: what a test client would normalise first ------------------

RAW: list[tuple[str, bytes]] = [
    ("invalid UTF-8 in the query", b"/api/search?q=\xff\xfe"),
    ("invalid UTF-8 in the path", b"/api/documents/\xff\xfe\xfd"),
    ("invalid UTF-8 in a page path", b"/doc/\xc3\x28"),
    ("truncated UTF-8 in the query", b"/search?q=\xe5\x9c"),
    ("raw markup in the query", b"/search?q=<script>alert(1)</script>"),
    ("raw markup in the path", b"/doc/<script>alert(1)</script>"),
    ("raw ../ in the path", b"/api/documents/../../etc/passwd"),
    ("../ under /static", b"/static/../../pyproject.toml"),
    ("..%2f under /static", b"/static/..%2f..%2fpyproject.toml"),
    ("absolute URI request target", b"http://evil.example/api/search?q=x"),
    ("percent-encoded NUL", b"/api/search?q=%00%00"),
    ("invalid percent escapes", b"/api/search?q=%zz%&size=%"),
    ("10,000-byte query", b"/api/search?q=" + b"%E6%94%BF" * 3400),
]


WAITRESS_REFUSED = b"Bad URI\r\n\r\n(generated by waitress)"


@pytest.fixture(scope="module")
def server(hostile_index: Path) -> Iterator[Server]:
    server = Server("--host", "127.0.0.1", "--port", "0", "--index", str(hostile_index))
    yield server
    server.kill()


def raw_request(url: str, target: bytes) -> tuple[int, bytes, bytes, float]:
    """One HTTP/1.1 request written byte for byte; (status, headers, body, seconds)."""
    parts = urlsplit(url)
    started = time.perf_counter()
    with socket.create_connection((parts.hostname, parts.port), timeout=HANG_S) as sock:
        sock.sendall(
            b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    elapsed = time.perf_counter() - started
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head, body, elapsed


@pytest.mark.parametrize(("name", "target"), RAW, ids=[r[0] for r in RAW])
def test_raw_bytes_to_the_real_server(server, name, target):
    status, head, body, elapsed = raw_request(server.url, target)
    print(f"\n| raw | {name} | {status} | {elapsed * 1000:.0f} ms |", end="")
    assert elapsed < HANG_S
    assert status < 500, body[:300]
    assert b"Traceback" not in body and b"[project]" not in body
    if WAITRESS_REFUSED in body:
        # waitress refuses a request target that is not UTF-8 before the app sees it
        assert status == 400 and b"\xff" not in body
        return
    lower = head.lower()
    assert b"x-content-type-options: nosniff" in lower  # the app's headers, through waitress
    assert b"frame-ancestors 'none'" in lower
    if b"text/html" in lower:
        assert_no_markup(body.decode("utf-8"))
    elif b"/api/" in target and status >= 400:
        assert b"application/json" in lower and b'"error"' in body


@pytest.mark.parametrize(
    ("name", "headers"),
    [
        ("Content-Length 100 MB", b"Content-Length: 100000000\r\n"),
        ("chunked 1 MB chunk", b"Transfer-Encoding: chunked\r\n"),
    ],
)
def test_a_large_request_body_is_refused_at_once(server, name, headers):
    """No endpoint reads a body: waitress must not buffer one (its default limit is 1 GB)."""
    parts = urlsplit(server.url)
    started = time.perf_counter()
    with socket.create_connection((parts.hostname, parts.port), timeout=HANG_S) as sock:
        sock.sendall(b"POST /api/search HTTP/1.1\r\nHost: localhost\r\n" + headers + b"\r\n")
        sock.sendall(b"100000\r\n" + b"a" * 65536 if b"chunked" in headers else b"a" * 65536)
        status = int(sock.recv(1024).split(b" ", 2)[1])  # a hang is a socket timeout
    elapsed = time.perf_counter() - started
    print(f"\n| raw | POST with {name} | {status} | {elapsed * 1000:.0f} ms |", end="")
    assert status == 413
