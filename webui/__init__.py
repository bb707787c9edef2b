"""The Flask front end: ``create_app(config)`` serves the JSON API and the HTML pages.

Import direction: webui → indexer, never back.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
