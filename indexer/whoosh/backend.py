"""The embedded engine as ``indexer.engines`` sees it (the ``Backend`` protocol there)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..corpus import BuildReport
from ..errors import IndexMissingError, UnknownBackendError
from . import layout

NAME = "whoosh"
#: what ``govsearch index`` may pass to a Whoosh build
BUILD_OPTIONS = frozenset({"incremental", "workers", "progress"})


def owns(index_dir: Path) -> bool:
    """A Whoosh index dir has no marker of its own: it is the default engine."""
    return False


def build(corpus: Path, index_dir: Path, **opts: Any) -> BuildReport:
    from .build import build_index

    unknown = set(opts) - BUILD_OPTIONS
    if unknown:
        raise UnknownBackendError(f"option(s) {', '.join(sorted(unknown))} need --backend sphinx")
    return build_index(corpus, index_dir, **opts)


def open_index(index_dir: Path) -> Any:
    from .engine import SearchEngine

    return SearchEngine(index_dir)


def check(index_dir: Path) -> None:
    layout.check_generation(layout.current_generation(index_dir))


def exists(index_dir: Path) -> bool:
    try:
        layout.current_generation(index_dir)
    except IndexMissingError:
        return False
    return True


def start_services(index_dir: Path) -> Callable[[], None]:
    """Nothing runs beside an embedded index."""
    return lambda: None
