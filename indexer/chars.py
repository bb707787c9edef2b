"""The character view of a text: what "find what is written" compares (no engine here).

People search like Ctrl+F: a run of characters typed or pasted must find the documents that
contain it, across jieba's word boundaries. Beside the jieba words (``analysis.py``), both
engines index each title and body as a *stream*: the text normalised character by character
(``normalize.normalize``: NFKC, Traditional → Simplified, lower case) with whitespace and
zero-width characters left out, so that a phrase broken across a line in the source still
matches. A query run is normalised the same way, minus punctuation at its edges.

The stream is indexed as overlapping character bigrams whose positions count characters, as
Lucene's CJKBigramFilter and Elasticsearch's ``ngram`` + ``match_phrase`` do, plus single
characters (matching only) for one-character queries: a run of length L ≥ 2 occurs at p exactly
when its L-1 bigrams occur at p, p+1, … (a phrase of bigrams). Both engines name a bigram and a
character by the same keyword (``gram_keyword``, ``char_keyword``): ASCII words that Sphinx's
``charset_table`` keeps whole and that no text word looks like, and the keys of ranking's hits.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import numpy as np

from .normalize import lookup, normalize

#: left out of the stream: whitespace (also U+3000 after normalising) and zero-width marks
IGNORED = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
#: what a run may not start or end with (punctuation and symbols at the edges of a typed run)
_EDGE = re.compile(r"^[^\w]+|[^\w]+$")
#: bits of one character in a bigram key: every code point fits in 21
CHAR_BITS = 21
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
#: base-36 digits of a bigram key (2 x 21 bits < 36^9) and of a code point (< 36^4)
_GRAM_DIGITS, _CHAR_DIGITS = 9, 4


#: below this length a text without whitespace skips numpy (``stream_offsets``)
_SHORT = 64
#: what the stream's lookup array gives a character it leaves out (no code point is this)
_LEFT_OUT = np.uint32(0xFFFFFFFF)


@cache
def _stream_lookup() -> np.ndarray:
    """``normalize.lookup()`` with every character whose normalised form IGNORED matches made
    _LEFT_OUT: one gather normalises a text and marks what its stream leaves out."""
    bmp = "".join(map(chr, range(0x10000)))  # every character \s matches is in the BMP
    left_out = np.array([ord(c) for run in IGNORED.findall(bmp) for c in run], dtype=np.uint32)
    lut = lookup().copy()
    lut[np.isin(lut, left_out)] = _LEFT_OUT
    return lut


def stream_offsets(text: str) -> tuple[str, np.ndarray | range]:
    """The stream of ``text`` and, for each of its characters, its offset in ``text``.

    In numpy: normalising with ``str.translate`` and leaving whitespace out with a regex, then
    mapping offsets back gap by gap in Python, took ~160 µs for a 4,096-character body piece
    (115 line breaks in a law's); one gather and a mask take ~20 µs. A short text without
    whitespace (most titles) is its normalised self, its offsets a ``range``: 2 µs where
    numpy's calls take 5.
    """
    if len(text) < _SHORT:
        normalised = normalize(text)
        if IGNORED.search(normalised) is None:
            return normalised, range(len(normalised))
    codes = _stream_lookup()[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), "<u4")]
    kept = (codes != _LEFT_OUT).nonzero()[0]  # np.flatnonzero's wrappers took a third as long
    return codes[kept].tobytes().decode("utf-32-le"), kept


def stream(text: str) -> str:
    """The normalised text without whitespace: what exact runs are matched against."""
    return stream_offsets(text)[0]


def query_run(text: str) -> str:
    """A typed run as the stream it must occur in (edge punctuation dropped; may be '')."""
    return _EDGE.sub("", stream(text))


def grams(run: str) -> list[str]:
    """The overlapping bigrams of a run of two characters or more, in order."""
    return [run[i : i + 2] for i in range(len(run) - 1)]


def gram_key(gram: str) -> int:
    return (ord(gram[0]) << CHAR_BITS) | ord(gram[1])


def _base36(values: np.ndarray, width: int, prefix: bytes) -> str:
    """Each value as ``prefix`` + ``width`` base-36 digits, space-separated (vectorised: the
    Sphinx feed names every character of every document this way)."""
    row = len(prefix) + width
    digits = np.full((len(values), row + 1), ord(" "), dtype=np.uint8)
    digits[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    rest = values.astype(np.uint64)
    table = np.frombuffer(_DIGITS.encode(), dtype=np.uint8)
    for col in range(row - 1, len(prefix) - 1, -1):
        digits[:, col] = table[(rest % np.uint64(36)).astype(np.intp)]
        rest //= np.uint64(36)
    return digits.tobytes().decode("ascii").rstrip(" ")


def gram_keywords(stream_text: str) -> str:
    """The keywords of every bigram of a stream, in order, space-separated."""
    if len(stream_text) < 2:
        return ""
    cps = np.frombuffer(stream_text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    return _base36((cps[:-1] << np.uint64(CHAR_BITS)) | cps[1:], _GRAM_DIGITS, b"zq")


def char_keywords(stream_text: str) -> str:
    """The keywords of every character of a stream, in order, space-separated."""
    cps = np.frombuffer(stream_text.encode("utf-32-le"), dtype="<u4")
    return _base36(cps, _CHAR_DIGITS, b"zu")


def _base36_one(value: int, width: int, prefix: str) -> str:
    digits = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        digits.append(_DIGITS[digit])
    return prefix + "".join(reversed(digits))


@lru_cache(maxsize=1 << 16)
def gram_keyword(gram: str) -> str:
    """A bigram as one keyword: ``zq`` + its key in base 36 (no text word has that shape);
    the same as ``gram_keywords`` of it, without numpy's per-call cost (50 µs a keyword)."""
    return _base36_one(gram_key(gram), _GRAM_DIGITS, "zq")


@lru_cache(maxsize=1 << 14)
def char_keyword(char: str) -> str:
    """A single character as one keyword: ``zu`` + its code point in base 36."""
    return _base36_one(ord(char), _CHAR_DIGITS, "zu")
