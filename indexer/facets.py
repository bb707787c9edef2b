"""A facet's listing as pages and the API show it, from any engine's counts (no engine here).

Counts are disjunctive on both engines: a facet's counts are taken over the query AND every
OTHER facet's filter, so the values of a facet stay visible (with the counts they would get)
after one of them is selected. Each engine counts its own way (``whoosh/facets.py`` by bincount,
``sphinx/facets.py`` with ``FACET``); this module orders and cuts the list the same for both.
"""

from __future__ import annotations

import numpy as np

from .agencies import canonical_units
from .records import Document, FacetValue

#: values listed per facet (selected values are always listed as well)
MAX_FACET_VALUES = 100


def document_facet_values(doc: Document, facet: str) -> list[str]:
    """The values ``doc`` has in ``facet`` (both engines index these): the year of its date,
    its handling units by their canonical names (the agency alias table), its file type (网页
    for a page), else the field."""
    if facet == "year":
        values = [doc.year]
    elif facet == "handling_unit":
        values = canonical_units(doc.handling_units)
    elif facet == "file_type":
        values = [doc.kind]  # a page's is 网页
    else:
        values = [getattr(doc, facet)]
    return [v for v in values if v]


def facet_listing(
    facet: str, values: list[str], counts: np.ndarray, selected: list[str]
) -> list[FacetValue]:
    """Values with a count, most frequent first (years newest first), then any selected value
    that had no count."""
    at = counts.nonzero()[0]  # the method: np.flatnonzero's wrappers took 4 µs a facet
    nonzero, counted = at.tolist(), counts[at].tolist()
    # plain ints and strings: sorting on numpy scalars took most of a facet's time
    if facet == "year":
        order = sorted(zip(nonzero, counted, strict=True), key=lambda ic: values[ic[0]])
        order.reverse()
    else:
        order = sorted(zip(nonzero, counted, strict=True), key=lambda ic: (-ic[1], values[ic[0]]))
    if not selected:
        return [FacetValue(values[i], c, False) for i, c in order[:MAX_FACET_VALUES]]
    chosen = set(selected)
    listed = [FacetValue(values[i], c, values[i] in chosen) for i, c in order[:MAX_FACET_VALUES]]
    shown = {fv.value for fv in listed}
    missing = [v for v in selected if v not in shown]
    if missing:
        index = {v: i for i, v in enumerate(values)}
        for v in missing:
            if v not in shown:
                count = int(counts[index[v]]) if v in index else 0
                listed.append(FacetValue(v, count, True))
                shown.add(v)
    return listed
