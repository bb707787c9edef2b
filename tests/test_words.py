"""The word postings (``indexer/whoosh/words.py``) hold what the documents say, term by term.

Matching and ranking read the words files the build writes beside each Whoosh segment. Checked
against the stored documents themselves (``schema.index_document`` of each, numbered as the
index numbers them): every term of every field, in a fresh build and after incremental updates
that merged segments.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS

from indexer.docstore import DocStore
from indexer.records import SearchRequest
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine
from indexer.whoosh.reader import IndexReader
from indexer.whoosh.schema import index_document
from indexer.whoosh.words import WordSegment, merge_words, term_hash, write_postings


def assert_words_match_documents(index_dir: Path) -> int:
    gen = layout.current_generation(index_dir)
    reader = IndexReader(gen / layout.WHOOSH_DIR)
    try:
        expected: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        with DocStore(gen / layout.DOCSTORE, readonly=True) as store:
            for doc in store:
                number = reader.docnum(doc.id)
                assert number is not None and reader.live[number]
                for field, term, weight in index_document(doc).words:
                    expected[(field, term)][number] = weight
        for (field, term), postings in expected.items():
            ours = reader._read(field, term)
            assert ours is not None, (field, term)
            live = reader.live[ours.docs]  # deleted documents stay until their segment merges
            got = dict(zip(ours.docs[live].tolist(), ours.weights[live].tolist(), strict=True))
            assert got == postings, (field, term)
            assert reader.doc_frequency(field, term) == len(ours.docs)
        assert reader._read("body", "一个不存在的词语") is None
        return len(expected)
    finally:
        reader.close()


def test_a_fresh_build_holds_every_documents_words(sample_index: Path):
    assert assert_words_match_documents(sample_index) > 5000


def segment_names(index: Path) -> set[str]:
    whoosh_dir = layout.current_generation(index) / layout.WHOOSH_DIR
    return {p.stem for p in whoosh_dir.glob("*.words")}


def test_after_incremental_updates_that_merge_segments(tmp_path: Path):
    """Whoosh merges small segments once there are more than four: the merged segment gets
    words and gram files merged from theirs, and searches as a fresh build of the same files."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    build_index(corpus, index, progress=False, workers=2)
    pages = sorted(corpus.rglob("page.txt"))
    merged = False
    for n in range(8):
        before = segment_names(index)
        pages[n].unlink()
        (corpus / f"extra{n}.txt").write_text(f"新增第{n}号测试文件\n地瓜经济与三支一扶", "utf-8")
        build_index(corpus, index, progress=False, incremental=True)
        after = segment_names(index)
        merged = merged or len(before - after) > 1
    assert merged, "no update merged segments"
    assert assert_words_match_documents(index) > 5000
    fresh = tmp_path / "fresh"
    build_index(corpus, fresh, progress=False)
    with SearchEngine(index) as updated, SearchEngine(fresh) as rebuilt:
        for q in ['"三支一扶"', "地瓜经济", '"新增第3号"', "平潭 建设", '"综合实验区管委会"']:
            a = updated.search(SearchRequest(q=q, size=100, facets=False))
            b = rebuilt.search(SearchRequest(q=q, size=100, facets=False))
            assert a.total == b.total > 0, q
            ranked = [sorted((h.id, h.score) for h in r.hits) for r in (a, b)]
            assert ranked[0] == ranked[1], q


def test_merging_keeps_the_live_documents_renumbered(tmp_path: Path):
    key, check = term_hash("body", "经济")
    other = term_hash("title", "通知")
    write_postings(
        tmp_path / "a.words",
        np.array([key, key, other[0]], dtype=np.uint64),
        np.array([check, check, other[1]], dtype=np.uint32),
        np.array([0, 2, 1]),
        np.array([1, 3, 3]),
    )
    a = WordSegment(tmp_path / "a.words")
    merge_words([(a, np.array([1, 2]))], tmp_path / "m.words")  # document 0 was deleted
    merged = WordSegment(tmp_path / "m.words")
    found = merged.find(key, check)
    assert found is not None
    assert [x.tolist() for x in merged.postings(*found)] == [[1], [3]]
    title = merged.find(*other)
    assert title is not None and [x.tolist() for x in merged.postings(*title)] == [[0], [3]]
    assert merged.find(key, check + 1) is None  # same 64 bits, another check: another term
    a.close()
    merged.close()


@pytest.mark.parametrize("count", [0, 1, 63, 64, 65, 4097])
def test_every_key_is_found_across_block_and_page_edges(tmp_path: Path, count: int):
    terms = [term_hash("body", f"词{i}") for i in range(count)]
    keys = np.array([k for k, _ in terms for _ in range(2)], dtype=np.uint64)
    checks = np.array([c for _, c in terms for _ in range(2)], dtype=np.uint32)
    docs = np.array([d for i in range(count) for d in (i, i + count)])
    write_postings(tmp_path / "w.words", keys, checks, docs, np.ones(len(docs), dtype=np.int64))
    seg = WordSegment(tmp_path / "w.words")
    for i, (k, c) in enumerate(terms):
        found = seg.find(k, c)
        assert found is not None
        assert seg.postings(*found)[0].tolist() == [i, i + count]
    assert seg.find(*term_hash("body", "没有")) is None
    seg.close()
