"""The engine's scores equal ranking.py's BM25F computed directly from the analyzed documents.

The reference below never touches Whoosh or numpy arrays: it analyzes every stored document,
evaluates the query tree one document at a time (hits per keyword and field; a run by searching
the document's stream for it, its bigrams' hits as the set of the run starts that recorded them,
which is how Sphinx counts a bigram reached by two runs) and applies ranking.py's formula with
counts it makes itself. The engine must give
the same total, the same scores, and a top-10 that is the head of the reference order (trap #1 of
PERFORMANCE.md: Whoosh's ``search(limit=10)`` can miss the best document of a common query).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest

from indexer.analysis import analyze
from indexer.chars import grams, stream
from indexer.docstore import DocStore
from indexer.extract.fields import normalize_doc_no
from indexer.query import parse_query
from indexer.query_tree import And, AndNot, AtLeast, Maybe, Near, Nothing, Or, Run, Term
from indexer.ranking import (
    CHAR_FIELDS,
    FIELD_WEIGHTS,
    GRAM_FIELDS,
    K1,
    NEAR_BONUS,
    RUN_BONUS,
    WORD,
    B,
)
from indexer.records import SearchRequest
from indexer.whoosh import layout
from indexer.whoosh.engine import SearchEngine

QUERIES = [
    "平潭",
    "政府",
    "平潭 建设",
    "实验区",
    "经济 发展",
    "管理 规定",
    "人民 政府 工作",
    "海关 OR 税务",
    "工作 -平潭",
    "综合实验区 管委会 通知",
    "地瓜经济",
    "领导 干部",
    "市场 经济",
    '"经济 发展"',
    '"综合 实验区"',
    "title:通知 平潭",
    "(建议 OR 提案) 答复",
    "经济社会发展",
    "市",
    '"实验区管委会"',
    "经济发展经济",
    "实验区 管委会",
    "综合实验区管委会关于",
    "平潭综合实验区管理委员会关于印发平潭综合实验区行政事业单位国有资产管理办法的通知",
    "哈哈哈",
    "实验区潭城镇社区卫生服务中心",  # a long run, five times in a body (run_counter)
    "-(建设 OR 发展) 平潭",
]
WORD_FIELDS = ("title", "body", "agency")


class Doc:
    def __init__(self, doc):
        self.id = doc.id
        self.doc_no = normalize_doc_no(doc.doc_no) if doc.doc_no else ""
        self.index_no = doc.index_no.strip().upper()
        self.tokens = {f: analyze(getattr(doc, f)) for f in WORD_FIELDS}
        self.counts = {f: Counter(t.text for t in toks) for f, toks in self.tokens.items()}
        self.streams = {f: stream(getattr(doc, f)) for f in ("title", "body")}
        # length in words: a token such as "2.5" is two (ranking.WORD), "、" none
        self.dl = sum(
            FIELD_WEIGHTS[f] * sum(len(WORD.findall(t.text)) for t in self.tokens[f])
            for f in WORD_FIELDS
        )
        for f, text in self.streams.items():
            self.dl += FIELD_WEIGHTS[GRAM_FIELDS[f]] * max(len(text) - 1, 0)
            self.dl += FIELD_WEIGHTS[CHAR_FIELDS[f]] * len(text)


#: the hits key of a matched Near (no keyword: it only adds ranking.NEAR_BONUS)
_NEAR = ("near", "")


def _starts(text: str, run: str) -> list[int]:
    out, at = [], text.find(run)
    while at >= 0:
        out.append(at)
        at = text.find(run, at + 1)
    return out


def _merge(into: dict, hits: dict) -> None:
    for k, v in hits.items():
        into[k] = into.get(k, set()) | v if isinstance(v, set) else max(into.get(k, 0), v)


def evaluate(node, d: Doc) -> tuple[bool, dict]:
    """(matched, {(keyword, field): weighted frequency}) of one document."""
    if isinstance(node, Term):
        if node.field == "doc_no":
            return d.doc_no == node.text, {}
        if node.field == "index_no":
            return d.index_no == node.text, {}
        tf = d.counts[node.field][node.text]
        return tf > 0, ({(node.text, node.field): tf * FIELD_WEIGHTS[node.field]} if tf else {})
    if isinstance(node, Run):
        hits: dict = {}
        # a character-view keyword: ("view", its bigram or character), apart from the words
        keywords = [("view", g) for g in ([node.text] if len(node.text) == 1 else grams(node.text))]
        for f in node.fields:
            starts = set(_starts(d.streams[f], node.text))
            if starts:
                view = (CHAR_FIELDS if len(node.text) == 1 else GRAM_FIELDS)[f]
                hits.update({(k, view): starts for k in keywords})
        return bool(hits), hits
    if isinstance(node, AtLeast):
        hits = {}
        for w in node.words:
            for f in node.fields:
                if d.counts[f][w]:
                    hits[(w, f)] = d.counts[f][w] * FIELD_WEIGHTS[f]
        ok = len({w for w, _ in hits}) >= node.k
        return ok, (hits if ok else {})
    if isinstance(node, Maybe):
        ok, hits = evaluate(node.required, d)
        if ok:
            matched, more = evaluate(node.optional, d)
            if matched:
                _merge(hits, more)
        return ok, hits
    if isinstance(node, (And, Or)):
        results = [evaluate(c, d) for c in node.children]
        ok = all(m for m, _ in results) if isinstance(node, And) else any(m for m, _ in results)
        hits = {}
        for m, h in results:
            if m or isinstance(node, And):
                _merge(hits, h)
        return ok, (hits if ok else {})
    if isinstance(node, AndNot):
        ok, hits = (True, {}) if node.positive is None else evaluate(node.positive, d)
        if ok and evaluate(node.negative, d)[0]:
            return False, {}
        return ok, hits
    if isinstance(node, Near):
        # close: at most node.gap characters from the end of one run to the start of the other
        for f in node.fields:
            lefts = _starts(d.streams[f], node.left)
            rights = _starts(d.streams[f], node.right)
            gaps = [b - (a + len(node.left)) for a in lefts for b in rights]
            gaps += [a - (b + len(node.right)) for a in lefts for b in rights]
            if any(0 <= gap <= node.gap for gap in gaps):
                return True, {_NEAR: True}
        return False, {}
    if isinstance(node, Nothing):
        return False, {}
    raise TypeError(node)


def reference(docs: Docs, q: str) -> dict[str, float]:
    """Score of every matching document, from first principles."""
    n = len(docs)
    avgdl = sum(d.dl for d in docs) / n
    node = parse_query(q).node
    out = {}
    for d in docs:
        ok, hits = evaluate(node, d)
        if not ok:
            continue
        tf: Counter = Counter()
        for (keyword, field), v in hits.items():
            if (keyword, field) != _NEAR:
                tf[keyword] += len(v) * FIELD_WEIGHTS[field] if isinstance(v, set) else v
        norm = K1 * (1 - B + B * d.dl / avgdl)
        bonus = RUN_BONUS if any(isinstance(k, tuple) for k, _ in hits) else 0.0
        bonus += NEAR_BONUS if _NEAR in hits else 0.0
        out[d.id] = bonus + sum(
            (math.log(n / (frequency(docs, k) + 1)) + 1) * v / (v + norm) for k, v in tf.items()
        )
    return out


class Docs(list):
    """The analyzed documents of an index, with the document frequencies asked so far."""

    def __init__(self, docs):
        super().__init__(docs)
        self.frequencies: dict = {}


def frequency(docs: Docs, keyword) -> int:
    """Documents holding a word in a word field, or a bigram / character in a stream."""
    if keyword not in docs.frequencies:
        if isinstance(keyword, tuple):
            held = (any(keyword[1] in s for s in d.streams.values()) for d in docs)
        else:
            held = (any(d.counts[f][keyword] for f in WORD_FIELDS) for d in docs)
        docs.frequencies[keyword] = sum(held)
    return docs.frequencies[keyword]


def analyzed_docs(index_dir: Path) -> Docs:
    gen = layout.current_generation(index_dir)
    with DocStore(gen / layout.DOCSTORE, readonly=True) as store:
        return Docs(Doc(doc) for doc in store)


def check(engine: SearchEngine, docs: Docs, q: str, k: int = 10) -> None:
    want = reference(docs, q)
    got = engine.search(SearchRequest(q=q, size=k, facets=False))
    assert got.total == len(want), q
    for hit in got.hits:
        assert hit.score == pytest.approx(want[hit.id], rel=1e-6, abs=1e-6), (q, hit.id)
    best = sorted(want.values(), reverse=True)[:k]
    assert [h.score for h in got.hits] == pytest.approx(best, rel=1e-6, abs=1e-6), q
    # nothing scoring above the 10th is missing (ties with it may be either side of the cut)
    if got.hits:
        last = got.hits[-1].score
        above = {i for i, s in want.items() if s > last + 1e-6}
        assert above <= {h.id for h in got.hits}, q


@pytest.fixture(scope="module")
def sample_docs(sample_index: Path) -> list[Doc]:
    return analyzed_docs(sample_index)


@pytest.mark.parametrize("q", QUERIES)
def test_scores_equal_the_reference_on_corpus(sample_index: Path, sample_docs, q):
    with SearchEngine(sample_index) as engine:
        check(engine, sample_docs, q)


def test_queries_rank_more_than_ten_documents(sample_docs):
    """The comparison above covers the case that matters: more matches than one page."""
    many = [q for q in QUERIES if len(reference(sample_docs, q)) > 10]
    assert len(many) >= 5, many


@pytest.mark.slow
def test_scores_equal_the_reference_on_shared_corpora(shared_index: Path):
    docs = analyzed_docs(shared_index)
    with SearchEngine(shared_index) as engine:
        for q in QUERIES:
            check(engine, docs, q)
