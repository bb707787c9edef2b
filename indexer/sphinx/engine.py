"""``SphinxEngine``: the ``Engine`` of ``indexer.engines`` over a Sphinx cluster, via SphinxQL.

Ranked pages are scored on each shard directly (``ranked.py``); facets, counts and browsing go to
the front's distributed index, which asks each shard's ``searchd`` and merges matches, counts and
``FACET`` groups (``facets.py``). The documents (titles, bodies for snippets, /doc pages) come
from the docstore written by the same build, and snippets are marked by ``indexer.highlight`` on
the stored original text, exactly as on the Whoosh backend.

A shard that does not answer within the front's agent timeouts leaves partial results and a
warning (``agent_failure = "warn"``) or fails the query (``"error"``), as the index dir says
(``connections.py``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis import analyze
from ..dates import day_number
from ..docstore import DocStore
from ..errors import IndexMissingError
from ..facets import facet_listing
from ..highlight import hits_from
from ..lexicon import Lexicon, lexicon_beside
from ..params import prepare
from ..query_tree import AndNot, Mark, Node, ParsedQuery
from ..ranking import RELATED_TERMS, related_text
from ..records import FACET_FIELDS, Document, Hit, SearchRequest, SearchResult
from .cluster import FRONT_INDEX, META, Cluster, load_cluster
from .connections import Connections, quote
from .facets import facet_counts, in_codes, values_and_counts
from .feed import TEXT_FIELDS, FacetCodes, check_meta, sphinx_id
from .match import to_match, words
from .ranked import RELATED_RANKING, RELATED_SCALE, SCORE_SCALE, ranked_page


class SphinxEngine:
    """``search / get / related / stats / close`` like the Whoosh ``SearchEngine``.

    It only talks to searchd; starting and stopping them is ``engines.start_services``'s job.
    """

    def __init__(self, index_dir: Path | str):
        self.cluster: Cluster = load_cluster(index_dir)
        self._lock = threading.Lock()
        self._conns = Connections(self.cluster)
        self._docs: DocStore | None = None
        self._retired: list[DocStore] = []
        self._meta: dict[str, Any] = {}
        self._codes = FacetCodes()
        self._meta_mtime = 0.0
        try:
            self._refresh()
        except BaseException:
            self.close()
            raise
        analyze("预热")  # loads the dictionary now rather than in the first request

    # --- lifecycle ---

    def _refresh(self) -> DocStore:
        """The docstore of the latest build (a rebuild replaces the file; reopen it then).

        One stat() of meta.json per call: microseconds, next to a SphinxQL round trip.
        """
        with self._lock:
            meta_path = self.cluster.index_dir / META
            try:
                mtime = meta_path.stat().st_mtime
            except FileNotFoundError:
                raise IndexMissingError(
                    f"the Sphinx index at {self.cluster.index_dir} was never built"
                ) from None
            if self._docs is None or mtime != self._meta_mtime:
                meta = check_meta(self.cluster.index_dir)
                if self._docs is not None:
                    # another thread may be reading it right now: closed with the engine
                    self._retired.append(self._docs)
                self._docs = DocStore(self.cluster.docstore_path, readonly=True)
                self._meta, self._meta_mtime = meta, mtime
                self._codes = FacetCodes.load(self.cluster.index_dir)
            return self._docs

    def close(self) -> None:
        self._conns.close()
        with self._lock:
            for store in [*self._retired, *([self._docs] if self._docs else [])]:
                store.close()
            self._retired.clear()
            self._docs = None

    def __enter__(self) -> SphinxEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public calls ---

    def stats(self) -> dict[str, Any]:
        self._refresh()
        return {
            "documents": int(self._meta.get("documents", 0)),
            "generation": self._meta.get("generation", ""),
            "built_at": self._meta.get("built_at", ""),
            "analyzer": self._meta.get("analyzer_version", ""),
            "backend": "sphinx",
            "shards": len(self.cluster.shards),
        }

    def corpus_root(self) -> str:
        self._refresh()
        return str(self._meta.get("corpus", ""))

    def lexicon(self) -> Lexicon:
        return lexicon_beside(self._refresh().path)

    def get(self, doc_id: str) -> Document:
        return self._refresh().require(doc_id)

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        parsed = prepare(request)
        docs = self._refresh()
        result = SearchResult(
            query=request.q,
            total=0,
            page=request.page,
            size=request.size,
            took_ms=0.0,
            warnings=list(parsed.warnings),
            generation=self.stats()["generation"],
        )
        match = to_match(parsed.node, parsed.exact_ids)
        filters = {f: list(dict.fromkeys(v)) for f, v in request.filters().items()}
        if match is not None:
            self._search(request, parsed, match, filters, docs, result)
        if request.facets and not result.facets:
            result.facets = {
                f: facet_listing(f, [], np.zeros(0), filters.get(f, [])) for f in FACET_FIELDS
            }
        result.took_ms = round((time.perf_counter() - started) * 1000, 3)
        return result

    def _search(
        self,
        request: SearchRequest,
        parsed: ParsedQuery,
        match: str,
        filters: dict[str, list[str]],
        docs: DocStore,
        result: SearchResult,
    ) -> None:
        dates = []
        if request.date_from:
            dates.append(f"day >= {day_number(request.date_from)}")
        if request.date_to:
            dates.append(f"day <= {day_number(request.date_to)} AND day > 0")
        base = [f"MATCH({quote(match)})", *dates]
        codes = self._codes
        selected = {f: in_codes(codes, f, values) for f, values in filters.items()}
        if request.sort == "written_date":
            order = "wday DESC, WEIGHT() DESC, id ASC"
        elif request.sort == "date" or parsed.node is None:
            order = "day DESC, WEIGHT() DESC, id ASC"
        else:
            order = "WEIGHT() DESC, id ASC"
        offset = (request.page - 1) * request.size
        where = " AND ".join(base + list(selected.values()))
        # facets not selected share the main query's filters; a selected facet is counted
        # with its own filter removed (disjunctive counts), one more query each
        shared = [f for f in FACET_FIELDS if f not in selected] if request.facets else []
        counts: dict[str, list[tuple]] = {}
        if _has_positive(parsed.node):
            conditions = dates + list(selected.values())
            rows, result.total, counts = ranked_page(
                self._conns, request, parsed, conditions, order, result.warnings, shared, codes
            )
        else:
            # a query without a positive word scores nothing on Whoosh either: ties, by id
            sql = (
                f"SELECT id, gid, WEIGHT() FROM {FRONT_INDEX} WHERE {where} "
                f"ORDER BY {order} LIMIT {offset}, {request.size} "
                f"OPTION max_matches={max(20, offset + request.size)}, ranker=none"
            )
            sets, meta = self._conns.query(sql, result.warnings)
            result.total = int(meta.get("total_found", 0))
            rows = sets[0]
        if request.facets:
            if shared and not counts:
                counts = facet_counts(self._conns, codes, where, shared, result.warnings)
            for facet in selected:
                others = " AND ".join(base + [c for f, c in selected.items() if f != facet])
                counts.update(facet_counts(self._conns, codes, others, [facet], result.warnings))
            result.facets = {
                f: facet_listing(f, *values_and_counts(codes, f, counts[f]), filters.get(f, []))
                for f in FACET_FIELDS
            }
        scored = [(gid, w / SCORE_SCALE) for _, gid, w in rows]
        result.hits = hits_from(docs, scored, parsed.marks)

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Documents sharing the most frequent key words of ``doc_id``'s title and body.

        Sphinx ranks them (BM25 gives rare shared words their weight); any one word suffices
        (quorum ``"…"/1``).
        """
        doc = self.get(doc_id)
        text = related_text(doc.title, doc.body)
        tf = Counter(
            w for t in analyze(text) if not t.sub and len(t.text) >= 2 for w in words(t.text)
        )
        terms = [t for t, _ in sorted(tf.items(), key=lambda x: (-x[1], x[0]))[:RELATED_TERMS]]
        if not terms:
            return []
        fields = ",".join(f for name in ("title", "body") for f in TEXT_FIELDS[name])
        match = f'@({fields}) "{" ".join(terms)}"/1'
        sql = (
            f"SELECT id, gid, WEIGHT() FROM {FRONT_INDEX} WHERE MATCH({quote(match)}) "
            f"AND id != {sphinx_id(doc_id)} ORDER BY WEIGHT() DESC, id ASC LIMIT {int(limit)} "
            f"OPTION {RELATED_RANKING}"
        )
        rows = self._conns.query(sql, [])[0][0]
        scored = [(gid, w / RELATED_SCALE) for _, gid, w in rows]
        return hits_from(self._refresh(), scored, tuple(Mark(t) for t in terms))


def _has_positive(node: Node | None) -> bool:
    return node is not None and not (isinstance(node, AndNot) and node.positive is None)
