"""Highlighting: ``<mark>`` around the matched words, placed by token offsets.

The stored text is re-analyzed with the index analyzer and a token is marked when its term is
one of the query's terms, so a mark always covers exactly the characters of a matched token
(``str.find`` would also mark a term inside another word, or miss a Traditional-character
spelling that the analyzer normalises). Every other character is HTML-escaped.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Iterable

from .analysis import analyze, normalize
from .docstore import DocStore
from .records import Document, Hit

#: characters of body text shown in a snippet
SNIPPET_CHARS = 150
#: context kept before the first mark of a snippet window
LEAD_CHARS = 20
#: extra characters analyzed on each side of a snippet window, so that its edge words segment
#: as they do in the whole text
MARGIN_CHARS = 16
#: characters searched for the snippet window first (the rest only when they hold no match)
SCAN_CHARS = 8_000
#: occurrences considered when choosing the window (a common word in a 300 KB law has thousands)
MAX_OCCURRENCES = 200
_SPACE = re.compile(r"\s+")


def mark_spans(text: str, terms: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) character spans of the tokens of ``text`` that are ``terms``."""
    if not terms:
        return []
    norm = normalize(text)
    if not any(t in norm for t in terms):
        return []  # a token's text is a piece of the normalised text: nothing can match
    spans = sorted((t.start, t.end) for t in analyze(text) if t.text in terms)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def render(text: str, spans: Iterable[tuple[int, int]], offset: int = 0) -> str:
    """``text`` escaped, with ``<mark>`` on ``spans`` (shifted by ``offset``); spaces collapsed."""
    out: list[str] = []
    pos = 0
    for start, end in spans:
        start -= offset
        end -= offset
        if end <= 0 or start >= len(text):
            continue
        start, end = max(start, 0), min(end, len(text))
        out.append(_plain(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(_plain(text[pos:]))
    return "".join(out)


def _plain(text: str) -> str:
    return html.escape(_SPACE.sub(" ", text))


def highlight_title(title: str, terms: frozenset[str]) -> str:
    return render(title, mark_spans(title, terms) if terms else [])


def snippet(body: str, terms: frozenset[str], width: int = SNIPPET_CHARS) -> str:
    """The ``width`` characters of ``body`` around its densest matches, marked and escaped.

    No match: the beginning of the body. A cut end shows an ellipsis. Only the window (plus a
    small margin) is analyzed: segmenting whole bodies for every hit of a page cost ~80 ms a
    query on the shared corpora (profiled: the analyzer's per-token work dominates).
    """
    if not terms or not body:
        return _window(body, [], 0, width)
    # The plain lower-cased text finds Simplified documents. Normalising char by char costs
    # ~50 ns a character (5 ms for a 100 KB law: profiled), so only the head of a body without
    # a plain hit (Traditional, full-width) is normalised. The window is chosen within the
    # first SCAN_CHARS when they hold a match: a law's first pages are as good a place for a
    # snippet as its densest one, and much cheaper to find.
    head = body[:SCAN_CHARS]
    occurrences = (
        _occurrences(head.lower(), terms)
        or _occurrences(normalize(head), terms)
        or (len(body) > SCAN_CHARS and _occurrences(body.lower(), terms))
        or []
    )
    if not occurrences:
        return _window(body, [], 0, width)
    start = max(0, _densest(occurrences, width) - LEAD_CHARS)
    region_start = max(0, start - MARGIN_CHARS)
    region = body[region_start : start + width + MARGIN_CHARS]
    spans = [(s + region_start, e + region_start) for s, e in mark_spans(region, terms)]
    return _window(body, spans, start, width)


def _occurrences(norm: str, terms: frozenset[str]) -> list[tuple[int, str]]:
    """(offset, term) of the terms in the normalised text: only to choose the window."""
    pattern = _terms_pattern(terms)
    out: list[tuple[int, str]] = []
    for m in pattern.finditer(norm):
        out.append((m.start(), m.group()))
        if len(out) >= MAX_OCCURRENCES:
            break
    return out


@functools.lru_cache(maxsize=256)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern[str]:
    # longest first, so that 地瓜经济 wins over 地瓜 at the same offset
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))


def _densest(occurrences: list[tuple[int, str]], width: int) -> int:
    """Offset of the window start with the most distinct terms (then the most occurrences)."""
    best_key: tuple[int, int] = (-1, -1)
    best = occurrences[0][0]
    span = width - LEAD_CHARS
    inside: Counter[str] = Counter()  # terms of occurrences i .. j-1, a sliding window
    j = 0
    for i, (start, term) in enumerate(occurrences):
        while j < len(occurrences) and occurrences[j][0] < start + span:
            inside[occurrences[j][1]] += 1
            j += 1
        key = (len(inside), j - i)
        if key > best_key:
            best_key, best = key, start
        inside[term] -= 1
        if not inside[term]:
            del inside[term]
    return best


def _window(body: str, spans: list[tuple[int, int]], start: int, width: int) -> str:
    end = min(len(body), start + width)
    start = max(0, min(start, end - width))
    # never cut a marked word in two
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    inside = [(s, e) for s, e in spans if s >= start and e <= end]
    text = render(body[start:end], inside, start).strip()
    return ("…" if start > 0 else "") + text + ("…" if end < len(body) else "")


def hit_of(doc: Document, score: float, terms: frozenset[str]) -> Hit:
    """A result as both backends show it: title and snippet marked on the stored text."""
    return Hit(
        id=doc.id,
        title=doc.title,
        agency=doc.agency,
        date=doc.date,
        doc_type=doc.doc_type,
        doc_no=doc.doc_no,
        index_no=doc.index_no,
        snippet=snippet(doc.body, terms),
        score=round(score, 6),
        url=doc.url,
        title_html=highlight_title(doc.title, terms),
        category=doc.category,
        proposal_kind=doc.proposal_kind,
    )


def hits_from(
    store: DocStore, scored: Iterable[tuple[str, float]], terms: frozenset[str]
) -> list[Hit]:
    """The hits of (document id, score) pairs in their order, read from ``store`` in one go.

    An id the store lacks is left out: the store and an engine's index are written by one build,
    so it only happens while a rebuild replaces them.
    """
    scored = list(scored)
    docs = store.get_many([doc_id for doc_id, _ in scored])
    return [hit_of(docs[i], score, terms) for i, score in scored if i in docs]
