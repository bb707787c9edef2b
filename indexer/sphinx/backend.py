"""The sharded engine as ``indexer.engines`` sees it (the ``Backend`` protocol there)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..corpus import BuildReport
from .cluster import META, is_sphinx_dir, load_cluster

NAME = "sphinx"


def owns(index_dir: Path) -> bool:
    """A Sphinx index dir holds ``sphinx.json``."""
    return is_sphinx_dir(index_dir)


def build(corpus: Path, index_dir: Path, **opts: Any) -> BuildReport:
    from .build import build_sphinx

    incremental = opts.pop("incremental", False)
    report = build_sphinx(corpus, index_dir, **opts)
    if incremental:
        report.notes.append("the Sphinx backend always rebuilds fully (--incremental ignored)")
    return report


def open_index(index_dir: Path) -> Any:
    from .engine import SphinxEngine

    return SphinxEngine(index_dir)


def check(index_dir: Path) -> None:
    from .feed import check_meta

    check_meta(load_cluster(index_dir).index_dir)


def exists(index_dir: Path) -> bool:
    return (Path(index_dir) / META).is_file()


def start_services(index_dir: Path) -> Callable[[], None]:
    """The local ``searchd`` processes described in ``index_dir`` that are not running; the
    returned function stops exactly those, by PID."""
    from .process import start_searchd, stop_searchd

    cluster = load_cluster(index_dir)
    started = start_searchd(cluster)
    return lambda: stop_searchd(cluster, started)
