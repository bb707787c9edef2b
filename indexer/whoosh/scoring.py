"""BM25F of ``indexer/ranking.py`` over dense per-document numpy arrays: a query tree to
(matches, scores).

Matching walks the tree: each node yields a boolean mask over all document numbers and the hits
it matched, 0 wherever the node did not match (so a keyword under an OR branch that failed, or
under a NOT, counts nothing). Word hits are a weighted term frequency per (keyword, field);
And and Or merge them by maximum: a keyword reached twice counts its hits once, as Sphinx counts
a repeated keyword. A ``Run`` is matched on the character view (``grams.py``): its bigrams at
consecutive positions; its hits are its occurrences, for every bigram of it, recorded at the
run's start (Sphinx's phrase hits). Two runs with a bigram in common count a recorded position
once: where one run is a prefix of the other the longer one's starts are among the shorter
one's, otherwise their starts differ (``_run_hits``). Scoring sums ranking.py's formula over the
distinct keywords, with document frequencies over the live documents:
tests/test_scoring_reference.py checks it against a direct computation from the analyzed
documents, tests/test_sphinx_cluster.py against Sphinx.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..chars import char_keyword, gram_keyword, grams
from ..query_tree import And, AndNot, AtLeast, Maybe, Near, Node, Nothing, Or, Run, Term
from ..ranking import CHAR_FIELDS, FIELD_WEIGHTS, GRAM_FIELDS, K1, NEAR_BONUS, RUN_BONUS, B, idf
from .gram_reader import first_of_each, sorted_unique
from .grams import BODY_CHARS, BODY_GRAMS, TITLE_CHARS, TITLE_GRAMS, gram_key
from .reader import DenseTerm, IndexReader, spread

__all__ = ["cover", "evaluate", "first_body_starts", "match"]

#: keywords whose document frequency a generation keeps (a few MB at most)
DF_CACHE_SIZE = 200_000
_GRAM_NS = {"title": TITLE_GRAMS, "body": BODY_GRAMS}
_CHAR_NS = {"title": TITLE_CHARS, "body": BODY_CHARS}
#: a word in at least 1/DENSE_SHARE of the documents is kept spread over all of them
#: (``IndexReader.dense``: 5 bytes a document against 8 a posting, so at most 5x its postings'
#: bytes, in the same LRU): scattering a common word's postings into new arrays was most of the
#: matching of a query with compound words (中华人民共和国 民法典: 18 terms); a kept mask is
#: copied in a fraction of that. query_bench, each query's best of 5, three alternating runs:
#: p95 2.11 / 2.23 / 2.16 -> 1.95 / 1.96 / 2.04 ms, mean 1.58-1.66 -> 1.52-1.57 ms
DENSE_SHARE = 8
#: keeps ``position - k`` of a run's k-th bigram non-negative (runs are shorter than this)
_START_BIAS = 1 << 16


@dataclass
class Hits:
    """What a node matched in each document, for scoring."""

    #: (keyword, field) -> weighted frequency (float32, exact for the small integers it holds)
    words: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    #: (run, character-view field) -> its weighted occurrences; one array for all the run's
    #: bigram keywords (a keyword per bigram made a pasted passage mask and merge a hundred
    #: arrays of every document: 30 ms at 100k documents)
    runs: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    #: run -> the keywords of its bigrams (or of its one character)
    run_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: bigram keyword -> its bigram (to find its document frequency)
    grams: dict[str, str] = field(default_factory=dict)
    #: documents where two neighbouring parts are close (``Near``): ranking.NEAR_BONUS
    near: np.ndarray | None = None

    def merge(self, other: Hits) -> None:
        if other.near is not None:
            self.near = other.near if self.near is None else self.near | other.near
        for key, tf in other.words.items():
            mine = self.words.get(key)
            self.words[key] = tf if mine is None else np.maximum(mine, tf)
        for key, occ in other.runs.items():
            mine = self.runs.get(key)
            self.runs[key] = occ if mine is None else np.maximum(mine, occ)
        self.run_keywords.update(other.run_keywords)
        self.grams.update(other.grams)

    def masked(self, mask: np.ndarray) -> Hits:
        return Hits(
            {k: tf * mask for k, tf in self.words.items()},
            {k: occ * mask for k, occ in self.runs.items()},
            self.run_keywords,
            self.grams,
            None if self.near is None else self.near & mask,
        )


def evaluate(
    node: Node, reader: IndexReader, weights: Mapping[str, float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(mask, scores) of ``node`` over all document numbers; deleted documents not yet removed.
    ``weights``: keyword -> factor of its idf (``ParsedQuery.weights``)."""
    mask, hits = match(node, reader, clip=False)  # score() reads only the matched documents
    return mask, score(mask, hits, reader, weights or {})


