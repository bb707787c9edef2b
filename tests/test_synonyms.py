"""Abbreviations and synonyms (issue 17): a query for one form of a group of
indexer/data/synonyms.tsv finds the documents that write only another form, on both engines;
the documents holding what was typed rank first and the other form is marked in the snippet.
Real pages of ../shared/corpora: Pingtan pages that write 噪声 (none writes 噪音) or 发改委,
Jiangxi pages that write 发展改革委."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from test_exact_mixed import engine_of

from indexer.query import parse_query
from indexer.records import SearchRequest
from indexer.synonyms import SynonymTable, read_groups, table

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
#: pages of ../shared/corpora/pingtan: three write 噪声, two 发改委
PAGES = [
    "pingtan/zwgk/zxwj/bmwj/201911/16895_平潭综合实验区自然资源与生态环境局行政处罚决定书"
    " 闽岚环罚〔2019〕14号",
    "pingtan/zwgk/zxwj/bmwj/202103/25128_平潭综合实验区海坛片区管理局"
    "关于同意奥园·玺悦府建设项目夜间施工的函",
    "pingtan/zwgk/gsgg/201905/14085_关于加强各类教育考试期间噪声污染监督管理的通告",
    "pingtan/zwgk/zxwj/bmwj/202310/81665_平潭综合实验区经济发展局"
    "关于举办2023年中小企业经营管理人才培训班的通知",
    "pingtan/zwgk/zfxxgk/gwhwj/gzdt/201501/57584_关于成立平潭自由贸易试验区对接工作组的通知",
]
JIANGXI = ["art_4975_1510362.html", "art_4975_1533696.html", "art_4975_1568494.html"]


@pytest.fixture(scope="module")
def corpus(shared_corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synonym_corpus")
    for page in PAGES:
        shutil.copytree(shared_corpora / page, root / page)
    (root / "jiangxi").mkdir()
    for name in JIANGXI:
        shutil.copy(shared_corpora / "jiangxi-gov-html" / "html" / name, root / "jiangxi" / name)
    return root


@pytest.fixture(scope="module", params=["whoosh", "sphinx"])
def engine(request: pytest.FixtureRequest, corpus: Path, tmp_path_factory):
    index = tmp_path_factory.mktemp("synonyms_" + request.param)
    with engine_of(request.param, corpus, index) as e:
        yield e


def _text(engine, hit) -> str:
    doc = engine.get(hit.id)
    return doc.title + doc.body


def test_the_short_form_finds_documents_writing_only_another_form(engine):
    result = engine.search(SearchRequest(q="噪音", size=20))
    assert result.total == 3
    for hit in result.hits:
        text = _text(engine, hit)
        assert "噪音" not in text and "噪声" in text
        assert "噪声" in [html.unescape(m) for m in MARK.findall(hit.title_html + hit.snippet)]


def test_what_was_typed_ranks_first(engine):
    hits = engine.search(SearchRequest(q="发改委", size=20)).hits
    holds = ["发改委" in _text(engine, hit) for hit in hits]
    assert sum(holds) == 2 and sum(not h for h in holds) >= 3  # the Jiangxi pages, by 发展改革委
    assert holds == sorted(holds, reverse=True)


def test_a_synonym_is_matched_as_written(engine):
    """Its words scattered do not count: 发展, 改革 and 委 are in most government pages."""
    forms = table().group("发改委")
    hits = engine.search(SearchRequest(q="发改委", size=50)).hits
    assert hits and all(any(f in _text(engine, hit) for f in forms) for hit in hits)


def test_a_quoted_form_is_only_itself(engine):
    assert engine.search(SearchRequest(q='"噪音"')).total == 0


def test_variants_replace_the_longest_form_in_a_part():
    groups = "发改委\t发展改革委\t发展和改革委员会\n医保\t医疗保险\n医保局\t医疗保障局\n"
    t = SynonymTable(read_groups(groups))
    assert t.variants("市发改委") == ["市发展改革委", "市发展和改革委员会"]
    assert t.variants("医保局") == ["医疗保障局"]
    assert t.variants("醫保") == ["医疗保险"]  # Traditional typed: normalised first
    assert t.variants("平潭") == []


def test_a_users_file_joins_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    extra = tmp_path / "mine.tsv"
    extra.write_text("# ours\n噪音\t噪音污染\n岚岛\t平潭\n", encoding="utf-8")
    monkeypatch.setenv("GOVSEARCH_SYNONYMS", str(extra))
    assert table().group("噪声") == ["噪音", "噪声", "噪音污染"]
    assert "平潭" in [m.run for m in parse_query("岚岛").marks]


def test_the_synonyms_setting_of_the_web_app(sample_index, tmp_path: Path, monkeypatch):
    from webui.app import close_engine, create_app

    monkeypatch.setenv("GOVSEARCH_SYNONYMS", "")  # restored after the test: the app sets it
    mine = tmp_path / "mine.tsv"
    mine.write_text("地瓜\t番薯\n", encoding="utf-8")
    app = create_app({"INDEX": str(sample_index), "SYNONYMS": str(mine)})
    try:
        body = app.test_client().get("/api/search?q=番薯").get_json()
        assert body["total"] > 0 and "地瓜" in body["hits"][0]["snippet"]
    finally:
        close_engine(app)
    with pytest.raises(ValueError, match="cannot be read"):
        create_app({"INDEX": str(sample_index), "SYNONYMS": str(tmp_path / "missing.tsv")})
