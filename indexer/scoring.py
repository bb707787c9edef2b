"""BM25F over dense per-document numpy arrays: evaluates a query tree to (matches, scores).

Each node yields a boolean mask over all document numbers and a score array that is 0 wherever
the mask is False. The arithmetic is Whoosh's own (``whoosh.scoring.BM25F``: idf, B=0.75, K1=1.2,
title boost folded into the posting weights at index time; And and Or add their children's
scores, AndNot keeps the positive side's), so for term queries the ranking equals Whoosh's
exhaustive one — tests/test_search_topk.py checks that on a real index.
"""

from __future__ import annotations

import math

import numpy as np

from .query import And, AndNot, Node, Nothing, Or, Phrase, Term
from .reader import IndexReader

B = 0.75
K1 = 1.2
#: fields whose matches are scored by BM25F; others (doc_no, index_no) count as matched
SCORED_FIELDS = ("title", "body", "agency")
#: a typed 文号 / 索引号 ranks above any text match
EXACT_BONUS = 1000.0


def term_scores(reader: IndexReader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, BM25F scores) of one term."""
    p = reader.postings(field, text)
    if p is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if field not in SCORED_FIELDS:
        return p.docs, np.ones(len(p.docs))
    idf = math.log(reader.doc_count_all / (p.df + 1)) + 1
    fl = reader.lengths[field][p.docs]
    tf = p.weights.astype(np.float64)  # Whoosh scores in double precision
    avg = reader.avg_length[field]
    return p.docs, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avg)))


def evaluate(node: Node, reader: IndexReader) -> tuple[np.ndarray, np.ndarray]:
    """(mask, scores) of ``node`` over all document numbers; deleted documents not yet removed."""
    n = reader.n
    if isinstance(node, Term):
        docs, s = term_scores(reader, node.field, node.text)
        mask = np.zeros(n, dtype=bool)
        mask[docs] = True
        scores = np.zeros(n)
        scores[docs] = s
        return mask, scores
    if isinstance(node, Phrase):
        return _phrase(node, reader)
    if isinstance(node, And):
        mask, scores = evaluate(node.children[0], reader)
        for child in node.children[1:]:
            if not mask.any():
                break
            m, s = evaluate(child, reader)
            mask &= m
            scores += s
        scores *= mask
        return mask, scores
    if isinstance(node, Or):
        mask = np.zeros(n, dtype=bool)
        scores = np.zeros(n)
        for child in node.children:
            m, s = evaluate(child, reader)
            mask |= m
            scores += s
        return mask, scores
    if isinstance(node, AndNot):
        if node.positive is None:
            mask, scores = np.ones(n, dtype=bool), np.zeros(n)
        else:
            mask, scores = evaluate(node.positive, reader)
        if mask.any():
            neg, _ = evaluate(node.negative, reader)
            mask &= ~neg
            scores *= mask
        return mask, scores
    if isinstance(node, Nothing):
        return np.zeros(n, dtype=bool), np.zeros(n)
    raise TypeError(f"unknown query node {node!r}")


def _phrase(node: Phrase, reader: IndexReader) -> tuple[np.ndarray, np.ndarray]:
    mask, scores = evaluate(And(tuple(Term(node.field, t) for t in node.texts)), reader)
    candidates = np.flatnonzero(mask)
    if len(candidates):
        # Word k of the phrase at position p votes for a phrase starting at p - k; a document
        # matches when every word votes for one same start. Keys pack (document, start).
        decoded = {t: reader.positions(node.field, t, candidates) for t in set(node.texts)}
        starts: np.ndarray | None = None
        for k, text in enumerate(node.texts):
            docs, positions = decoded[text]
            keys = (docs << 32) | (positions - k + _START_BIAS)
            starts = np.unique(keys) if starts is None else np.intersect1d(starts, keys)
            if not len(starts):
                break
        assert starts is not None
        phrase = np.zeros(reader.n, dtype=bool)
        phrase[np.unique(starts >> 32)] = True
        mask &= phrase
    scores *= mask
    return mask, scores


#: keeps ``position - k`` of a phrase word non-negative (phrases have at most MAX_TERMS words)
_START_BIAS = 1 << 16
