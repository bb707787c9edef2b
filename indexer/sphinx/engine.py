"""``SphinxEngine``: the ``SearchEngine`` surface over a Sphinx cluster, through SphinxQL.

Every query goes to the front's distributed index, which asks each shard's ``searchd`` and merges
matches, counts and ``FACET`` groups. The documents (titles, bodies for snippets, /doc pages) come
from the docstore written by the same build, and snippets are marked by ``indexer.highlight`` on
the stored original text, exactly as on the Whoosh backend.

A shard that does not answer within the front's agent timeouts leaves partial results and a
warning (``agent_failure = "warn"``) or fails the query (``"error"``), as the index dir says.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pymysql

from ..analysis import ANALYZER_VERSION, analyze
from ..docstore import DocStore
from ..errors import AnalyzerMismatchError, DocumentNotFoundError, IndexMissingError
from ..facets import facet_listing
from ..highlight import hit_of
from ..query import AndNot, Node, ParsedQuery, parse_query
from ..ranking import EXACT_BONUS, FIELD_WEIGHTS, K1, B, keyword_boost, shard_k1_b
from ..records import FACET_FIELDS, Document, Hit, SearchRequest, SearchResult
from ..request_rules import RELATED_TERMS, day_number, related_text, validate_request
from .cluster import FRONT_INDEX, META, SHARD_INDEX, Cluster, load_cluster
from .cluster import Node as ClusterNode
from .feed import (
    COLUMNS,
    FEED_VERSION,
    IDS_FIELD,
    TEXT_FIELDS,
    FacetCodes,
    facet_attr,
    sphinx_id,
)
from .match import keywords, to_match, words
from .process import SphinxUnavailableError

_FIELDS = [name for name, decl in COLUMNS if decl == "tsvpipe_field"]
_IDS_BIT = 1 << _FIELDS.index(IDS_FIELD)  # field_mask: bit i = the i-th declared field matched
#: Sphinx field -> its ranking.FIELD_WEIGHTS weight (a sub-word field weighs as its main field,
#: as Whoosh keeps both in one field); ``every`` and ``ids`` count neither in tf' nor in dl
SPHINX_WEIGHTS: dict[str, int] = {
    f: next((FIELD_WEIGHTS[name] for name, pair in TEXT_FIELDS.items() if f in pair), 0)
    for f in _FIELDS
}
#: how much longer (weighted tokens) every document is in Sphinx: feed.FILL_TOKEN in each field
FILL_LENGTH = sum(SPHINX_WEIGHTS[f] for pair in TEXT_FIELDS.values() for f in pair)
#: WEIGHT() is an integer: scores keep 5 decimals
SCORE_SCALE = 100000.0
IDF = "idf='plain,tfidf_unnormalized'"
#: related(): one ranking over the front's distributed index (shards' own statistics; the
#: Whoosh backend ranks related documents its own way too)
RELATED_SCALE = 10000.0
RELATED_RANKING = (
    f"ranker=expr('bm25f(1.2, 0.75, {{title=3, title_sub=3}}) * {RELATED_SCALE:.0f}'), {IDF}"
)


def shard_ranker(k1: float, b: float) -> str:
    """ranking.py's score of one shard: bm25f() with the shard's corrected k1 and b.

    bm25f() adds 0.5 (Sphinx maps its weights to [0, 1]); a typed 文号 / 索引号 adds
    EXACT_BONUS, as on the Whoosh backend.
    """
    weights = ", ".join(f"{f}={w}" for f, w in SPHINX_WEIGHTS.items())
    return (
        f"ranker=expr('(bm25f({k1:.9f}, {b:.9f}, {{{weights}}}) - 0.5) * {SCORE_SCALE:.0f}"
        f" + if(field_mask & {_IDS_BIT}, {EXACT_BONUS * SCORE_SCALE:.0f}, 0)'), {IDF}"
    )


@dataclass(frozen=True)
class _ShardStats:
    documents: int  # the padding document included, as Sphinx counts them
    weighted_tokens: float  # sum over fields of SPHINX_WEIGHTS x field_tokens
    with_keyword: dict[str, int]


class _ShardFailed(Exception):
    def __init__(self, node: ClusterNode, reason: str):
        super().__init__(reason)
        self.detail = f"{node.name} at {node.host}, ports {node.api_port}/{node.sql_port}: {reason}"


_ESCAPES = str.maketrans({"\\": "\\\\", "'": "\\'"})


def check_meta(index_dir: Path) -> dict[str, Any]:
    """The index dir's meta.json, if this code can read the index (AnalyzerMismatchError)."""
    meta = json.loads((index_dir / META).read_text(encoding="utf-8"))
    if meta.get("analyzer_version") != ANALYZER_VERSION:
        raise AnalyzerMismatchError(
            f"the Sphinx index at {index_dir} was built with another "
            "analyzer: rebuild it with 'govsearch index --backend sphinx'"
        )
    if meta.get("feed_version") != FEED_VERSION:
        raise AnalyzerMismatchError(
            f"the Sphinx index at {index_dir} was built in another "
            "format: rebuild it with 'govsearch index --backend sphinx'"
        )
    return meta


