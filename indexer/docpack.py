"""A generation's stored documents in one flat file beside the docstore, for reading hits fast.

Reading a page's ten documents from SQLite (``SELECT … WHERE id IN (…)``: two B-tree descents
and an overflow-page chain per document) was 12% of a warm query in query_bench, more than
scoring's BM25F; ``os.pread`` of the same bytes from a flat file took query_bench's mean from
1.37-1.45 to 1.28-1.29 ms (three runs alternating in one process, bench/README.md), at 0.5x
the text's size on disk. So when a build has finished writing a
generation's docstore, ``write_pack`` copies every stored document (the same bytes,
``docstore.pack``) into ``docs.pack``: a header, the 64-bit keys of the ids (blake2b) sorted,
where each document starts, then the documents. ``DocPack.read`` finds ids by binary search
on the keys and checks each document's id (a key two ids share, or a stale file, makes it
leave that id to SQLite). SQLite stays what builds write and update; any write to a docstore
removes its pack first (``DocStore``), and the builder writes a new one at the end.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import struct
from pathlib import Path

import numpy as np

#: the pack of ``docs.sqlite`` is ``docs.pack``
SUFFIX = ".pack"
_MAGIC = b"GSP1"
_HEAD = struct.Struct("<4sQ")  # magic, documents


def pack_path(store: Path) -> Path:
    return Path(store).with_suffix(SUFFIX)


def key(doc_id: str) -> int:
    """An id's key: 64 bits of its blake2b (stable across processes, unlike ``hash``)."""
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def write_pack(store: Path) -> Path:
    """Write the pack of the docstore at ``store`` (its documents as stored) and return its path;
    written to a temporary name and renamed, so a reader sees a whole pack or none."""
    target = pack_path(store)
    tmp = target.with_name(target.name + ".tmp")
    db = sqlite3.connect(f"{Path(store).resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT rowid, id, length(data) FROM docs").fetchall()
        keys = np.array([key(doc_id) for _, doc_id, _ in rows], dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        lengths = np.array([length for _, _, length in rows], dtype=np.uint64)[order]
        offsets = np.concatenate(([0], np.cumsum(lengths, dtype=np.uint64))).astype(np.uint64)
        with open(tmp, "wb") as out:
            out.write(_HEAD.pack(_MAGIC, len(rows)))
            out.write(keys[order].tobytes())
            out.write(offsets.tobytes())
            select = "SELECT data FROM docs WHERE rowid = ?"
            for i in order.tolist():
                out.write(db.execute(select, (rows[i][0],)).fetchone()[0])
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        db.close()
    os.replace(tmp, target)
    return target


class DocPack:
    """A pack opened for reading (thread-safe: documents are read with ``os.pread``)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd = os.open(self.path, os.O_RDONLY)
        try:
            magic, count = _HEAD.unpack(os.pread(self._fd, _HEAD.size, 0))
            if magic != _MAGIC:
                raise ValueError(f"{self.path} is not a document pack of this version")
            at = _HEAD.size
            self._keys = np.frombuffer(os.pread(self._fd, 8 * count, at), dtype=np.uint64)
            at += 8 * count
            offsets = os.pread(self._fd, 8 * (count + 1), at)
            self._offsets = np.frombuffer(offsets, dtype=np.uint64)
            self._data = at + 8 * (count + 1)
            whole = len(self._keys) == count and len(self._offsets) == count + 1
            if not whole or os.fstat(self._fd).st_size != self._data + int(self._offsets[-1]):
                raise ValueError(f"{self.path} is not the size its table says")
        except BaseException:
            os.close(self._fd)
            raise

    def close(self) -> None:
        os.close(self._fd)

    def read(self, ids: list[str]) -> dict[str, bytes]:
        """id -> stored bytes of each of ``ids`` whose key the pack holds (the caller checks
        that the bytes are that id's document)."""
        if not ids or not len(self._keys):
            return {}
        wanted = np.array([key(doc_id) for doc_id in ids], dtype=np.uint64)
        at = np.searchsorted(self._keys, wanted).tolist()
        out: dict[str, bytes] = {}
        n = len(self._keys)
        for doc_id, want, i in zip(ids, wanted.tolist(), at, strict=True):
            if i < n and int(self._keys[i]) == want:
                start, end = int(self._offsets[i]), int(self._offsets[i + 1])
                out[doc_id] = os.pread(self._fd, end - start, self._data + start)
        return out
