"""Files → ``Document``: discovery of a corpus folder and one extractor per input format.

* ``discover(root)`` lists the Sources of a corpus (sorted, deterministic);
* ``extract_source(source)`` turns one into Documents (several for JSONL / JSON arrays);
* ``extract_document(path)`` is the one-file convenience used by ``govsearch parse``.

Only ``ExtractError`` ever leaves this package: a file we cannot read, decode or parse is reported
with a one-line reason, and a field we cannot find stays empty (never guessed).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import ExtractError
from ..records import Document
from .formats import extract_file

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Source",
    "discover",
    "extract_document",
    "extract_records",
    "extract_source",
    "make_id",
]

#: files above this size are refused (``ExtractError``); the largest real page we have is 313 KB
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

#: files at the corpus root that describe the corpus rather than belong to it
_ROOT_DOCS = frozenset({"sources.md", "readme.md", "readme.txt", "readme", "license", "licence"})
#: crawler side files: the list of a page's links, not a document
_SIDE_FILES = frozenset({"links.tsv"})
#: Hugo-style folder indexes (LawRefBook ``_index.md``: front matter only) are not documents
FOLDER_INDEX = "_index.md"
HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
SUFFIXES = HTML_SUFFIXES | {".txt", ".md", ".markdown", ".json", ".jsonl"}


@dataclass(frozen=True)
class Source:
    """One document's files: ``path`` is read for the text, ``companions`` enrich its metadata."""

    path: Path
    relpath: str  # posix path relative to the corpus root, NFC
    companions: tuple[Path, ...] = ()


def make_id(relpath: str, record: str | None = None) -> str:
    """Stable, URL-safe id: 16 hex chars of sha1 over the NFC posix relpath, and for a record of
    a JSON/JSONL file its key (``relpath#key``: its own id, URL or content hash, never its
    position in the file)."""
    key = unicodedata.normalize("NFC", relpath.replace("\\", "/"))
    if record is not None:
        key = f"{key}#{record}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _relpath(path: Path, root: Path) -> str:
    rel = PurePosixPath(*path.relative_to(root).parts).as_posix()
    return unicodedata.normalize("NFC", rel)


def _companions(path: Path) -> tuple[Path, ...]:
    if path.name == "page.txt":
        html = path.with_name("page.html")
        if html.is_file():
            return (html,)
    return ()


def _is_companion(path: Path) -> bool:
    """A crawler's page.html beside its page.txt: the same document, read with the txt."""
    return path.name == "page.html" and path.with_name("page.txt").is_file()


def discover(root: Path) -> Iterator[Source]:
    """Every document file under ``root``, sorted by relpath.

    Skipped: hidden files and folders, ``SOURCES.md``/``README.md`` at the root, ``links.tsv``,
    ``_index.md`` folder indexes, files of other types (attachments .pdf/.doc, images), and a
    ``page.html`` beside a ``page.txt`` (it becomes the page.txt Source's companion).
    A ``.txt`` with the same stem as exactly one HTML page in its folder or a sibling folder
    (Jiangxi ``JX_text/art_X.txt`` is the crawler's text of ``html/art_X.html``) gets that page
    as its companion: extraction merges it into the page's document when the page holds its
    text (``formats.extract_file``), so the text is not indexed twice, once without a title.
    """
    root = Path(root)
    if not root.is_dir():
        return
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        here = Path(dirpath)
        for name in filenames:
            path = here / name
            if name.startswith(".") or name in _SIDE_FILES or name == FOLDER_INDEX:
                continue
            if here == root and name.lower() in _ROOT_DOCS:
                continue
            if path.suffix.lower() not in SUFFIXES or _is_companion(path):
                continue
            found.append((_relpath(path, root), path))
    twins = _text_twins([path for _, path in found])
    for rel, path in sorted(found):
        companions = (twins[path],) if path in twins else _companions(path)
        yield Source(path=path, relpath=rel, companions=companions)


def _text_twins(paths: list[Path]) -> dict[Path, Path]:
    """A ``.txt`` → the one HTML page with its stem in the same or a sibling folder."""
    pages: dict[tuple[Path, str], list[Path]] = {}
    for path in paths:
        if path.suffix.lower() in HTML_SUFFIXES:
            pages.setdefault((path.parent.parent, path.stem), []).append(path)
    twins = {}
    for path in paths:
        if path.suffix.lower() == ".txt" and path.name != "page.txt":
            same = pages.get((path.parent.parent, path.stem), [])
            if len(same) == 1:
                twins[path] = same[0]
    return twins


def extract_source(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Document]:
    """The Documents of one Source (one per file; one per record of JSONL / JSON arrays)."""
    try:
        keyed = extract_file(source.path, source.companions, max_bytes=max_bytes)
    except ExtractError as exc:
        if exc.path is None:
            raise ExtractError(exc.reason, source.relpath) from exc
        raise
    except (OSError, ValueError, RecursionError, MemoryError) as exc:
        raise ExtractError(f"{type(exc).__name__}: {exc}", source.relpath) from exc
    docs = []
    for key, doc in keyed:
        doc.source_path = source.relpath
        doc.id = make_id(source.relpath, key)
        docs.append(doc)
    return docs


def extract_document(path: Path, root: Path | None = None) -> Document:
    """The one Document of ``path`` (relpath from ``root``, else the path as given).

    A page.txt picks up its page.html companion; a page.html with a page.txt beside it is read
    as that page.txt. A file holding several records (JSONL, JSON array) is an ExtractError here:
    use ``extract_records`` for those.
    """
    docs = extract_records(path, root)
    if len(docs) != 1:
        raise ExtractError(f"file holds {len(docs)} records, not one document", docs[0].source_path)
    return docs[0]


def extract_records(path: Path, root: Path | None = None) -> list[Document]:
    """All Documents of one file given by path (see ``extract_document``)."""
    path = Path(path)
    if _is_companion(path):
        path = path.with_name("page.txt")
    if root is not None:
        try:
            rel = _relpath(path.resolve(), Path(root).resolve())
        except ValueError as exc:
            raise ExtractError("file is outside the corpus root", str(path)) from exc
    else:
        rel = unicodedata.normalize("NFC", path.as_posix())
    return extract_source(Source(path=path, relpath=rel, companions=_companions(path)))
