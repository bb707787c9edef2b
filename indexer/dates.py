"""Dates as day numbers, the one convention of both engines (no engine here).

A document's date is ``YYYY-MM-DD``; engines keep it as ``date.toordinal()`` (positive for any
year, unlike a unix time, so Sphinx can hold it in an unsigned attribute) and ``NO_DAY`` (0)
where a document has none: 0 sorts below every real date, so undated documents come last in a
newest-first sort and never pass a ``date_from`` filter.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import QueryError

#: the day number of a document without a date
NO_DAY = 0

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def day_number(iso: str) -> int:
    """``YYYY-MM-DD`` as its day number (ValueError for anything else)."""
    match = _ISO_DATE.fullmatch(iso)
    if not match:
        raise ValueError(f"not a YYYY-MM-DD date: {iso!r}")
    return date(*(int(part) for part in match.groups())).toordinal()


def parameter_day(name: str, value: str) -> int:
    """The day number of a request parameter, or a QueryError naming it that a person can act
    on (``value`` is shown cut short: a 10,000-character input is not echoed back)."""
    try:
        return day_number(value)
    except ValueError:
        shown = repr(value if len(value) <= 40 else value[:40] + "…")
        raise QueryError(
            f"{name} must be a real date written YYYY-MM-DD, e.g. 2024-03-01 (got {shown})",
            name,
        ) from None
