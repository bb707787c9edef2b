"""The engine seam: build and search go through here, whatever engine holds the index.

``whoosh`` (the default) is the embedded index of ``build.py``/``search.py``; ``sphinx`` is a
sharded cluster of Sphinx/Manticore ``searchd`` processes (``indexer/sphinx``). Which one is
configuration, never code: the ``backend`` argument, else (to open) the index dir's own marker
— a Sphinx index dir holds ``sphinx.json`` — else ``$GOVSEARCH_BACKEND``, else Whoosh. To build,
an explicit choice (argument, environment) wins over what the dir held before.

Both engines answer the same calls with the same records: ``search(SearchRequest) ->
SearchResult``, ``get(id) -> Document``, ``related(id, limit) -> list[Hit]``, ``stats()``,
``close()``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from .errors import GovsearchError, IndexMissingError
from .records import Document, Hit, SearchRequest, SearchResult

BACKENDS = ("whoosh", "sphinx")
ENV_VAR = "GOVSEARCH_BACKEND"


class Engine(Protocol):
    def search(self, request: SearchRequest) -> SearchResult: ...
    def get(self, doc_id: str) -> Document: ...
    def related(self, doc_id: str, limit: int = 5) -> list[Hit]: ...
    def stats(self) -> dict[str, Any]: ...
    def close(self) -> None: ...


class UnknownBackendError(GovsearchError):
    code = "unknown_backend"


def _checked(name: str) -> str:
    name = name.strip().lower()
    if name not in BACKENDS:
        raise UnknownBackendError(f"unknown backend {name!r}: use one of {', '.join(BACKENDS)}")
    return name


def _marked(index_dir: Path | str) -> str | None:
    from .sphinx.cluster import is_sphinx_dir

    return "sphinx" if is_sphinx_dir(index_dir) else None


def backend_for_reading(index_dir: Path | str, backend: str | None = None) -> str:
    """The engine that serves ``index_dir``: argument, the dir's marker, environment, Whoosh."""
    return _checked(backend or _marked(index_dir) or os.environ.get(ENV_VAR) or "whoosh")


def backend_for_building(index_dir: Path | str, backend: str | None = None) -> str:
    """The engine a build writes: argument, environment, the dir's marker, Whoosh."""
    return _checked(backend or os.environ.get(ENV_VAR) or _marked(index_dir) or "whoosh")


def open_engine(index_dir: Path | str, backend: str | None = None) -> Engine:
    """The search engine of ``index_dir`` (IndexMissingError when nothing was built there)."""
    if backend_for_reading(index_dir, backend) == "sphinx":
        from .sphinx.engine import SphinxEngine

        return SphinxEngine(index_dir)
    from .search import SearchEngine

    return SearchEngine(index_dir)


def check_index(index_dir: Path | str, backend: str | None = None) -> None:
    """AnalyzerMismatchError if this code cannot read the index (checks its meta, opens nothing:
    opening a generation loads per-document arrays, about a second per 100k documents)."""
    if backend_for_reading(index_dir, backend) == "sphinx":
        from .sphinx.cluster import load_cluster
        from .sphinx.engine import check_meta

        check_meta(load_cluster(index_dir).index_dir)
        return
    from . import layout
    from .search import check_generation

    check_generation(layout.current_generation(index_dir))


def build(corpus: Path | str, index_dir: Path | str, backend: str | None = None, **opts: Any):
    """Build ``corpus`` into ``index_dir``; returns the build's ``BuildReport``.

    Whoosh options: ``incremental``, ``workers``, ``progress``. Sphinx options: ``shards``,
    ``hosts``, ``base_port``, ``agent_failure``, ``workers``, ``progress`` (a Sphinx build is
    always a full rebuild, rotated in while searchd keeps answering).
    """
    opts = {k: v for k, v in opts.items() if v is not None}
    if backend_for_building(index_dir, backend) == "sphinx":
        from .sphinx.build import build_sphinx

        incremental = opts.pop("incremental", False)
        report = build_sphinx(corpus, index_dir, **opts)
        if incremental:
            report.notes.append("the Sphinx backend always rebuilds fully (--incremental ignored)")
        return report
    from .build import build_index

    unknown = set(opts) - {"incremental", "workers", "progress"}
    if unknown:
        raise UnknownBackendError(f"option(s) {', '.join(sorted(unknown))} need --backend sphinx")
    return build_index(corpus, index_dir, **opts)


def index_exists(index_dir: Path | str, backend: str | None = None) -> bool:
    if backend_for_reading(index_dir, backend) == "sphinx":
        from .sphinx.cluster import META

        return (Path(index_dir) / META).is_file()
    from . import layout

    try:
        layout.current_generation(index_dir)
    except IndexMissingError:
        return False
    return True


def start_services(index_dir: Path | str, backend: str | None = None) -> Callable[[], None]:
    """Start what the engine needs on this machine; returns the function that stops it.

    Sphinx: the local ``searchd`` processes described in ``index_dir`` that are not running
    (the returned function stops exactly those, by PID). Whoosh: nothing.
    """
    if backend_for_reading(index_dir, backend) != "sphinx":
        return lambda: None
    from .sphinx.cluster import load_cluster
    from .sphinx.process import start_searchd, stop_searchd

    cluster = load_cluster(index_dir)
    started = start_searchd(cluster)
    return lambda: stop_searchd(cluster, started)