def score(
    mask: np.ndarray, hits: Hits, reader: IndexReader, weights: Mapping[str, float]
) -> np.ndarray:
    scores = np.zeros(reader.n)
    docs = np.flatnonzero(mask)
    if not len(docs) or not (hits.words or hits.runs or hits.near is not None):
        return scores
    norm = K1 * ((1 - B) + B * reader.dl[docs] / reader.avg_dl)
    by_keyword: dict[str, np.ndarray] = {}
    for (keyword, _field), tf in hits.words.items():
        by_keyword[keyword] = by_keyword.get(keyword, 0) + tf[docs]
    # a bigram keyword's hits in a field come from the runs that hold it; keywords held by the
    # same runs in the same fields have the same hits, so their terms are summed as one (a
    # run's bigrams all share its hits: scoring each on its own was a third of a query's time)
    held_by: dict[str, list[tuple[str, str]]] = {}
    for run, field_name in hits.runs:
        for keyword in hits.run_keywords[run]:
            held_by.setdefault(keyword, []).append((field_name, run))
    groups: dict[tuple[tuple[str, str], ...], list[str]] = {}
    for keyword, holders in held_by.items():
        groups.setdefault(tuple(sorted(holders)), []).append(keyword)
    out = np.zeros(len(docs))
    if hits.runs:
        # ranking.RUN_BONUS: a run's hits are non-zero exactly where it matched
        held = np.zeros(len(docs), dtype=bool)
        for occ in hits.runs.values():
            held |= occ[docs] > 0
        out += np.where(held, RUN_BONUS, 0.0)
    if hits.near is not None:
        out += np.where(hits.near[docs], NEAR_BONUS, 0.0)
    grams_wanted = {k: g for k, g in hits.grams.items() if k in held_by or k in by_keyword}
    gram_dfs = gram_frequencies(reader, grams_wanted)

    def factor(keyword: str) -> float:
        df = gram_dfs[keyword] if keyword in gram_dfs else word_frequency(reader, keyword)
        return idf(reader.doc_count, df) * weights.get(keyword, 1.0)

    for keyword, tf in by_keyword.items():
        _add_term(out, factor(keyword), tf, norm)
    for holders, keywords in groups.items():
        by_field: dict[str, dict[str, np.ndarray]] = {}
        for field_name, run in holders:
            by_field.setdefault(field_name, {})[run] = hits.runs[(run, field_name)][docs]
        fields = [_run_hits(by_run) for by_run in by_field.values()]
        tf = fields[0] if len(fields) == 1 else sum(fields[1:], fields[0])
        _add_term(out, sum(factor(k) for k in keywords), tf, norm)
    scores[docs] = out
    return scores


def _add_term(out: np.ndarray, weight: float, tf: np.ndarray, norm: np.ndarray) -> None:
    """``out += weight * (tf / (tf + norm))`` (BM25's saturation), in one temporary array."""
    term = tf + norm
    np.divide(tf, term, out=term)
    term *= weight
    out += term


def _run_hits(by_run: dict[str, np.ndarray]) -> np.ndarray:
    """One bigram's hits from the runs holding it: a run counts where none of its prefixes that
    are also among them matched (its starts are among that prefix's starts then)."""
    if len(by_run) == 1:
        return next(iter(by_run.values()))
    total: np.ndarray | None = None
    for run, occ in by_run.items():
        prefixes = [o for other, o in by_run.items() if other != run and run.startswith(other)]
        if prefixes:  # numpy only where a prefix shadows: most bigrams' runs have none
            shadowed = prefixes[0] > 0
            for o in prefixes[1:]:
                shadowed |= o > 0
            occ = np.where(shadowed, 0, occ)
        total = occ if total is None else total + occ
    assert total is not None
    return total


def _cached_frequency(reader: IndexReader, keyword: str, seen: np.ndarray) -> int:
    count = int(np.count_nonzero(seen & reader.live))
    if len(reader.df_cache) < DF_CACHE_SIZE:
        reader.df_cache[keyword] = count
    return count


