"""The app's one search engine, shared by every request thread and every blueprint.

The app factory installs it in ``app.extensions``; views reach it with ``get_engine()``, never by
importing the factory (``app.py`` imports the blueprints, so a blueprint importing ``app.py``
was an import circle held together by import order). Which engine answers is the index dir's
business (``indexer.engines``): nothing here knows Whoosh or Sphinx.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from indexer.engines import Engine, open_engine

_KEY = "govsearch_engine"


class EngineHolder:
    """One engine per app, opened on first use and shared by every request thread.

    The engine reopens by itself when a new index generation becomes current; a missing index is
    not cached, so an index built after start-up is picked up by the next request.
    """

    def __init__(self, index_dir: Path, backend: str):
        self.index_dir = index_dir
        self.backend = backend or None
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def get(self) -> Engine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = open_engine(self.index_dir, self.backend)
                engine = self._engine
        return engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None


def install_engine(app: Flask, index_dir: Path, backend: str) -> None:
    app.extensions[_KEY] = EngineHolder(index_dir, backend)


def get_engine() -> Engine:
    """The current app's engine (raises IndexMissingError when there is no index yet)."""
    return current_app.extensions[_KEY].get()


def close_engine(app: Flask) -> None:
    app.extensions[_KEY].close()
