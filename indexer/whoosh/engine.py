"""The embedded engine's ``SearchEngine``: query → SearchResult on the live index generation.

``SearchEngine(index_dir)`` opens the current generation once and reuses it for every request
(thread-safe: the web server calls it from several threads). It looks at the ``CURRENT`` pointer
at most every ``CHECK_INTERVAL_S`` and switches to a new generation without a restart; the old
one is closed (and its reader lease released) when its last in-flight request finishes.

How a search runs: ``params.prepare`` checks the request and parses its query into a tree of
index terms; ``scoring.evaluate`` scores every match with BM25F over postings read by
``reader.IndexReader`` (not ``searcher.search``, whose top-k can be wrong: PERFORMANCE.md #1);
the top of the page is taken exactly (score descending, document number ascending);
``facets`` counts values by bincount; ``highlight`` marks the page's titles and snippets.
``bench/query_bench.py`` measures it.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis import analyze
from ..dates import NO_DAY, day_number
from ..docstore import DocStore
from ..errors import GovsearchError, IndexMissingError
from ..highlight import Hint, find_runs, hits_from
from ..lexicon import Lexicon, lexicon_beside
from ..params import prepare
from ..query_tree import Mark, Or, ParsedQuery, Term
from ..ranking import EXACT_BONUS, RELATED_TERMS, related_text
from ..records import Document, Hit, SearchRequest, SearchResult
from . import layout
from .facets import facet_counts, facet_masks
from .reader import IndexReader
from .scoring import evaluate, first_body_starts

#: how often (seconds) a request may look at the CURRENT pointer
CHECK_INTERVAL_S = 0.5
#: facet counting stops after this long and says so (``facets_truncated``)
FACET_BUDGET_S = 0.2
_KEY_TERM = re.compile(r"^[\w\u4e00-\u9fff]{2,}$")


class _Generation:
    """One open generation: Whoosh reader + docstore + lease, shared by in-flight requests."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self.meta = layout.check_generation(path)
        self.lease = layout.reader_lease(path)
        try:
            self.reader = IndexReader(path / layout.WHOOSH_DIR)
            self.docs = DocStore(path / layout.DOCSTORE, readonly=True)
        except BaseException:
            self.lease.release()
            raise
        self.reader.run_counter = self.run_counts
        self.users = 0
        self.retired = False

    def run_counts(
        self, field: str, run: str, docnums: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The documents of ``docnums`` whose stored title or body holds ``run``, and how often
        (overlapping occurrences, as the character view counts them)."""
        ids = {int(d): self.reader.doc_id(int(d)) for d in docnums}
        stored = self.docs.get_stored(list(ids.values()))
        found: list[tuple[int, int]] = []
        for d, doc_id in sorted(ids.items()):
            doc = stored.get(doc_id)
            if doc is None:
                continue
            text = doc.fields.title if field == "title" else doc.document().body
            count = len(find_runs(text, run, overlapping=True))
            if count:
                found.append((d, count))
        docs = np.array([d for d, _ in found], dtype=np.int64)
        return docs, np.array([c for _, c in found], dtype=np.int64)

    def close(self) -> None:
        self.reader.close()
        self.docs.close()
        self.lease.release()


class SearchEngine:
    def __init__(self, index_dir: Path | str, *, facet_budget_s: float = FACET_BUDGET_S):
        self.index_dir = Path(index_dir)
        self.facet_budget_s = facet_budget_s
        self._lock = threading.Lock()  # guards _gen, _checked, users counts
        self._open_lock = threading.Lock()  # one thread opens a new generation at a time
        self._switch_error = ""
        self._gen: _Generation | None = None
        self._checked = 0.0
        self._closed = False
        with self._use():
            pass  # open now: a missing or mismatched index fails at start-up, not on a request
        analyze("预热")  # loads the dictionary (~0.6 s) now rather than in the first request

    # --- generations ---

    def _refresh(self) -> None:
        """Open the current generation if it is not the one we hold (at most every 0.5 s).

        Opening takes a second or two at 100k documents (per-document arrays): it happens
        outside ``self._lock``, so requests keep being answered by the old generation meanwhile.
        """
        with self._lock:
            now = time.monotonic()
            if self._closed or (self._gen is not None and now - self._checked < CHECK_INTERVAL_S):
                return
            self._checked = now
            held = self._gen.name if self._gen is not None else None
        name = layout.current_name(self.index_dir)
        if held is not None and name in (held, None):
            return  # unchanged, or the pointer is being replaced: keep serving what we have
        with self._open_lock:
            with self._lock:
                if self._gen is not None and self._gen.name == name:
                    return  # another thread switched while we waited
            try:
                new = _Generation(layout.current_generation(self.index_dir))
            except GovsearchError as e:
                if held is None:
                    raise
                # CURRENT changed under us (a build finishing: retried in 0.5 s), or the new
                # generation cannot be read by this code (analyzer mismatch): keep answering
                # from the one we hold, and say so in every result until it is resolved
                self._switch_error = (
                    f"still serving {held}: the current index cannot be opened ({e})"
                )
                return
            with self._lock:
                self._switch_error = ""
                if self._closed:
                    new.close()
                    return
                old, self._gen = self._gen, new
                if old is not None:
                    old.retired = True
                    _close_if_done(old)

    def _use(self) -> _Use:
        self._refresh()
        with self._lock:
            if self._closed or self._gen is None:
                raise IndexMissingError("search engine is closed")
            gen = self._gen
            gen.users += 1
        return _Use(self, gen)

    def _release(self, gen: _Generation) -> None:
        with self._lock:
            gen.users -= 1
            _close_if_done(gen)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            gen, self._gen = self._gen, None
            if gen is not None:
                gen.retired = True
                _close_if_done(gen)

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public calls ---

    def stats(self) -> dict[str, Any]:
        with self._use() as gen:
            return {
                "documents": gen.reader.doc_count,
                "generation": gen.name,
                "built_at": gen.meta.get("built_at", ""),
                "analyzer": gen.meta.get("analyzer_version", ""),
            }

    def corpus_root(self) -> str:
        with self._use() as gen:
            return str(gen.meta.get("corpus", ""))

    def lexicon(self) -> Lexicon:
        with self._use() as gen:
            return lexicon_beside(gen.path / layout.DOCSTORE)

    def get(self, doc_id: str) -> Document:
        with self._use() as gen:
            return gen.docs.require(doc_id)

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        parsed = prepare(request)
        with self._use() as gen:
            result = _run(gen, request, parsed, started, self.facet_budget_s)
        if self._switch_error:
            result.warnings.append(self._switch_error)
        result.took_ms = round((time.perf_counter() - started) * 1000, 3)
        return result

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Documents sharing the key terms (tf-idf) of ``doc_id``'s title and body."""
        with self._use() as gen:
            doc = gen.docs.require(doc_id)
            me = gen.reader.docnum(doc_id)
            terms = _key_terms(gen.reader, doc)
            if not terms:
                return []
            node = Or(tuple(Term(f, t) for t in terms for f in ("title", "body")))
            mask, scores = evaluate(node, gen.reader)
            mask &= gen.reader.live
            if me is not None:
                mask[me] = False
            docs = np.flatnonzero(mask)
            top = _top(docs, scores[docs], limit)
            return _hits(gen, top, scores, tuple(Mark(t) for t in terms))


def _close_if_done(gen: _Generation) -> None:
    """Close a generation that is no longer current once its last request is done (call with
    the engine's lock held)."""
    if gen.retired and gen.users == 0:
        gen.close()


class _Use:
    def __init__(self, engine: SearchEngine, gen: _Generation):
        self.engine = engine
        self.gen = gen

    def __enter__(self) -> _Generation:
        return self.gen

    def __exit__(self, *exc: object) -> None:
        self.engine._release(self.gen)


def search(index_dir: Path | str, request: SearchRequest) -> SearchResult:
    """One search on the index at ``index_dir`` (opens and closes it: for one-off calls)."""
    with SearchEngine(index_dir) as engine:
        return engine.search(request)


# --- the search itself ---


def _run(
    gen: _Generation,
    request: SearchRequest,
    parsed: ParsedQuery,
    started: float,
    facet_budget_s: float,
) -> SearchResult:
    reader = gen.reader
    if parsed.node is None:
        mask, scores = reader.live.copy(), np.zeros(reader.n)
    else:
        mask, scores = evaluate(parsed.node, reader, parsed.weights)
        mask &= reader.live
    for field, value in parsed.exact_ids:
        exact = reader.postings(field, value)
        if exact is not None:
            docs = exact.docs[reader.live[exact.docs]]
            mask[docs] = True
            scores[docs] += EXACT_BONUS
    if request.date_from:
        mask &= reader.dates >= day_number(request.date_from)
    if request.date_to:
        mask &= (reader.dates <= day_number(request.date_to)) & (reader.dates != NO_DAY)
    filters = {f: list(dict.fromkeys(v)) for f, v in request.filters().items()}
    masks = facet_masks(reader, filters)
    matched = mask
    for m in masks.values():
        matched = matched & m
    docs = np.flatnonzero(matched)
    k = request.page * request.size
    if request.sort == "written_date":
        top = _top_by_date(docs, reader.written_dates[docs], scores[docs], k)
    elif request.sort == "date" or parsed.node is None:
        top = _top_by_date(docs, reader.dates[docs], scores[docs], k)
    else:
        top = _top(docs, scores[docs], k)
    page = top[(request.page - 1) * request.size :]
    facets: dict = {}
    truncated = False
    if request.facets:
        facets, truncated = facet_counts(
            reader, mask, masks, filters, budget_s=facet_budget_s, started=time.perf_counter()
        )
    return SearchResult(
        query=request.q,
        total=len(docs),
        page=request.page,
        size=request.size,
        took_ms=0.0,
        hits=_hits(gen, page, scores, parsed.marks),
        facets=facets,
        facets_truncated=truncated,
        warnings=list(parsed.warnings),
        generation=gen.name,
    )


def _top(docs: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The k best of ``docs`` by score descending, ties by document number ascending."""
    if len(docs) > k:
        # keep every document tied with the k-th score, then order exactly
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))
    return docs[order][:k]


def _top_by_date(docs: np.ndarray, dates: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Newest first (undated last), ties by score descending, then document number."""
    if len(docs) > k:
        kth = np.partition(-dates, k - 1)[k - 1]
        keep = -dates <= kth
        docs, dates, scores = docs[keep], dates[keep], scores[keep]
    order = np.lexsort((docs, -scores, -dates))
    return docs[order][:k]


def _hits(
    gen: _Generation, docnums: np.ndarray, scores: np.ndarray, marks: tuple[Mark, ...]
) -> list[Hit]:
    ids = {int(d): gen.reader.doc_id(int(d)) for d in docnums}
    scored = [(ids[int(d)], float(scores[d])) for d in docnums]
    docnum = {i: d for d, i in ids.items()}

    def hints(long: list[str]) -> dict[str, Hint]:
        """Where each long body's snippet is: its first run of the query, else its first word
        of it (runs and words are looked up in the character view for these documents only;
        one of a single character is not, so then a word's place vouches for nothing)."""
        runs = list(dict.fromkeys(m.run for m in marks if m.run))
        words = [w for w in dict.fromkeys(w for m in marks for w in m.words) if w not in runs]
        if any(len(r) < 2 for r in runs):
            return {}  # its first run may be that character, which is not looked up
        wanted = np.array([docnum[i] for i in long], dtype=np.int64)
        first = first_body_starts(gen.reader, runs, wanted)
        out = {ids[d]: Hint(at) for d, at in first.items()}
        if all(len(w) > 1 for w in words):
            rest = np.array([d for d in wanted.tolist() if d not in first], dtype=np.int64)
            for d, at in first_body_starts(gen.reader, words, rest).items():
                out[ids[d]] = Hint(at, run=False)
        return out

    return hits_from(gen.docs, scored, marks, hints)


def _key_terms(reader: IndexReader, doc: Document) -> list[str]:
    """The document's most distinctive words: term frequency x inverse document frequency."""
    text = related_text(doc.title, doc.body)
    tf = Counter(t.text for t in analyze(text) if not t.sub and _KEY_TERM.match(t.text))
    scored: list[tuple[float, str]] = []
    for term, count in tf.items():
        df = reader.doc_frequency("body", term)
        if df <= 1:
            continue  # only this document has it: nothing to relate by
        scored.append((count * math.log(reader.doc_count_all / df), term))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [t for _, t in scored[:RELATED_TERMS]]


__all__ = ["SearchEngine", "search"]