def word_frequency(reader: IndexReader, keyword: str) -> int:
    """Live documents with ``keyword`` in any weighted word field (Sphinx's count of it).

    Cached per generation; counted on a boolean array: np.unique over the fields' postings
    was 105 of 180 ms of 8 common-word queries on 100k documents.
    """
    known = reader.df_cache.get(keyword)
    if known is not None:
        return known
    seen = np.zeros(reader.n, dtype=bool)
    for f in ("title", "body", "agency"):
        p = reader.postings(f, keyword)
        if p is not None:
            seen[p.docs] = True
    return _cached_frequency(reader, keyword, seen)


def gram_frequencies(reader: IndexReader, grams_of: dict[str, str]) -> dict[str, int]:
    """keyword -> live documents with its bigram (or character) in the character view of their
    title or body, for each ``keyword: gram`` of ``grams_of``."""
    out = {k: reader.df_cache[k] for k in grams_of if k in reader.df_cache}
    todo = [(k, g) for k, g in grams_of.items() if k not in out]
    if not todo:
        return out
    pairs = [
        tuple(gram_key(ns, *map(ord, g)) for ns in (_GRAM_NS if len(g) == 2 else _CHAR_NS).values())
        for _, g in todo
    ]
    if reader.doc_count == reader.n:
        # no deleted documents: counted off the key tables (decoding the postings of a
        # pasted passage's hundred bigrams was a third of its time at 100k documents)
        counts = reader.grams.either_counts([t for t, _ in pairs], [b for _, b in pairs])
        for (keyword, _), count in zip(todo, counts, strict=True):
            out[keyword] = count
            if len(reader.df_cache) < DF_CACHE_SIZE:
                reader.df_cache[keyword] = count
        return out
    for (keyword, _), keys in zip(todo, pairs, strict=True):
        seen = np.zeros(reader.n, dtype=bool)
        for key in keys:
            p = reader.gram_postings(key)
            if p is not None:
                seen[p.docs] = True
        out[keyword] = _cached_frequency(reader, keyword, seen)
    return out


def match(node: Node, reader: IndexReader, clip: bool = True) -> tuple[np.ndarray, Hits]:
    """(mask, hits) of ``node``. ``clip``: its hits must be 0 wherever it did not match (under
    an Or, where a failed branch must count nothing); elsewhere only the documents the whole
    query matched are read, and masking every array of a pasted passage's words at each level
    took 4 ms a query at 100k documents."""
    n = reader.n
    if isinstance(node, Term):
        return _term(node.field, node.text, reader)
    if isinstance(node, Run):
        return _run(node, reader)
    if isinstance(node, And):
        mask, hits = match(node.children[0], reader, clip)
        for child in node.children[1:]:
            if not mask.any():
                return mask, Hits()
            m, h = match(child, reader, clip)
            mask &= m
            hits.merge(h)
        return mask, hits.masked(mask) if clip else hits
    if isinstance(node, Or):
        mask = np.zeros(n, dtype=bool)
        hits = Hits()
        # an Or within an Or (a part's words or its run) is the same as its children in this one
        stack = list(reversed(node.children))  # left to right, as written
        while stack:
            child = stack.pop()
            if isinstance(child, Or):
                stack.extend(reversed(child.children))
                continue
            m, h = match(child, reader, True)
            mask |= m
            hits.merge(h)
        return mask, hits
    if isinstance(node, AtLeast):
        count = np.zeros(n, dtype=np.int32)
        hits = Hits()
        for word in node.words:
            seen = np.zeros(n, dtype=bool)
            for f in node.fields:
                m, h = _term(f, word, reader)
                seen |= m
                hits.merge(h)
            count += seen
        mask = count >= node.k
        return mask, hits.masked(mask) if clip else hits
    if isinstance(node, Maybe):
        mask, hits = match(node.required, reader, clip)
        if mask.any():
            _, optional = match(node.optional, reader, True)
            hits.merge(optional.masked(mask) if clip else optional)
        return mask, hits
    if isinstance(node, AndNot):
        if node.positive is None:
            mask, hits = np.ones(n, dtype=bool), Hits()
        else:
            mask, hits = match(node.positive, reader, clip)
        if mask.any():
            neg, _ = match(node.negative, reader, True)
            mask &= ~neg
        return mask, hits.masked(mask) if clip else hits
    if isinstance(node, Near):
        return _near(node, reader)
    if isinstance(node, Nothing):
        return np.zeros(n, dtype=bool), Hits()
    raise TypeError(f"unknown query node {node!r}")


