"""One error hierarchy; the CLI turns each into a one-line message, the API into one JSON shape.

A subclass names its JSON ``code`` and HTTP status in its class line
(``class IndexMissingError(GovsearchError, code="index_missing", http_status=503)``).
"""

from __future__ import annotations


class GovsearchError(Exception):
    """Base class of every error govsearch raises on purpose."""

    #: machine-readable code used in ``{"error": {"code", "message"}}``
    code = "error"
    #: HTTP status the web layer answers with
    http_status = 400
    #: what a web client is told instead of the message, for an error of the server's side: the
    #: message is for the operator (it names files, commands, hosts); "" shows the message
    public_message = ""

    def __init_subclass__(
        cls, code: str | None = None, http_status: int | None = None, public_message: str = ""
    ) -> None:
        super().__init_subclass__()
        if code is not None:
            cls.code = code
        if http_status is not None:
            cls.http_status = http_status
        if public_message:
            cls.public_message = public_message

    def public(self) -> str:
        """The message a web client may see (no filesystem path, command or host)."""
        return self.public_message or str(self)


class ExtractError(GovsearchError, code="extract_error"):
    """A file could not be turned into a Document; ``reason`` says why in one line."""

    def __init__(self, reason: str, path: str | None = None):
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class QueryError(GovsearchError, code="bad_request"):
    """An invalid search parameter (bad date, page out of range …); ``param`` names it."""

    def __init__(self, message: str, param: str | None = None):
        self.param = param
        super().__init__(message)


class IndexMissingError(
    GovsearchError,
    code="index_missing",
    http_status=503,
    public_message="no search index is available yet: it has to be built with 'govsearch index'",
):
    """No index generation exists at the given directory."""


class IndexLockedError(GovsearchError, code="index_locked", http_status=409):
    """Another live process is writing the index."""


class AnalyzerMismatchError(
    GovsearchError,
    code="analyzer_mismatch",
    http_status=503,
    public_message="the search index was built by another version of govsearch: "
    "it has to be rebuilt with 'govsearch index'",
):
    """The index was built with another analyzer version or index format: it must be rebuilt."""


class DocumentNotFoundError(GovsearchError, code="not_found", http_status=404):
    """No document has the id asked for."""


class CorpusMissingError(GovsearchError, code="corpus_missing"):
    """The corpus folder to build from does not exist or is not a folder."""


class SettingError(GovsearchError, ValueError, code="bad_setting"):
    """A setting (environment variable or option) holds a value govsearch cannot use; the
    message names it (``GOVSEARCH_USER_DICT=/x: no such file``) and the CLI exits 2."""


class UnknownBackendError(SettingError, code="unknown_backend"):
    """An engine name, or an option of another engine, that this build does not know."""
