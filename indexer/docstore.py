"""The documents of one generation, as JSON and compressed text in SQLite (no engine here).

Engines keep only what they need to match and rank; what pages and the API show is read from
here for the few hits of a page, so an engine's index stays small and both engines share it.

A stored document is its fields without the body (JSON, the fields that differ from a Document's
defaults only) followed by the body in pieces, each on its own, with where each piece starts in
the body and in its stream (``chars.stream``: whitespace left out). A hit's snippet reads only
the pieces around its match: decompressing whole bodies was 0.25 s of 1.47 s of 200 queries on
the laws (issue 13's profile), for a window of 150 characters.

Pieces of 2,048 characters in zstd level 3 (measured over 300 random laws): 13 µs to decompress
and decode a piece, 0.41 of the UTF-8 size; 4,096 characters in zlib level 6 (the format before,
GSD2) took 38 µs at 0.35. The first piece is shorter, LEAD_CHARS, and plain UTF-8: a snippet's
window ends in the first 512 characters for 83% of query_bench's hits (in 2,048 for 97%);
decompressing 512 characters took 5.6 µs (ratio 0.55), 12 µs a hit amid a query's other work
(GSD4), and storing them plain adds ~0.05x the laws' text to the index. The fields are stored
as plain JSON without their defaults: a law's 33 fields took 2.6 µs to decompress and 5.9 µs to
parse (GSD3); a law's non-default ones ~2 µs.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import sqlite3
import struct
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from .chars import IGNORED
from .compression import compress, decompress
from .docpack import DocPack, pack_path
from .errors import DocumentNotFoundError
from .records import Document, field_defaults

#: characters of a body piece: ~6 KB of UTF-8, decompressed in ~13 µs
CHUNK_CHARS = 2048
#: characters of a body's first piece (where most snippets are)
LEAD_CHARS = 512
_MAGIC = b"GSD5"
#: recorded in an index's meta.json: an index whose documents are stored another way is rebuilt
FORMAT_VERSION = (
    "GSD5: plain JSON fields without defaults, a plain first piece of 512 characters, then zstd "
    "pieces of 2048"
)
_COUNTS = struct.Struct("<4sIII")  # magic, length of the fields' JSON, pieces, body length
_PIECE = struct.Struct("<III")  # compressed length, first character, first stream character

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY,
    source_path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_source_path ON docs (source_path);
"""


def piece_starts(length: int) -> list[int]:
    """Where the pieces of a body of ``length`` characters start."""
    return [0, *range(LEAD_CHARS, length, CHUNK_CHARS)] if length else []


def pack(doc: Document) -> bytes:
    """The stored form of a Document (build workers pack, so the one writer only inserts)."""
    defaults = field_defaults(Document)
    fields = {k: v for k, v in doc.to_dict().items() if k != "body" and v != defaults[k]}
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = doc.body
    pieces, table = [], []
    streamed = 0
    starts = piece_starts(len(body))
    for start, end in zip(starts, [*starts[1:], len(body)][: len(starts)], strict=True):
        text = body[start:end]
        data = text.encode("utf-8", "surrogatepass")
        pieces.append(compress(data) if start else data)  # the first piece plain: LEAD_CHARS
        table.append(_PIECE.pack(len(pieces[-1]), start, streamed))
        streamed += len(text) - sum(len(m) for m in IGNORED.findall(text))
    counts = _COUNTS.pack(_MAGIC, len(head), len(pieces), len(body))
    return b"".join([counts, *table, head, *pieces])


@functools.lru_cache(maxsize=256)
def _table(count: int) -> struct.Struct:
    """The piece table of ``count`` pieces, read in one call (_PIECE's fields, repeated)."""
    return struct.Struct("<" + "III" * count)


class StoredDocument:
    """A stored document whose body pieces are decompressed only when asked for."""

    __slots__ = (
        "head", "body_length", "pieces", "_fields", "_blob", "_head_end", "_table", "_pieces"
    )

    def __init__(self, blob: bytes):
        magic, head_len, count, self.body_length = _COUNTS.unpack_from(blob)
        if magic != _MAGIC:
            raise ValueError("not a stored document of this version (rebuild the index)")
        self.pieces = count
        at = _COUNTS.size + count * _PIECE.size
        #: the fields without the body as stored (a hit copies them: making a Document of every
        #: hit was a tenth of a snippet's time)
        self.head: dict = json.loads(blob[at : at + head_len])
        self._fields: Document | None = None
        self._blob = blob
        self._head_end = at + head_len
        # the piece table, read when a piece other than the first is asked for: most hits'
        # snippets are in the first (a long law's table is 150 pieces)
        self._table: tuple[tuple[int, ...], tuple[int, ...], list[int]] | None = None
        self._pieces: dict[int, str] = {}

    def _pieces_table(self) -> tuple[tuple[int, ...], tuple[int, ...], list[int]]:
        """(first characters, first stream characters, offsets in the blob) of the pieces."""
        if self._table is None:
            # the piece table as one tuple (length, first character, first stream character, …)
            table = _table(self.pieces).unpack_from(self._blob, _COUNTS.size)
            offsets = list(itertools.accumulate(table[0::3], initial=self._head_end))
            self._table = (table[1::3], table[2::3], offsets)
        return self._table

    @property
    def fields(self) -> Document:
        """The Document without its body."""
        if self._fields is None:
            self._fields = Document.from_dict(self.head)
        return self._fields

    def piece(self, i: int) -> tuple[int, str]:
        """(first character in the body, text) of body piece ``i``."""
        text = self._pieces.get(i)
        if i == 0:
            if text is None:  # the first piece is plain and right after the fields
                length = _PIECE.unpack_from(self._blob, _COUNTS.size)[0]
                raw = self._blob[self._head_end : self._head_end + length]
                text = self._pieces[0] = raw.decode("utf-8", "surrogatepass")
            return 0, text
        starts, _, offsets = self._pieces_table()
        if text is None:
            raw = decompress(self._blob[offsets[i] : offsets[i + 1]])
            text = self._pieces[i] = raw.decode("utf-8", "surrogatepass")
        return starts[i], text

    def piece_of_stream(self, position: int) -> int:
        """The piece holding stream character ``position`` of the body."""
        # the last piece whose stream start is <= position
        return max(0, bisect.bisect_right(self._pieces_table()[1], position) - 1)

    def stream_start(self, i: int) -> int:
        """Where piece ``i`` starts in the body's stream."""
        return self._pieces_table()[1][i]

    def lead(self, chars: int) -> str:
        """The body's first ``chars`` characters (only the pieces holding them decompressed)."""
        out = [self.piece(0)[1]] if self.pieces else []
        if self.pieces > 1 and len(out[0]) < chars:
            starts = self._pieces_table()[0]
            for i in range(1, self.pieces):
                if starts[i] >= chars:
                    break
                out.append(self.piece(i)[1])
        return "".join(out)[:chars]

    def document(self) -> Document:
        """The whole Document, body included."""
        body = "".join(self.piece(i)[1] for i in range(self.pieces))
        return replace(self.fields, body=body)


