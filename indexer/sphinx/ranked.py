"""A ranked page on a cluster: ``indexer/ranking.py``'s scores computed on each shard directly.

Like Elasticsearch's dfs_query_then_fetch: first every shard's statistics (documents, weighted
tokens, documents with each keyword), then each shard's query with its corrections
(``ranking.shard_k1_b``, ``ranking.keyword_boost``), so that every shard scores with the
collection's statistics; the front's distributed index would send one same query to all. The
pages of the shards are merged as searchd merges them (``WEIGHT() DESC, id ASC``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import ranking
from ..query_tree import ParsedQuery, has_near
from ..ranking import K1, B, keyword_boost, shard_k1_b
from ..records import SearchRequest
from .cluster import SHARD_INDEX
from .connections import Connections, quote
from .facets import facet_clause, facet_groups, split_counts
from .feed import CHAR_VIEW_FIELDS, COLUMNS, IDS_FIELD, TEXT_FIELDS, FacetCodes
from .match import keywords, to_match

_FIELDS = [name for name, decl in COLUMNS if decl == "tsvpipe_field"]
_IDS_BIT = 1 << _FIELDS.index(IDS_FIELD)  # field_mask: bit i = the i-th declared field matched
#: the character view's fields: a run's keywords hit there only where the whole run matched
_RUN_BITS = sum(1 << _FIELDS.index(f) for pair in CHAR_VIEW_FIELDS.values() for f in pair)
#: the character fields (single characters): a query with a Near has no one-character run
#: (query._without_near), so they match only where a Near did
_NEAR_BITS = sum(1 << _FIELDS.index(pair[1]) for pair in CHAR_VIEW_FIELDS.values())
#: Sphinx field -> its ranking.FIELD_WEIGHTS weight (a sub-word field weighs as its main field,
#: as Whoosh keeps both in one field; the character view's fields as ranking's); ``every`` and
#: ``ids`` count neither in tf' nor in dl
SPHINX_WEIGHTS: dict[str, int] = {
    f: next((ranking.FIELD_WEIGHTS[name] for name, pair in TEXT_FIELDS.items() if f in pair), 0)
    for f in _FIELDS
} | {
    f: ranking.FIELD_WEIGHTS[ranked[name]]
    for name, pair in CHAR_VIEW_FIELDS.items()
    for f, ranked in zip(pair, (ranking.GRAM_FIELDS, ranking.CHAR_FIELDS), strict=True)
}
#: how much longer (weighted tokens) every document is in Sphinx: feed.FILL_TOKEN in each field
FILL_LENGTH = sum(SPHINX_WEIGHTS.values()) - SPHINX_WEIGHTS[IDS_FIELD]
#: WEIGHT() is an integer: scores keep 5 decimals
SCORE_SCALE = 100000.0
IDF = "idf='plain,tfidf_unnormalized'"
#: related(): one ranking over the front's distributed index (shards' own statistics; the
#: Whoosh backend ranks related documents its own way too)
RELATED_SCALE = 10000.0
RELATED_RANKING = (
    f"ranker=expr('bm25f(1.2, 0.75, {{title=3, title_sub=3}}) * {RELATED_SCALE:.0f}'), {IDF}"
)


def shard_ranker(k1: float, b: float, near: bool = False) -> str:
    """ranking.py's score of one shard: bm25f() with the shard's corrected k1 and b.

    bm25f() adds 0.5 (Sphinx maps its weights to [0, 1]); a document that holds one of the
    query's runs adds RUN_BONUS (a phrase of bigrams records hits only where it matched whole),
    a typed 文号 / 索引号 EXACT_BONUS, as on the Whoosh backend; ``near``: a query with a
    ``Near`` (close parts) adds NEAR_BONUS where it matched.
    """
    weights = ", ".join(f"{f}={w}" for f, w in SPHINX_WEIGHTS.items())
    near_bonus = (
        f" + if(field_mask & {_NEAR_BITS}, {ranking.NEAR_BONUS * SCORE_SCALE:.0f}, 0)"
        if near
        else ""
    )
    return (
        f"ranker=expr('(bm25f({k1:.9f}, {b:.9f}, {{{weights}}}) - 0.5) * {SCORE_SCALE:.0f}"
        f" + if(field_mask & {_RUN_BITS}, {ranking.RUN_BONUS * SCORE_SCALE:.0f}, 0){near_bonus}"
        f" + if(field_mask & {_IDS_BIT}, {ranking.EXACT_BONUS * SCORE_SCALE:.0f}, 0)'), {IDF}"
    )


@dataclass(frozen=True)
class ShardStats:
    documents: int  # the padding document included, as Sphinx counts them
    weighted_tokens: float  # sum over fields of SPHINX_WEIGHTS x field_tokens
    with_keyword: dict[str, int]


def shard_stats(cur: Any, k: int, kws: list[str]) -> ShardStats:
    """What ranking needs of shard k: its documents, weighted tokens, documents per keyword."""
    index = SHARD_INDEX.format(k=k)
    cur.execute(f"SHOW INDEX {index} STATUS")
    status = {str(key): str(v) for key, v in cur.fetchall()}
    tokens = sum(w * int(status.get(f"field_tokens_{f}", 0)) for f, w in SPHINX_WEIGHTS.items())
    with_keyword: dict[str, int] = {}
    # keywords are word characters only (match.words), nothing to escape
    cur.execute(f"CALL KEYWORDS({quote(' '.join(kws))}, '{index}', 1)")
    for row in cur.fetchall():
        with_keyword[str(row[2])] = int(row[3])
    return ShardStats(int(status.get("indexed_documents", 0)), tokens, with_keyword)


def ranked_page(
    conns: Connections,
    request: SearchRequest,
    parsed: ParsedQuery,
    conditions: list[str],
    order: str,
    warnings: list[str],
    facets: Sequence[str] = (),
    codes: FacetCodes | None = None,
) -> tuple[list[tuple], int, dict[str, list[tuple[int, int]]]]:
    """The (id, gid, weight) rows of the asked page, the total, and the (code, count) rows of
    each of ``facets`` over the same matches, summed over every shard.

    The facets are counted by a ``FACET`` of each shard's ranked query (``codes``: the facet
    values) instead of a second query through the front: 28-44 ms of a common word's 65-95 ms
    at 100k documents.
    """
    shard_count = len(conns.cluster.shards)
    kws = keywords(parsed.node)
    stats: dict[int, ShardStats] = {}
    if kws:
        stats = conns.on_shards(
            lambda k, cur: shard_stats(cur, k, kws), range(shard_count), warnings
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

    # the day a date order sorts by (day or wday: 成文日期), to merge the shards' pages by
    day = "wday" if order.startswith("wday") else "day"
    facet_sql = facet_clause(codes) if facets and codes else ""
    groups = facet_groups(codes) if facet_sql and codes else 0

    def query(k: int, cur: Any) -> tuple[list[tuple], int, list[list[tuple]]]:
        near = has_near(parsed.node)
        ranker = shard_ranker(K1, B, near)
        boosts: dict[str, float] = {}
        st = stats.get(k)
        if st is not None and st.documents > 1:
            shard_avgdl = st.weighted_tokens / st.documents
            ranker = shard_ranker(*shard_k1_b(avgdl, shard_avgdl, FILL_LENGTH), near)
            boosts = {
                kw: keyword_boost(
                    documents, with_keyword[kw], st.documents, st.with_keyword.get(kw, 0)
                )
                for kw in kws
            }
        # a synonym's keywords weigh less (ranking.SYNONYM_WEIGHT): a factor of their idf
        for kw, weight in parsed.weights.items():
            boosts[kw] = boosts.get(kw, 1.0) * weight
        match = to_match(parsed.node, parsed.exact_ids, boosts)
        where = " AND ".join([f"MATCH({quote(match or '')})", *conditions])
        cur.execute(
            f"SELECT id, gid, WEIGHT(), {day} FROM {SHARD_INDEX.format(k=k)} WHERE {where} "
            f"ORDER BY {order} LIMIT 0, {want} "
            # max_matches is the size of the sorting queue: keeping 1000 instead of 20
            # cost 3 ms more per query over 7,890 matches (20k documents, one shard)
            # (a FACET keeps max_matches groups: every value of the facet)
            f"OPTION max_matches={max(20, want, groups)}, {ranker}{facet_sql}"
        )
        rows = list(cur.fetchall())
        facet_rows = []
        while cur.nextset():
            facet_rows.append(list(cur.fetchall()))
        cur.execute("SHOW META")
        meta = {str(key): str(v) for key, v in cur.fetchall()}
        return rows, int(meta.get("total_found", 0)), facet_rows

    shards = stats.keys() if kws else range(shard_count)
    pages = conns.on_shards(query, shards, warnings)
    total = sum(t for _, t, _ in pages.values())
    merged = [row for rows, _, _ in pages.values() for row in rows]
    if order.startswith(day):
        merged.sort(key=lambda r: (-int(r[3]), -int(r[2]), int(r[0])))
    else:
        merged.sort(key=lambda r: (-int(r[2]), int(r[0])))
    counts: dict[str, Counter[int]] = {f: Counter() for f in facets}
    for _, _, facet_rows in pages.values():
        for facet, rows in split_counts(facet_rows[0] if facet_rows else [], list(facets)).items():
            for code, count in rows:
                counts[facet][code] += count
    by_facet = {f: sorted(c.items()) for f, c in counts.items()}
    return [r[:3] for r in merged[offset:want]], total, by_facet
