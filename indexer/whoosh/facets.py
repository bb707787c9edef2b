"""Facet filters and disjunctive facet counts, by ``np.bincount`` over per-document value codes.

Whoosh's ``groupedby=`` scores every hit and ignores ``limit`` (PERFORMANCE.md, 400–740 ms at
100k documents); counting codes loaded once per generation costs well under a millisecond.
``indexer.facets.facet_listing`` orders the counts as both engines show them.
"""

from __future__ import annotations

import time

import numpy as np

from ..facets import facet_listing
from ..records import FACET_FIELDS, FacetValue
from .reader import IndexReader


def facet_masks(reader: IndexReader, filters: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """facet -> documents whose value is one of the selected values (OR within the facet; a
    document of a multi-valued facet passes with any one of its values)."""
    masks: dict[str, np.ndarray] = {}
    for facet, selected in filters.items():
        values = reader.facet_values[facet]
        index = {v: i for i, v in enumerate(values)}
        wanted = np.array([index[v] for v in selected if v in index], dtype=np.int32)
        if facet in reader.facet_pairs:
            docs, codes = reader.facet_pairs[facet]
            mask = np.zeros(reader.n, dtype=bool)
            mask[docs[np.isin(codes, wanted)]] = True
            masks[facet] = mask
        else:
            masks[facet] = np.isin(reader.facet_codes[facet], wanted)
    return masks


def facet_counts(
    reader: IndexReader,
    base: np.ndarray,
    masks: dict[str, np.ndarray],
    filters: dict[str, list[str]],
    *,
    budget_s: float,
    started: float,
) -> tuple[dict[str, list[FacetValue]], bool]:
    """Counts per facet value and whether the time budget cut the work short.

    ``base``: the query's matches with the non-facet filters (date range, deletions) applied.
    """
    out: dict[str, list[FacetValue]] = {}
    together: dict[str, np.ndarray] = {}
    if not masks:
        # no facet filter: every facet counts over the same documents, and the single-valued
        # ones in one bincount of the reader's facet_stack (a gather and a bincount a facet
        # were a third of counting ten facets)
        matrix, ranges = reader.facet_stack
        end = max((hi for _, hi in ranges.values()), default=0)
        counted = np.bincount(matrix[base.nonzero()[0]].ravel(), minlength=end + 1)
        together = {facet: counted[lo:hi] for facet, (lo, hi) in ranges.items()}
    for facet in FACET_FIELDS:
        if time.perf_counter() - started > budget_s:
            return out, True
        if facet in together:
            values = reader.facet_values[facet]
            out[facet] = facet_listing(facet, values, together[facet], filters.get(facet, []))
            continue
        mask = base
        for other, m in masks.items():
            if other != facet:
                mask = mask & m
        if facet in reader.facet_pairs:
            # each document counts once for each of its values
            docs, pair_codes = reader.facet_pairs[facet]
            codes = pair_codes[mask[docs]]
        else:
            codes = reader.facet_codes[facet][mask.nonzero()[0]]
        values = reader.facet_values[facet]
        counts = np.bincount(codes[codes >= 0], minlength=len(values))
        out[facet] = facet_listing(facet, values, counts, filters.get(facet, []))
    return out, False
