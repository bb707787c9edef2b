"""Highlighting: ``<mark>`` around the matched words, placed by token offsets.

The stored text is re-analyzed with the index analyzer and a token is marked when its term is
one of the query's terms, so a mark always covers exactly the characters of a matched token
(``str.find`` would also mark a term inside another word, or miss a Traditional-character
spelling that the analyzer normalises). Every other character is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from .analysis import analyze

#: characters of body text shown in a snippet
SNIPPET_CHARS = 150
#: context kept before the first mark of a snippet window
LEAD_CHARS = 20
#: texts up to this long are analyzed whole; longer bodies only around the likely best window
#: (segmenting a 300 KB law for every hit of a page would take ~0.2 s: PERFORMANCE.md, jieba speed)
ANALYZE_WHOLE_CHARS = 4000
_SPACE = re.compile(r"\s+")


def mark_spans(text: str, terms: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) character spans of the tokens of ``text`` that are ``terms``."""
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

    No match: the beginning of the body. A cut end shows an ellipsis.
    """
    if not terms or not body:
        return _window(body, [], 0, width)
    if len(body) <= ANALYZE_WHOLE_CHARS:
        region_start, region = 0, body
    else:
        region_start = _likely_region(body, terms, width)
        region = body[region_start : region_start + ANALYZE_WHOLE_CHARS]
        if region_start:
            # start the analysis at a sentence or line break so the first words segment as in
            # the whole text
            cut = _break_after(region)
            region_start += cut
            region = region[cut:]
    spans = [(s + region_start, e + region_start) for s, e in mark_spans(region, terms)]
    if not spans:
        return _window(body, [], 0, width)
    start = _densest(body, spans, width)
    return _window(body, spans, start, width)


def _likely_region(body: str, terms: frozenset[str], width: int) -> int:
    """Where the query terms cluster, found with a cheap scan; only chooses what to analyze."""
    hits: list[int] = []
    lowered = body.lower()
    for term in terms:
        if len(term) < 2 and len(terms) > 1:
            continue
        for m in re.finditer(re.escape(term), lowered):
            hits.append(m.start())
            if len(hits) > 2000:
                break
    if not hits:
        return 0
    hits.sort()
    best, best_count, j = hits[0], 0, 0
    for i, h in enumerate(hits):
        while hits[j] < h - width:
            j += 1
        if i - j + 1 > best_count:
            best, best_count = hits[j], i - j + 1
    return max(0, best - ANALYZE_WHOLE_CHARS // 2)


def _break_after(text: str) -> int:
    m = re.search(r"[。！？；\n]", text[:400])
    return m.end() if m else 0


def _densest(body: str, spans: list[tuple[int, int]], width: int) -> int:
    """Start of the window with the most distinct marked words (then the most marks)."""
    best_key: tuple[int, int] = (-1, -1)
    best_start = 0
    for i, (start, _) in enumerate(spans):
        words: set[str] = set()
        count = 0
        for s, e in spans[i:]:
            if e > start + width - LEAD_CHARS:
                break
            words.add(body[s:e].lower())
            count += 1
        key = (len(words), count)
        if key > best_key:
            best_key, best_start = key, start
    return max(0, best_start - LEAD_CHARS)


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
