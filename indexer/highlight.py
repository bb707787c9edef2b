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
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable

from .chars import IGNORED
from .docstore import DocStore, StoredDocument
from .normalize import normalization_table
from .query_tree import Mark
from .records import Hit

#: characters of body text shown in a snippet
SNIPPET_CHARS = 150
#: context kept before the first mark of a snippet window
LEAD_CHARS = 20
#: occurrences considered when choosing the window (a common word in a 300 KB law has thousands)
MAX_OCCURRENCES = 200
_SPACE = re.compile(r"\s+")
#: bodies of more pieces than this get their snippet's place from the engine (``hits_from``)
HINT_PIECES = 8
#: characters of the previous body piece searched with a piece: a query run is at most
#: query.MAX_QUERY_CHARS (500) long, so one that crosses into the piece starts within them
_CARRY = 512
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


#: a run longer than this is searched by its first PREFIX_CHARS characters and the rest compared
#: in Python: re compiled the pattern of a 100-character pasted passage (a gap class between
#: every two characters) in ~10 ms, several times a query
PREFIX_CHARS = 12


@functools.lru_cache(maxsize=1024)
def _starts(run: str) -> re.Pattern[str]:
    """Every start (overlapping ones too) of a run's first PREFIX_CHARS characters."""
    return re.compile(f"(?=({run_pattern(run[:PREFIX_CHARS]).pattern}))")


def find_runs(
    text: str, run: str, first: bool = False, overlapping: bool = False
) -> list[tuple[int, int]]:
    """(start, end) of the occurrences of a normalised run in original text, not overlapping
    unless ``overlapping`` (only the first when ``first``): whitespace may stand between its
    characters, and each character may be written in any form that normalises to it."""
    if len(run) <= PREFIX_CHARS and not overlapping:
        matches = run_pattern(run).finditer(text)
        if first:
            m = next(matches, None)
            return [(m.start(), m.end())] if m else []
        return [(m.start(), m.end()) for m in matches if m.end() > m.start()]
    table = normalization_table()
    found: list[tuple[int, int]] = []
    for m in _starts(run).finditer(text):
        if found and m.start() < found[-1][1] and not overlapping:
            continue
        at, j = m.end(1), min(PREFIX_CHARS, len(run))
        while j < len(run) and at < len(text):
            ch = text[at]
            if _IGNORED_CHAR.match(ch):
                at += 1
                continue
            if table.get(ord(ch), ch) != run[j]:
                break
            at, j = at + 1, j + 1
        if j == len(run):
            found.append((m.start(), at))
            if first:
                break
    return found


_IGNORED_CHAR = re.compile(_GAP[:-1])


