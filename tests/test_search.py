"""SearchEngine on an index of the real documents in corpus/ (``sample_index``)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from conftest import CORPUS

from indexer.errors import AnalyzerMismatchError, DocumentNotFoundError, QueryError
from indexer.records import FACET_FIELDS, SearchRequest
from indexer.whoosh import engine as search_module
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine, search

SEED_TITLE = "关于区政协六届三次会议第13号提案的复函"


@pytest.fixture(scope="module")
def engine(sample_index: Path):
    with SearchEngine(sample_index) as engine:
        yield engine


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def all_docs(engine: SearchEngine):
    return [engine.get(i) for i in ids(engine.search(SearchRequest(q="", size=100)))]


def test_the_seed_is_the_first_hit_for_digua_jingji(engine):
    result = engine.search(SearchRequest(q="地瓜经济"))
    assert result.total >= 1
    assert result.hits[0].title == SEED_TITLE
    assert "<mark>地瓜经济</mark>" in result.hits[0].snippet


def test_traditional_query_finds_the_simplified_document(engine):
    result = engine.search(SearchRequest(q="地瓜經濟"))
    assert result.hits and result.hits[0].title == SEED_TITLE


def test_doc_no_typed_with_other_brackets_comes_first(engine):
    docs = [d for d in all_docs(engine) if "〔" in d.doc_no]
    assert len(docs) >= 5
    for doc in docs:
        for typed in (
            doc.doc_no.replace("〔", "[").replace("〕", "]"),
            doc.doc_no.replace("〔", "（").replace("〕", "）"),
            doc.doc_no.replace("〔", "【").replace("〕", "】"),
        ):
            result = engine.search(SearchRequest(q=typed))
            assert result.hits[0].id == doc.id, typed


def test_index_no_typed_finds_its_document_first(engine):
    docs = [d for d in all_docs(engine) if d.index_no]
    assert any("/" in d.index_no for d in docs)  # the seed's 00250260-2/2024-31773
    for doc in docs:
        assert engine.search(SearchRequest(q=doc.index_no)).hits[0].id == doc.id
        assert engine.search(SearchRequest(q=doc.index_no.lower())).hits[0].id == doc.id


def test_phrase_is_stricter_than_words(engine):
    words = engine.search(SearchRequest(q="经济 发展", size=100))
    phrase = engine.search(SearchRequest(q='"经济发展"', size=100))
    assert 0 < phrase.total < words.total
    assert set(ids(phrase)) <= set(ids(words))
    texts = {h.id: engine.get(h.id) for h in words.hits}
    exact = {i for i, d in texts.items() if "经济发展" in d.title + d.body}
    # every document with the exact text is a phrase hit; documents whose words are only far
    # apart are not (a sub-word shares its word's position, so 经济社会发展 counts as adjacent)
    assert exact <= set(ids(phrase))
    apart = [
        i for i, d in texts.items() if i not in ids(phrase) and "经济发展" not in d.title + d.body
    ]
    assert apart


def test_or_and_not(engine):
    a = engine.search(SearchRequest(q="消防", size=100))
    b = engine.search(SearchRequest(q="烟草", size=100))
    either = engine.search(SearchRequest(q="消防 OR 烟草", size=100))
    assert a.total and b.total
    assert set(ids(either)) == set(ids(a)) | set(ids(b))
    both = engine.search(SearchRequest(q="平潭 消防", size=100))
    without = engine.search(SearchRequest(q="平潭 -消防", size=100))
    not_kw = engine.search(SearchRequest(q="平潭 NOT 消防", size=100))
    everything = engine.search(SearchRequest(q="平潭", size=100))
    assert ids(without) == ids(not_kw)
    assert set(ids(without)) == set(ids(everything)) - set(ids(both))
    assert both.total and without.total


def test_field_queries(engine):
    titled = engine.search(SearchRequest(q="title:复函", size=100))
    assert titled.total >= 1
    assert all("复函" in h.title for h in titled.hits)
    agency = engine.search(SearchRequest(q="agency:商务局"))
    assert agency.hits and all("商务局" in h.agency for h in agency.hits)


def test_facet_counts_equal_the_filtered_totals(engine):
    base = SearchRequest(q="平潭", year=["2022", "2023"])
    result = engine.search(base)
    assert not result.facets_truncated
    checked = 0
    for facet in FACET_FIELDS:
        for fv in result.facets[facet]:
            req = SearchRequest(**{**base.__dict__, facet: [fv.value]})
            assert engine.search(req).total == fv.count, (facet, fv.value)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("q", ["平潭", "", "通知 2023"])
def test_facet_counts_without_a_filter_equal_the_filtered_totals(engine, q):
    """Without a facet filter the single-valued facets are counted together (one bincount over
    the reader's facet_stack): each value's count is still the total of selecting it."""
    result = engine.search(SearchRequest(q=q, date_from="2000-01-01"))
    checked = 0
    for facet in FACET_FIELDS:
        for fv in result.facets[facet][:8]:
            req = SearchRequest(q=q, date_from="2000-01-01", **{facet: [fv.value]})
            assert engine.search(req).total == fv.count, (q, facet, fv.value)
            checked += 1
    assert checked >= 10


def test_facets_are_disjunctive(engine):
    plain = engine.search(SearchRequest(q="平潭"))
    years = {fv.value: fv.count for fv in plain.facets["year"]}
    assert len(years) >= 3
    chosen = sorted(years)[-1]
    narrowed = engine.search(SearchRequest(q="平潭", year=[chosen]))
    assert narrowed.total == years[chosen]
    # the other years stay listed with the counts they would get
    assert {fv.value: fv.count for fv in narrowed.facets["year"]} == years
    assert [fv.value for fv in narrowed.facets["year"] if fv.selected] == [chosen]
    # other facets are counted within the selection
    assert sum(fv.count for fv in narrowed.facets["proposal_kind"]) <= narrowed.total
    two = sorted(years)[-2:]
    assert engine.search(SearchRequest(q="平潭", year=two)).total == sum(years[y] for y in two)


def test_selected_value_without_matches_is_still_listed(engine):
    result = engine.search(SearchRequest(q="地瓜经济", agency=["平潭县烟草专卖局"]))
    assert result.total == 0
    listed = {fv.value: fv for fv in result.facets["agency"]}
    assert listed["平潭县烟草专卖局"].selected and listed["平潭县烟草专卖局"].count == 0
    assert listed["区商务局(区金融办)"].count == 1


def test_date_range_and_sort_by_date(engine):
    result = engine.search(
        SearchRequest(q="", date_from="2022-01-01", date_to="2022-12-31", sort="date", size=100)
    )
    dates = [h.date for h in result.hits]
    assert dates and all("2022-01-01" <= d <= "2022-12-31" for d in dates)
    assert dates == sorted(dates, reverse=True)
    everything = engine.search(SearchRequest(q="", size=100))
    assert result.total == sum(1 for h in everything.hits if h.date.startswith("2022"))
    newest = engine.search(SearchRequest(q="平潭", sort="date", size=100))
    assert [h.date for h in newest.hits] == sorted((h.date for h in newest.hits), reverse=True)


def test_sort_by_written_date(engine):
    result = engine.search(SearchRequest(q="", sort="written_date", size=100))
    written = [h.written_date for h in result.hits]
    assert written[0] and written.count("") < len(written)
    # newest 成文日期 first, documents without one last
    dated = [w for w in written if w]
    assert dated == sorted(dated, reverse=True)
    assert written == dated + [""] * (len(written) - len(dated))
    assert [h.date for h in result.hits] != sorted((h.date for h in result.hits), reverse=True)


def test_pagination_has_no_overlap_and_no_gaps(engine):
    for sort in ("relevance", "date", "written_date"):
        full = engine.search(SearchRequest(q="平潭", size=100, sort=sort))
        pages = []
        for page in range(1, full.total // 7 + 2):
            pages += ids(engine.search(SearchRequest(q="平潭", size=7, page=page, sort=sort)))
        assert pages == ids(full)
        assert len(set(pages)) == full.total


def test_result_shape(engine):
    result = engine.search(SearchRequest(q="地瓜经济"))
    body = result.to_dict()
    assert body["generation"].startswith("gen-")
    assert isinstance(body["took_ms"], float)
    assert set(body["facets"]) == set(FACET_FIELDS)
    hit = body["hits"][0]
    assert {"id", "title", "agency", "date", "snippet", "score", "url"} <= set(hit)


@pytest.mark.parametrize(
    "q",
    [
        '"unclosed phrase',
        "((平潭",
        "OR",
        "NOT",
        "-",
        "*",
        "平潭 OR",
        "?",
        "经济" * 5000,
        "地瓜\x00经济\x07",
        "title:",
        "doc_no:",
        "<script>alert(1)</script>",
    ],
)
def test_garbage_queries_give_a_result(engine, q):
    result = engine.search(SearchRequest(q=q))
    assert result.total >= 0
    for hit in result.hits:
        assert "<script>" not in hit.snippet + hit.title_html


@pytest.mark.parametrize(
    "bad",
    [
        {"page": 0},
        {"size": 0},
        {"size": 101},
        {"sort": "title"},
        {"date_from": "2022-13-01"},
        {"date_to": "yesterday"},
    ],
)
def test_invalid_parameters_raise_query_error(engine, bad):
    with pytest.raises(QueryError):
        engine.search(SearchRequest(q="平潭", **bad))


def test_get_related_stats(engine):
    seed = engine.search(SearchRequest(q="地瓜经济")).hits[0]
    doc = engine.get(seed.id)
    assert doc.title == SEED_TITLE
    with pytest.raises(DocumentNotFoundError):
        engine.get("no-such-document")
    related = engine.related(seed.id, limit=3)
    assert 1 <= len(related) <= 3
    assert seed.id not in {h.id for h in related}
    stats = engine.stats()
    assert stats["documents"] == 41
    assert stats["generation"].startswith("gen-") and stats["analyzer"]


def test_module_search_function(sample_index):
    assert search(sample_index, SearchRequest(q="地瓜经济")).hits[0].title == SEED_TITLE


def test_threads_share_one_engine(engine):
    expected = {q: ids(engine.search(SearchRequest(q=q))) for q in ("平潭", "消防", "地瓜经济")}
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(20):
                for q, want in expected.items():
                    assert ids(engine.search(SearchRequest(q=q))) == want
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_a_new_generation_is_served_without_restart(tmp_path, monkeypatch):
    monkeypatch.setattr(search_module, "CHECK_INTERVAL_S", 0.0)
    corpus = tmp_path / "corpus"
    for page in sorted(CORPUS.glob("pingtan/**/page.txt"))[:3]:
        shutil.copytree(page.parent, corpus / page.parent.relative_to(CORPUS))
    index = tmp_path / "index"
    build_index(corpus, index, workers=1, progress=False)
    with SearchEngine(index) as engine:
        before = engine.stats()
        assert engine.search(SearchRequest(q="地瓜经济")).total == 0
        shutil.copytree(CORPUS / "seed", corpus / "seed")
        build_index(corpus, index, workers=1, progress=False)
        result = engine.search(SearchRequest(q="地瓜经济"))
        assert result.hits[0].title == SEED_TITLE
        assert result.generation != before["generation"]
        assert engine.stats()["documents"] == before["documents"] + 1
        # the old generation's lease was released: the next build may delete it
        build_index(corpus, index, workers=1, progress=False)
        engine.search(SearchRequest(q="平潭"))
        names = {g.name for g in layout.generations(index)}
        assert before["generation"] not in names


def test_facet_time_budget_is_reported_not_slow(sample_index, engine):
    full = engine.search(SearchRequest(q="平潭"))
    with SearchEngine(sample_index, facet_budget_s=0.0) as hurried:
        result = hurried.search(SearchRequest(q="平潭"))
    assert result.facets_truncated and not full.facets_truncated
    assert result.total == full.total and ids(result) == ids(full)
    assert len(result.facets) < len(full.facets)


@pytest.mark.parametrize("key", ["analyzer_version", "schema_version"])
def test_an_index_built_by_another_analyzer_or_format_is_refused(sample_index, tmp_path, key):
    """An index from before the exact length columns (schema_version) fails with what to do,
    not with Whoosh's KeyError on the first query."""
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    meta_path = layout.current_generation(index) / layout.META
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta[key] = "not-this-one"
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(AnalyzerMismatchError, match="rebuild with govsearch index"):
        SearchEngine(index)


def test_an_index_of_an_empty_corpus_answers_with_nothing(tmp_path):
    (tmp_path / "corpus").mkdir()
    build_index(tmp_path / "corpus", tmp_path / "index", workers=1, progress=False)
    with SearchEngine(tmp_path / "index") as engine:
        assert engine.stats()["documents"] == 0
        for q in ("平潭", "", '"地瓜经济"', "-平潭"):
            result = engine.search(SearchRequest(q=q, year=["2024"]))
            assert result.total == 0 and result.hits == []
            assert [fv.value for fv in result.facets["year"]] == ["2024"]


def test_a_new_generation_it_cannot_read_leaves_the_old_one_serving(
    sample_index, tmp_path, monkeypatch
):
    monkeypatch.setattr(search_module, "CHECK_INTERVAL_S", 0.0)
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    with SearchEngine(index) as engine:
        before = engine.search(SearchRequest(q="地瓜经济"))
        old = layout.current_generation(index)
        new = index / "gen-99999999T000000-mismatch"
        shutil.copytree(old, new)
        meta = json.loads((new / layout.META).read_text(encoding="utf-8"))
        meta["analyzer_version"] = "not-this-one"
        (new / layout.META).write_text(json.dumps(meta), encoding="utf-8")
        layout.switch_current(index, new)
        after = engine.search(SearchRequest(q="地瓜经济"))
        assert ids(after) == ids(before) and after.generation == old.name
        assert any("cannot be opened" in w for w in after.warnings)
