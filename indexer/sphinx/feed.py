"""What Sphinx indexes of a Document: our analyzer's tokens as space-separated words.

Sphinx never segments Chinese itself: every field is the text of our tokens joined by spaces,
and ``charset_table`` declares the CJK blocks as word characters, so each of our tokens is one
Sphinx keyword and phrase positions count our tokens. Two fields per text field, as Whoosh keeps
both at one position: ``title`` holds the accurate-mode main tokens (phrases match there) and
``title_sub`` the search-mode sub-words (recall: 经济 finds 经济发展).

The rows are tab-separated (``tsvpipe``); the column order is COLUMNS, which also writes the
``tsvpipe_*`` declarations of the shard config (Sphinx maps columns by declaration order).
"""

from __future__ import annotations

import hashlib
from datetime import date

from ..analysis import analyze
from ..extract.fields import normalize_doc_no
from ..records import FACET_FIELDS, Document

#: searched text fields: (main field, sub-word field)
TEXT_FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "title_sub"),
    "body": ("body", "body_sub"),
    "agency": ("agency", "agency_sub"),
}
#: a field every document has, holding ALL_TOKEN: Sphinx cannot run a query that is only a NOT
#: ("-word"), so that becomes ``@every ALL_TOKEN -word``
EVERY_FIELD = "every"
ALL_TOKEN = "govsearchall"
#: exact identifiers (normalised 文号, upper-cased 索引号) as one keyword each (see id_token): a
#: field rather than a string attribute, so that a typed 文号 can be OR-ed with the text query
IDS_FIELD = "ids"


def id_token(field: str, value: str) -> str:
    """An exact identifier as one keyword: its brackets and slashes are not word characters."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).hexdigest()
    return field.replace("_", "") + digest


def facet_attr(facet: str) -> str:
    """The string attribute of a facet (a field and an attribute must not share a name)."""
    return f"f_{facet}"


#: (column name, tsvpipe declaration) after the leading document id, in row order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("gid", "tsvpipe_attr_string"),  # our document id
    *((f, "tsvpipe_field") for pair in TEXT_FIELDS.values() for f in pair),
    (EVERY_FIELD, "tsvpipe_field"),
    (IDS_FIELD, "tsvpipe_field"),
    *((facet_attr(facet), "tsvpipe_attr_string") for facet in FACET_FIELDS),
    ("day", "tsvpipe_attr_uint"),  # date.toordinal() of the date; 0: no date
)


_UNSAFE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\\": " "})


def sphinx_id(doc_id: str) -> int:
    """A stable 63-bit document id (Sphinx ids are integers, ours are strings); never 0."""
    n = int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")
    return (n & (2**63 - 1)) or 1


def shard_of(doc_id: str, shards: int) -> int:
    """The shard a document lives in: a stable hash, the same on every machine and every run."""
    return sphinx_id(doc_id) % shards


def day_number(iso: str) -> int:
    """``YYYY-MM-DD`` as ``date.toordinal()`` (positive for any year, unlike a unix time)."""
    return date.fromisoformat(iso).toordinal()


def segment(doc: Document) -> list[str]:
    """The document's column values after ``gid``, in COLUMNS order (the costly part: analysis)."""
    texts: list[str] = []
    for name in TEXT_FIELDS:
        tokens = analyze(getattr(doc, name))
        texts.append(" ".join(t.text for t in tokens if not t.sub))
        texts.append(" ".join(t.text for t in tokens if t.sub))
    try:
        day = day_number(doc.date) if doc.date else 0
    except ValueError:
        day = 0
    attrs = [doc.year if facet == "year" else getattr(doc, facet) for facet in FACET_FIELDS]
    ids = []
    if doc.doc_no:
        ids.append(id_token("doc_no", doc.doc_no_norm or normalize_doc_no(doc.doc_no)))
    if doc.index_no.strip():
        ids.append(id_token("index_no", doc.index_no.strip().upper()))
    return [*texts, ALL_TOKEN, " ".join(ids), *attrs, str(day)]


def tsv_row(doc_id: str, columns: list[str]) -> str:
    """One tsvpipe line: the Sphinx id, our id, then ``columns`` (from ``segment``)."""
    cells = [str(sphinx_id(doc_id)), doc_id, *columns]
    return "\t".join(c.translate(_UNSAFE) for c in cells) + "\n"
