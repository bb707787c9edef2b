"""The engine seam: ``webui`` and the CLI reach every engine through this module, and only it.

An engine is a package of ``indexer`` with a ``backend`` module that has the functions of the
``Backend`` protocol below: ``indexer/whoosh`` (the embedded default: one Whoosh index per
generation directory) and ``indexer/sphinx`` (a sharded cluster of Sphinx/Manticore ``searchd``
processes). What a third engine must provide is exactly that protocol, and an ``Engine`` (the
open index) that answers with the plain records of ``indexer.records``.

Which engine is configuration, never code: the ``backend`` argument, else (to open) the index
dir's own marker (a Sphinx index dir holds ``sphinx.json``), else ``$GOVSEARCH_BACKEND``, else
Whoosh. To build, an explicit choice (argument, environment) wins over what the dir held before.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

from .corpus import BuildReport
from .errors import UnknownBackendError
from .lexicon import Lexicon
from .records import Document, Hit, SearchRequest, SearchResult

BACKENDS = ("whoosh", "sphinx")
ENV_VAR = "GOVSEARCH_BACKEND"

__all__ = [
    "BACKENDS",
    "Backend",
    "Engine",
    "backend_for_building",
    "backend_for_reading",
    "build",
    "check_index",
    "index_exists",
    "open_engine",
    "start_services",
]


class Engine(Protocol):
    """An open index, shared by every request thread of the web app."""

    def search(self, request: SearchRequest) -> SearchResult:
        """Ranked hits of one page, the total and the facet counts (``SearchResult``)."""
        ...

    def get(self, doc_id: str) -> Document:
        """One whole document (DocumentNotFoundError when there is none)."""
        ...

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Documents like ``doc_id`` (more like this)."""
        ...

    def lexicon(self) -> Lexicon:
        """Titles, terms, agencies and 文号 of the index, with their pinyin (``lexicon.py``)."""
        ...

    def stats(self) -> dict[str, Any]:
        """Health: documents, generation, analyzer version, build time (no filesystem paths)."""
        ...

    def corpus_root(self) -> str:
        """The corpus folder the index was built from ("" when unknown): where ``/files/<id>``
        finds an attachment's original (``indexer.files``)."""
        ...

    def close(self) -> None: ...


class Backend(Protocol):
    """What an engine package's ``backend`` module provides."""

    NAME: str

    def owns(self, index_dir: Path) -> bool:
        """Whether ``index_dir`` holds this engine's marker."""
        ...

    def build(self, corpus: Path, index_dir: Path, **opts: Any) -> BuildReport:
        """Index ``corpus`` into ``index_dir`` (readers keep the old index until it is done)."""
        ...

    def open_index(self, index_dir: Path) -> Engine:
        """The ``Engine`` of ``index_dir`` (IndexMissingError when nothing was built there)."""
        ...

    def check(self, index_dir: Path) -> None:
        """AnalyzerMismatchError if this code cannot read the index; reads its meta only."""
        ...

    def exists(self, index_dir: Path) -> bool: ...

    def start_services(self, index_dir: Path) -> Callable[[], None]:
        """Start what the engine needs on this machine; returns the function that stops it."""
        ...


def _backend(name: str) -> Backend:
    return cast(Backend, importlib.import_module(f"indexer.{name}.backend"))


def _checked(name: str) -> str:
    name = name.strip().lower()
    if name not in BACKENDS:
        raise UnknownBackendError(f"unknown backend {name!r}: use one of {', '.join(BACKENDS)}")
    return name


def _marked(index_dir: Path | str) -> str | None:
    return next((n for n in BACKENDS if _backend(n).owns(Path(index_dir))), None)


def backend_for_reading(index_dir: Path | str, backend: str | None = None) -> str:
    """The engine that serves ``index_dir``: argument, the dir's marker, environment, Whoosh."""
    return _checked(backend or _marked(index_dir) or os.environ.get(ENV_VAR) or "whoosh")


def backend_for_building(index_dir: Path | str, backend: str | None = None) -> str:
    """The engine a build writes: argument, environment, the dir's marker, Whoosh."""
    return _checked(backend or os.environ.get(ENV_VAR) or _marked(index_dir) or "whoosh")


def open_engine(index_dir: Path | str, backend: str | None = None) -> Engine:
    """The search engine of ``index_dir`` (IndexMissingError when nothing was built there)."""
    return _backend(backend_for_reading(index_dir, backend)).open_index(Path(index_dir))


def check_index(index_dir: Path | str, backend: str | None = None) -> None:
    """AnalyzerMismatchError if this code cannot read the index (checks its meta, opens nothing:
    opening a generation loads per-document arrays, about a second per 100k documents)."""
    _backend(backend_for_reading(index_dir, backend)).check(Path(index_dir))


def build(
    corpus: Path | str, index_dir: Path | str, backend: str | None = None, **opts: Any
) -> BuildReport:
    """Build ``corpus`` into ``index_dir``; returns the build's ``BuildReport``.

    Whoosh options: ``incremental``, ``workers``, ``progress``. Sphinx options: ``shards``,
    ``hosts``, ``base_port``, ``agent_failure``, ``workers``, ``progress`` (a Sphinx build is
    always a full rebuild, rotated in while searchd keeps answering).
    """
    opts = {k: v for k, v in opts.items() if v is not None}
    name = backend_for_building(index_dir, backend)
    return _backend(name).build(Path(corpus), Path(index_dir), **opts)


def index_exists(index_dir: Path | str, backend: str | None = None) -> bool:
    return _backend(backend_for_reading(index_dir, backend)).exists(Path(index_dir))


def start_services(index_dir: Path | str, backend: str | None = None) -> Callable[[], None]:
    """Start what the engine needs on this machine; returns the function that stops it.

    Sphinx: the local ``searchd`` processes described in ``index_dir`` that are not running
    (the returned function stops exactly those, by PID). Whoosh: nothing.
    """
    return _backend(backend_for_reading(index_dir, backend)).start_services(Path(index_dir))
