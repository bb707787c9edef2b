"""Our top-k equals Whoosh's exhaustive BM25F ranking (PERFORMANCE.md trap #1).

whoosh-reloaded's ``searcher.search(q, limit=10)`` can miss the best document of a common AND
query; the engine scores every match itself. Here the same query tree is given to Whoosh as
query objects and every match is scored (``limit=None``), then sorted by score descending and
document number ascending: the engine's hits must be that order's head, with the same scores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as wq

from indexer.query import And, AndNot, Or, Term, parse_query
from indexer.records import SearchRequest
from indexer.search import SearchEngine

QUERIES = [
    "平潭",
    "政府",
    "经济 发展",
    "管理 规定",
    "人民 政府 工作",
    "海关 OR 税务",
    "工作 -平潭",
    "综合实验区 管委会 通知",
    "地瓜经济",
    "领导 干部",
    "市场 经济",
]


def to_whoosh(node) -> wq.Query:
    if isinstance(node, Term):
        return wq.Term(node.field, node.text)
    if isinstance(node, And):
        return wq.And([to_whoosh(c) for c in node.children])
    if isinstance(node, Or):
        return wq.Or([to_whoosh(c) for c in node.children])
    raise TypeError(f"not a term query: {node!r}")


def exhaustive(engine: SearchEngine, q: str) -> list[tuple[str, float]]:
    node = parse_query(q).node
    with engine._use() as gen:
        searcher = gen.reader.index.searcher()  # a fresh one: Whoosh's own reading path
        try:
            excluded: set[int] = set()
            if isinstance(node, AndNot):
                # Whoosh's own AndNot kept a document containing the negated word (平潭) when
                # the negation is an Or over fields: subtract its matches ourselves
                excluded = set(searcher.search(to_whoosh(node.negative), limit=None).docs())
                node = node.positive
            results = searcher.search(to_whoosh(node), limit=None)
            ranked = sorted(
                ((hit.score, hit.docnum) for hit in results if hit.docnum not in excluded),
                key=lambda x: (-x[0], x[1]),
            )
            return [(searcher.stored_fields(d)["id"], s) for s, d in ranked]
        finally:
            searcher.close()


def check_topk(engine: SearchEngine, q: str, k: int = 10) -> None:
    want = exhaustive(engine, q)
    got = engine.search(SearchRequest(q=q, size=k, facets=False))
    assert got.total == len(want), q
    assert [h.score for h in got.hits] == pytest.approx([s for _, s in want[:k]], rel=1e-6), q
    # identical ids, except where float rounding may swap exactly tied documents
    for i, hit in enumerate(got.hits):
        if hit.id != want[i][0]:
            tied = {d for d, s in want if s == pytest.approx(want[i][1], rel=1e-9)}
            assert hit.id in tied, (q, i)


@pytest.mark.parametrize("q", QUERIES)
def test_topk_equals_exhaustive_on_corpus(sample_index: Path, q):
    with SearchEngine(sample_index) as engine:
        check_topk(engine, q)


@pytest.mark.slow
def test_topk_equals_exhaustive_on_shared_corpora(shared_index: Path):
    with SearchEngine(shared_index) as engine:
        for q in QUERIES:
            check_topk(engine, q)
