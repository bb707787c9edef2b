"""The word postings of one Whoosh segment in numpy, on disk: what matching and ranking read.

Whoosh keeps a term's postings as pickled blocks of 128 behind a term dictionary read in
Python: at 100k documents, 中国 in the bodies of 44,000 documents took 7.8 ms to read (a term
lookup in each of 14 segments, then 345 blocks), and a two-word query read several such lists.
The build workers write the same postings again here, from the same tokens (tests/test_words.py
checks that they are Whoosh's, term by term), one file per segment, ``<segment>.words``; Whoosh's
own postings stay for Whoosh's searcher (bench/query_bench.py's baseline).

A term is found by a 96-bit hash of its field and text: 64 bits to sort and search by, 32 more
to tell two terms apart whose first 64 agree (never seen; the chance is ~2^-64 per lookup). Only
every BLOCK-th key is kept in memory; a lookup reads one block of key records.

    magic, header length, JSON header (counts, page size, where each part starts)
    blocks      uint64[B]                          the first key of every BLOCK records
    records     (key u64, check u32, entry u64)[K+1] sorted by key, then a sentinel;
                                                   entry: where the key's postings start
    doc_pages   uint64[P+1]                        byte offsets of the pages in the data
    data        pages of DOC_PAGE entries: documents (deltas within a key), then weights
                (occurrences x the field's boost, as Whoosh stores them)
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .pages import OpenFile, compress, decompress, pack_u32, unpack_u32, write_file

MAGIC = b"GOVWORDS2\n"
SUFFIX = ".words"
#: key records read by one lookup
BLOCK = 64
DOC_PAGE = 4096
_RECORD = np.dtype([("key", "<u8"), ("check", "<u4"), ("entry", "<u8")])


def term_hash(field: str, text: str) -> tuple[int, int]:
    """(key, check) of a term of a field."""
    digest = hashlib.blake2b(f"{field}\0{text}".encode(), digest_size=12).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


class WordWriter:
    """Collects the word postings of a segment's documents, in the segment's document order."""

    def __init__(self) -> None:
        self._hashes: dict[tuple[str, str], tuple[int, int]] = {}
        # typed arrays, not lists: a segment's millions of postings as Python ints took ~36
        # bytes each (most of a build worker's 1.4 GB peak)
        self._keys = array("Q")
        self._checks = array("I")
        self._docs = array("I")
        self._weights = array("I")
        self.docs = 0

    def add(self, postings: Iterable[tuple[str, str, int]]) -> None:
        """The next document's (field, term, weight) postings."""
        doc = self.docs
        for field, text, weight in postings:
            hashed = self._hashes.get((field, text))
            if hashed is None:
                hashed = self._hashes[(field, text)] = term_hash(field, text)
            self._keys.append(hashed[0])
            self._checks.append(hashed[1])
            self._docs.append(doc)
            self._weights.append(weight)
        self.docs += 1

    def write(self, path: Path) -> None:
        write_postings(
            path,
            np.frombuffer(self._keys, dtype=np.uint64),
            np.frombuffer(self._checks, dtype=np.uint32),
            np.frombuffer(self._docs, dtype=np.uint32).astype(np.int64),
            np.frombuffer(self._weights, dtype=np.uint32).astype(np.int64),
        )


def write_postings(
    path: Path, keys: np.ndarray, checks: np.ndarray, docs: np.ndarray, weights: np.ndarray
) -> None:
    """Write a words file of (key, check, document, weight) postings, in any order."""
    order = np.lexsort((docs, keys))
    keys, checks, docs, weights = keys[order], checks[order], docs[order], weights[order]
    first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(first)
    records = np.zeros(len(starts) + 1, dtype=_RECORD)
    records["key"][:-1] = keys[starts]
    records["check"][:-1] = checks[starts]
    records["entry"][:-1] = starts
    records[-1] = (np.iinfo(np.uint64).max, 0, len(keys))  # the sentinel: where the last ends
    delta = docs.copy()
    delta[1:] -= np.where(first[1:], 0, docs[:-1])
    data: list[bytes] = []
    doc_pages = [0]
    for at in range(0, len(delta), DOC_PAGE):
        page = np.concatenate((delta[at : at + DOC_PAGE], weights[at : at + DOC_PAGE]))
        data.append(pack_u32(page))
        doc_pages.append(doc_pages[-1] + len(data[-1]))
    blocks = records["key"][:-1][::BLOCK].astype("<u8")
    parts = {
        "blocks": compress(blocks.tobytes()),
        "records": records.tobytes(),  # read a block at a time: not compressed
        "doc_pages": compress(np.array(doc_pages, dtype="<u8").tobytes()),
    }
    header: dict = {"keys": len(starts), "entries": len(keys), "doc_page": DOC_PAGE}
    write_file(path, MAGIC, header, parts, data)


