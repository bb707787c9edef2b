"""Facet filters and disjunctive facet counts, by ``np.bincount`` over per-document value codes.

Whoosh's ``groupedby=`` scores every hit and ignores ``limit`` (PERFORMANCE.md, 400–740 ms at
100k documents); counting codes loaded once per generation costs well under a millisecond.

Counts are disjunctive: a facet's counts are taken over the query AND every OTHER facet's
filter, so the values of a facet stay visible (with the counts they would get) after one of
them is selected.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from .records import FACET_FIELDS, FacetValue

if TYPE_CHECKING:  # the Sphinx engine uses facet_listing without importing Whoosh
    from .reader import IndexReader

#: values listed per facet (selected values are always listed as well)
MAX_FACET_VALUES = 100


def facet_masks(reader: IndexReader, filters: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """facet -> documents whose value is one of the selected values (OR within the facet)."""
    masks: dict[str, np.ndarray] = {}
    for facet, selected in filters.items():
        values = reader.facet_values[facet]
        index = {v: i for i, v in enumerate(values)}
        wanted = [index[v] for v in selected if v in index]
        masks[facet] = np.isin(reader.facet_codes[facet], np.array(wanted, dtype=np.int32))
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
    for facet in FACET_FIELDS:
        if time.perf_counter() - started > budget_s:
            return out, True
        mask = base
        for other, m in masks.items():
            if other != facet:
                mask = mask & m
        codes = reader.facet_codes[facet][mask]
        values = reader.facet_values[facet]
        counts = np.bincount(codes[codes >= 0], minlength=len(values))
        out[facet] = facet_listing(facet, values, counts, filters.get(facet, []))
    return out, False


def facet_listing(
    facet: str, values: list[str], counts: np.ndarray, selected: list[str]
) -> list[FacetValue]:
    nonzero = np.flatnonzero(counts)
    if facet == "year":
        order = sorted(nonzero, key=lambda i: values[i], reverse=True)
    else:
        order = sorted(nonzero, key=lambda i: (-counts[i], values[i]))
    chosen = set(selected)
    listed = [FacetValue(values[i], int(counts[i]), values[i] in chosen) for i in order]
    listed = listed[:MAX_FACET_VALUES]
    shown = {fv.value for fv in listed}
    index = {v: i for i, v in enumerate(values)}
    for v in selected:
        if v not in shown:
            count = int(counts[index[v]]) if v in index else 0
            listed.append(FacetValue(v, count, True))
            shown.add(v)
    return listed
