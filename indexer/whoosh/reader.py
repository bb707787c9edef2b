"""One index generation's Whoosh index, opened for fast, thread-safe reading.

Why not plain ``searcher.search``: at 100k documents it returned a wrong top-10 for common AND
queries and took 75–400 ms with facets (PERFORMANCE.md, trap #1 and the table). This module reads
posting lists from our own files beside each Whoosh segment (``words.py`` for the word fields,
``grams.py`` for the character view) and exposes dense per-document numpy arrays (field
lengths, facet codes, dates, deletions) loaded once per generation, so that ranking and facets
are a few vectorised numpy operations. Whoosh gives the segments, stored ids, columns and
deletions.

Trap #2 (PERFORMANCE.md): with mmap on, Whoosh copies each whole segment file into a BytesIO when
a searcher opens (~0.5 s and ~800 MB at 100k documents). We open the storage with
``supports_mmap=False`` (Whoosh then seeks and reads: not thread-safe, hence ``whoosh_lock``).
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from ..dates import NO_DAY
from ..ranking import FIELD_WEIGHTS
from ..records import MULTI_VALUED_FACETS
from .gram_reader import GramPostings, GramReader
from .grams import SUFFIX as GRAMS_SUFFIX
from .schema import EXACT_FIELDS, FACET_COLUMNS, LENGTH_COLUMNS, VALUE_SEPARATOR, WORD_FIELDS
from .words import SUFFIX as WORDS_SUFFIX
from .words import WordSegment, term_hash

#: bytes of decoded postings (words, bigrams, runs' results) kept per generation
CACHE_BYTES = 64 << 20


@dataclass
class Postings:
    """One term's postings in one field, over the whole index (global document numbers)."""

    docs: np.ndarray  # int32, ascending
    weights: np.ndarray  # float32: term frequency x field boost, exactly as Whoosh stores it
    df: int  # document frequency as Whoosh counts it (deleted documents included)


@dataclass
class DenseTerm:
    """A term's postings spread over every document number: whether each holds it, and its
    weight there (0 where not). Read-only: every query that reaches the term shares them."""

    mask: np.ndarray  # bool
    weights: np.ndarray  # float32


def spread(n: int, docs: np.ndarray, weights: np.ndarray) -> DenseTerm:
    """``weights`` of ``docs`` over ``n`` document numbers, read-only."""
    mask = np.zeros(n, dtype=bool)
    mask[docs] = True
    spread_weights = np.zeros(n, dtype=np.float32)
    spread_weights[docs] = weights
    mask.flags.writeable = spread_weights.flags.writeable = False
    return DenseTerm(mask, spread_weights)


class _Segment:
    def __init__(self, segreader: Any, offset: int):
        self.reader = segreader
        self.offset = offset
        self.doc_count = segreader.doc_count_all()
        self.ids: _Ids | None = None  # the id column, read when first asked


