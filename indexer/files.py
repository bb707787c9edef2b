"""The original file of an indexed attachment, for ``GET /files/<id>`` (no engine, no Flask).

Only a document the index holds, only an attachment (a page's text is shown, not served), only a
regular file whose real path lies inside the corpus folder the index was built from: a
``source_path`` with ``..``, or a symlink in the corpus that points outside it, is refused as if
there were no such file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import DocumentNotFoundError
from .extract.attachment import FILE_TYPES, MIME_TYPES
from .records import Document


@dataclass(frozen=True)
class OriginalFile:
    path: Path
    name: str  # the file's own name (Chinese, as in the corpus), for Content-Disposition
    mimetype: str


def original_file(doc: Document, corpus_root: str) -> OriginalFile:
    """The file behind ``doc``; DocumentNotFoundError when it is not one that may be served."""
    missing = DocumentNotFoundError("no downloadable file has this id")
    suffix = Path(doc.source_path).suffix.lower()
    if not doc.file_type or suffix not in FILE_TYPES or not corpus_root or not doc.source_path:
        raise missing
    try:
        root = Path(corpus_root).resolve(strict=True)
        path = (root / doc.source_path).resolve(strict=True)
    except (OSError, RuntimeError):  # gone, or a symlink loop
        raise missing from None
    if not path.is_relative_to(root) or not path.is_file():
        raise missing
    # the name as indexed: a symlink inside the corpus serves its target under the link's name
    return OriginalFile(path, Path(doc.source_path).name, MIME_TYPES[suffix])
