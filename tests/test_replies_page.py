"""/replies: the replies as a table, filterable by the reply facets, sortable by any column,
exported as CSV; its rows link to the document view, which shows the reply block."""

from __future__ import annotations

import csv
import io
import re

from indexer.records import SearchRequest


def _rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td>(.*?)</td>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def _csv(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_table_lists_every_reply_and_nothing_else(api_client) -> None:
    response = api_client.get("/replies")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = _rows(html)
    replies = api_client.get("/api/search?kind_of_page=reply&size=100").get_json()
    assert len(rows) == replies["total"] > 10
    assert {r[2] for r in rows} == {h["title"] for h in replies["hits"]}
    seed = next(r for r in rows if r[1] == "13")
    assert seed[0] == "区政协六届三次会议" and seed[3] == "王强委员"
    assert seed[4].startswith("区商务局、区发改经信局")
    # every row links to its document view
    links = re.findall(r'href="/doc/([0-9a-f]{16})"', html)
    assert sorted(links) == sorted(h["id"] for h in replies["hits"])


def test_filters_narrow_the_table(api_client) -> None:
    rows = _rows(api_client.get("/replies?handling_unit=区社会事业局").get_data(as_text=True))
    assert rows and all("区社会事业局" in r[4] for r in rows)
    rows = _rows(
        api_client.get("/replies?feedback=基本满意&proposal_kind=建议").get_data(as_text=True)
    )
    assert rows and {r[5] for r in rows} == {"基本满意"}
    html = api_client.get("/replies?q=公墓").get_data(as_text=True)
    assert all("公墓" in r[2] for r in _rows(html))


def test_every_column_sorts_both_ways_with_empty_cells_last(api_client) -> None:
    for key, column in (("addressee", 3), ("feedback", 5), ("title", 2)):
        up = [
            r[column] for r in _rows(api_client.get(f"/replies?order={key}").get_data(as_text=True))
        ]
        down = [
            r[column]
            for r in _rows(api_client.get(f"/replies?order=-{key}").get_data(as_text=True))
        ]
        filled = [v for v in up if v]
        assert filled == sorted(filled) and up[len(filled) :] == [""] * (len(up) - len(filled))
        assert [v for v in down if v] == sorted(filled, reverse=True)
    html = api_client.get("/replies?order=addressee").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "order=-addressee" in html


def test_the_csv_export_has_the_same_rows_in_the_same_order(api_client) -> None:
    url = "/replies.csv?order=addressee&proposal_kind=提案"
    rows = _csv(api_client, url)
    table = _rows(
        api_client.get("/replies?order=addressee&proposal_kind=提案").get_data(as_text=True)
    )
    assert [r["title"] for r in rows] == [r[2] for r in table]
    assert {r["proposal_kind"] for r in rows} == {"提案"}
    assert set(rows[0]) >= {"session", "proposal_no", "addressee", "handling_units", "feedback",
                            "reply_date", "id"}  # fmt: skip


def test_the_document_view_shows_the_reply_block(api_client) -> None:
    hit = api_client.get("/api/search?q=地瓜经济").get_json()["hits"][0]
    html = api_client.get(f"/doc/{hit['id']}").get_data(as_text=True)
    block = html.split('class="reply-block"', 1)[1].split("</section>", 1)[0]
    assert "单件答复信息" in block
    for label, value in (
        ("届次", "区政协六届三次会议"),
        ("编号", "13"),
        ("提案人/建议人", "王强委员"),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in block
    notice = api_client.get("/api/search?q=消防安全").get_json()["hits"][0]
    assert "reply-block" not in api_client.get(f"/doc/{notice['id']}").get_data(as_text=True)


def test_the_search_page_offers_the_reply_facets(api_client) -> None:
    html = api_client.get("/search?q=").get_data(as_text=True)
    for label in ("承办单位", "届次", "委员/代表反馈", "提案建议页面", "单件答复"):
        assert label in html
    assert SearchRequest(kind_of_page=["reply"]).filters() == {"kind_of_page": ["reply"]}