class ShardUnavailableError(SphinxUnavailableError):
    """A shard (or the front) did not answer and the index dir says to fail, not to warn."""


def _quote(value: str) -> str:
    return "'" + value.translate(_ESCAPES) + "'"


class SphinxEngine:
    """``search / get / related / stats / close`` like ``indexer.search.SearchEngine``.

    It only talks to searchd; starting and stopping them is ``engines.start_services``'s job.
    """

    def __init__(self, index_dir: Path | str):
        self.cluster: Cluster = load_cluster(index_dir)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[pymysql.connections.Connection] = []
        self._docs: DocStore | None = None
        self._retired: list[DocStore] = []
        self._meta: dict[str, Any] = {}
        self._codes = FacetCodes()
        self._meta_mtime = 0.0
        # the shards of a ranked query are asked in parallel, for several requests at once
        self._pool = ThreadPoolExecutor(
            max_workers=min(64, 8 * len(self.cluster.shards)), thread_name_prefix="shard"
        )
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
        self._pool.shutdown(wait=False)
        with self._lock:
            for conn in self._connections:
                try:
                    conn.close()
                except pymysql.Error:
                    pass
            self._connections.clear()
            for store in [*self._retired, *([self._docs] if self._docs else [])]:
                store.close()
            self._retired.clear()
            self._docs = None

    def __enter__(self) -> SphinxEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- SphinxQL ---

    def _conn(self) -> pymysql.connections.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and conn.open:
            return conn
        front = self.cluster.front
        try:
            # the front waits at most agent_query_timeout for the shards, then answers
            conn = _connect(front, 2, max(2, self.cluster.query_timeout_ms // 1000 + 2), 2)
        except pymysql.Error as exc:
            raise SphinxUnavailableError(
                f"the search front {front.host}:{front.sql_port} does not answer "
                f"({exc.args[-1]}): 'govsearch serve' starts the local searchd processes, "
                f"or run searchd --config {self.cluster.conf_path(front)}"
            ) from None
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    def _forget(self, conn: pymysql.connections.Connection) -> None:
        """Close a broken connection (the caller drops its thread's reference)."""
        with self._lock:
            if conn in self._connections:
                self._connections.remove(conn)
        try:
            conn.close()
        except pymysql.Error:
            pass  # already broken: nothing to say goodbye to

    def _query(self, sql: str, warnings: list[str]) -> tuple[list[list[tuple]], dict[str, str]]:
        """Result sets of ``sql`` (one per FACET) and its SHOW META; shard trouble handled."""
        # searchd drops a SphinxQL connection idle for client_timeout (60 s) and a restarted
        # front drops them all: the first failure on a kept connection retries on a new one
        for attempt in (1, 2):
            conn = self._conn()
            try:
                with conn.cursor() as cur:
                    cur.execute(sql)
                    sets = [list(cur.fetchall())]
                    while cur.nextset():
                        sets.append(list(cur.fetchall()))
                    cur.execute("SHOW META")
                    meta = {str(k): str(v) for k, v in cur.fetchall()}
                break
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
                self._local.conn = None
                self._forget(conn)
                if attempt == 2:
                    raise SphinxUnavailableError(
                        f"the search front failed: {exc.args[-1]}"
                    ) from None
            except pymysql.err.ProgrammingError as exc:
                message = str(exc.args[-1]).rstrip("\x00")
                if "agent" in message:
                    raise ShardUnavailableError(f"no shard answered: {message}") from None
                raise
        if "warning" in meta and "agent" in meta["warning"]:
            detail = meta["warning"].replace("index " + FRONT_INDEX + ": ", "")
            if self.cluster.agent_failure == "error":
                raise ShardUnavailableError(f"a shard did not answer: {detail}")
            message = f"partial results: a shard did not answer ({detail})"
            if message not in warnings:
                warnings.append(message)
        return sets, meta

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

    def get(self, doc_id: str) -> Document:
        doc = self._refresh().get(doc_id)
        if doc is None:
            raise DocumentNotFoundError(f"no document {doc_id!r}")
        return doc

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        validate_request(request)
        parsed = parse_query(request.q)
        docs = self._refresh()
        warnings = list(parsed.warnings)
        result = SearchResult(
            query=request.q,
            total=0,
            page=request.page,
            size=request.size,
            took_ms=0.0,
            warnings=warnings,
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
            dates.append(f"day >= {_ordinal(request.date_from, 'date_from')}")
        if request.date_to:
            dates.append(f"day <= {_ordinal(request.date_to, 'date_to')} AND day > 0")
        base = [f"MATCH({_quote(match)})", *dates]
        codes = self._codes
        selected = {f: _in_codes(codes, f, values) for f, values in filters.items()}
        if request.sort == "date" or parsed.node is None:
            order = "day DESC, WEIGHT() DESC, id ASC"
        else:
            order = "WEIGHT() DESC, id ASC"
        offset = (request.page - 1) * request.size
        where = " AND ".join(base + list(selected.values()))
        if _has_positive(parsed.node):
            rows = self._ranked(request, parsed, dates + list(selected.values()), order, result)
        else:
            # a query without a positive word scores nothing on Whoosh either: ties, by id
            sql = (
                f"SELECT id, gid, WEIGHT() FROM {FRONT_INDEX} WHERE {where} "
                f"ORDER BY {order} LIMIT {offset}, {request.size} "
                f"OPTION max_matches={max(20, offset + request.size)}, ranker=none"
            )
            sets, meta = self._query(sql, result.warnings)
            result.total = int(meta.get("total_found", 0))
            rows = sets[0]
        if request.facets:
            # facets not selected share the main query's filters; a selected facet is counted
            # with its own filter removed (disjunctive counts), one more query each
            shared = [f for f in FACET_FIELDS if f not in selected]
            counts = self._facet_counts(where, shared, result.warnings) if shared else {}
            for facet in selected:
                others = " AND ".join(base + [c for f, c in selected.items() if f != facet])
                counts.update(self._facet_counts(others, [facet], result.warnings))
            result.facets = {
                f: facet_listing(f, *_values_and_counts(codes, f, counts[f]), filters.get(f, []))
                for f in FACET_FIELDS
            }
        by_id = docs.get_many([r[1] for r in rows])
        result.hits = [
            hit_of(by_id[gid], w / SCORE_SCALE, parsed.highlight_terms)
            for _, gid, w in rows
            if gid in by_id
        ]

    def _ranked(
        self,
        request: SearchRequest,
        parsed: ParsedQuery,
        conditions: list[str],
        order: str,
        result: SearchResult,
    ) -> list[tuple]:
        """The page of a ranked query: ranking.py's scores, computed on each shard directly.

        Like Elasticsearch's dfs_query_then_fetch: first every shard's statistics (documents,
        weighted tokens, documents with each keyword), then each shard's query with its
        corrections (ranking.shard_k1_b, ranking.keyword_boost), so that every shard scores
        with the collection's statistics; the front's distributed index would send one same
        query to all. The pages of the shards are merged as searchd merges them.
        """
        kws = keywords(parsed.node)
        stats: dict[int, _ShardStats] = {}
        if kws:
            stats = self._on_shards(
                lambda k, cur: _shard_stats(cur, k, kws),
                range(len(self.cluster.shards)),
                result.warnings,
            )
        documents = sum(st.documents - 1 for st in stats.values())  # minus the padding
        # ranking.py's mean dl: no filler in any document (the padding has nothing else)
        tokens = sum(st.weighted_tokens - FILL_LENGTH * st.documents for st in stats.values())
        avgdl = tokens / max(documents, 1)
        with_keyword = Counter[str]()
        for st in stats.values():
            with_keyword.update(st.with_keyword)
        offset = (request.page - 1) * request.size
        want = offset + request.size

        def query(k: int, cur: Any) -> tuple[list[tuple], int]:
            ranker = shard_ranker(K1, B)
            boosts: dict[str, float] = {}
            st = stats.get(k)
            if st is not None and st.documents > 1:
                shard_avgdl = st.weighted_tokens / st.documents
                ranker = shard_ranker(*shard_k1_b(avgdl, shard_avgdl, FILL_LENGTH))
                boosts = {
                    kw: keyword_boost(
                        documents, with_keyword[kw], st.documents, st.with_keyword.get(kw, 0)
                    )
                    for kw in kws
                }
            match = to_match(parsed.node, parsed.exact_ids, boosts)
            where = " AND ".join([f"MATCH({_quote(match or '')})", *conditions])
            cur.execute(
                f"SELECT id, gid, WEIGHT(), day FROM {SHARD_INDEX.format(k=k)} WHERE {where} "
                f"ORDER BY {order} LIMIT 0, {want} "
                # max_matches is the size of the sorting queue: keeping 1000 instead of 20
                # cost 3 ms more per query over 7,890 matches (20k documents, one shard)
                f"OPTION max_matches={max(20, want)}, {ranker}"
            )
            rows = list(cur.fetchall())
            cur.execute("SHOW META")
            meta = {str(key): str(v) for key, v in cur.fetchall()}
            return rows, int(meta.get("total_found", 0))

        shards = stats.keys() if kws else range(len(self.cluster.shards))
        pages = self._on_shards(query, shards, result.warnings)
        result.total = sum(total for _, total in pages.values())
        merged = [row for rows, _ in pages.values() for row in rows]
        if order.startswith("day"):
            merged.sort(key=lambda r: (-int(r[3]), -int(r[2]), int(r[0])))
        else:
            merged.sort(key=lambda r: (-int(r[2]), int(r[0])))
        return [r[:3] for r in merged[offset:want]]

    def _on_shards(
        self, call: Callable[[int, Any], Any], shards: Any, warnings: list[str]
    ) -> dict[int, Any]:
        """``call(k, cursor)`` on each shard k in parallel; a shard that fails is reported as
        the front reports a dead agent (a warning, or ShardUnavailableError)."""
        futures = {k: self._pool.submit(self._on_shard, k, call) for k in shards}
        answers: dict[int, Any] = {}
        failed: list[str] = []
        for k, future in futures.items():
            try:
                answers[k] = future.result()
            except _ShardFailed as exc:
                failed.append(exc.detail)
        if failed:
            detail = "; ".join(failed)
            if not answers:
                raise ShardUnavailableError(f"no shard answered: {detail}")
            if self.cluster.agent_failure == "error":
                raise ShardUnavailableError(f"a shard did not answer: {detail}")
            message = f"partial results: a shard did not answer ({detail})"
            if message not in warnings:
                warnings.append(message)
        return answers

    def _on_shard(self, k: int, call: Callable[[int, Any], Any]) -> Any:
        node = self.cluster.shards[k]
        for attempt in (1, 2):
            conn = None
            try:
                conn = self._shard_conn(node)
                with conn.cursor() as cur:
                    return call(k, cur)
            except (pymysql.err.OperationalError, pymysql.err.InterfaceError, OSError) as exc:
                # a kept connection dropped by a restarted searchd: retry once on a new one
                if conn is not None:
                    self._local.__dict__.get("shards", {}).pop(node.name, None)
                    self._forget(conn)
                if attempt == 2 or conn is None:
                    raise _ShardFailed(node, str(exc.args[-1] if exc.args else exc)) from None
        raise AssertionError("unreachable")

    def _shard_conn(self, node: ClusterNode) -> pymysql.connections.Connection:
        conns = self._local.__dict__.setdefault("shards", {})
        conn = conns.get(node.name)
        if conn is not None and conn.open:
            return conn
        # the front's agent timeouts: a dead or frozen shard costs this much, no more
        query_s = self.cluster.query_timeout_ms / 1000
        conn = _connect(node, self.cluster.connect_timeout_ms / 1000, query_s, query_s)
        conns[node.name] = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    def _facet_counts(
        self, where: str, facets: list[str], warnings: list[str]
    ) -> dict[str, list[tuple]]:
        """(code, count) rows per facet over the documents matching ``where``."""
        # grouping keeps max_matches groups: every value of the facet, no more (a larger queue
        # is slower: 2.8 ms with 1000, 1.5 ms with 100 over 7,890 matches)
        groups = max(len(self._codes.values[f]) for f in facets) + 1
        sql = (
            f"SELECT id FROM {FRONT_INDEX} WHERE {where} LIMIT 1 "
            f"OPTION max_matches={max(20, groups)}, ranker=none"
            + "".join(f" FACET {facet_attr(f)} LIMIT {groups}" for f in facets)
        )
        sets, _ = self._query(sql, warnings)
        return dict(zip(facets, sets[1:], strict=True))

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Documents sharing the most frequent key words of ``doc_id``'s title and body.

        Sphinx ranks them (BM25 gives rare shared words their weight); any one word suffices
        (quorum ``"…"/1``).
        """
        doc = self.get(doc_id)
        text = related_text(doc)
        tf = Counter(
            w for t in analyze(text) if not t.sub and len(t.text) >= 2 for w in words(t.text)
        )
        terms = [t for t, _ in sorted(tf.items(), key=lambda x: (-x[1], x[0]))[:RELATED_TERMS]]
        if not terms:
            return []
        fields = ",".join(f for name in ("title", "body") for f in TEXT_FIELDS[name])
        match = f'@({fields}) "{" ".join(terms)}"/1'
        sql = (
            f"SELECT id, gid, WEIGHT() FROM {FRONT_INDEX} WHERE MATCH({_quote(match)}) "
            f"AND id != {sphinx_id(doc_id)} ORDER BY WEIGHT() DESC, id ASC LIMIT {int(limit)} "
            f"OPTION {RELATED_RANKING}"
        )
        rows = self._query(sql, [])[0][0]
        by_id = self._refresh().get_many([r[1] for r in rows])
        return [
            hit_of(by_id[g], w / RELATED_SCALE, frozenset(terms)) for _, g, w in rows if g in by_id
        ]


def _shard_stats(cur: Any, k: int, kws: list[str]) -> _ShardStats:
    """What ranking needs of shard k: its documents, weighted tokens, documents per keyword."""
    index = SHARD_INDEX.format(k=k)
    cur.execute(f"SHOW INDEX {index} STATUS")
    status = {str(key): str(v) for key, v in cur.fetchall()}
    tokens = sum(w * int(status.get(f"field_tokens_{f}", 0)) for f, w in SPHINX_WEIGHTS.items())
    with_keyword: dict[str, int] = {}
    # keywords are word characters only (match.words), nothing to escape
    cur.execute(f"CALL KEYWORDS({_quote(' '.join(kws))}, '{index}', 1)")
    for row in cur.fetchall():
        with_keyword[str(row[2])] = int(row[3])
    return _ShardStats(int(status.get("indexed_documents", 0)), tokens, with_keyword)


def _connect(
    node: ClusterNode, connect_s: float, read_s: float, write_s: float
) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=node.host,
        port=node.sql_port,
        user="",
        charset="utf8",
        autocommit=True,
        connect_timeout=connect_s,
        read_timeout=read_s,
        write_timeout=write_s,
    )


def _has_positive(node: Node | None) -> bool:
    return node is not None and not (isinstance(node, AndNot) and node.positive is None)


def _ordinal(value: str, name: str) -> int:
    day_number(value, name)  # the same validation and message as the Whoosh backend
    return date.fromisoformat(value).toordinal()


def _in_codes(codes: FacetCodes, facet: str, values: list[str]) -> str:
    known = [c for c in (codes.lookup(facet, v) for v in values) if c is not None]
    # a value no document has matches nothing (as on Whoosh); no code is len(values) + 1
    listed = known or [len(codes.values[facet]) + 1]
    return f"{facet_attr(facet)} IN ({', '.join(map(str, listed))})"


def _values_and_counts(
    codes: FacetCodes, facet: str, rows: list[tuple]
) -> tuple[list[str], np.ndarray]:
    """facets._listing's input from Sphinx's (code, count) rows; code 0 is "no value"."""
    pairs = [(codes.value(facet, int(c)), int(n)) for c, n in rows if int(c) != 0]
    pairs = [(v, n) for v, n in pairs if v]
    return [v for v, _ in pairs], np.array([n for _, n in pairs], dtype=np.int64)
