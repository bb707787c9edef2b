"""What every engine checks of a SearchRequest, and the more-like-this limits (no Whoosh here).

Shared by the Whoosh engine (search.py) and the Sphinx engine so that both refuse the same
requests with the same messages, without the Sphinx side importing Whoosh.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import QueryError
from .records import Document, SearchRequest

MAX_PAGE_SIZE = 100
#: more-like-this: key terms taken from a document
RELATED_TERMS = 12
#: more-like-this: characters of the body read for key terms
RELATED_CHARS = 6000

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def validate_request(request: SearchRequest) -> None:
    """Raise QueryError for a request no engine should run (the API validates earlier too)."""
    if not isinstance(request.page, int) or request.page < 1:
        raise QueryError("page must be a whole number ≥ 1")
    if not isinstance(request.size, int) or not 1 <= request.size <= MAX_PAGE_SIZE:
        raise QueryError(f"size must be between 1 and {MAX_PAGE_SIZE}")
    if request.sort not in ("relevance", "date"):
        raise QueryError("sort must be 'relevance' or 'date'")
    for name in ("date_from", "date_to"):
        value = getattr(request, name)
        if value:
            day_number(value, name)


def day_number(value: str, name: str) -> int:
    """Days since 1970-01-01 of a YYYY-MM-DD date; QueryError naming ``name`` otherwise."""
    if not _DATE.match(value):
        raise QueryError(f"{name} must be a date YYYY-MM-DD, got {value!r}")
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name} is not a valid date: {value!r}") from None
    return (d - date(1970, 1, 1)).days


def related_text(doc: Document) -> str:
    """The part of a document its more-like-this key terms are drawn from."""
    return doc.title + "\n" + doc.body[:RELATED_CHARS]
