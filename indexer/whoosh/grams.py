"""The character view of one Whoosh segment: bigram and character postings in numpy, on disk.

Whoosh writes a posting in Python (a pool entry, a sort, a pickled block): at one bigram per
character that doubled the build time of the laws and let a phrase check decode positions at a
few microseconds each. This file format is written and read with numpy instead (one sort per
segment, pages in ``pages.py``'s codec): on all of lawrefbook-laws (18.5M characters) the
bigram postings compress to ~1.6 bytes a position (bench/README.md). One file per segment,
``<segment name>.grams``, documents numbered as in the segment.

Keys: ``ns << 42 | first << 21 | second`` for a bigram, ``ns << 42 | char << 21`` for a single
character; ``ns`` is TITLE_GRAMS, BODY_GRAMS (bigrams, with positions: the character's index in
the field's stream) or TITLE_CHARS, BODY_CHARS (single characters: which documents, how often).
Per key, a document list (documents ascending, occurrences of each) and, for bigrams, the
positions (ascending within each document), stored in fixed-size pages so that a lookup
decompresses only the pages it needs.

    magic, header length, JSON header (counts, page sizes, where each array starts)
    keys          uint64[K]     sorted
    doc_counts    uint32[K]     entries of each key's document list
    pos_counts    uint32[K]     positions of each key (0 for single characters)
    only_counts   uint32[K]     a title key's documents that lack it in the body (0 for body
                                keys): a keyword's document frequency over title and body is
                                the body key's count plus this, read without decoding postings
    title_len     uint32[n]     stream length of each document's title
    body_len      uint32[n]
    doc_pages     uint64[.+1]   byte offsets of the document-list pages in the data
    pos_pages     uint64[.+1]   byte offsets of the position pages
    data          pages (``pages.py``) of uint32 values (docs as deltas within a key,
                  then occurrences; positions as they are)
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..chars import CHAR_BITS
from .pages import compress, decompress, pack_u32, unpack_u32

TITLE_GRAMS, BODY_GRAMS, TITLE_CHARS, BODY_CHARS = 0, 1, 2, 3
_NS_SHIFT = 2 * CHAR_BITS
_CHAR_MASK = (1 << CHAR_BITS) - 1
#: per-document bits of the sort key (keys need 44): a segment holds fewer documents than this
_DOC_BITS = 20
MAX_SEGMENT_DOCS = 1 << _DOC_BITS
MAGIC = b"GOVGRAMS4\n"
DOC_PAGE = 4096
#: positions are read for a few documents of a key at a time: a small page decodes little that
#: is not wanted (8192 positions a page spent most of a two-word query's time at 100k documents)
POS_PAGE = 2048
SUFFIX = ".grams"
_SEP = 0  # separates the streams in a writer's buffer; never part of a stream


def gram_key(ns: int, first: int, second: int = 0) -> int:
    return (ns << _NS_SHIFT) | (first << CHAR_BITS) | second


class GramWriter:
    """Collects the streams of a segment's documents, in the segment's document order."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.chars = 0
        self.docs = 0

    def add(self, title: str, body: str) -> None:
        self._parts += (title, body)
        self.chars += len(title) + len(body)
        self.docs += 1

    def write(self, path: Path) -> None:
        if self.docs >= MAX_SEGMENT_DOCS:
            raise ValueError(f"a gram segment holds fewer than {MAX_SEGMENT_DOCS} documents")
        lengths = np.array([len(p) for p in self._parts], dtype=np.int64)
        text = "\0".join(self._parts) + "\0"
        cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        # which field (2 per document) and where in it each character of the buffer is
        field = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths + 1)
        starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
        pos = np.arange(len(cps), dtype=np.int64) - starts[field]
        doc = (field >> 1).astype(np.uint64)
        ns = (field & 1).astype(np.uint64)
        real = cps != _SEP
        # bigrams: this character and the next, both in the same stream
        both = real[:-1] & real[1:]
        bkeys = (ns[:-1] << _NS_SHIFT) | (cps[:-1] << CHAR_BITS) | cps[1:]
        bkeys, bdocs, bpos = bkeys[both], doc[:-1][both], pos[:-1][both]
        # single characters: (key, document) pairs with their counts
        ckeys = ((ns[real] + TITLE_CHARS) << _NS_SHIFT) | (cps[real] << CHAR_BITS)
        pairs, counts = np.unique((ckeys << _DOC_BITS) | doc[real], return_counts=True)
        write_postings(path, lengths[0::2], lengths[1::2], bkeys, bdocs, bpos, pairs, counts)


