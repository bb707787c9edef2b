"""Every setting of the web app and its server, in one registry (the datasette way).

A setting ``name`` is read from the mapping given to ``create_app`` under ``NAME`` (upper case),
else from the environment variable ``GOVSEARCH_NAME``, else its default. The README documents
each one; ``tests/test_api.py`` fails when one is missing there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from indexer.errors import SettingError

from .urls import checked_public_url

ENV_PREFIX = "GOVSEARCH_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    #: the value as the app uses it, or ValueError saying what is wrong (checked at start-up)
    check: Callable[[Any], Any] | None = None
    #: the range of a whole-number setting (0 would make a page of nothing, a feed of nothing)
    minimum: int = 1
    maximum: int | None = None

    @property
    def key(self) -> str:
        """The key in ``app.config`` and in the mapping given to ``create_app``."""
        return self.name.upper()

    @property
    def envvar(self) -> str:
        return ENV_PREFIX + self.key


SETTINGS: tuple[Setting, ...] = (
    Setting("index", "var/index", "Index directory the server and `search` read."),
    Setting(
        "backend",
        "",
        "Search engine: `whoosh` or `sphinx` (default: what the index directory holds, else "
        "whoosh); see indexer/engines.py.",
    ),
    Setting("shards", 1, "Shards when `serve --corpus` builds a missing Sphinx index."),
    Setting(
        "corpus",
        "",
        "Corpus folder; `serve` builds the index from it when the index is missing.",
    ),
    Setting(
        "public_url",
        "",
        "Absolute URL the site is reached at (https://search.example.gov.cn/); the feed, CSV and "
        "OpenAPI links start with it. Default: http://HOST:PORT/ of the server itself, never "
        "the request's Host header.",
        lambda value: checked_public_url(value) if value else "",
    ),
    Setting("host", "127.0.0.1", "Address `serve` listens on (loopback only by default)."),
    Setting("port", 8000, "Port `serve` listens on.", minimum=0, maximum=65535),
    # waitress answers each request on one of its threads (one shared searcher). Measured with
    # bench/http_load.py on corpus/ (2 cores, busy machine): 8 clients got 165-198 requests/s
    # with 8 threads against 64-106 with waitress's default 4, and 2 clients 159-163 against
    # 120-140: a slow request (related documents) no longer holds up the quick ones queued behind.
    Setting("workers", 8, "Request threads of the waitress server."),
    Setting(
        "max_result_window",
        10_000,
        "Deepest hit a page may reach (page × size); a deeper page is a 400 that says the last "
        "page, and the result page shows that last page.",
    ),
    Setting("csv_max_rows", 1000, "Most rows `/api/search.csv` returns when no page is asked."),
    Setting("feed_size", 20, "Entries in `/feed.atom` (the newest matching documents)."),
    Setting(
        "synonyms",
        "",
        "A file of your own abbreviation/synonym groups (one group a line, forms separated by "
        "tabs), read after indexer/data/synonyms.tsv; no rebuild needed.",
    ),
    Setting("related_limit", 5, "Related documents listed with `/api/documents/<id>`."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def resolve_settings(
    config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``{KEY: value}`` for every setting; integers are checked so a typo fails at start-up."""
    config = config or {}
    environ = os.environ if environ is None else environ
    resolved: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.key in config:
            value = config[setting.key]
        elif setting.envvar in environ:
            value = environ[setting.envvar]
        else:
            value = setting.default
        resolved[setting.key] = _checked(setting, value)
    return resolved


def _checked(setting: Setting, value: Any) -> Any:
    """The value of ``setting`` as the app uses it; SettingError (one line, naming the
    variable) for a value it cannot use."""
    if isinstance(setting.default, int):
        high = setting.maximum
        allowed = f"from {setting.minimum}" + (f" to {high}" if high is not None else " up")
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or number < setting.minimum or (high is not None and number > high):
            raise SettingError(
                f"{setting.envvar} must be a whole number {allowed} (got {str(value)[:40]!r})"
            )
        return number
    try:
        return setting.check(str(value)) if setting.check else str(value)
    except ValueError as exc:
        raise SettingError(str(exc)) from None
