"""One error hierarchy; the CLI turns each into a one-line message, the API into one JSON shape."""

from __future__ import annotations


class GovsearchError(Exception):
    """Base class of every error govsearch raises on purpose."""

    #: machine-readable code used in ``{"error": {"code", "message"}}``
    code = "error"
    #: HTTP status the web layer answers with
    http_status = 400


class ExtractError(GovsearchError):
    """A file could not be turned into a Document; ``reason`` says why in one line."""

    code = "extract_error"

    def __init__(self, reason: str, path: str | None = None):
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)


class QueryError(GovsearchError):
    """An invalid search parameter (bad date, page out of range …); ``param`` names it."""

    code = "bad_request"

    def __init__(self, message: str, param: str | None = None):
        self.param = param
        super().__init__(message)


class IndexMissingError(GovsearchError):
    """No index generation exists at the given directory."""

    code = "index_missing"
    http_status = 503


class IndexLockedError(GovsearchError):
    """Another live process is writing the index."""

    code = "index_locked"
    http_status = 409


class AnalyzerMismatchError(GovsearchError):
    """The index was built with another analyzer version or index format: it must be rebuilt."""

    code = "analyzer_mismatch"
    http_status = 503


class DocumentNotFoundError(GovsearchError):
    code = "not_found"
    http_status = 404


class CorpusMissingError(GovsearchError):
    code = "corpus_missing"
