"""Highlighting: ``<mark>`` on exactly what matched, and Hit assembly from the docstore.

A query's parts come as ``Mark(run, words)`` (``query_tree``). For a text that holds a part's
run, every occurrence of the run is marked, whole; where it holds only the part's words, each
word is. Occurrences are found in the text's stream, as the index finds them
(``chars.stream``: normalised character by character, whitespace left out), and mapped back to
the characters as written: so a mark lands on the right characters (inside repeated words, next
to digits and Latin letters, across a line break, in Traditional or full-width text) and what is
marked is exactly what the index matched. No pattern is compiled per query: regular expressions
that accepted every variant of each character and whitespace between any two took a millisecond
or more to compile per run, several times a query; re-segmenting the bodies of a page's hits
with jieba was 1.02 s of 1.47 s of 200 queries over the laws (issue 13's profile). Every
character outside the marks is HTML-escaped.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import html
import itertools
from collections.abc import Callable, Iterable

import numpy as np

from .chars import stream_offsets
from .docstore import DocStore, StoredDocument
from .query_tree import Mark
from .records import Document, Hit, field_defaults

#: characters of body text shown in a snippet
SNIPPET_CHARS = 150
#: context kept before the first mark of a snippet window
LEAD_CHARS = 20
#: occurrences considered when choosing the window (a common word in a 300 KB law has thousands)
MAX_OCCURRENCES = 200
#: bodies of more pieces than this (32K characters) get their snippet's place from the engine
#: (``hits_from``); 4 / 8 / 16 / 32 / never: p95 2.97 / 2.70 / 2.38 / 2.38 / 2.72 ms over
#: query_bench's 200 queries (thread time, best of 5): asking costs more than a short scan
HINT_PIECES = 16
#: characters of the previous body piece searched with a piece: a query run is at most
#: query.MAX_QUERY_CHARS (500) long, so one that crosses into the piece starts within them
_CARRY = 512


class TextStream:
    """A text's stream (``chars.stream``) and the way back to the text's own offsets."""

    __slots__ = ("text", "stream", "_kept")

    def __init__(self, text: str):
        self.text = text
        self.stream, self._kept = stream_offsets(text)

    @staticmethod
    def many(texts: list[str]) -> list[TextStream]:
        """The streams of ``texts``, normalised in one call (normalising is character by
        character, so the stream of the texts joined is their streams joined): one numpy call
        took about as long for a page's ten texts as for one of them."""
        stream, kept = stream_offsets("".join(texts))
        kept = np.asarray(kept)
        starts = list(itertools.accumulate(map(len, texts), initial=0))
        cuts = kept.searchsorted(starts)
        # each text's offsets from its own start, for all texts in one subtraction
        kept = kept - np.repeat(starts[:-1], np.diff(cuts))
        cuts = cuts.tolist()
        out = []
        for k, text in enumerate(texts):
            one = TextStream.__new__(TextStream)
            one.text = text
            one.stream = stream[cuts[k] : cuts[k + 1]]
            one._kept = kept[cuts[k] : cuts[k + 1]]
            out.append(one)
        return out

    def offset(self, position: int) -> int:
        """The text offset of stream character ``position``."""
        return int(self._kept[position])

    def extended(self, more: str) -> TextStream:
        """The stream of ``text + more``: ``more`` normalised on its own (normalising is
        character by character, so the streams of two pieces join)."""
        stream, kept = stream_offsets(more)
        out = TextStream.__new__(TextStream)
        out.text = self.text + more
        out.stream = self.stream + stream
        out._kept = np.concatenate((np.asarray(self._kept), np.asarray(kept) + len(self.text)))
        return out

    def positions(self, lo: int, hi: int) -> tuple[int, int]:
        """The stream positions of the characters at text offsets ``lo`` … ``hi``."""
        if isinstance(self._kept, range):  # no character left out: offsets are positions
            n = len(self._kept)
            return min(max(lo, 0), n), min(max(hi, 0), n)
        a, b = self._kept.searchsorted((lo, hi)).tolist()  # the method: no dispatch wrapper
        return a, b

    def find(
        self,
        run: str,
        *,
        first: bool = False,
        overlapping: bool = False,
        lo: int = 0,
        hi: int | None = None,
    ) -> list[tuple[int, int]]:
        """(start, end) text offsets of the occurrences of a normalised run, not overlapping
        unless ``overlapping``; only the first when ``first``; only between stream positions
        ``lo`` and ``hi`` when given."""
        found: list[tuple[int, int]] = []
        if not run:
            return found
        kept, stream = self._kept, self.stream
        end = len(stream) if hi is None else hi
        step = 1 if overlapping else len(run)
        at = stream.find(run, lo, end)
        while at >= 0:
            found.append((int(kept[at]), int(kept[at + len(run) - 1]) + 1))
            if first:
                break
            at = stream.find(run, at + step, end)
        return found