class IndexReader:
    """Dense per-document arrays and posting lists of one generation's Whoosh index."""

    def __init__(self, whoosh_dir: Path):
        self.whoosh_dir = Path(whoosh_dir)
        storage = FileStorage(str(whoosh_dir), supports_mmap=False, readonly=True)
        self.index = storage.open_index()
        self.schema = self.index.schema
        self.whoosh_lock = threading.RLock()
        self.searcher = self.index.searcher()
        reader = self.searcher.reader()
        # an index of an empty corpus has no segment (Whoosh gives an EmptyReader)
        self.segments = [
            _Segment(r, off) for r, off in reader.leaf_readers() if isinstance(r, SegmentReader)
        ]
        self.doc_count_all = self.searcher.doc_count_all()
        self.n = self.doc_count_all
        self._offsets = [seg.offset for seg in self.segments]
        live = np.ones(self.n, dtype=bool)
        for seg in self.segments:
            if seg.reader.has_deletions():
                for d in seg.reader._perdoc.deleted_docs():
                    live[seg.offset + d] = False
        self.live = live
        self.doc_count = int(live.sum())
        self.grams = GramReader(
            [
                (self.whoosh_dir / seg.reader._segment.make_filename(GRAMS_SUFFIX), seg.offset)
                for seg in self.segments
            ]
        )
        self.words: list[WordSegment] = []
        try:
            for seg in self.segments:
                name = seg.reader._segment.make_filename(WORDS_SUFFIX)
                self.words.append(WordSegment(self.whoosh_dir / name))
        except BaseException:
            self.close()
            raise
        # ranking.py's dl of every document and its mean over the live ones
        self.dl = np.zeros(self.n, dtype=np.float64)
        for name, column in LENGTH_COLUMNS.items():
            self.dl += FIELD_WEIGHTS[name] * self._column_ints(column)
        self.avg_dl = (float(self.dl[live].mean()) if self.doc_count else 0.0) or 1.0
        self.dates = self._dates("date")
        self.written_dates = self._dates("written_date")
        self.facet_values: dict[str, list[str]] = {}
        #: single-valued facets: each document's value code (-1: none)
        self.facet_codes: dict[str, np.ndarray] = {}
        #: multi-valued facets: (document, value code) pairs
        self.facet_pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for facet, column in FACET_COLUMNS.items():
            if facet in MULTI_VALUED_FACETS:
                self.facet_values[facet], self.facet_pairs[facet] = self._column_pairs(column)
            else:
                self.facet_values[facet], self.facet_codes[facet] = self._column_codes(column)
        #: the single-valued facets' codes side by side, each facet's values numbered after the
        #: previous facet's and "none" the last number (``facets.facet_counts``: one bincount
        #: for all of them)
        self.facet_stack = _stack_codes(self.facet_codes, self.facet_values)
        #: (field, run, candidate documents) -> (documents holding the run, occurrences in
        #: each), counted on their stored text; set by the engine, which has the docstore
        self.run_counter: Callable[[str, str, np.ndarray], tuple[np.ndarray, np.ndarray]] | None
        self.run_counter = None
        #: keyword -> live documents with it (scoring.document_frequency); fixed per generation
        self.df_cache: dict[str, int] = {}
        self._cache: OrderedDict[tuple[str, Any], Any] = OrderedDict()
        self._cached = 0
        self._cache_lock = threading.Lock()

    def close(self) -> None:
        self.grams.close()
        for words in self.words:
            words.close()
        self.words = []
        with self.whoosh_lock:
            self.searcher.close()
            self.index.storage.close()

    # --- per-document arrays, loaded once ---

    def _column_ints(self, column: str) -> np.ndarray:
        """A NumericColumn("I") of every document (0 where a document has no value)."""
        out = np.zeros(self.n, dtype=np.float64)
        for seg in self.segments:
            if not seg.reader.has_column(column):
                continue
            col = seg.reader.column_reader(column, translate=False)
            # FixedBytesColumn: big-endian values, trailing defaults not written; one read
            # instead of a Python call per document (3 s per column at 1M documents)
            count = min(col._count, seg.doc_count)
            raw = col._dbfile.get(col._basepos, 4 * count)
            values = np.frombuffer(raw, dtype=">u4")
            out[seg.offset : seg.offset + count] = values
        return out

    def _dates(self, column: str) -> np.ndarray:
        """Day number (``indexer.dates``) of each document's date in ``column`` (date,
        written_date); NO_DAY when missing."""
        out = np.full(self.n, NO_DAY, dtype=np.int64)
        for seg in self.segments:
            if not seg.reader.has_column(column):
                continue
            # raw column values: microseconds since 0001-01-01 (whoosh.util.times); a document
            # without a date holds the column default, outside any plausible range
            col = seg.reader.column_reader(column, translate=False)
            raw = np.array([col[i] for i in range(seg.doc_count)], dtype=object)
            ok = np.array([isinstance(v, int) and 0 < v < _MAX_MICROS for v in raw], dtype=bool)
            days = np.full(seg.doc_count, NO_DAY, dtype=np.int64)
            # day 0 of the column is 0001-01-01, whose ordinal is 1
            days[ok] = np.array([v // 86_400_000_000 + 1 for v in raw[ok]], dtype=np.int64)
            out[seg.offset : seg.offset + seg.doc_count] = days
        return out

    def _column_strings(self, column: str) -> list[str]:
        raw: list[str] = []
        for seg in self.segments:
            if not seg.reader.has_column(column):
                raw.extend([""] * seg.doc_count)
                continue
            col = seg.reader.column_reader(column, translate=True)
            raw.extend(col[i] or "" for i in range(seg.doc_count))
        return raw

    def _column_pairs(self, column: str) -> tuple[list[str], tuple[np.ndarray, np.ndarray]]:
        """Distinct values of a multi-valued facet column and its (document, code) pairs."""
        docs: list[int] = []
        names: list[str] = []
        for doc, joined in enumerate(self._column_strings(column)):
            for name in joined.split(VALUE_SEPARATOR) if joined else ():
                docs.append(doc)
                names.append(name)
        values, codes = np.unique(np.array(names, dtype=object), return_inverse=True)
        pairs = (np.array(docs, dtype=np.int64), codes.astype(np.int32).reshape(-1))
        return [str(v) for v in values], pairs

    def _column_codes(self, column: str) -> tuple[list[str], np.ndarray]:
        """Distinct values of a facet column and each document's value code (-1: none)."""
        raw = self._column_strings(column)
        values, codes = np.unique(np.array(raw, dtype=object), return_inverse=True)
        values = [str(v) for v in values]
        codes = codes.astype(np.int32)
        if values and values[0] == "":
            values = values[1:]
            codes = codes - 1
        return values, codes

    # --- postings ---

    def postings(self, field: str, text: str) -> Postings | None:
        return self.cached((field, text), lambda: self._read(field, text))

    def dense(self, key: tuple[str, ...], docs: np.ndarray, weights: np.ndarray) -> DenseTerm:
        """``weights`` of ``docs`` (a term's or a run's, named by ``key``) as a DenseTerm,
        kept in the LRU."""

        return self.cached(("dense", *key), lambda: spread(self.n, docs, weights))

    def gram_postings(self, key: int) -> GramPostings | None:
        """A bigram's or character's document list (``grams.gram_key``), cached like words."""
        return self.cached(("", key), lambda: self.grams.postings(key))

    def cached(self, key: tuple[str, Any], read: Any) -> Any:
        """``read()``, kept in the generation's LRU under ``key`` (a result of None too: a word
        the index lacks is looked up in every segment again otherwise); the cache counts the
        bytes of the arrays it returns."""
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        postings = read()
        with self._cache_lock:
            if key not in self._cache:
                self._cache[key] = postings
                self._cached += _size(postings)
                while self._cached > CACHE_BYTES and len(self._cache) > 1:
                    _, old = self._cache.popitem(last=False)
                    self._cached -= _size(old)
        return postings

    def _read(self, field: str, text: str) -> Postings | None:
        """A term's postings from the segments' words files (``words.py``)."""
        if field not in WORD_FIELDS and field not in EXACT_FIELDS:
            return None
        key, check = term_hash(field, text)
        doc_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for seg, words in zip(self.segments, self.words, strict=True):
            found = words.find(key, check)
            if found is None:
                continue
            docs, weights = words.postings(*found)
            doc_parts.append((docs + seg.offset).astype(np.int32))
            weight_parts.append(weights.astype(np.float32))
        if not doc_parts:
            return None
        docs = np.concatenate(doc_parts)
        return Postings(docs, np.concatenate(weight_parts), len(docs))

    def doc_frequency(self, field: str, text: str) -> int:
        """Documents with the term (deleted ones too), from the words files' key records."""
        key, check = term_hash(field, text)
        found = (words.find(key, check) for words in self.words)
        return sum(end - first for first, end in (f for f in found if f is not None))

    def doc_id(self, docnum: int) -> str:
        seg = self.segments[bisect.bisect_right(self._offsets, docnum) - 1]
        if seg.ids is None:
            with self.whoosh_lock:
                if seg.ids is None:
                    seg.ids = _Ids(seg.reader.column_reader("id", translate=False))
        return seg.ids[docnum - seg.offset]

    def docnum(self, doc_id: str) -> int | None:
        with self.whoosh_lock:
            return self.searcher.document_number(id=doc_id)


class _Ids:
    """A segment's id column (Whoosh's VarBytesColumn) read in one go: its bytes (~20 a
    document: 2 MB at 100k) and its offset and length arrays, which Whoosh's reader already
    holds. Whoosh read each id from the file, 4-5 µs, ten times a page (2.5% of query_bench)."""

    __slots__ = ("_data", "_offsets", "_lengths")

    def __init__(self, column: Any):
        lengths = column._lengths
        end = column._offsets[-1] + lengths[-1] if len(lengths) else 0
        self._data = column._dbfile.get(column._basepos, end) if end else b""
        self._offsets = column._offsets
        self._lengths = lengths

    def __getitem__(self, docnum: int) -> str:
        start = self._offsets[docnum]
        return self._data[start : start + self._lengths[docnum]].decode("utf-8")


def _stack_codes(
    codes: dict[str, np.ndarray], values: dict[str, list[str]]
) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """(documents x facets matrix of numbers, facet -> its numbers' range) of the facets of
    ``codes``; a document without a value in a facet has the number after every range."""
    ranges: dict[str, tuple[int, int]] = {}
    start = 0
    for facet in codes:
        ranges[facet] = (start, start + len(values[facet]))
        start += len(values[facet])
    n = len(next(iter(codes.values()))) if codes else 0
    matrix = np.full((n, len(codes)), start, dtype=np.int32)
    for column, (facet, facet_codes) in enumerate(codes.items()):
        present = facet_codes >= 0
        matrix[present, column] = facet_codes[present] + ranges[facet][0]
    return matrix, ranges


def _size(value: Any) -> int:
    """Bytes a cached value holds: its numpy arrays, and a little for the entry itself."""
    arrays = vars(value).values() if hasattr(value, "__dict__") else ()
    slots = getattr(value, "__slots__", ())
    held = [*arrays, *(getattr(value, name) for name in slots)]
    return 200 + sum(a.nbytes for a in held if isinstance(a, np.ndarray))


_MAX_MICROS = (datetime(3000, 1, 1) - datetime.min).days * 86_400_000_000