def write_postings(
    path: Path,
    title_len: np.ndarray,
    body_len: np.ndarray,
    bkeys: np.ndarray,
    bdocs: np.ndarray,
    bpos: np.ndarray,
    pairs: np.ndarray,
    counts: np.ndarray,
) -> None:
    """Write a gram segment: bigram postings (key, document, position) in any order but with
    positions ascending within each (key, document); characters as sorted unique
    ``key << 20 | document`` pairs with their counts."""
    # stable: positions stay ascending within a (key, document)
    order = np.argsort((bkeys << _DOC_BITS) | bdocs, kind="stable")
    bkeys, bdocs, bpos = bkeys[order], bdocs[order], bpos[order]
    # a bigram's document list: one entry per (key, document), counting its positions
    new = np.r_[True, (bkeys[1:] != bkeys[:-1]) | (bdocs[1:] != bdocs[:-1])]
    entry_keys, entry_docs = bkeys[new], bdocs[new]
    entry_tfs = np.diff(np.r_[np.flatnonzero(new), len(bkeys)])
    ckeys, cdocs = pairs >> _DOC_BITS, pairs & (MAX_SEGMENT_DOCS - 1)
    keys_all = np.concatenate((entry_keys, ckeys))  # bigram namespaces sort first
    docs_all = np.concatenate((entry_docs, cdocs)).astype(np.int64)
    tfs_all = np.concatenate((entry_tfs, counts))
    first = np.r_[True, keys_all[1:] != keys_all[:-1]]
    keys = keys_all[first]
    doc_counts = np.diff(np.r_[np.flatnonzero(first), len(keys_all)])
    delta = docs_all.copy()
    delta[1:] -= np.where(first[1:], 0, docs_all[:-1])
    bigram_keys = keys >> _NS_SHIFT <= BODY_GRAMS
    key_of_entry = np.cumsum(first) - 1
    pos_counts = np.bincount(
        key_of_entry[: len(entry_keys)], weights=entry_tfs, minlength=len(keys)
    ).astype(np.int64)
    pos_counts[~bigram_keys] = 0
    # a title entry whose document also has the same bigram (or character) in the body
    ns_of_entry = keys_all >> _NS_SHIFT
    body_twin = np.uint64(BODY_GRAMS - TITLE_GRAMS) << np.uint64(_NS_SHIFT)
    is_title = (ns_of_entry == TITLE_GRAMS) | (ns_of_entry == TITLE_CHARS)
    entry_codes = (keys_all.astype(np.uint64) << np.uint64(_DOC_BITS)) | docs_all.astype(np.uint64)
    twin_codes = ((keys_all + body_twin) << np.uint64(_DOC_BITS)) | docs_all.astype(np.uint64)
    # entry codes are sorted (keys, then documents): a binary search for the few title entries
    # (np.isin hashed every entry: 1.9 s of a 23 s segment of 600 laws)
    in_body = np.zeros(len(keys_all), dtype=bool)
    wanted = twin_codes[is_title]
    at = np.minimum(np.searchsorted(entry_codes, wanted), max(len(entry_codes) - 1, 0))
    in_body[is_title] = entry_codes[at] == wanted if len(entry_codes) else False
    only_counts = np.bincount(
        key_of_entry, weights=(is_title & ~in_body).astype(np.int64), minlength=len(keys)
    ).astype(np.int64)
    data: list[bytes] = []
    doc_pages = [0]
    for at in range(0, len(delta), DOC_PAGE):
        data.append(
            pack_u32(np.concatenate((delta[at : at + DOC_PAGE], tfs_all[at : at + DOC_PAGE])))
        )
        doc_pages.append(doc_pages[-1] + len(data[-1]))
    pos_pages = [doc_pages[-1]]
    for at in range(0, len(bpos), POS_PAGE):
        data.append(pack_u32(bpos[at : at + POS_PAGE]))
        pos_pages.append(pos_pages[-1] + len(data[-1]))
    arrays = {
        "keys": keys.astype("<u8"),
        "doc_counts": doc_counts.astype("<u4"),
        "pos_counts": pos_counts.astype("<u4"),
        "only_counts": only_counts.astype("<u4"),
        "title_len": title_len.astype("<u4"),
        "body_len": body_len.astype("<u4"),
        "doc_pages": np.array(doc_pages, dtype="<u8"),
        "pos_pages": np.array(pos_pages, dtype="<u8"),
    }
    blobs = {name: compress(a.tobytes()) for name, a in arrays.items()}
    header: dict = {
        "docs": len(title_len),
        "entries": len(delta),
        "positions": len(bpos),
        "doc_page": DOC_PAGE,
        "pos_page": POS_PAGE,
    }
    offset = 0
    for name, blob in blobs.items():
        header[name] = [offset, len(blob), str(arrays[name].dtype), len(arrays[name])]
        offset += len(blob)
    header["data"] = offset
    head = json.dumps(header).encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(MAGIC + len(head).to_bytes(4, "little") + head)
        for blob in blobs.values():
            f.write(blob)
        for blob in data:
            f.write(blob)
    os.replace(tmp, path)


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
        self._fd = os.open(path, os.O_RDONLY)
        try:
            head = os.pread(self._fd, len(MAGIC) + 4, 0)
            if head[: len(MAGIC)] != MAGIC:
                raise ValueError(f"{path}: not a gram segment")
            size = int.from_bytes(head[len(MAGIC) :], "little")
            header = json.loads(os.pread(self._fd, size, len(MAGIC) + 4))
            base = len(MAGIC) + 4 + size
            arrays = {}
            for name in ("keys", "doc_counts", "pos_counts", "only_counts", "title_len",
                         "body_len", "doc_pages", "pos_pages"):  # fmt: skip
                at, length, dtype, _ = header[name]
                raw = decompress(os.pread(self._fd, length, base + at))
                arrays[name] = np.frombuffer(raw, dtype=dtype)
        except BaseException:
            os.close(self._fd)
            raise
        self.doc_count = int(header["docs"])
        self._data = base + int(header["data"])
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
        os.close(self._fd)

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

    def positions(self, i: int, tfs: np.ndarray, entries: np.ndarray) -> np.ndarray:
        """Positions of the document-list ``entries`` (ascending indices) of bigram key ``i``,
        concatenated in entry order; ``tfs`` is that key's occurrences per entry."""
        if not len(entries):
            return np.zeros(0, dtype=np.int64)
        ends = np.cumsum(tfs, dtype=np.int64)
        first = int(self.pos_start[i]) + (ends - tfs)[entries]
        counts = tfs[entries].astype(np.int64)
        # every wanted position's index in the segment's position array
        at = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        size = self.pos_page
        pages = np.unique(at // size)
        decoded = np.concatenate([self._page(1, int(p)) for p in pages])
        return decoded[np.searchsorted(pages, at // size) * size + at % size].astype(np.int64)


def _starts(counts: np.ndarray) -> np.ndarray:
    total = int(counts.sum(dtype=np.int64))
    dtype = np.uint32 if total < 1 << 32 else np.int64
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64))).astype(dtype)


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
        self, postings: GramPostings, wanted: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) pairs of a bigram for the ``wanted`` documents (sorted global
        numbers; those the key lacks are ignored), documents ascending."""
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
            out_pos.append(self.segments[k].positions(i, tfs, mine - lo))
            out_docs.append(np.repeat(postings.docs[mine], tfs[mine - lo]))
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
