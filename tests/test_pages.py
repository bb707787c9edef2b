"""The HTML pages over a real index of corpus/ (``sample_index``) and a tiny hostile fixture."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import DATA

from indexer.records import FacetValue, SearchRequest
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine
from webui.app import close_engine, create_app
from webui.chart import bar_chart_svg, year_bars
from webui.pages import (
    EXAMPLE_QUERIES,
    UrlState,
    body_blocks,
    page_links,
    safe_original_url,
)

PAGES_DATA = DATA / "pages"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def app(sample_index):
    app = create_app({"INDEX": str(sample_index), "TESTING": True})
    yield app
    close_engine(app)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def engine(sample_index):
    engine = SearchEngine(sample_index)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    index = tmp_path_factory.mktemp("pages-index")
    build_index(PAGES_DATA, index, workers=1, progress=False)
    app = create_app({"INDEX": str(index), "TESTING": True})
    yield app.test_client()
    close_engine(app)


def get(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def query_of(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query)


def first_hit_with_facets(engine) -> tuple[str, dict]:
    """A query with results from two agencies and two years, found in the index (not assumed)."""
    for q in EXAMPLE_QUERIES:
        result = engine.search(SearchRequest(q=q))
        if len(result.facets["agency"]) > 1 and len(result.facets["year"]) > 1:
            return q, result.facets
    pytest.fail("no example query spans two agencies and two years")


# --- pages render with the right status -----------------------------------------------------


def test_home_has_a_labelled_autofocus_search_box_and_examples(client):
    page = get(client, "/")
    assert page.html["lang"] == "zh-CN"
    box = page.find("input", attrs={"name": "q", "autofocus": True})
    assert box is not None
    assert page.find("label", attrs={"for": box["id"]}) is not None
    examples = [a.get_text() for a in page.select(".examples a")]
    assert examples == list(EXAMPLE_QUERIES)
    assert (
        page.find("main") and page.find("header") and page.select_one("a.skip-link[href='#main']")
    )


def test_home_browse_links_come_from_the_index_with_their_counts(client, engine):
    page = get(client, "/")
    agencies = engine.search(SearchRequest()).facets["agency"]
    links = page.select("nav.browse a")
    assert len(links) > 2
    assert links[0].get_text() == agencies[0].value
    for link in links:
        count = int(link.find_next_sibling(class_="browse-count").get_text())
        (name, value), *_ = query_of(link["href"])
        assert name in ("agency", "doc_type") and value == link.get_text()
        assert int(get(client, link["href"]).select_one(".total").get_text()) == count


@pytest.mark.parametrize("q", EXAMPLE_QUERIES)
def test_every_example_query_has_hits(client, q):
    page = get(client, "/search?q=" + q)
    assert int(page.select_one(".total").get_text()) > 0
    assert page.select(".hit")


def test_results_show_title_link_metadata_and_highlighted_snippet(client, engine):
    result = engine.search(SearchRequest(q="地瓜经济"))
    page = get(client, "/search?q=地瓜经济")
    assert int(page.select_one(".total").get_text()) == result.total
    hits = page.select(".hit")
    assert len(hits) == len(result.hits)
    first, hit = hits[0], result.hits[0]
    link = first.select_one(".hit-title a")
    assert urlsplit(link["href"]).path == f"/doc/{hit.id}"
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ["地瓜经济"]}
    assert first.select_one(".hit-agency").get_text() == hit.agency
    assert first.select_one("time")["datetime"] == hit.date
    assert first.select(".hit-snippet mark")
    assert "毫秒" in page.select_one(".summary").get_text()


def test_facet_checkboxes_are_get_parameters_of_the_search_form(client, engine):
    q, facets = first_hit_with_facets(engine)
    page = get(client, "/search?q=" + q)
    form = page.find("form", id="search-form")
    assert form["method"] == "get" and form["action"] == "/search"
    agency = facets["agency"][0]
    box = page.find("input", attrs={"type": "checkbox", "name": "agency", "value": agency.value})
    assert box["form"] == "search-form" and not box.has_attr("checked")
    label = page.find("label", attrs={"for": box["id"]})
    assert label.select_one(".facet-count").get_text() == str(agency.count)
    # a submit button for the facets, so that ticking works without JavaScript
    assert page.select_one("aside button[type=submit][form=search-form]")

    ticked = get(client, f"/search?q={q}&agency={agency.value}")
    box = ticked.find("input", attrs={"name": "agency", "value": agency.value})
    assert box.has_attr("checked")
    assert int(ticked.select_one(".total").get_text()) == agency.count
    assert {h.get_text() for h in ticked.select(".hit-agency")} == {agency.value}


def test_chips_remove_one_filter_and_keep_the_rest(client, engine):
    q, facets = first_hit_with_facets(engine)
    agency, year = facets["agency"][0].value, facets["year"][0].value
    page = get(client, f"/search?q={q}&agency={agency}&year={year}&sort=date")
    chips = {a.get_text(): a["href"] for a in page.select("a.chip")}
    assert len(chips) == 2
    by_agency = next(href for label, href in chips.items() if agency in label)
    assert sorted(query_of(by_agency)) == sorted([("q", q), ("year", year), ("sort", "date")])
    by_year = next(href for label, href in chips.items() if year in label)
    assert sorted(query_of(by_year)) == sorted([("q", q), ("agency", agency), ("sort", "date")])
    clear = page.select_one("a.chip-clear")["href"]
    assert sorted(query_of(clear)) == [("q", q), ("sort", "date")]


def test_date_range_inputs_and_chips(client):
    page = get(client, "/search?q=提案&date_from=2022-01-01&date_to=2022-12-31&size=5")
    assert page.find("input", id="date_from")["value"] == "2022-01-01"
    assert page.find("input", id="date_to")["type"] == "date"
    assert page.find("label", attrs={"for": "date_to"})
    assert all(t["datetime"].startswith("2022") for t in page.select(".hit time"))
    chips = {a.get_text(): a["href"] for a in page.select("a.chip")}
    href = next(h for label, h in chips.items() if "起始日期" in label)
    assert query_of(href) == [("q", "提案"), ("date_to", "2022-12-31"), ("size", "5")]
    # the page size survives a new query typed into the header form
    assert page.select_one("#search-form input[name=size]")["value"] == "5"


def test_pagination_links_keep_the_search_state(client, engine):
    total = engine.search(SearchRequest(q="")).total
    assert total > 6, "corpus/ should need several pages of 2"
    page = get(client, "/search?sort=date&size=2&page=2")
    nav = page.select_one("nav.pagination")
    assert nav["aria-label"]
    current = nav.select_one("[aria-current=page]")
    assert current.get_text() == "2"
    nxt = dict(query_of(nav.select_one("a[rel=next]")["href"]))
    assert nxt == {"sort": "date", "size": "2", "page": "3"}
    prev = dict(query_of(nav.select_one("a[rel=prev]")["href"]))
    assert prev == {"sort": "date", "size": "2"}  # page 1 needs no parameter
    numbers = [a.get_text() for a in nav.select("a") if a.get_text().isdigit()]
    last = -(-total // 2)
    assert numbers[0] == "1" and numbers[-1] == str(last)
    assert len(numbers) <= 7  # bounded: first, last and a window of 5


def test_chart_has_one_bar_per_year_and_bars_filter_by_year(client, engine):
    q, facets = first_hit_with_facets(engine)
    page = get(client, "/search?q=" + q)
    svg = page.select_one("svg.chart")
    assert svg is not None and svg["role"] == "img"
    counts = {v.value: v.count for v in facets["year"]}
    first, last = int(min(counts)), int(max(counts))
    bars = svg.select("rect.chart-bar")
    # a time line: every year from the first to the last, empty years as empty bars
    assert len(bars) == last - first + 1
    expected = [f"{y}：{counts.get(str(y), 0)} 篇" for y in range(first, last + 1)]
    assert [bar.title.get_text() for bar in bars] == expected
    assert [float(bar["height"]) > 0 for bar in bars] == [
        str(y) in counts for y in range(first, last + 1)
    ]
    links = [dict(query_of(a["href"])) for a in svg.find_all("a")]
    assert [link["year"] for link in links] == sorted(counts)
    assert {a["tabindex"] for a in svg.find_all("a")} == {"-1"}  # not 60 tab stops
    assert all(link["q"] == q for link in links)


def test_export_links_carry_the_same_search(client):
    page = get(client, "/search?q=提案&year=2022&sort=date&page=1")
    hrefs = [a["href"] for a in page.select(".exports a")]
    hrefs.append(page.select_one("link[rel=alternate][type='application/atom+xml']")["href"])
    assert [urlsplit(h).path for h in hrefs] == ["/api/search.csv", "/feed.atom", "/feed.atom"]
    for href in hrefs:
        assert sorted(query_of(href)) == sorted([("q", "提案"), ("year", "2022"), ("sort", "date")])


def test_empty_result_suggests_what_to_change(client):
    page = get(client, "/search?q=地瓜經濟 飞船&year=2011")
    assert page.select_one(".total").get_text() == "0"
    tips = page.select(".empty li")
    assert len(tips) >= 3
    links = {a.get_text(): a["href"] for a in page.select(".empty a")}
    assert query_of(links["只按关键词搜索"]) == [("q", "地瓜經濟 飞船")]
    assert ("q", "地瓜经济 飞船") in query_of(links["地瓜经济 飞船"])  # the Simplified form


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("/search?q=x&page=abc", "页码"),
        ("/search?q=x&date_from=2024-02-30", "起始日期"),
        ("/search?q=x&sort=popular", "排序方式"),
        ("/search?q=x&date_from=2024-05-01&date_to=2024-01-01", "不能早于起始日期"),
        ("/search?year=twenty", "年份应为四位数字"),
        ("/search?q=" + "字" * 501, "检索词太长"),
    ],
)
def test_invalid_parameters_are_a_clear_400_page(client, url, hint):
    response = client.get(url)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    page = BeautifulSoup(text, "html.parser")
    message = page.select_one(".error-message").get_text()
    assert "检索条件有误" in message
    assert hint in message  # says in Chinese which field to change
    assert "Traceback" not in text and 'File "' not in text


def test_unknown_document_and_unknown_url_are_friendly_404_pages(client):
    for url in ("/doc/no-such-document", "/no/such/page"):
        page = get(client, url, 404)
        assert page.html["lang"] == "zh-CN"
        assert page.find("h1").get_text() == "找不到页面"
        assert page.select_one(".error-help a[href='/']")


# --- the document page -----------------------------------------------------------------------


def test_document_page_shows_metadata_highlights_and_related(client, engine):
    hit = engine.search(SearchRequest(q="地瓜经济")).hits[0]
    doc = engine.get(hit.id)
    page = get(client, f"/doc/{hit.id}?q=地瓜经济")
    rows = {tr.th.get_text(): tr.td.get_text() for tr in page.select("table.metadata tr")}
    for label, value in (
        ("索引号", doc.index_no),
        ("发布机构", doc.agency),
        ("发布日期", doc.date),
        ("公开方式", doc.disclosure),
    ):
        assert rows.get(label, "") == value
    assert all(rows.values()), "rows without a value are left out"
    # the reply's fields are a labelled block of their own
    reply = {dt.get_text(): dt.find_next("dd").get_text() for dt in page.select(".reply-block dt")}
    assert reply["提案人/建议人"] == doc.addressee and reply["编号"] == doc.proposal_no
    marks = page.select(".doc-body mark")
    assert marks
    nav = page.select_one(".match-nav")
    assert f"{len(marks)} 处" in nav.get_text()
    assert nav.select_one("a[href='#first-match']")
    anchor = page.find(id="first-match")
    assert anchor.find_next(["p", "table"]).find("mark") == marks[0]
    assert {m.get_text() for m in page.select(".doc-body mark")} <= {"地瓜", "经济", "地瓜经济"}
    related = page.select(".related li a")
    assert related and all(a["href"].startswith("/doc/") for a in related)
    assert hit.id not in {a["href"].removeprefix("/doc/") for a in related}


def test_document_page_without_a_match_says_so(client, engine):
    hit = engine.search(SearchRequest(q="地瓜经济")).hits[0]
    page = get(client, f"/doc/{hit.id}?q=拖拉机")
    assert "没有" in page.select_one(".match-nav").get_text()
    assert page.find(id="first-match") is None
    assert get(client, f"/doc/{hit.id}").select_one(".match-nav") is None


def test_document_page_links_the_original_http_page(client, engine):
    doc = next(
        engine.get(h.id)
        for h in engine.search(SearchRequest(q="", size=50)).hits
        if h.url.startswith("https://")
    )
    page = get(client, f"/doc/{doc.id}")
    link = page.select_one("a.original-link")
    assert link["href"] == doc.url
    assert set(link["rel"]) == {"noopener", "noreferrer"}


# --- safety: escaping, no external resources, no inline code --------------------------------


def test_markup_in_documents_is_shown_as_text(hostile_client):
    for url in ("/search?q=alert", "/search?q=测试", "/search?agency=" + SCRIPT + "测试局"):
        response = hostile_client.get(url)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert SCRIPT not in text and "<img src=x" not in text and "<b>" not in text
        page = BeautifulSoup(text, "html.parser")
        assert page.select(".hit"), url
        assert all(s.get("src") for s in page.find_all("script"))
    hit_href = BeautifulSoup(
        hostile_client.get("/search?q=测试").get_data(as_text=True), "html.parser"
    )
    doc_url = hit_href.select_one(".hit-title a")["href"]
    text = hostile_client.get(doc_url).get_data(as_text=True)
    assert SCRIPT not in text and "<img src=x" not in text
    page = BeautifulSoup(text, "html.parser")
    assert SCRIPT in page.find("h1").get_text()
    assert "javascript:" not in " ".join(a["href"] for a in page.find_all("a"))


def test_markup_in_the_query_is_shown_as_text(client):
    for url in (f"/search?q={SCRIPT}", f"/search?q={SCRIPT}&page=x", f"/doc/nope?q={SCRIPT}"):
        text = client.get(url).get_data(as_text=True)
        assert SCRIPT not in text
        assert "&lt;script&gt;" in text


def test_safe_original_url_accepts_only_http_links():
    assert (
        safe_original_url("https://www.pingtan.gov.cn/a.htm") == "https://www.pingtan.gov.cn/a.htm"
    )
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example/x", "ftp://x/y", ""):
        assert safe_original_url(bad) == ""


def test_pages_load_nothing_from_other_sites_and_have_no_inline_code(client, engine):
    hit = engine.search(SearchRequest(q="地瓜经济")).hits[0]
    original = engine.get(hit.id).url
    for url in ("/", "/search?q=地瓜经济", "/search?q=没有这个词语", f"/doc/{hit.id}?q=地瓜", "/x"):
        response = client.get(url)
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        for tag in page.find_all(src=True) + page.find_all(href=True):
            link = tag.get("src") or tag.get("href")
            if link.startswith(("http://", "https://", "//")):
                assert link == original and "original-link" in tag.get("class", []), link
        assert not page.find_all(style=True), "inline styles are blocked by the CSP"
        assert not page.find_all("style")
        assert all(s.get("src") for s in page.find_all("script")), "inline scripts are blocked"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- helpers ---------------------------------------------------------------------------------


def test_body_blocks_turn_tab_and_bar_rows_into_tables():
    body = "第一段。\n\n项目\t数值\n二氧化硫\t5\n第二段 | 不是表格吗\n结尾。"
    blocks = body_blocks(body)
    assert [b.kind for b in blocks] == ["p", "table", "p"]
    assert blocks[1].rows == [["项目", "数值"], ["二氧化硫", "5"], ["第二段", "不是表格吗"]]
    assert blocks[2].rows == [["结尾。"]]


def test_page_links_are_bounded_with_ellipses(app):
    with app.test_request_context("/search?q=a&page=50"):
        state = UrlState([("q", "a"), ("page", "50")])
        links = page_links(50, 100, state)
    numbers = [link.number for link in links]
    assert numbers == [1, None, 48, 49, 50, 51, 52, None, 100]
    assert [link.current for link in links].count(True) == 1
    assert dict(query_of(links[0].href)) == {"q": "a"}
    assert dict(query_of(links[-1].href)) == {"q": "a", "page": "100"}


def test_a_missing_index_is_a_friendly_503_page(tmp_path):
    app = create_app({"INDEX": str(tmp_path / "no-index"), "TESTING": True})
    try:
        for url in ("/", "/search?q=提案", "/doc/abc"):
            page = get(app.test_client(), url, 503)
            assert page.find("h1").get_text() == "暂时无法检索"
    finally:
        close_engine(app)


def test_an_unexpected_error_is_a_friendly_500_page(app, monkeypatch):
    engine = app.extensions["govsearch_engine"].get()

    def broken(request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(engine, "search", broken)
    response = app.test_client().get("/search?q=提案")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    page = BeautifulSoup(text, "html.parser")
    assert page.find("h1").get_text() == "服务器出错了"
    assert page.select_one(".error-help a[href='/']")


def test_a_page_past_the_last_says_so_and_links_back(client):
    page = get(client, "/search?q=地瓜经济&page=9")
    notice = page.select_one(".notice")
    assert "没有第 9 页" in notice.get_text()
    assert query_of(notice.a["href"]) == [("q", "地瓜经济")]


def test_url_state_links_change_one_thing_and_drop_the_page(app):
    pairs = [("q", "a"), ("year", "2020"), ("year", "2021"), ("agency", "X"), ("page", "3")]
    with app.test_request_context():
        state = UrlState([*pairs, ("unknown", "1"), ("date_to", "")])
        assert query_of(state.with_value("year", "2022")) == [
            ("q", "a"),
            ("year", "2022"),
            ("agency", "X"),
        ]
        assert query_of(state.without("year", "2020")) == [
            ("q", "a"),
            ("year", "2021"),
            ("agency", "X"),
        ]
        assert query_of(state.without("year")) == [("q", "a"), ("agency", "X")]
        assert query_of(state.page(4)) == [*pairs[:4], ("page", "4")]
        assert state.export("/feed.atom") == "/feed.atom?" + "&".join(
            f"{k}={v}" for k, v in pairs[:4]
        )


def test_chart_of_a_long_span_labels_round_years_only():
    values = [FacetValue("1958", 1), FacetValue("2024", 30), FacetValue("2003", 4)]
    svg = BeautifulSoup(str(bar_chart_svg(year_bars(values), "t")), "html.parser")
    assert len(svg.select("rect.chart-bar")) == 2024 - 1958 + 1
    labels = [int(t.get_text()) for t in svg.select("text.chart-label")]
    step = labels[1] - labels[0]
    assert step in (5, 10) and all(year % step == 0 for year in labels)
    xs = [float(t["x"]) for t in svg.select("text.chart-label")]
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 50  # labels do not overlap


def test_chart_escapes_its_title_and_skips_values_that_are_not_years():
    values = [FacetValue("2020", 2), FacetValue("<b>", 1), FacetValue("20x1", 1)]
    svg = str(bar_chart_svg(year_bars(values, lambda y: f"/search?year={y}&x=<"), "<i>"))
    assert "<i>" not in svg and "&lt;i&gt;" in svg
    assert "<b>" not in svg and "x=<" not in svg
    assert svg.count("<rect") == 1
    assert bar_chart_svg([], "t") == ""