def _term(field_name: str, text: str, reader: IndexReader) -> tuple[np.ndarray, Hits]:
    p = reader.postings(field_name, text)
    if p is None:
        return np.zeros(reader.n, dtype=bool), Hits()
    if field_name not in FIELD_WEIGHTS:  # doc_no / index_no: matched, not scored
        mask = np.zeros(reader.n, dtype=bool)
        mask[p.docs] = True
        return mask, Hits()
    # weights: frequency x field weight (schema.TITLE_BOOST), as indexed
    spread = _spread(reader, ("word", field_name, text), p.docs, p.weights)
    return spread.mask.copy(), Hits(words={(text, field_name): spread.weights})


def _spread(
    reader: IndexReader, key: tuple[str, ...], docs: np.ndarray, weights: np.ndarray
) -> DenseTerm:
    """A term's or run's ``weights`` of ``docs`` over every document number, read-only: kept in
    the LRU (``IndexReader.dense``) for one in at least 1/DENSE_SHARE of the documents."""
    if len(docs) * DENSE_SHARE >= reader.n:
        return reader.dense(key, docs, weights)
    return spread(reader.n, docs, weights)


def _run(node: Run, reader: IndexReader) -> tuple[np.ndarray, Hits]:
    mask = np.zeros(reader.n, dtype=bool)
    hits = Hits()
    if len(node.text) == 1:
        keyword = char_keyword(node.text)
        hits.grams[keyword] = node.text
        for f in node.fields:
            p = reader.gram_postings(gram_key(_CHAR_NS[f], ord(node.text)))
            if p is not None:
                char_field = CHAR_FIELDS[f]
                weights = p.tfs * FIELD_WEIGHTS[char_field]
                dense = _spread(reader, ("run", char_field, node.text), p.docs, weights)
                mask |= dense.mask
                hits.runs[(node.text, char_field)] = dense.weights
        hits.run_keywords[node.text] = (keyword,)
        return mask, hits
    run_grams = grams(node.text)
    keywords = {gram_keyword(g): g for g in run_grams}
    hits.grams.update(keywords)
    hits.run_keywords[node.text] = tuple(keywords)
    for f in node.fields:
        docs, occurrences = occurrences_of(reader, _GRAM_NS[f], run_grams)
        if not len(docs):
            continue
        gram_field = GRAM_FIELDS[f]
        weights = occurrences * FIELD_WEIGHTS[gram_field]
        dense = _spread(reader, ("run", gram_field, node.text), docs, weights)
        mask |= dense.mask
        hits.runs[(node.text, gram_field)] = dense.weights
    return mask, hits


def _near(node: Near, reader: IndexReader) -> tuple[np.ndarray, Hits]:
    """The documents where ``node``'s runs are close in one of its fields: a start of one run at
    most its length + gap after a start of the other (Sphinx's NEAR/(gap + 1) over two phrases
    that never overlap); kept in the generation's LRU like a run's documents."""
    found = reader.cached(("near", node), lambda: _NearDocs(_near_docs(node, reader)))
    near = np.zeros(reader.n, dtype=bool)
    near[found.docs] = True
    return near, Hits(near=near)


@dataclass
class _NearDocs:
    docs: np.ndarray


def _near_docs(node: Near, reader: IndexReader) -> np.ndarray:
    out: list[np.ndarray] = []
    for f in node.fields:
        ns = _GRAM_NS[f]
        left_docs, _ = occurrences_of(reader, ns, grams(node.left))
        right_docs, _ = occurrences_of(reader, ns, grams(node.right))
        # document lists are ascending and unique: without assume_unique numpy hashes both
        both = np.intersect1d(left_docs, right_docs, assume_unique=True)
        if not len(both):
            continue
        # sorted (document << 32 | position) keys: the nearest start of the other run at or
        # before each start, by binary search (sorting the two together took twice as long)
        left = run_starts(reader, ns, grams(node.left), both)
        right = run_starts(reader, ns, grams(node.right), both)
        for a, b, length in ((left, right, len(node.left)), (right, left, len(node.right))):
            if not len(a) or not len(b):
                continue
            before = np.searchsorted(a, b, side="right") - 1
            ok = before >= 0
            prior = a[np.maximum(before, 0)]
            ok &= (prior >> 32) == (b >> 32)
            ok &= b - prior <= length + node.gap
            out.append(b[ok] >> 32)
    return sorted_unique(np.sort(np.concatenate(out))) if out else np.zeros(0, dtype=np.int64)


