"""ranking.py: the per-shard corrections are identities, words are counted as Sphinx counts them,
and an incrementally updated index (deleted documents still in its segments) ranks exactly as a
fresh build of the same files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS
from hypothesis import given
from hypothesis import strategies as st

from indexer.ranking import (
    K1,
    B,
    idf,
    keyword_boost,
    shard_k1_b,
    sphinx_plain_idf,
    word_count,
    words,
)
from indexer.records import SearchRequest
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine


@given(
    avgdl=st.floats(50, 5000),
    shard_ratio=st.floats(0.5, 2.0),
    dl=st.floats(0, 20000),
    offset=st.sampled_from([0.0, 10.0]),
)
def test_shard_k1_b_gives_the_collection_length_normalisation(avgdl, shard_ratio, dl, offset):
    """What Sphinx computes with the shard's numbers equals ranking.py's with the collection's."""
    shard_avgdl = avgdl * shard_ratio + offset  # Sphinx's average includes the filler words
    k1, b = shard_k1_b(avgdl, shard_avgdl, offset)
    assert 0 < k1 and 0 <= b <= 1
    sphinx = k1 * (1 - b + b * (dl + offset) / shard_avgdl)
    assert sphinx == pytest.approx(K1 * (1 - B + B * dl / avgdl), rel=1e-9)


@given(
    n_docs=st.integers(2, 10**7),
    shard_docs=st.integers(2, 10**6),
    data=st.data(),
)
def test_keyword_boost_turns_a_shard_idf_into_the_collection_idf(n_docs, shard_docs, data):
    with_term = data.draw(st.integers(1, n_docs))
    # the padding document: a keyword is at most in all but one document of a shard
    shard_with = data.draw(st.integers(1, shard_docs - 1))
    boost = keyword_boost(n_docs, with_term, shard_docs, shard_with)
    assert boost * sphinx_plain_idf(shard_docs, shard_with) == pytest.approx(
        idf(n_docs, with_term), rel=1e-9
    )


def test_idf_stays_positive_for_a_word_in_every_document():
    assert idf(41, 41) > 0.9
    assert idf(41, 1) > idf(41, 10) > idf(41, 41)


@pytest.mark.parametrize(
    "token, expected",
    [("地瓜经济", ["地瓜经济"]), ("2.5", ["2", "5"]), ("、", []), ("COVID-19", ["covid", "19"])],
)
def test_words_are_runs_of_letters_digits_and_ideographs(token, expected):
    assert words(token) == expected
    assert word_count(token) == len(expected)


QUERIES = ["平潭", "实验区", "经济 发展", '"综合 实验区"', "建议 -平潭", "海关 OR 税务"]


def test_an_updated_index_ranks_like_a_fresh_build(tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    updated = tmp_path / "updated"
    build_index(corpus, updated, workers=1, progress=False)
    pages = sorted(corpus.rglob("page.txt"))
    for page in pages[:4]:  # deleted documents stay in Whoosh's segments, marked deleted
        shutil.rmtree(page.parent)
    report = build_index(corpus, updated, incremental=True, workers=1, progress=False)
    assert report.incremental and report.removed
    fresh = tmp_path / "fresh"
    build_index(corpus, fresh, workers=1, progress=False)
    with SearchEngine(updated) as a, SearchEngine(fresh) as b:
        for q in QUERIES:
            ra, rb = (e.search(SearchRequest(q=q, size=20, facets=False)) for e in (a, b))
            assert ra.total == rb.total
            assert [(h.id, h.score) for h in ra.hits] == [(h.id, h.score) for h in rb.hits], q
