"""The character view of one Whoosh segment: bigram and character postings in numpy, on disk
(written here; ``gram_reader.py`` reads and merges them).

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

from pathlib import Path

import numpy as np

from ..chars import CHAR_BITS
from .pages import compress, pack_u32, write_file

TITLE_GRAMS, BODY_GRAMS, TITLE_CHARS, BODY_CHARS = 0, 1, 2, 3
_NS_SHIFT = 2 * CHAR_BITS
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
        # 4-byte arrays where they suffice, temporaries dropped early: a worker's peak memory
        # is this method's, over SEGMENT_CHARS characters
        lengths = np.array([len(p) for p in self._parts], dtype=np.int64)
        cps = np.frombuffer(("\0".join(self._parts) + "\0").encode("utf-32-le"), dtype="<u4")
        self._parts = []
        # which field (2 per document) and where in it each character of the buffer is
        field = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths + 1)
        starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int32)
        pos = np.arange(len(cps), dtype=np.int32) - starts[field]
        doc = (field >> 1).astype(np.uint32)
        ns = (field & 1).astype(np.uint64)
        del field, starts
        real = cps != _SEP
        wide = cps.astype(np.uint64)
        # bigrams: this character and the next, both in the same stream
        both = real[:-1] & real[1:]
        bkeys = ((ns[:-1] << _NS_SHIFT) | (wide[:-1] << CHAR_BITS) | wide[1:])[both]
        bdocs, bpos = doc[:-1][both], pos[:-1][both]
        del both, pos
        # single characters: (key, document) pairs with their counts
        ckeys = ((ns[real] + TITLE_CHARS) << _NS_SHIFT) | (wide[real] << CHAR_BITS)
        codes = (ckeys << _DOC_BITS) | doc[real]
        del ckeys, wide, ns, doc, real, cps
        pairs, counts = np.unique(codes, return_counts=True)
        del codes
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
    order = np.argsort((bkeys << _DOC_BITS) | bdocs.astype(np.uint64), kind="stable")
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
    header: dict = {
        "docs": len(title_len),
        "entries": len(delta),
        "positions": len(bpos),
        "doc_page": DOC_PAGE,
        "pos_page": POS_PAGE,
        **{name: [str(a.dtype)] for name, a in arrays.items()},
    }
    parts = {name: compress(a.tobytes()) for name, a in arrays.items()}
    write_file(path, MAGIC, header, parts, data)
