"""Highlighting: ``<mark>`` on exactly what matched, and Hit assembly from the docstore.

A query's parts come as ``Mark(run, words)`` (``query_tree``). For a document that holds a
part's run, every occurrence of the run is marked, whole; for one that matched the part by its
words only, each word is. Occurrences are found with a regular expression over the ORIGINAL text
that accepts, for each character of the run, every character that normalises to it (Traditional,
full-width, upper case) and whitespace between any two characters: the same equivalence as the
character view (``indexer.chars``), without normalising or segmenting the text. So a mark lands
on the right characters (inside repeated words, next to digits and Latin letters, across a line
break), and a snippet costs a few regular-expression searches: re-segmenting the bodies of a
page's hits with jieba was 1.02 s of 1.47 s of 200 queries on the laws (issue 13's profile).
Every character outside the marks is HTML-escaped.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Iterable

from .analysis import normalization_table
from .docstore import DocStore
from .query_tree import Mark
from .records import Document, Hit

#: characters of body text shown in a snippet
SNIPPET_CHARS = 150
#: context kept before the first mark of a snippet window
LEAD_CHARS = 20
#: characters searched for the snippet window first (the rest only when they hold no match)
SCAN_CHARS = 8_000
#: occurrences considered when choosing the window (a common word in a 300 KB law has thousands)
MAX_OCCURRENCES = 200
_SPACE = re.compile(r"\s+")
#: what may stand between two characters of a run in the text (chars.IGNORED)
_GAP = r"[\s\u200b-\u200d\u2060\ufeff]*"


@functools.cache
def _variants() -> dict[str, str]:
    """normalised character -> every character that normalises to it (itself included)."""
    out: dict[str, str] = {}
    for code, target in normalization_table().items():
        out[target] = out.get(target, target) + chr(code)
    return out


@functools.lru_cache(maxsize=1024)
def run_pattern(run: str) -> re.Pattern[str]:
    """The occurrences of a normalised run in original text."""
    variants = _variants()
    parts = []
    for ch in run:
        alike = variants.get(ch, ch)
        parts.append(re.escape(ch) if len(alike) == 1 else "[" + re.escape(alike) + "]")
    return re.compile(_GAP.join(parts))


class Marker:
    """The patterns to mark in one document: per part, its run if the document holds it, else
    its words (decided once per document, on title and body together)."""

    def __init__(self, marks: Iterable[Mark], document_text: str):
        self.patterns: list[tuple[str, re.Pattern[str]]] = []
        for mark in marks:
            if mark.run and (pattern := run_pattern(mark.run)).search(document_text):
                self.patterns.append((mark.run, pattern))
            else:
                self.patterns += [(w, run_pattern(w)) for w in mark.words if w]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Sorted, merged (start, end) character spans to mark in ``text``."""
        found = sorted(
            (m.start(), m.end())
            for _, p in self.patterns
            for m in p.finditer(text)
            if m.end() > m.start()
        )
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """(offset, what) of the first MAX_OCCURRENCES marks in ``text``: to choose a window."""
        out = [(m.start(), label) for label, p in self.patterns for m in p.finditer(text)]
        out.sort()
        return out[:MAX_OCCURRENCES]


def mark_spans(text: str, marks: Iterable[Mark]) -> list[tuple[int, int]]:
    """The spans of ``text`` to mark for ``marks``, deciding run or words on ``text`` itself."""
    return Marker(marks, text).spans(text)


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
        out.append(f"<mark>{_plain(text[start:end])}</mark>")
        pos = end
    out.append(_plain(text[pos:]))
    return "".join(out)


def _plain(text: str) -> str:
    return html.escape(_SPACE.sub(" ", text))


def highlight_title(title: str, marks: Iterable[Mark]) -> str:
    return render(title, mark_spans(title, marks))


def snippet(body: str, marks: Iterable[Mark], width: int = SNIPPET_CHARS) -> str:
    """The ``width`` characters of ``body`` around its densest marks, marked and escaped.

    No match: the beginning of the body. A cut end shows an ellipsis.
    """
    return _snippet(body, Marker(marks, body), width)


def _snippet(body: str, marker: Marker, width: int) -> str:
    if not body or not marker.patterns:
        return _window(body, [], 0, width)
    # A law's first pages are as good a place for a snippet as its densest one, and much
    # cheaper to find: the rest of a long body is searched only when its head holds no mark.
    occurrences = marker.occurrences(body[:SCAN_CHARS])
    if not occurrences and len(body) > SCAN_CHARS:
        occurrences = marker.occurrences(body)
    if not occurrences:
        return _window(body, [], 0, width)
    start = max(0, _densest(occurrences, width) - LEAD_CHARS)
    # marks may reach past the window by a run's length: search a little beyond it
    region_start = max(0, start - 64)
    region = body[region_start : start + width + 64]
    spans = [(s + region_start, e + region_start) for s, e in marker.spans(region)]
    return _window(body, spans, start, width)


def _densest(occurrences: list[tuple[int, str]], width: int) -> int:
    """Offset of the window start with the most distinct marks (then the most occurrences)."""
    best_key: tuple[int, int] = (-1, -1)
    best = occurrences[0][0]
    span = width - LEAD_CHARS
    inside: Counter[str] = Counter()  # marks of occurrences i .. j-1, a sliding window
    j = 0
    for i, (start, label) in enumerate(occurrences):
        while j < len(occurrences) and occurrences[j][0] < start + span:
            inside[occurrences[j][1]] += 1
            j += 1
        key = (len(inside), j - i)
        if key > best_key:
            best_key, best = key, start
        inside[label] -= 1
        if not inside[label]:
            del inside[label]
    return best


def _window(body: str, spans: list[tuple[int, int]], start: int, width: int) -> str:
    end = min(len(body), start + width)
    start = max(0, min(start, end - width))
    # never cut a mark in two
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    inside = [(s, e) for s, e in spans if s >= start and e <= end]
    text = render(body[start:end], inside, start).strip()
    return ("…" if start > 0 else "") + text + ("…" if end < len(body) else "")


def hit_of(doc: Document, score: float, marks: Iterable[Mark]) -> Hit:
    """A result as both backends show it: title and snippet marked on the stored text."""
    marker = Marker(marks, doc.title + "\n" + doc.body)
    return Hit(
        id=doc.id,
        title=doc.title,
        agency=doc.agency,
        date=doc.date,
        doc_type=doc.doc_type,
        doc_no=doc.doc_no,
        index_no=doc.index_no,
        snippet=_snippet(doc.body, marker, SNIPPET_CHARS),
        score=round(score, 6),
        url=doc.url,
        title_html=render(doc.title, marker.spans(doc.title)),
        category=doc.category,
        proposal_kind=doc.proposal_kind,
    )


def hits_from(
    store: DocStore, scored: Iterable[tuple[str, float]], marks: Iterable[Mark]
) -> list[Hit]:
    """The hits of (document id, score) pairs in their order, read from ``store`` in one go.

    An id the store lacks is left out: the store and an engine's index are written by one build,
    so it only happens while a rebuild replaces them.
    """
    scored = list(scored)
    marks = tuple(marks)
    docs = store.get_many([doc_id for doc_id, _ in scored])
    return [hit_of(docs[i], score, marks) for i, score in scored if i in docs]
