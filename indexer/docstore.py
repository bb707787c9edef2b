"""The documents of one generation, as compressed JSON in SQLite (no Whoosh here).

Whoosh keeps only what it needs to match and rank; what pages and the API show is read from here
for the few hits of a page, so the Whoosh index stays small and a second engine can share it.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import DocumentNotFoundError
from .records import Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id TEXT PRIMARY KEY,
    source_path TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_source_path ON docs (source_path);
"""


def pack(doc: Document) -> bytes:
    """The stored form of a Document (build workers pack, so the one writer only inserts)."""
    return zlib.compress(json.dumps(doc.to_dict(), ensure_ascii=False).encode("utf-8"), 6)


def _unpack(blob: bytes) -> Document:
    return Document.from_dict(json.loads(zlib.decompress(blob)))


class DocStore:
    def __init__(self, path: Path | str, *, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> DocStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put_many(self, rows: Iterable[tuple[Document, str]]) -> None:
        """Store (document, content hash of its source files) pairs, replacing same ids."""
        self._db.executemany(
            "INSERT OR REPLACE INTO docs (id, source_path, content_hash, data) VALUES (?, ?, ?, ?)",
            ((d.id, d.source_path, h, pack(d)) for d, h in rows),
        )
        self._db.commit()

    def put_packed(self, rows: Iterable[tuple[str, str, str, bytes]]) -> None:
        """Store (id, source_path, content_hash, pack(doc)) rows, replacing same ids."""
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
        out: dict[str, Document] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for doc_id, blob in self._db.execute(
                f"SELECT id, data FROM docs WHERE id IN ({marks})", chunk
            ):
                out[doc_id] = _unpack(blob)
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
