"""Reading the character view's files (``grams.py`` describes and writes them): one segment's
key tables in memory, its pages decoded on demand through a cache shared by the generation's
segments; and the file of a segment Whoosh merged from others, from theirs.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .grams import _DOC_BITS, _NS_SHIFT, BODY_GRAMS, MAGIC, MAX_SEGMENT_DOCS, write_postings
from .pages import OpenFile, decompress, unpack_u32


class PageCache:
    """Decoded pages of all the segments of a generation, least recently used dropped first."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple[int, int, int], np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int, int]) -> np.ndarray | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[int, int, int], page: np.ndarray) -> None:
        with self._lock:
            if key in self._pages:
                return
            self._pages[key] = page
            self._bytes += page.nbytes
            while self._bytes > self.max_bytes and len(self._pages) > 1:
                _, old = self._pages.popitem(last=False)
                self._bytes -= old.nbytes


#: decoded pages kept per generation; with the postings LRU and the per-document arrays this
#: keeps a server at 100k documents under 500 MB (bench/README.md)
CACHE_BYTES = 16 << 20


class GramSegment:
    """One ``.grams`` file, opened for reading (thread-safe: pages are read with ``pread``)."""

    def __init__(self, path: Path, cache: PageCache | None = None):
        self.path = path
        self._cache = cache or PageCache(CACHE_BYTES)
        self._file = OpenFile(path, MAGIC, "gram segment")
        self._fd = self._file.fd
        header = self._file.header
        arrays = {}
        try:
            for name in ("keys", "doc_counts", "pos_counts", "only_counts", "title_len",
                         "body_len", "doc_pages", "pos_pages"):  # fmt: skip
                arrays[name] = np.frombuffer(decompress(self._file.part(name)), header[name][2])
        except BaseException:
            self._file.close()
            raise
        self.doc_count = int(header["docs"])
        self._data = self._file.data
        self.keys = arrays["keys"]
        # where each key's entries and positions start: 4 bytes a key, not 8 (a 100k-document
        # generation has 4.4 million keys in its segments)
        self.doc_start = _starts(arrays["doc_counts"])
        self.pos_start = _starts(arrays["pos_counts"])
        # only title keys have a count here (0 for body keys): keep the two title ranges of the
        # sorted keys, a few percent of them, not 4 bytes for every key
        bounds = np.searchsorted(self.keys, [np.uint64(ns << _NS_SHIFT) for ns in range(4)])
        self._title_grams_end = int(bounds[1])
        self._title_chars = (int(bounds[2]), int(bounds[3]))
        self._only = (
            np.array(arrays["only_counts"][: bounds[1]]),
            np.array(arrays["only_counts"][bounds[2] : bounds[3]]),
        )
        self.title_len = arrays["title_len"]
        self.body_len = arrays["body_len"]
        self._doc_pages = arrays["doc_pages"]
        self._pos_pages = arrays["pos_pages"]
        self._entries = int(header["entries"])
        self.doc_page, self.pos_page = int(header["doc_page"]), int(header["pos_page"])
        self._positions = int(header["positions"])

    def close(self) -> None:
        self._file.close()

    def only_counts(self, i: np.ndarray) -> np.ndarray:
        """A title key's documents without it in the body, for key indices ``i`` (title keys)."""
        grams, chars = self._only
        start, end = self._title_chars
        out = np.zeros(len(i), dtype=np.int64)
        in_grams = i < self._title_grams_end
        in_chars = (i >= start) & (i < end)
        out[in_grams] = grams[i[in_grams]]
        out[in_chars] = chars[i[in_chars] - start]
        return out

    def find(self, key: int) -> int:
        """The index of ``key``, or -1."""
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        return i if i < len(self.keys) and int(self.keys[i]) == key else -1

    def _page(self, kind: int, number: int) -> np.ndarray:
        key = (self._fd, kind, number)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        offsets = self._doc_pages if kind == 0 else self._pos_pages
        start, end = int(offsets[number]), int(offsets[number + 1])
        values = unpack_u32(os.pread(self._fd, end - start, self._data + start))
        self._cache.put(key, values)
        return values

    def all_postings(self) -> tuple[np.ndarray, ...]:
        """Everything, decoded: (bigram keys, documents, positions) per position, and
        (character keys, documents, counts) per document entry."""
        n_pages = len(self._doc_pages) - 1
        pages = [self._page(0, p) for p in range(n_pages)]
        delta = np.concatenate([p[: len(p) // 2] for p in pages]) if pages else np.zeros(0)
        tfs = np.concatenate([p[len(p) // 2 :] for p in pages]) if pages else np.zeros(0)
        counts = np.diff(self.doc_start)
        key_of_entry = np.repeat(np.arange(len(self.keys)), counts)
        running = np.cumsum(delta.astype(np.int64))
        # documents restart at each key: subtract the running sum before the key's first entry
        before = (running - delta)[self.doc_start[:-1][counts > 0]]
        docs = running - np.repeat(before, counts[counts > 0])
        keys = self.keys[key_of_entry]
        is_bigram = keys >> np.uint64(_NS_SHIFT) <= BODY_GRAMS
        positions = np.concatenate(
            [self._page(1, p) for p in range(len(self._pos_pages) - 1)] or [np.zeros(0)]
        ).astype(np.int64)
        b_tfs = tfs[is_bigram].astype(np.int64)
        return (
            np.repeat(keys[is_bigram], b_tfs),
            np.repeat(docs[is_bigram], b_tfs),
            positions,
            keys[~is_bigram],
            docs[~is_bigram],
            tfs[~is_bigram].astype(np.int64),
        )

    def doc_list(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(documents, occurrences) of key index ``i``, documents ascending (segment numbers)."""
        lo, hi = int(self.doc_start[i]), int(self.doc_start[i + 1])
        docs, tfs = [], []
        size = self.doc_page
        for number in range(lo // size, (hi - 1) // size + 1):
            page = self._page(0, number)
            half = len(page) // 2
            a, b = max(lo - number * size, 0), min(hi - number * size, half)
            docs.append(page[a:b])
            tfs.append(page[half + a : half + b])
        return np.cumsum(np.concatenate(docs), dtype=np.int64), np.concatenate(tfs)

    def positions(
        self, i: int, tfs: np.ndarray, entries: np.ndarray, limit: int | None = None
    ) -> np.ndarray:
        """Positions of the document-list ``entries`` (ascending indices) of bigram key ``i``,
        concatenated in entry order; ``tfs`` is that key's occurrences per entry. Only each
        entry's first ``limit`` (its lowest) when given."""
        if not len(entries):
            return np.zeros(0, dtype=np.int64)
        ends = np.cumsum(tfs, dtype=np.int64)
        first = int(self.pos_start[i]) + (ends - tfs)[entries]
        if limit == 1:
            at = first
        else:
            counts = tfs[entries].astype(np.int64)
            if limit is not None:
                counts = np.minimum(counts, limit)
            # every wanted position's index in the segment's position array
            at = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        size = self.pos_page
        pages = sorted_unique(at // size)
        decoded = np.concatenate([self._page(1, int(p)) for p in pages])
        return decoded[np.searchsorted(pages, at // size) * size + at % size].astype(np.int64)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an ascending array, by comparing neighbours: numpy 2.4's np.unique
    hashes every value and sorts what is left, 0.45 ms a call on a run's starts at 100k
    documents (89 ms of two pair queries' 257 in cProfile)."""
    return values if len(values) < 2 else values[first_of_each(values)]


def first_of_each(values: np.ndarray) -> np.ndarray:
    """Where each stretch of equal values of a sorted array begins (a mask)."""
    first = np.empty(len(values), dtype=bool)
    if len(values):
        first[0] = True
        np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def _starts(counts: np.ndarray) -> np.ndarray:
    total = int(counts.sum(dtype=np.int64))
    dtype = np.uint32 if total < 1 << 32 else np.int64
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64))).astype(dtype)


class GramPostings:
    """One key's document list over a whole generation (global document numbers), with where
    each segment's part of it is, to fetch positions for some of its documents."""

    __slots__ = ("docs", "tfs", "parts")

    def __init__(self, docs: np.ndarray, tfs: np.ndarray, parts: list[tuple[int, int, int, int]]):
        self.docs = docs  # int64, ascending
        self.tfs = tfs  # occurrences in each document
        self.parts = parts  # (segment index, key index, first, end) slices of docs


class GramReader:
    """The gram segments of one generation, in the Whoosh segments' order and numbering."""

    def __init__(self, segments: list[tuple[Path, int]]):
        self.segments: list[GramSegment] = []
        self.offsets: list[int] = []
        cache = PageCache(CACHE_BYTES)
        try:
            for path, offset in segments:
                self.segments.append(GramSegment(path, cache))
                self.offsets.append(offset)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for seg in self.segments:
            seg.close()
        self.segments = []

    def doc_counts(self, keys: list[int]) -> list[int]:
        """Documents holding each of ``keys`` (deleted ones too), from the key tables: nothing
        decoded, one binary search a segment for all the keys (a pasted passage has a hundred
        bigrams, a 100k-document generation fourteen segments)."""
        return [int(c) for c in self._counts(keys, "doc")]

    def either_counts(self, title_keys: list[int], body_keys: list[int]) -> list[int]:
        """Documents holding each bigram (or character) in the title or the body, deleted ones
        too: the body key's count plus the title key's documents without it in the body."""
        both = self._counts(body_keys, "doc") + self._counts(title_keys, "only")
        return [int(c) for c in both]

    def _counts(self, keys: list[int], kind: str) -> np.ndarray:
        wanted = np.array(keys, dtype=np.uint64)
        total = np.zeros(len(keys), dtype=np.int64)
        for seg in self.segments:
            at = np.minimum(np.searchsorted(seg.keys, wanted), max(len(seg.keys) - 1, 0))
            if not len(seg.keys):
                continue
            found = seg.keys[at] == wanted
            i = at[found]
            if kind == "doc":
                total[found] += seg.doc_start[i + 1].astype(np.int64) - seg.doc_start[i]
            else:
                total[found] += seg.only_counts(i)
        return total

    def postings(self, key: int) -> GramPostings | None:
        docs, tfs, parts = [], [], []
        at = 0
        for k, (seg, offset) in enumerate(zip(self.segments, self.offsets, strict=True)):
            i = seg.find(key)
            if i < 0:
                continue
            d, tf = seg.doc_list(i)
            docs.append(d + offset)
            tfs.append(tf)
            parts.append((k, i, at, at + len(d)))
            at += len(d)
        if not docs:
            return None
        return GramPostings(np.concatenate(docs), np.concatenate(tfs), parts)

    def positions(
        self, postings: GramPostings, wanted: np.ndarray, limit: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) pairs of a bigram for the ``wanted`` documents (sorted global
        numbers; those the key lacks are ignored), documents ascending; only each document's
        first ``limit`` when given."""
        at = np.searchsorted(postings.docs, wanted)
        ok = at < len(postings.docs)
        at, wanted = at[ok], wanted[ok]
        entries = at[postings.docs[at] == wanted]
        out_docs, out_pos = [], []
        for k, i, lo, hi in postings.parts:
            mine = entries[(entries >= lo) & (entries < hi)]
            if not len(mine):
                continue
            tfs = postings.tfs[lo:hi]
            out_pos.append(self.segments[k].positions(i, tfs, mine - lo, limit))
            repeats = tfs[mine - lo] if limit is None else np.minimum(tfs[mine - lo], limit)
            out_docs.append(np.repeat(postings.docs[mine], repeats))
        if not out_docs:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        return np.concatenate(out_docs), np.concatenate(out_pos)

    def lengths(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Stream lengths of every document's title and body (global numbering)."""
        title, body = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        for seg, offset in zip(self.segments, self.offsets, strict=True):
            title[offset : offset + seg.doc_count] = seg.title_len
            body[offset : offset + seg.doc_count] = seg.body_len
        return title, body


def merge_segments(parts: list[tuple[GramSegment, np.ndarray]], path: Path) -> None:
    """One gram segment of the live documents of ``parts`` (segment, its live document
    numbers), numbered one after the other in that order: how Whoosh numbers a merged segment
    (``SegmentWriter.add_reader`` of each, in turn, over ``iter_docs``)."""
    title, body, bigram, chars = [], [], ([], [], []), ([], [], [])
    base = 0
    for seg, live in parts:
        remap = np.full(seg.doc_count, -1, dtype=np.int64)
        remap[live] = np.arange(len(live)) + base
        base += len(live)
        title.append(seg.title_len[live])
        body.append(seg.body_len[live])
        bkeys, bdocs, bpos, ckeys, cdocs, counts = seg.all_postings()
        for out, keep, values in (
            (bigram, remap[bdocs] >= 0, (bkeys, remap[bdocs], bpos)),
            (chars, remap[cdocs] >= 0, (ckeys, remap[cdocs], counts)),
        ):
            for acc, v in zip(out, values, strict=True):
                acc.append(v[keep])
    if base >= MAX_SEGMENT_DOCS:
        raise ValueError(f"a gram segment holds fewer than {MAX_SEGMENT_DOCS} documents")
    bkeys, bdocs, bpos = (np.concatenate(a) if a else np.zeros(0, np.uint64) for a in bigram)
    ckeys, cdocs, counts = (np.concatenate(a) if a else np.zeros(0, np.uint64) for a in chars)
    pairs = (ckeys.astype(np.uint64) << np.uint64(_DOC_BITS)) | cdocs.astype(np.uint64)
    order = np.argsort(pairs)
    write_postings(
        path,
        np.concatenate(title) if title else np.zeros(0),
        np.concatenate(body) if body else np.zeros(0),
        bkeys.astype(np.uint64),
        bdocs.astype(np.uint64),
        bpos,
        pairs[order],
        counts[order],
    )