class WordSegment:
    """One ``.words`` file, opened for reading (thread-safe: it is read with ``pread``)."""

    def __init__(self, path: Path):
        self.path = path
        self._file = OpenFile(path, MAGIC, "words file")
        self._fd = self._file.fd
        header = self._file.header
        try:
            self.blocks = np.frombuffer(decompress(self._file.part("blocks")), dtype="<u8")
            self._pages = np.frombuffer(decompress(self._file.part("doc_pages")), dtype="<u8")
        except BaseException:
            self._file.close()
            raise
        self._records = self._file.base + header["records"][0]
        self._keys = int(header["keys"])
        self._data = self._file.data
        self.doc_page = int(header["doc_page"])

    def close(self) -> None:
        self._file.close()

    def _block(self, b: int) -> np.ndarray:
        """Key records b*BLOCK .. (b+1)*BLOCK, and the one after (where the last one ends)."""
        first = b * BLOCK
        count = min(BLOCK, self._keys - first) + 1
        raw = os.pread(self._fd, count * _RECORD.itemsize, self._records + first * _RECORD.itemsize)
        return np.frombuffer(raw, dtype=_RECORD)

    def find(self, key: int, check: int) -> tuple[int, int] | None:
        """The (first, end) entries of a term's postings, or None."""
        b = int(np.searchsorted(self.blocks, np.uint64(key), side="right")) - 1
        if b < 0:
            return None
        records = self._block(b)
        i = int(np.searchsorted(records["key"], np.uint64(key)))
        if i >= len(records) - 1 or int(records["key"][i]) != key:
            return None
        if int(records["check"][i]) != check:
            return None
        return int(records["entry"][i]), int(records["entry"][i + 1])

    def postings(self, first: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """(documents, weights) of entries first .. end-1, documents ascending."""
        docs, weights = [], []
        size = self.doc_page
        for number in range(first // size, (end - 1) // size + 1):
            start, stop = int(self._pages[number]), int(self._pages[number + 1])
            page = unpack_u32(os.pread(self._fd, stop - start, self._data + start))
            half = len(page) // 2
            a, b = max(first - number * size, 0), min(end - number * size, half)
            docs.append(page[a:b])
            weights.append(page[half + a : half + b])
        return np.cumsum(np.concatenate(docs), dtype=np.int64), np.concatenate(weights)

    def all_postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every (key, check, document, weight) posting, decoded (to merge segments)."""
        raw = os.pread(self._fd, (self._keys + 1) * _RECORD.itemsize, self._records)
        records = np.frombuffer(raw, dtype=_RECORD)
        entries = int(records["entry"][-1])
        if not entries:
            empty = np.zeros(0, dtype=np.int64)
            return empty.astype(np.uint64), empty.astype(np.uint32), empty, empty
        counts = np.diff(records["entry"].astype(np.int64))
        pages = [
            unpack_u32(os.pread(self._fd, int(b - a), self._data + int(a)))
            for a, b in zip(self._pages[:-1], self._pages[1:], strict=True)
        ]
        delta = np.concatenate([p[: len(p) // 2] for p in pages]).astype(np.int64)
        weights = np.concatenate([p[len(p) // 2 :] for p in pages]).astype(np.int64)
        key_of = np.repeat(np.arange(self._keys), counts)
        running = np.cumsum(delta)
        starts = records["entry"][:-1].astype(np.int64)
        before = (running - delta)[starts[counts > 0]]
        docs = running - np.repeat(before, counts[counts > 0])
        return records["key"][:-1][key_of], records["check"][:-1][key_of], docs, weights


def merge_words(parts: list[tuple[WordSegment, np.ndarray]], path: Path) -> None:
    """One words file of the live documents of ``parts`` (segment, its live document numbers),
    numbered one after the other in that order, as Whoosh numbers a merged segment."""
    keys, checks, docs, weights = [], [], [], []
    base = 0
    for seg, live in parts:
        k, c, d, w = seg.all_postings()
        size = max(int(d.max()) if len(d) else -1, int(live.max()) if len(live) else -1) + 1
        remap = np.full(size, -1, dtype=np.int64)
        remap[live] = np.arange(len(live)) + base
        keep = remap[d] >= 0
        keys.append(k[keep])
        checks.append(c[keep])
        docs.append(remap[d[keep]])
        weights.append(w[keep])
        base += len(live)
    write_postings(
        path,
        np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64),
        np.concatenate(checks) if checks else np.zeros(0, dtype=np.uint32),
        np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
        np.concatenate(weights) if weights else np.zeros(0, dtype=np.int64),
    )
