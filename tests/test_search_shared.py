"""SearchEngine on the shared corpora (``shared_index``: real pages of several sites, some laws)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from indexer.extract.fields import normalize_doc_no
from indexer.records import FACET_FIELDS, SearchRequest
from indexer.whoosh.engine import SearchEngine

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(shared_index: Path):
    with SearchEngine(shared_index) as engine:
        yield engine


@pytest.fixture(scope="module")
def documents(engine):
    with engine._use() as gen:
        return list(gen.docs)


def test_every_doc_no_typed_with_other_brackets_finds_its_document_first(engine, documents):
    by_no: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        if "〔" in doc.doc_no:
            by_no[normalize_doc_no(doc.doc_no)].add(doc.id)
    assert len(by_no) >= 20
    for doc_no, ids in sorted(by_no.items()):
        typed = doc_no.replace("〔", "[").replace("〕", "]")
        hits = engine.search(SearchRequest(q=typed, size=len(ids))).hits
        assert {h.id for h in hits} == ids, typed


def test_every_index_no_finds_its_document_first(engine, documents):
    by_no: dict[str, set[str]] = defaultdict(set)
    for doc in documents:
        if doc.index_no:
            by_no[doc.index_no.strip().upper()].add(doc.id)
    assert any("/" in n for n in by_no)  # 113325000026455663/2023-43887 (Lishui)
    for index_no, ids in sorted(by_no.items()):
        hits = engine.search(SearchRequest(q=index_no, size=len(ids))).hits
        assert {h.id for h in hits} == ids, index_no


def test_traditional_query_and_phrase_on_the_shared_pages(engine):
    assert engine.search(SearchRequest(q="地瓜經濟")).hits[0].index_no == "00250260-2/2024-31773"
    assert engine.search(SearchRequest(q="退役士兵")).hits[0].doc_no == "丽政发〔2023〕30号"
    words = engine.search(SearchRequest(q="安全 生产"))
    phrase = engine.search(SearchRequest(q='"安全生产"'))
    assert 0 < phrase.total < words.total


@pytest.mark.parametrize("q", ["政府", "平潭 通知", ""])
def test_facet_counts_equal_filtered_totals(engine, q):
    result = engine.search(SearchRequest(q=q))
    for facet in FACET_FIELDS:
        for fv in result.facets[facet][:8]:
            narrowed = engine.search(SearchRequest(q=q, **{facet: [fv.value]}))
            assert narrowed.total == fv.count, (q, facet, fv.value)


def test_pages_of_a_common_word_tile_the_result(engine):
    full = engine.search(SearchRequest(q="管理", size=100))
    pages = []
    for page in range(1, 11):
        pages += [h.id for h in engine.search(SearchRequest(q="管理", size=10, page=page)).hits]
    assert pages == [h.id for h in full.hits]
