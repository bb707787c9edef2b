"""Security headers on every response: API, pages, static files, errors and crashes."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from webui.app import close_engine, create_app


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = csp_directives(response)
    assert csp["frame-ancestors"] == ["'none'"]
    scripts = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "*" not in scripts and "data:" not in scripts


def first_doc_id(client) -> str:
    return client.get("/api/search?q=地瓜经济").get_json()["hits"][0]["id"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/search?q=地瓜经济", 200),
        ("HEAD", "/api/search?q=地瓜经济", 200),
        ("GET", "/api/search?size=100000", 400),
        ("GET", "/api/documents/0000000000000000", 404),
        ("GET", "/api/documents/..%2F..%2Fetc", 404),
        ("GET", "/api/nothing", 404),
        ("POST", "/api/search", 405),
        ("OPTIONS", "/api/search", 405),
        ("GET", "/api/search.csv?q=提案", 200),
        ("GET", "/feed.atom?q=通知", 200),
        ("GET", "/healthz", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/", 200),
        ("GET", "/search?q=地瓜经济", 200),
        ("GET", "/search?q=x&page=abc", 400),
        ("GET", "/no-such-page", 404),
        ("GET", "/doc/0000000000000000", 404),
        ("GET", "/static/govsearch.css", 200),
    ],
)
def test_every_response_carries_the_headers(api_client, method, url, status):
    with api_client.open(url, method=method) as response:  # closes the static file
        assert response.status_code == status
        assert_secure_headers(response)


def test_data_responses_allow_nothing_to_run(api_client):
    for url in ("/api/search?q=政府", "/api/search.csv", "/feed.atom", "/healthz"):
        assert csp_directives(api_client.get(url))["default-src"] == ["'none'"]


def test_pages_run_no_inline_script(api_client):
    doc_id = first_doc_id(api_client)
    for url in ("/", "/search?q=地瓜经济", f"/doc/{doc_id}", "/no-such-page"):
        response = api_client.get(url)
        assert response.mimetype == "text/html"
        csp = csp_directives(response)
        assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for script in soup.find_all("script"):
            assert script.get("src"), f"inline <script> on {url}"
        for tag in soup.find_all(True):
            handlers = [name for name in tag.attrs if name.lower().startswith("on")]
            assert not handlers, f"inline event handler {handlers} on {url}"


def test_a_crash_is_a_bare_500_with_the_headers(sample_index):
    app = create_app({"INDEX": str(sample_index)})

    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    app.add_url_rule("/api/boom", view_func=boom)
    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert b"secret" not in response.data and b"Traceback" not in response.data
    assert_secure_headers(response)
    close_engine(app)
