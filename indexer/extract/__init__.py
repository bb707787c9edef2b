"""Files → ``Document``: discovery of a corpus folder and one extractor per input format.

* ``discover(root)`` lists the Sources of a corpus (sorted, deterministic);
* ``extract_source(source)`` turns one into Documents (several for JSONL / JSON arrays);
* ``extract_document(path)`` is the one-file convenience used by ``govsearch parse``.

Only ``ExtractError`` ever leaves this package: a file we cannot read, decode or parse is reported
with a one-line reason, and a field we cannot find stays empty (never guessed).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import ExtractError
from ..records import Document
from .attachment import FILE_TYPES, file_type_of
from .formats import extract_file
from .links import link_attachments

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
SUFFIXES = HTML_SUFFIXES | {".txt", ".md", ".markdown", ".json", ".jsonl"} | frozenset(FILE_TYPES)


@dataclass(frozen=True)
class Source:
    """One document's files: ``path`` is read for the text, ``companions`` enrich its metadata.

    An attachment linked by a page (``links.py``) names that page's Source in ``parent``; the
    page lists its attachments' relpaths in ``attachments``.
    """

    path: Path
    relpath: str  # posix path relative to the corpus root, NFC
    companions: tuple[Path, ...] = ()
    parent: Source | None = None
    attachments: tuple[tuple[str, Path], ...] = ()  # (relpath, path) of each attachment

    def hashed_paths(self) -> tuple[Path, ...]:
        """The files whose bytes make the Source's content hash: an attachment is re-read when
        its page changes (it inherits the page's fields)."""
        parent = self.parent
        return (self.path, *self.companions, *((parent.path,) if parent else ()))


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
    ``_index.md`` folder indexes, files of other types (images, archives), and a
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
    pages = {rel: path for rel, path in found if path.suffix.lower() not in FILE_TYPES}
    files = {rel for rel, path in found if path.suffix.lower() in FILE_TYPES}
    companion_of = {
        str(PurePosixPath(rel).with_name("page.html")): rel
        for rel, path in pages.items()
        if _companions(path)
    }
    owner = link_attachments(root, pages, files, companion_of)
    owned: dict[str, list[tuple[str, Path]]] = {}
    for rel, path in sorted(found):
        if rel in owner:
            owned.setdefault(owner[rel], []).append((rel, path))
    twins = _text_twins([path for _, path in found])
    made = {
        rel: Source(
            path,
            rel,
            (twins[path],) if path in twins else _companions(path),
            attachments=tuple(owned.get(rel, ())),
        )
        for rel, path in sorted(found)
    }
    for rel, page in owner.items():
        made[rel] = dataclasses.replace(made[rel], parent=made[page])
    yield from made.values()


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
    if source.attachments:
        for doc in docs:
            doc.attachments = [_listing(rel, path) for rel, path in source.attachments]
    if source.parent is not None and len(docs) == 1:
        _inherit(docs[0], source.parent, max_bytes)
    return docs


def _listing(relpath: str, path: Path) -> dict[str, object]:
    """An attachment as its page lists it (the download link is the web app's)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return {
        "id": make_id(relpath),
        "name": path.name,
        "type": file_type_of(path),
        "size": size,
    }


#: what an attachment takes from its page when its own text does not give it
INHERITED = ("agency", "date", "doc_no", "doc_no_norm", "index_no")


def _inherit(doc: Document, page: Source, max_bytes: int) -> None:
    doc.parent_id = make_id(page.relpath)
    try:
        numbered = extract_file(page.path, page.companions, max_bytes=max_bytes)
    except (ExtractError, OSError, ValueError, RecursionError, MemoryError) as exc:
        reason = exc.reason if isinstance(exc, ExtractError) else str(exc)
        doc.warnings.append(f"its page {page.relpath} is unreadable: {reason}")
        return
    parent = numbered[0][1]
    doc.parent_title = parent.title
    for name in INHERITED:
        if not getattr(doc, name) and getattr(parent, name):
            setattr(doc, name, getattr(parent, name))


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
