"""The production server behind ``govsearch serve``: waitress, not Flask's development server.

Builds the index from the corpus first when there is none, opens the search engine before the
first request (jieba's dictionary alone takes ~0.6 s to load), prints the URL, and stops cleanly
on Ctrl-C or SIGTERM: waitress stops accepting, finishes the requests in flight, and ``serve``
returns so the process exits 0.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import signal
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import waitress

from indexer import engines
from indexer.errors import AnalyzerMismatchError, IndexMissingError
from indexer.records import SearchRequest

from .app import create_app
from .engine import close_engine, get_engine
from .settings import resolve_settings
from .urls import base_url

#: bytes of request body waitress accepts (the app reads none)
MAX_REQUEST_BODY = 8192


#: glibc's mallopt parameter for the number of malloc arenas
_M_ARENA_MAX = -8


def _few_malloc_arenas(arenas: int = 2) -> None:
    """Let glibc keep at most ``arenas`` malloc arenas instead of up to eight per core.

    Each request thread otherwise gets an arena of its own, where freed search temporaries
    stay: measured with bench/http_latency.py at 100k documents (bench/README.md). A no-op on a
    C library without mallopt.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return
    libc = ctypes.CDLL(name)
    if hasattr(libc, "mallopt"):
        libc.mallopt(_M_ARENA_MAX, arenas)


def _interrupt(signum: int, frame: Any) -> None:
    # waitress's run loop closes the server on KeyboardInterrupt; SIGTERM takes the same path.
    raise KeyboardInterrupt


def ensure_index(
    index_dir: Path,
    corpus: str,
    echo: Callable[[str], None],
    backend: str = "",
    shards: int = 1,
) -> None:
    """Build the index from ``corpus`` when ``index_dir`` has none, or one this version cannot
    read (another analyzer or index format: AnalyzerMismatchError); a usable index is kept."""
    if engines.index_exists(index_dir, backend or None):
        try:
            engines.check_index(index_dir, backend or None)
            return
        except AnalyzerMismatchError as exc:
            if not corpus:
                raise
            echo(f"{exc}: rebuilding it from {corpus} …")
    elif not corpus:
        raise IndexMissingError(
            f"no index at {index_dir}: pass --corpus DIR (or set GOVSEARCH_CORPUS) to build "
            "one, or run 'govsearch index' first"
        )
    else:
        echo(f"no index at {index_dir}: building it from {corpus} …")
    sharding = {"shards": shards} if shards != 1 else {}
    echo(engines.build(Path(corpus), index_dir, backend or None, **sharding).summary())


def serve(config: Mapping[str, Any] | None = None, echo: Callable[[str], None] = print) -> None:
    """Serve until Ctrl-C / SIGTERM. ``config``: settings by key (``INDEX``, ``PORT`` …)."""
    settings = resolve_settings(config)
    # SIGTERM during the first build or the warm-up takes the Ctrl-C path too: the build removes
    # its half-written generation instead of leaving it for the next run to clean.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        _serve(settings, echo)
    finally:
        signal.signal(signal.SIGTERM, previous)
    echo("govsearch: stopped")


def _serve(settings: dict[str, Any], echo: Callable[[str], None]) -> None:
    _few_malloc_arenas()
    index_dir = Path(settings["INDEX"])
    backend = settings["BACKEND"] or None
    ensure_index(index_dir, settings["CORPUS"], echo, settings["BACKEND"], settings["SHARDS"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    # the Sphinx backend's local searchd processes, if not running; stopped (by PID) on exit
    stop_services = engines.start_services(index_dir, backend)
    try:
        app = create_app(settings)
        try:
            with app.app_context():
                # warm up: open the searchers and load the analyzer before the first visitor
                get_engine().search(SearchRequest(q="政府", size=1))
            server = waitress.create_server(
                app,
                host=settings["HOST"],
                port=settings["PORT"],
                threads=settings["WORKERS"],
                # every endpoint is GET/HEAD: a request body is refused (413) at once instead of
                # being buffered to disk up to waitress's default of 1 GB before the app says 405
                max_request_body_size=MAX_REQUEST_BODY,
            )
            try:
                # port 0 means "any free port": links and the printed URL name the one the OS gave
                app.config["BASE_URL"] = base_url(
                    settings["PUBLIC_URL"], settings["HOST"], server.effective_port
                )
                host = f"[{settings['HOST']}]" if ":" in settings["HOST"] else settings["HOST"]
                echo(f"govsearch: serving {index_dir} at http://{host}:{server.effective_port}/")
                server.run()  # returns on KeyboardInterrupt (Ctrl-C or SIGTERM), server closed
            finally:
                server.close()
        finally:
            close_engine(app)
    finally:
        stop_services()