def occurrences_of(
    reader: IndexReader, ns: int, run_grams: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(documents, occurrences in each) of the run whose bigrams are ``run_grams``, in one
    character-view namespace; kept in the generation's LRU like a word's postings (a run of
    common characters decodes many positions: 人民政府 is 10 ms over the laws)."""
    found = reader.cached(
        ("run", (ns, *run_grams)), lambda: _RunPostings(*_occurrences(reader, ns, run_grams))
    )
    return found.docs, found.tfs


@dataclass
class _RunPostings:
    docs: np.ndarray
    tfs: np.ndarray


#: a run of more bigrams than this (a pasted sentence) whose rarest bigrams leave at most
#: CONFIRM_DOCS candidates is confirmed on their stored text (``IndexReader.run_counter``):
#: the covering set of a 100-character passage holds some fifty bigrams, whose postings and
#: positions took ~150 ms at 100k documents, to confirm a handful of copies of one news item
LONG_RUN = 12
CONFIRM_DOCS = 32
#: at most this many of a long run's rarest bigrams narrow its candidates
NARROWING_BIGRAMS = 4


def _occurrences(
    reader: IndexReader, ns: int, run_grams: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    if len(run_grams) == 1:
        p = reader.gram_postings(gram_key(ns, ord(run_grams[0][0]), ord(run_grams[0][1])))
        if p is None:
            return empty, empty
        return p.docs, p.tfs.astype(np.int64)
    if len(run_grams) > LONG_RUN and reader.run_counter is not None:
        keys = [gram_key(ns, ord(g[0]), ord(g[1])) for g in run_grams]
        counts = reader.grams.doc_counts(keys)
        if min(counts) == 0:
            return empty, empty
        candidates: np.ndarray | None = None
        for k in sorted(set(keys), key=lambda k: counts[keys.index(k)])[:NARROWING_BIGRAMS]:
            docs = reader.gram_postings(k).docs
            if candidates is None:
                candidates = docs
            else:
                at = np.minimum(np.searchsorted(docs, candidates), len(docs) - 1)
                candidates = candidates[docs[at] == candidates]
        assert candidates is not None
        if len(candidates) <= CONFIRM_DOCS:
            run = run_grams[0] + "".join(g[1] for g in run_grams[1:])
            field = "title" if ns == TITLE_GRAMS else "body"
            return reader.run_counter(field, run, candidates)
    starts = run_starts(reader, ns, run_grams)
    if not len(starts):
        return starts, starts
    matched = starts >> 32
    first = np.flatnonzero(np.r_[True, matched[1:] != matched[:-1]])
    return matched[first], np.diff(np.r_[first, len(matched)])


def run_starts(
    reader: IndexReader,
    ns: int,
    run_grams: list[str],
    within: np.ndarray | None = None,
    *,
    exact: bool = True,
    limit: int | None = None,
) -> np.ndarray:
    """Where the run whose bigrams are ``run_grams`` occurs in one character-view namespace,
    as sorted ``document << 32 | (position + _START_BIAS)`` keys; only in the documents
    ``within`` (sorted) when given.

    A covering set of bigrams (every character of the run in at least one of them) fixes the
    run: ``cover`` picks the one with the fewest postings, from document frequencies read off
    the key tables, so that a common bigram's postings (使用 in 兰使用多管火箭, 90,000 documents
    at 100k) are never decoded when rarer neighbours cover its characters. The documents holding
    every cover bigram are the candidates; then, rarest first, each bigram k decodes its
    positions in the candidates only and votes for a run starting at its position - k; a start
    every bigram voted for is an occurrence. ``exact=False`` takes the votes of two bigrams only
    (the rarest and the farther end of the run): a close guess for a snippet's place.
    ``limit``: only the first ``limit`` positions of each bigram in each document vote; the
    first start found is then the first start, when one is found (a later one's votes come
    after its votes).
    """
    empty = np.zeros(0, dtype=np.int64)
    keys = [gram_key(ns, ord(g[0]), ord(g[1])) for g in run_grams]
    counts = reader.grams.doc_counts(keys)
    if min(counts) == 0:
        return empty
    last = len(run_grams) - 1
    if exact:
        chosen = cover(counts)
    else:
        rarest = min(range(last + 1), key=counts.__getitem__)
        chosen = sorted({rarest, 0 if rarest > last / 2 else last})
    order = sorted(chosen, key=counts.__getitem__)
    postings = {k: reader.gram_postings(keys[k]) for k in order}
    candidates = within
    for k in order:
        p = postings[k]
        if candidates is None:
            candidates = p.docs
            continue
        at = np.minimum(np.searchsorted(p.docs, candidates), len(p.docs) - 1)
        candidates = candidates[p.docs[at] == candidates]
        if not len(candidates):
            return empty
    starts: np.ndarray | None = None
    for k in order:
        docs, positions = reader.grams.positions(postings[k], candidates, limit)
        found = (docs << 32) | (positions - k + _START_BIAS)  # sorted: docs, then positions
        if starts is None:
            starts = found
        else:
            at = np.minimum(np.searchsorted(found, starts), max(len(found) - 1, 0))
            starts = starts[found[at] == starts] if len(found) else found
        if not len(starts):
            return empty
        candidates = sorted_unique(starts >> 32)
    assert starts is not None
    return starts


def cover(counts: list[int]) -> list[int]:
    """The bigrams (indices into a run's bigrams, bigram k holding characters k and k+1) that
    hold every character of the run with the fewest postings in all (dynamic programming)."""
    # best[t]: (cost, chosen) of bigrams 0..k-1 covering characters 0..k-1, t = bigram k-1 taken
    best: dict[int, tuple[int, list[int]]] = {0: (0, [])}
    for k, count in enumerate(counts):
        step: dict[int, tuple[int, list[int]]] = {}
        for taken_before, (cost, chosen) in best.items():
            for take in (0, 1):
                if not taken_before and not take:
                    continue  # character k would be in no chosen bigram
                option = (cost + count, [*chosen, k]) if take else (cost, chosen)
                if take not in step or option[0] < step[take][0]:
                    step[take] = option
        best = step
    return best[1][1]  # the last character is held by the last bigram only


def first_body_starts(reader: IndexReader, runs: list[str], docs: np.ndarray) -> dict[int, int]:
    """Document -> where in its body's stream one of ``runs`` first occurs (checked on two of
    each run's bigrams: ``run_starts(exact=False)``), for the documents ``docs`` that hold one.
    What a hit's snippet is cut around (``highlight.hits_from``, which searches the body from
    its start where the guess holds no match).

    Only each bigram's first FIRST_VOTES positions in a document are decoded, then all of them
    in the documents where those gave no start: a common bigram has thousands in a long law,
    and decoding them was most of the time of a page whose hits are long laws (中华 and 人民共和
    in ten laws for 中华人民共和国 民法典: 500 µs of its 2.4 ms)."""
    within = np.array(sorted(set(docs.tolist())), dtype=np.int64)
    first: dict[int, int] = {}
    for run in runs:
        if len(run) < 2 or not len(within):
            continue
        if len(run) == 2:
            # one bigram: its first position in a document is the run's first start
            p = reader.gram_postings(gram_key(BODY_GRAMS, ord(run[0]), ord(run[1])))
            if p is None:
                continue
            held, positions = reader.grams.positions(p, within, limit=1)
            heads = list(zip(held.tolist(), positions.tolist(), strict=True))
        else:
            run_grams = grams(run)
            starts = run_starts(
                reader, BODY_GRAMS, run_grams, within, exact=False, limit=FIRST_VOTES
            )
            heads = _heads(starts)
            found = {doc for doc, _ in heads}
            rest = np.array([d for d in within.tolist() if d not in found], dtype=np.int64)
            if len(rest):
                heads += _heads(run_starts(reader, BODY_GRAMS, run_grams, rest, exact=False))
        for doc, position in heads:
            first[doc] = min(first.get(doc, position), position)
    return first


#: positions of each bigram per document that first look for a hint (``first_body_starts``)
FIRST_VOTES = 32


def _heads(starts: np.ndarray) -> list[tuple[int, int]]:
    """(document, position) of each document's first start among ``run_starts`` keys."""
    first = starts[first_of_each(starts >> 32)]
    return [(key >> 32, (key & 0xFFFFFFFF) - _START_BIAS) for key in first.tolist()]
