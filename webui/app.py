"""App factory. PROVISIONAL skeleton: the API work item completes configuration and errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_prefixed_env("GOVSEARCH")
    if config:
        app.config.update(config)

    from .api import bp as api_bp
    from .pages import bp as pages_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(pages_bp)
    return app
