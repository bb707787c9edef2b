"""Status and error bodies tell a client nothing about the machine (issue 16, 8).

No filesystem path, stack trace, command line, host or library version in ``/healthz`` or in any
error body, JSON or page: those are the operator's, and they go to the log.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS

from indexer.sphinx.process import binaries_available
from webui.app import close_engine, create_app

#: what must never reach a client: a trace, a source file, a library and its version
INTERNALS = re.compile(
    r"Traceback|File \"|\.py\b|/usr/|site-packages|Werkzeug/|Python/|whoosh|jieba|"
    r"searchd --config|sphinxsearch|\b\d+\.\d+\.\d+\b",
    re.I,
)


@pytest.fixture
def client_of():
    apps = []

    def make(index: Path, **config):
        apps.append(create_app({"INDEX": str(index), "TESTING": True, **config}))
        return apps[-1].test_client()

    yield make
    for app in apps:
        close_engine(app)


def assert_tells_nothing(response, *secrets: str) -> str:
    body = response.get_data(as_text=True)
    for secret in secrets:
        assert secret not in body, body[:400]
    assert not INTERNALS.search(body), body[:400]
    assert "Werkzeug" not in response.headers.get("Server", "")
    return body


URLS = ("/healthz", "/api/search?q=政府", "/search?q=政府", "/api/documents/abc", "/doc/abc",
        "/feed.atom?q=政府", "/api/search.csv?q=政府")  # fmt: skip


@pytest.mark.parametrize("url", URLS)
def test_no_index_answers_503_without_the_index_path(client_of, tmp_path, url):
    index = tmp_path / "secret-place" / "index"
    response = client_of(index).get(url)
    assert response.status_code == 503
    assert_tells_nothing(response, str(tmp_path), "secret-place")


def test_an_index_of_another_version_is_a_503_without_its_path(client_of, tmp_path):
    from indexer.whoosh.build import build_index
    from indexer.whoosh.layout import current_generation

    index = tmp_path / "secret-place"
    build_index(CORPUS / "seed", index, workers=1, progress=False)
    meta = current_generation(index) / "meta.json"
    meta.write_text(meta.read_text("utf-8").replace('"analyzer_version"', '"old"'), "utf-8")
    client = client_of(index)
    for url in ("/healthz", "/api/search?q=政府", "/search?q=政府"):
        response = client.get(url)
        assert response.status_code == 503
        assert_tells_nothing(response, str(tmp_path), "secret-place")


@pytest.mark.skipif(not binaries_available(), reason="Sphinx's indexer is not installed")
def test_a_sphinx_front_that_does_not_answer_is_a_503_without_paths_or_hosts(client_of, tmp_path):
    from indexer.sphinx.build import build_sphinx
    from indexer.sphinx.process import free_port_range

    index = tmp_path / "secret-place"
    build_sphinx(CORPUS / "seed", index, shards=1, base_port=free_port_range(4), progress=False)
    client = client_of(index)  # no searchd started
    for url in ("/api/search?q=政府", "/search?q=政府"):
        response = client.get(url)
        assert response.status_code == 503
        assert_tells_nothing(response, str(tmp_path), "secret-place", "127.0.0.1")


def test_an_unexpected_error_shows_no_trace(client_of, sample_index, monkeypatch):
    from indexer.whoosh.engine import SearchEngine

    def broken(self, request):
        raise RuntimeError(f"boom in {sample_index}")

    monkeypatch.setattr(SearchEngine, "search", broken)
    client = client_of(sample_index)
    for url in ("/api/search?q=政府", "/search?q=政府"):
        response = client.get(url)
        assert response.status_code == 500
        assert_tells_nothing(response, str(sample_index), "boom", "RuntimeError")


@pytest.mark.parametrize(
    ("url", "status"),
    [("/healthz", 200), ("/nowhere", 404), ("/api/nowhere", 404), ("/api/search?page=x", 400),
     ("/search?size=0", 400), ("/api/documents/..%2fetc", 404)],
)  # fmt: skip
def test_status_and_client_errors_tell_nothing(api_client, sample_index, url, status):
    response = api_client.get(url)
    assert response.status_code == status
    assert_tells_nothing(response, str(sample_index))