def _unpack(blob: bytes) -> Document:
    return StoredDocument(blob).document()


class DocStore:
    def __init__(self, path: Path | str, *, readonly: bool = False):
        self.path = Path(path)
        self._pack: DocPack | None = None
        if readonly:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            if pack_path(self.path).exists():
                try:
                    self._pack = DocPack(pack_path(self.path))
                except (OSError, ValueError):
                    self._pack = None  # unreadable: SQLite answers everything
        else:
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()
        if self._pack is not None:
            self._pack.close()

    def _writing(self) -> None:
        """A write makes the pack of this docstore stale: it goes first (the builder writes
        a new one when it is done, ``docpack.write_pack``)."""
        pack_path(self.path).unlink(missing_ok=True)

    def __enter__(self) -> DocStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put_many(self, rows: Iterable[tuple[Document, str]]) -> None:
        """Store (document, content hash of its source files) pairs, replacing same ids."""
        self._writing()
        self._db.executemany(
            "INSERT OR REPLACE INTO docs (id, source_path, content_hash, data) VALUES (?, ?, ?, ?)",
            ((d.id, d.source_path, h, pack(d)) for d, h in rows),
        )
        self._db.commit()

    def put_packed(self, rows: Iterable[tuple[str, str, str, bytes]]) -> None:
        """Store (id, source_path, content_hash, pack(doc)) rows, replacing same ids."""
        self._writing()
        self._db.executemany(
            "INSERT OR REPLACE INTO docs (id, source_path, content_hash, data) VALUES (?, ?, ?, ?)",
            rows,
        )
        self._db.commit()

    def source_hashes(self) -> dict[str, str]:
        """source_path -> content hash of the source files its documents came from."""
        return dict(self._db.execute("SELECT DISTINCT source_path, content_hash FROM docs"))

    def ids_of_sources(self, source_paths: Iterable[str]) -> list[str]:
        paths = list(source_paths)
        out: list[str] = []
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            marks = ",".join("?" * len(chunk))
            out.extend(
                i
                for (i,) in self._db.execute(
                    f"SELECT id FROM docs WHERE source_path IN ({marks})", chunk
                )
            )
        return out

    def delete_many(self, ids: Iterable[str]) -> None:
        self._writing()
        self._db.executemany("DELETE FROM docs WHERE id = ?", ((i,) for i in ids))
        self._db.commit()

    def get(self, doc_id: str) -> Document | None:
        row = self._db.execute("SELECT data FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return _unpack(row[0]) if row else None

    def require(self, doc_id: str) -> Document:
        """The document ``doc_id``; DocumentNotFoundError when there is none."""
        doc = self.get(doc_id)
        if doc is None:
            raise DocumentNotFoundError(f"no document {doc_id!r}")
        return doc

    def get_many(self, ids: list[str]) -> dict[str, Document]:
        return {i: stored.document() for i, stored in self.get_stored(ids).items()}

    def get_stored(self, ids: list[str]) -> dict[str, StoredDocument]:
        """The documents ``ids`` with their bodies still compressed, piece by piece: from the
        pack when there is one (``docpack``), else, and for what it lacks, from SQLite."""
        out: dict[str, StoredDocument] = {}
        if self._pack is not None:
            for doc_id, blob in self._pack.read(ids).items():
                try:
                    doc = StoredDocument(blob)
                except (ValueError, struct.error):
                    continue  # a damaged pack: SQLite has the document
                if doc.head.get("id") == doc_id:
                    out[doc_id] = doc
            ids = [i for i in ids if i not in out]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for doc_id, blob in self._db.execute(
                f"SELECT id, data FROM docs WHERE id IN ({marks})", chunk
            ):
                out[doc_id] = StoredDocument(blob)
        return out

    def hashes(self) -> dict[str, tuple[str, str]]:
        """id -> (source_path, content_hash), for incremental updates."""
        return {
            i: (p, h)
            for i, p, h in self._db.execute("SELECT id, source_path, content_hash FROM docs")
        }

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]

    def __iter__(self) -> Iterator[Document]:
        for (blob,) in self._db.execute("SELECT data FROM docs ORDER BY id"):
            yield _unpack(blob)
