"""App factory: configuration, the shared search engine, error shapes and security headers.

``create_app(config)`` reads settings (``webui/settings.py``) from ``config`` and ``GOVSEARCH_*``
environment variables, installs the engine (``engine.py``) and registers the JSON API
(``api.py``) and the HTML pages (``pages.py``). Import direction: webui → indexer, never back;
inside webui the factory imports the blueprints, never the other way.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import GovsearchError
from indexer.synonyms import use_file as use_synonyms_file

from .api import bp as api_bp
from .engine import close_engine, get_engine, install_engine
from .files import bp as files_bp
from .pages import bp as pages_bp
from .replies import bp as replies_bp
from .settings import resolve_settings
from .urls import base_url

if TYPE_CHECKING:
    from flask import Response

__all__ = ["close_engine", "create_app", "get_engine"]

log = logging.getLogger(__name__)

#: paths answered with JSON errors (everything else gets an HTML error page)
JSON_PREFIXES = ("/api/", "/healthz", "/feed.atom")

# Pages: scripts and styles only from our own static files — no inline script, no CDN (the app
# must work offline on an intranet). API bodies are data, so their policy allows nothing at all.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)


def error_response(status: int, code: str, message: str) -> Response:
    """``{"error": {"code", "message"}}`` under the API; pages.py's error.html elsewhere."""
    if wants_json():
        response = jsonify(error={"code": code, "message": message})
    else:
        html = render_template("error.html", status=status, code=code, message=message)
        response = current_app.response_class(html, mimetype="text/html")
    response.status_code = status
    return response


def _handle_govsearch_error(exc: GovsearchError) -> Response:
    if exc.http_status >= 500:
        # the operator's message (paths, commands) goes to the log; the client gets the public one
        log.warning("%s on %s: %s", exc.code, request.path, exc)
    return error_response(exc.http_status, exc.code, exc.public())


def http_error_response(exc: HTTPException) -> Response:
    """A werkzeug HTTP error (404, 405 …) as ``error_response``, JSON or page by path."""
    code = (exc.name or "error").lower().replace(" ", "_")
    response = error_response(exc.code or 500, code, exc.description or exc.name)
    if exc.code == 405:
        # keep the Allow header werkzeug computed for the route
        response.headers.update({k: v for k, v in exc.get_headers() if k.lower() == "allow"})
    return response


def _handle_unexpected(exc: Exception) -> Response:
    # A bug of ours: log the trace for the operator, show the user no internals.
    log.exception("unhandled error on %s", request.path)
    return error_response(
        500, "internal_error", "the server hit an unexpected error; it has been logged"
    )


def _add_security_headers(response: Response) -> Response:
    html = response.mimetype == "text/html"
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP if html else DATA_CSP)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app; ``config`` keys are setting names upper-cased (``{"INDEX": "var/index"}``).

    Keys that are not settings (``TESTING`` …) go to ``app.config`` unchanged.
    """
    app = Flask(__name__)
    settings = resolve_settings(config)
    app.config.update(settings)
    app.config.update({k: v for k, v in (config or {}).items() if k not in settings})
    app.json.ensure_ascii = False  # Chinese as characters, not \\uXXXX
    app.json.sort_keys = False  # the order of SearchResult.to_dict(), as the CLI prints it
    # absolute links are made from configuration, never from the request's Host header
    config_ = app.config
    config_["BASE_URL"] = base_url(config_["PUBLIC_URL"], config_["HOST"], config_["PORT"])
    if app.config["SYNONYMS"]:
        use_synonyms_file(app.config["SYNONYMS"])
    install_engine(app, Path(app.config["INDEX"]), app.config["BACKEND"])

    app.register_error_handler(GovsearchError, _handle_govsearch_error)
    app.register_error_handler(HTTPException, http_error_response)
    app.register_error_handler(Exception, _handle_unexpected)
    app.after_request(_add_security_headers)
    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(replies_bp)
    app.register_blueprint(files_bp)
    return app
