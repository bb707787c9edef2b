"""The layout and page codec of our own posting files (``grams.py``, ``words.py``): a JSON
header, parts, then pages of uint32 values as zstandard of their byte planes (the high bytes of
small numbers are zeros, which compresses).

Measured on a 100k-document index's pages (8 KB of positions, 32 KB of document lists):
zstd level 3 decodes in 16.5 / 57 µs where zlib level 1 took 28 / 84, at a slightly better
ratio (0.34 / 0.15 of the raw bytes); putting the planes back together column by column takes
17 µs for 32 KB where a transposed copy took 65.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..compression import compress, decompress


def pack_u32(values: np.ndarray) -> bytes:
    """uint32 ``values`` as one compressed page."""
    return compress(values.astype("<u4").view(np.uint8).reshape(-1, 4).T.tobytes())


def unpack_u32(blob: bytes) -> np.ndarray:
    """The uint32 values of a page written by ``pack_u32``."""
    planes = np.frombuffer(decompress(blob), dtype=np.uint8).reshape(4, -1)
    out = np.empty((planes.shape[1], 4), dtype=np.uint8)
    for k in range(4):
        out[:, k] = planes[k]
    return out.view("<u4").ravel()


def write_file(
    path: Path, magic: bytes, header: dict, parts: dict[str, bytes], pages: list[bytes]
) -> None:
    """One of our files: ``magic``, the header's length and the header (JSON: ``header`` and,
    for each part, ``[where it starts, its length]`` after any values already there, and where
    the pages start), the parts, the pages. Written beside ``path`` and renamed into place."""
    offset = 0
    for name, blob in parts.items():
        header[name] = [offset, len(blob), *header.get(name, [])]
        offset += len(blob)
    header["data"] = offset
    head = json.dumps(header).encode("utf-8")
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(magic + len(head).to_bytes(4, "little") + head)
        for blob in (*parts.values(), *pages):
            f.write(blob)
    os.replace(tmp, path)


class OpenFile:
    """A file of ``write_file`` opened for reading with ``pread`` (thread-safe)."""

    def __init__(self, path: Path, magic: bytes, what: str):
        self.fd = os.open(path, os.O_RDONLY)
        try:
            head = os.pread(self.fd, len(magic) + 4, 0)
            if head[: len(magic)] != magic:
                raise ValueError(f"{path}: not a {what} of this version (rebuild the index)")
            size = int.from_bytes(head[len(magic) :], "little")
            self.header = json.loads(os.pread(self.fd, size, len(magic) + 4))
        except BaseException:
            os.close(self.fd)
            raise
        self.base = len(magic) + 4 + size
        self.data = self.base + int(self.header["data"])

    def part(self, name: str) -> bytes:
        at, length = self.header[name][:2]
        return os.pread(self.fd, length, self.base + at)

    def close(self) -> None:
        os.close(self.fd)