class Marker:
    """The runs and words to mark in one text: per part, its run if the text holds it, else its
    words."""

    def __init__(self, marks: Iterable[Mark], text: str):
        self.labels: list[str] = []
        for mark in marks:
            if mark.run and find_runs(text, mark.run, first=True):
                self.labels.append(mark.run)
            else:
                self.labels += [w for w in mark.words if w]
        self.labels = list(dict.fromkeys(self.labels))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Sorted, merged (start, end) character spans to mark in ``text``."""
        found = sorted(span for label in self.labels for span in find_runs(text, label))
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def first(self, text: str) -> int | None:
        """Offset of the first mark in ``text`` (a search at C speed each, no list of every
        occurrence of a common word in a long body)."""
        found = [f[0][0] for label in self.labels if (f := find_runs(text, label, first=True))]
        return min(found) if found else None

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """(offset, what) of the first MAX_OCCURRENCES marks in ``text``: to choose a window."""
        out = [(start, label) for label in self.labels for start, _ in find_runs(text, label)]
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
    return _snippet(_Pieces.of_text(body), tuple(marks), None, width)


class _Pieces:
    """A body as consecutive pieces (a stored body's, or one string), decoded when asked for."""

    def __init__(self, count: int, piece, length: int, stored: StoredDocument | None = None):
        self.count = count
        self.piece = piece  # i -> (first character, text)
        self.length = length
        self.stored = stored

    @classmethod
    def of_text(cls, body: str) -> _Pieces:
        return cls(1 if body else 0, lambda i: (0, body), len(body))

    @classmethod
    def of_stored(cls, doc: StoredDocument) -> _Pieces:
        return cls(doc.pieces, doc.piece, doc.body_length, doc)

    def region(self, i: int) -> tuple[int, str]:
        """Piece ``i`` with the next one (a window may reach into it) and the end of the
        previous one (a run may start there; the context before a mark): (first character,
        text)."""
        start, text = self.piece(i)
        if i + 1 < self.count:
            text += self.piece(i + 1)[1]
        if i > 0:
            lead = self.piece(i - 1)[1][-_CARRY:]
            start, text = start - len(lead), lead + text
        return start, text

    def around(self, position: int, width: int) -> tuple[int, str] | None:
        """(first character, text) of the body around stream character ``position``: enough
        for a window that shows a run starting there; None when the body is shorter."""
        if self.stored is None:
            return None
        i = self.stored.piece_of_stream(position)
        start, text = self.piece(i)
        at = _char_of_stream(text, position - self.stored.stream_start(i))
        if at is None:
            return None
        if at + 2 * width + _CARRY > len(text) and i + 1 < self.count:
            text += self.piece(i + 1)[1]
        if at < width and i > 0:
            lead = self.piece(i - 1)[1][-width:]
            start, text, at = start - len(lead), lead + text, at + len(lead)
        lo = max(0, at - width)
        return start + lo, text[lo : at + 2 * width + _CARRY]


def _char_of_stream(text: str, position: int) -> int | None:
    """The index in ``text`` of its stream character ``position`` (chars.IGNORED skipped)."""
    at = position
    for m in IGNORED.finditer(text):
        if m.start() > at:
            break
        at += m.end() - m.start()
    return at if 0 <= at < len(text) else None


def _snippet(body: _Pieces, marks: tuple[Mark, ...], hint: int | None, width: int) -> str:
    """The window of ``body`` to show. Where the engine gives the stream position ``hint`` of
    the body's first match, only the text around it is decompressed and searched; otherwise (or
    when that text holds no match) the pieces are searched from the start, two at a time.
    Within that text, the densest marks."""
    if not body.count:
        return ""
    near = body.around(hint, width) if hint is not None else None
    # where the hint is wrong (an engine's guess), the pieces from the start
    pieces = (body.region(i) for i in range(0, body.count, 2))
    for start, text in itertools.chain([near] if near else [], pieces):
        marker = Marker(marks, text)
        first = marker.first(text)
        if first is None:
            continue
        # the window with the most marks among those near the first one
        near_lo = max(0, first - LEAD_CHARS)
        near_text = text[near_lo : first + 2 * width + _CARRY]
        at = near_lo + max(0, _densest(marker.occurrences(near_text), width) - LEAD_CHARS)
        # marks may reach past the window by a run's length: search a little beyond it
        lo = max(0, at - 64)
        spans = [(s + lo, e + lo) for s, e in marker.spans(text[lo : at + width + 64])]
        return _window(text, start, body.length, spans, at, width)
    start, text = body.region(0)
    return _window(text, start, body.length, [], 0, width)


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


def _window(
    text: str, offset: int, length: int, spans: list[tuple[int, int]], start: int, width: int
) -> str:
    """``width`` characters of ``text`` from ``start`` with ``spans`` marked; ``text`` is the
    part of a body of ``length`` characters that begins at character ``offset``."""
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    # never cut a mark in two
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    inside = [(s, e) for s, e in spans if s >= start and e <= end]
    out = render(text[start:end], inside, start).strip()
    cut_before, cut_after = offset + start > 0, offset + end < length
    return ("…" if cut_before else "") + out + ("…" if cut_after else "")


def hit_of(
    stored: StoredDocument, score: float, marks: Iterable[Mark], hint: int | None = None
) -> Hit:
    """A result as both backends show it: title and snippet marked on the stored text.

    ``hint``: where in the body's stream a run of the query first occurs, when the engine
    knows (``hits_from``).
    """
    doc = stored.fields
    marks = tuple(marks)
    return Hit(
        id=doc.id,
        title=doc.title,
        agency=doc.agency,
        date=doc.date,
        doc_type=doc.doc_type,
        doc_no=doc.doc_no,
        index_no=doc.index_no,
        snippet=_snippet(_Pieces.of_stored(stored), marks, hint, SNIPPET_CHARS),
        score=round(score, 6),
        url=doc.url,
        title_html=highlight_title(doc.title, marks),
        category=doc.category,
        proposal_kind=doc.proposal_kind,
    )


def hits_from(
    store: DocStore,
    scored: Iterable[tuple[str, float]],
    marks: Iterable[Mark],
    hints: Callable[[list[str]], dict[str, int]] | None = None,
) -> list[Hit]:
    """The hits of (document id, score) pairs in their order, read from ``store`` in one go.

    ``hints``, when the engine has it: given the ids of the hits whose bodies are longer than
    two pieces, where in each body's stream the first match of the query probably is (a short
    body is searched from its start at no more cost than around a hint).
    An id the store lacks is left out: the store and an engine's index are written by one build,
    so it only happens while a rebuild replaces them.
    """
    scored = list(scored)
    marks = tuple(marks)
    docs = store.get_stored([doc_id for doc_id, _ in scored])
    long = [i for i, d in docs.items() if d.pieces > HINT_PIECES]
    where = hints(long) if hints and long else {}
    return [hit_of(docs[i], score, marks, where.get(i)) for i, score in scored if i in docs]
