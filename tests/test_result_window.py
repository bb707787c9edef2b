"""Deep pages are bounded: page × size ≤ the result window (issue 16, 3).

The API, the CSV export, the feed and ``govsearch search`` refuse a page past the window with a
400 (exit 2) that names the last page one can reach; the result page shows that last page.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from indexer.cli import main


@pytest.mark.parametrize("path", ["/api/search", "/api/search.csv", "/feed.atom"])
def test_a_page_past_the_window_is_a_400_that_names_the_last_page(client_of, path):
    client = client_of()
    response = client.get(f"{path}?q=&page=10000&size=100")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert "10000" in error["message"] and "last page is 100" in error["message"]
    # the last page of the window itself is answered
    assert client.get(f"{path}?q=&page=100&size=100").status_code == 200
    assert client.get(f"{path}?q=&page=101&size=100").status_code == 400


def test_the_window_is_a_setting(client_of, monkeypatch):
    client = client_of(MAX_RESULT_WINDOW=30)
    assert client.get("/api/search?page=3&size=10").status_code == 200
    message = client.get("/api/search?page=4&size=10").get_json()["error"]["message"]
    assert "last page is 3" in message
    monkeypatch.setenv("GOVSEARCH_MAX_RESULT_WINDOW", "20")
    assert "last page is 2" in client_of().get("/api/search?page=3&size=10").get_data(as_text=True)


def test_the_result_page_past_the_window_shows_the_last_page_it_can_reach(client_of):
    client = client_of(MAX_RESULT_WINDOW=20)
    total = client.get("/api/search?size=1").get_json()["total"]
    assert total > 30  # corpus/ has more documents than the window holds
    second = client.get("/api/search?page=2&size=10").get_json()["hits"]
    response = client.get("/search?page=9&size=10")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "没有第 9 页" in html  # says it, and shows page 2 instead
    assert "结果最多只能翻到第 2 页" in html
    shown = re.findall(r'href="/doc/([0-9a-f]{16})', html)
    assert shown[: len(second)] == [hit["id"] for hit in second]
    # the pagination offers no page past the window
    pages = {int(n) for n in re.findall(r"[?&;]page=(\d+)", html)}
    assert pages and max(pages) <= 2


def test_govsearch_search_past_the_window_exits_2_with_one_line(sample_index):
    runner = CliRunner()
    args = ["search", "", "--index", str(sample_index), "--json", "--size", "100"]
    result = runner.invoke(main, [*args, "--page", "10000"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "last page is 100" in result.output
    assert runner.invoke(main, [*args, "--page", "100"]).exit_code == 0
    small = runner.invoke(main, [*args, "--page", "2"], env={"GOVSEARCH_MAX_RESULT_WINDOW": "150"})
    assert small.exit_code == 2 and "last page is 1" in small.output