def find_runs(
    text: str, run: str, first: bool = False, overlapping: bool = False
) -> list[tuple[int, int]]:
    """(start, end) of the occurrences of a normalised run in original text (``TextStream``)."""
    return TextStream(text).find(run, first=first, overlapping=overlapping)


class Marker:
    """The runs and words to mark: per part, its run if the text the Marker was made for holds
    it (``text``), else its words."""

    def __init__(self, marks: Iterable[Mark], text: str | TextStream):
        self._last = text if isinstance(text, TextStream) else TextStream(text)
        self.labels = _labels(self._last.stream, marks, 0, len(self._last.stream))

    def _stream(self, text: str | TextStream) -> TextStream:
        if isinstance(text, TextStream):
            return text
        if self._last.text is not text and self._last.text != text:
            self._last = TextStream(text)
        return self._last

    def occurrences(self, text: str | TextStream) -> list[tuple[int, int, str]]:
        """(start, end, label) of every mark in ``text``, by start."""
        stream = self._stream(text)
        return sorted((s, e, label) for label in self.labels for s, e in stream.find(label))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Sorted, merged (start, end) character spans to mark in ``text``."""
        return _merged((s, e) for s, e, _ in self.occurrences(text))


def _labels(stream: str, marks: Iterable[Mark], lo: int, hi: int) -> list[str]:
    """What to mark for ``marks`` in the stream text between ``lo`` and ``hi``, once each: per
    part its run where that stretch holds it, else its words."""
    labels: list[str] = []
    for mark in marks:
        if mark.run and stream.find(mark.run, lo, hi) >= 0:
            labels.append(mark.run)
        else:
            labels += [w for w in mark.words if w]
    return list(dict.fromkeys(labels))


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark_spans(text: str, marks: Iterable[Mark]) -> list[tuple[int, int]]:
    """The spans of ``text`` to mark for ``marks``, deciding run or words on ``text`` itself."""
    return Marker(marks, text).spans(text)


def render(text: str, spans: Iterable[tuple[int, int]], offset: int = 0) -> str:
    """``text`` escaped, with ``<mark>`` on ``spans`` (shifted by ``offset``); spaces collapsed."""
    # marks go in as two control characters (any in the text become spaces), and the whole is
    # collapsed and escaped once: per segment it was a fifth of a snippet's time
    text = text.replace(_OPEN, " ").replace(_CLOSE, " ")
    out: list[str] = []
    pos = 0
    for start, end in spans:
        start -= offset
        end -= offset
        if end <= 0 or start >= len(text):
            continue
        start, end = max(start, 0), min(end, len(text))
        out += (text[pos:start], _OPEN, text[start:end], _CLOSE)
        pos = end
    out.append(text[pos:])
    marked = html.escape(_collapsed("".join(out)))
    return marked.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _collapsed(text: str) -> str:
    """``re.sub(r"\\s+", " ", text)``: str.split's whitespace is the regex's (both are
    str.isspace), and splitting is 1.5 µs where the regex took 5 over a snippet's 150
    characters."""
    words = text.split()
    if not words:
        return " " if text else ""
    out = " ".join(words)
    if text[0].isspace():
        out = " " + out
    if text[-1].isspace():
        out += " "
    return out


_OPEN, _CLOSE = "\x01", "\x02"


def highlight_title(
    title: str, marks: Iterable[Mark], stream: TextStream | None = None
) -> str:
    """``title`` escaped, with ``<mark>`` on ``marks`` (``stream``: its stream, when made)."""
    stream = stream or TextStream(title)
    found = _occurrences(stream, tuple(marks), 0, len(stream.stream))
    return render(title, _merged((s, e) for s, e, _ in found))


def snippet(body: str, marks: Iterable[Mark], width: int = SNIPPET_CHARS) -> str:
    """The ``width`` characters of ``body`` around its densest marks, marked and escaped.

    No match: the beginning of the body. A cut end shows an ellipsis.
    """
    return _snippet(_Pieces.of_text(body), _Query(marks), None, width)


class _Pieces:
    """A body as consecutive pieces (a stored body's, or one string), decoded when asked for."""

    def __init__(self, count: int, piece, length: int, stored: StoredDocument | None = None):
        self.count = count
        self.piece = piece  # i -> (first character, text)
        self.length = length
        self.stored = stored
        #: the stream of the first piece's prefix that _first_matches normalises, when made
        self.ready: TextStream | None = None

    @classmethod
    def of_text(cls, body: str) -> _Pieces:
        return cls(1 if body else 0, lambda i: (0, body), len(body))

    @classmethod
    def of_stored(cls, doc: StoredDocument) -> _Pieces:
        return cls(doc.pieces, doc.piece, doc.body_length, doc)

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
    kept = stream_offsets(text)[1]
    return int(kept[position]) if 0 <= position < len(kept) else None


class _Query:
    """What each hit of a page needs of the query's marks, worked out once for the page."""

    __slots__ = ("marks", "runs", "words", "reach")

    def __init__(self, marks: Iterable[Mark]):
        self.marks = tuple(marks)
        self.runs = [m.run for m in self.marks if m.run]
        self.words = [w for m in self.marks for w in m.words if w]
        longest = max((len(x) for m in self.marks for x in (m.run, *m.words)), default=1)
        #: characters of text a mark may span: its stream characters, and whitespace between
        #: them (a line break, an indent)
        self.reach = 2 * longest + 16


def _prefix(typed: int, q: _Query, width: int) -> int:
    """Characters of a text normalised when a run of ``q`` is typed at ``typed`` in it."""
    return typed + 2 * (width + q.reach)


def _first_matches(
    text: str, q: _Query, width: int, ready: TextStream | None = None
) -> tuple[int | None, int | None, TextStream]:
    """Offsets in ``text`` of its first run of the query and (when it holds none) of its first
    word of it, and the stream of the text from its start that they were found in: enough of
    it for the window after a run (``_snippet`` searches it instead of normalising again).

    A run found as typed (str.find, C speed) bounds where the first one can start: one written
    otherwise (across a line break, in full width …) that starts before it ends within
    ``reach`` of it. So only the text up to there (and the window after it) is normalised: a
    hit's first run is mostly near its body's start, and normalising whole 2,048-character
    pieces was a fifth of a query's time.
    """
    runs = q.runs
    typed = [i for run in runs if (i := text.find(run)) >= 0]
    if typed:
        stream = ready or TextStream(text[: _prefix(min(typed), q, width)])
        found = [i for run in runs if (i := stream.stream.find(run)) >= 0]
        if found:
            return stream.offset(min(found)), None, stream
    stream = TextStream(text)
    found = [i for run in runs if (i := stream.stream.find(run)) >= 0]
    if found:
        return stream.offset(min(found)), None, stream
    found = [i for w in q.words if (i := stream.stream.find(w)) >= 0]
    return None, (stream.offset(min(found)) if found else None), stream


#: (first character, text, offset of the first match in it, a stream of the text from its start)
#: and the body piece that follows the text (None: the text reaches far enough already)
_Place = tuple[int, str, int, TextStream, int | None]


@dataclasses.dataclass(frozen=True)
class Hint:
    """Where the engine's character view puts a body's first match: the stream position of its
    first run of the query (``run``), else, when ``run`` is False, of its first word, the engine
    vouching that the body holds no run (so no piece needs searching for one)."""

    position: int
    run: bool = True


def _first_place(
    body: _Pieces, q: _Query, hint: Hint | None, width: int
) -> _Place | None:
    """(first character, text, offset of the match in it, stream, following piece: ``_Place``)
    of the body's first run of the query, else of its first word of it: around the engine's
    ``hint`` when it holds one, otherwise searched a piece at a time (each with the end of the
    one before, where a match may start), the next piece decompressed only when the window
    reaches into it."""
    reach = q.reach

    def place(i: int, start: int, text: str, at: int, stream: TextStream) -> _Place:
        # the marks that choose the window are looked for up to 2 x width after the match
        if at + 2 * width + reach > len(text) and i + 1 < body.count:
            text += body.piece(i + 1)[1]
            i += 1
        return start, text, at, stream, i + 1 if i + 1 < body.count else None

    near = body.around(hint.position, width) if hint is not None else None
    if near is not None:
        run_at, word_at, stream = _first_matches(near[1], q, width)
        at = run_at if run_at is not None else None if hint.run else word_at
        # a guess well before the match (two bigrams' votes) leaves too little text after it
        whole = near[0] + len(near[1]) == body.length
        if at is not None and (whole or at + 3 * width + reach <= len(near[1])):
            return near[0], near[1], at, stream, None
    first_word: tuple[int, int, str, int, TextStream] | None = None
    tail = ""
    for i in range(body.count):
        start, piece = body.piece(i)
        text = tail + piece
        run_at, word_at, stream = _first_matches(text, q, width, body.ready if i == 0 else None)
        if run_at is not None:
            return place(i, start - len(tail), text, run_at, stream)
        if first_word is None and word_at is not None:
            first_word = (i, start - len(tail), text, word_at, stream)
        # a match across the pieces' border starts within ``reach`` of its end, and the window
        # shown may begin up to ``width`` before the match (at the body's end it shows the last
        # ``width`` characters): carry both
        tail = piece[-(reach + width) :]
    return place(*first_word) if first_word else None


def _snippet(body: _Pieces, q: _Query, hint: Hint | None, width: int) -> str:
    """The window of ``body`` to show: the one with the most marks near its first match (a run
    of the query where the body holds one, else a word of it: ``_first_place``)."""
    if not body.count:
        return ""
    found_at = _first_place(body, q, hint, width)
    if found_at is None:
        start, text = body.piece(0)
        return _window(text, start, body.length, [], 0, width)
    start, text, first, stream, following = found_at
    # the marks around the first one, decided (run or words) on that text, searched in the
    # stream the first one was found in, normalised further only where the window needs it
    # (normalising the window again was 7% of query_bench's time)
    lo = max(0, first - LEAD_CHARS)
    hi = min(len(text), first + 2 * width + q.reach)
    if len(stream.text) < hi:
        stream = stream.extended(text[len(stream.text) : hi])
    found = _occurrences(stream, q.marks, *stream.positions(lo, hi))
    at = max(0, (_densest(found, width) if found else first) - LEAD_CHARS)
    if at + width > len(text) and following is not None:
        # the window chosen runs past the text: its next piece (not read before it is needed:
        # most windows end in the text the match was found in)
        text += body.piece(following)[1]
    spans = _merged((s, e) for s, e, _ in found if e > at - 64 and s < at + width + 64)
    return _window(text, start, body.length, spans, at, width)


def _occurrences(
    stream: TextStream, marks: tuple[Mark, ...], lo: int, hi: int
) -> list[tuple[int, int, str]]:
    """(start, end, label) of the marks between stream positions ``lo`` and ``hi``, by start:
    per part its run where that stretch holds it, else its words (``_labels``)."""
    text, kept = stream.stream, stream._kept
    found: list[tuple[int, int, str]] = []
    for label in _labels(text, marks, lo, hi):
        # TextStream.find's loop, inline: ten hits of a page call this for every label
        at, n = text.find(label, lo, hi), len(label)
        while at >= 0:
            found.append((int(kept[at]), int(kept[at + n - 1]) + 1, label))
            at = text.find(label, at + n, hi)
    found.sort()
    return found


def _densest(occurrences: list[tuple[int, int, str]], width: int) -> int:
    """Offset of the window start with the most distinct marks (then the most occurrences),
    among the first MAX_OCCURRENCES (a common word in a 300 KB law has thousands)."""
    occurrences = occurrences[:MAX_OCCURRENCES]
    span = width - LEAD_CHARS
    starts = [o[0] for o in occurrences]
    if starts[-1] < starts[0] + span:
        return starts[0]  # one window holds them all
    labels = [o[2] for o in occurrences]
    best_key: tuple[int, int] = (-1, -1)
    best = starts[0]
    for i, start in enumerate(starts):
        j = bisect.bisect_left(starts, start + span, i)
        key = (len(set(labels[i:j])), j - i)
        if key > best_key:
            best_key, best = key, start
        if j == len(starts):
            break  # every later window holds a part of this one's
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


@functools.cache
def _copied() -> tuple[dict[str, object], tuple[str, ...], frozenset[str]]:
    """The Hit fields a stored document's fields give as they are: (their immutable defaults,
    the names of those whose default is a list, every name)."""
    defaults = field_defaults(Document)
    copied = {
        f.name: "" if defaults[f.name] is dataclasses.MISSING else defaults[f.name]
        for f in dataclasses.fields(Hit)
        if f.name in defaults
    }
    lists = tuple(name for name, d in copied.items() if isinstance(d, list))
    return {n: d for n, d in copied.items() if n not in lists}, lists, frozenset(copied)


def hit_of(
    stored: StoredDocument, score: float, marks: Iterable[Mark], hint: Hint | None = None
) -> Hit:
    """A result as both backends show it: title and snippet marked on the stored text.

    ``hint``: where in the body's stream a run of the query first occurs, when the engine
    knows (``hits_from``).
    """
    return _hit(stored, score, _Query(marks), hint)


def _hit(
    stored: StoredDocument,
    score: float,
    q: _Query,
    hint: Hint | None,
    ready: TextStream | None = None,
    title: TextStream | None = None,
) -> Hit:
    body = _Pieces.of_stored(stored)
    body.ready = ready
    scalars, lists, names = _copied()
    copied = dict(scalars)
    copied.update((name, []) for name in lists)  # a list of its own for each hit
    copied.update((k, v) for k, v in stored.head.items() if k in names)
    return Hit(
        **copied,
        snippet=_snippet(body, q, hint, SNIPPET_CHARS),
        score=round(score, 6),
        title_html=highlight_title(copied["title"], q.marks, title),
    )


def hits_from(
    store: DocStore,
    scored: Iterable[tuple[str, float]],
    marks: Iterable[Mark],
    hints: Callable[[list[str]], dict[str, Hint]] | None = None,
) -> list[Hit]:
    """The hits of (document id, score) pairs in their order, read from ``store`` in one go.

    ``hints``, when the engine has it: given the ids of the hits whose bodies are longer than
    HINT_PIECES pieces and whose first piece holds no run of the query as typed, where in each
    body's stream its first match of the query probably is (``Hint``: its first run, else its
    first word). Another body is searched from its start:
    asking took 250-400 µs a query, more than searching the pieces of such bodies (52.7 ms
    against 30.7 over query_bench's 200 queries, when bodies of more than two pieces whose
    first piece held no run as typed asked).
    An id the store lacks is left out: the store and an engine's index are written by one build,
    so it only happens while a rebuild replaces them.
    """
    scored = list(scored)
    docs = store.get_stored([doc_id for doc_id, _ in scored])
    q = _Query(marks)
    # a body whose first piece holds a run as typed has its snippet there: asking would cost
    # more than it saves (most long laws of query_bench's pages hold theirs in 512 characters)
    long = [
        i
        for i, d in docs.items()
        if hints and d.pieces > HINT_PIECES and not any(run in d.piece(0)[1] for run in q.runs)
    ]
    where = hints(long) if hints and long else {}
    # the prefix of each first piece that holds a run as typed, normalised for all in one go
    prefixes: dict[str, str] = {}
    for i, d in docs.items():
        if i in where or not d.pieces:
            continue
        text = d.piece(0)[1]
        typed = [at for run in q.runs if (at := text.find(run)) >= 0]
        if typed:
            prefixes[i] = text[: _prefix(min(typed), q, SNIPPET_CHARS)]
    # and the titles with them
    titles = {i: d.head.get("title", "") for i, d in docs.items()}
    streams = TextStream.many([*prefixes.values(), *titles.values()])
    ready = dict(zip(prefixes, streams, strict=False))
    title = dict(zip(titles, streams[len(prefixes) :], strict=True))
    return [
        _hit(docs[i], score, q, where.get(i), ready.get(i), title[i])
        for i, score in scored
        if i in docs
    ]
