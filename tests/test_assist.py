"""Search the way people ask (issue 17), over the sample corpus of real pages (corpus/): a
misspelt query gets "did you mean", a Latin query is read as pinyin or initials, and the search
box suggests titles and terms; on both engines, and through HTTP."""

from __future__ import annotations

import pytest
from conftest import CORPUS
from test_exact_mixed import engine_of

from indexer.assist import assisted_search
from indexer.lexicon import Lexicon, syllables, typed_pinyin
from indexer.records import SearchRequest


@pytest.fixture(scope="module", params=["whoosh", "sphinx"])
def engine(request: pytest.FixtureRequest, tmp_path_factory):
    index = tmp_path_factory.mktemp("assist_" + request.param)
    with engine_of(request.param, CORPUS, index) as e:
        yield e


# --- both engines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("地瓜经纪", "地瓜经济"),  # a homophone, one character off a dictionary term
        ("一号开放公程", "一号开放工程"),
        ("政府信息公开 年度报高", "政府信息公开 年度报告"),  # one part of two, read as titles are
    ],
)
def test_a_misspelt_query_gets_what_it_meant(engine, typed, meant):
    result = assisted_search(engine, SearchRequest(q=typed))
    assert result.suggestion == meant
    assert engine.search(SearchRequest(q=meant)).total > result.total


@pytest.mark.parametrize("q", ["地瓜经济", "消防安全", "平潭 建设", "提案", '"地瓜经纪"', "zzzz"])
def test_no_suggestion_for_a_query_that_finds_what_it_asks_for(engine, q):
    assert assisted_search(engine, SearchRequest(q=q)).suggestion == ""


@pytest.mark.parametrize(
    "typed, chinese",
    [
        ("digua jingji", "地瓜经济"),
        ("diguajingji", "地瓜经济"),
        ("dgjj", "地瓜经济"),  # a dictionary term's initials
        ("xiaofang anquan", "消防安全"),
        ("kongqi zhiliang", "空气质量"),
    ],
)
def test_a_latin_query_without_a_latin_match_is_read_as_pinyin(engine, typed, chinese):
    result = assisted_search(engine, SearchRequest(q=typed))
    assert result.read_as == chinese and result.query == typed
    assert result.total == engine.search(SearchRequest(q=chinese)).total > 0
    assert "<mark>" in result.hits[0].title_html + result.hits[0].snippet


def test_pinyin_finds_real_titles(engine):
    """Every title of the sample corpus, typed as the pinyin of its words, finds its document
    in the top 3 (bench/pinyin_eval.py measures the same on the shared corpora)."""
    lexicon = engine.lexicon()
    titles = sorted({t for t, k in zip(lexicon.text, lexicon.kind, strict=True) if k == "title"})
    assert len(titles) > 20
    missed = []
    for title in titles:
        hits = assisted_search(engine, SearchRequest(q=typed_pinyin(title), size=3)).hits
        if all(hit.title != title for hit in hits):
            missed.append(title)
    assert len(missed) <= len(titles) // 10, missed


def test_suggestions_come_from_the_index(engine):
    lexicon = engine.lexicon()
    for prefix in ("地瓜", "digua", "dgjj", "DiGua"):
        assert [s.text for s in lexicon.suggest(prefix)][:1] == ["地瓜经济"], prefix
    agencies = lexicon.suggest("平潭")
    assert agencies and all("平潭" in s.text for s in agencies)
    counts = [s.count for s in agencies if s.text.startswith("平潭")]
    assert counts == sorted(counts, reverse=True)


# --- the lexicon itself -------------------------------------------------------------------


def test_a_polyphonic_character_reads_as_its_word():
    read = [p for p, _ in syllables("重庆银行行长")]
    assert read == ["chong", "qing", "yin", "hang", "hang", "zhang"]
    assert syllables("G20峰会") == [("g20", 3), ("feng", 1), ("hui", 1)]


def test_pinyin_matches_whole_syllables_only():
    lexicon = Lexicon([[t, "term", 1, syllables(t)] for t in ("西安", "先进")])
    assert lexicon.from_pinyin("anxi") == ""  # xi|an|xian|jin has no "anxi" at its boundaries
    assert lexicon.from_pinyin("ianj") == ""  # inside syllables
    assert lexicon.from_pinyin("xianjin") == "先进"
    assert lexicon.from_pinyin("an") == "安"


# --- HTTP ---------------------------------------------------------------------------------


def test_api_suggest(api_client):
    body = api_client.get("/api/suggest?q=地瓜").get_json()
    assert body["query"] == "地瓜"
    assert body["suggestions"][0] == {"text": "地瓜经济", "kind": "term", "count": 1}
    initials = api_client.get("/api/suggest?q=dgjj").get_json()["suggestions"]
    assert initials[0]["text"] == "地瓜经济"
    assert api_client.get("/api/suggest?q=").get_json() == {"query": "", "suggestions": []}


def test_api_suggest_escapes_and_refuses_what_it_should(api_client):
    response = api_client.get("/api/suggest?q=<script>alert(1)</script>")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json()["suggestions"] == []
    assert "sandbox" in response.headers["Content-Security-Policy"]
    too_long = api_client.get("/api/suggest?q=" + "地" * 101)
    assert too_long.status_code == 400 and too_long.get_json()["error"]["code"] == "bad_request"
    assert api_client.post("/api/suggest?q=x").status_code == 405


def test_api_search_did_you_mean(api_client):
    body = api_client.get("/api/search?q=地瓜经纪").get_json()
    assert body["suggestion"] == "地瓜经济" and body["total"] == 0
    assert "suggestion" not in api_client.get("/api/search?q=地瓜经济").get_json()
    pinyin = api_client.get("/api/search?q=dgjj").get_json()
    assert pinyin["read_as"] == "地瓜经济" and pinyin["total"] == 1


def test_page_did_you_mean_and_pinyin(api_client):
    page = api_client.get("/search?q=地瓜经纪").get_data(as_text=True)
    assert "您是不是要找：" in page
    assert 'href="/search?q=%E5%9C%B0%E7%93%9C%E7%BB%8F%E6%B5%8E">地瓜经济</a>' in page
    assert "您是不是要找" not in api_client.get("/search?q=地瓜经济").get_data(as_text=True)
    assert '按拼音检索：“<span lang="zh-CN">地瓜经济</span>”' in api_client.get(
        "/search?q=dgjj"
    ).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/search?q=提案"])
def test_the_search_box_is_a_combobox_that_works_without_javascript(api_client, path):
    page = api_client.get(path).get_data(as_text=True)
    assert 'role="combobox"' in page and 'aria-autocomplete="list"' in page
    assert 'role="listbox"' in page and 'aria-expanded="false"' in page
    assert 'data-suggest="/api/suggest"' in page
    assert '<button type="submit">搜索</button>' in page  # a plain form without JavaScript
