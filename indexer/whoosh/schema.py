"""The Whoosh schema, and what the build writes of one document.

Whoosh holds the documents' numbers and ids (the only stored field: deletions and incremental
updates go by it), the facet, date and length columns, and its segments, which our own posting
files live beside: ``words.py`` (jieba's words of title, body and agency, and the exact 文号 /
索引号) and ``grams.py`` (the character view). Whoosh indexes no text itself: its posting writer
was the slowest part of a build (PERFORMANCE.md), and its postings were written only to be read
back through a slower path than ours. The documents themselves live in the generation's
docstore (``indexer/docstore.py``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, NamedTuple

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, Schema

from ..analysis import analyze
from ..chars import stream
from ..extract.fields import normalize_doc_no
from ..facets import document_facet_values
from ..ranking import FIELD_WEIGHTS, word_count
from ..records import Document
from ..value_terms import VALUE_FIELDS, document_terms

#: facet name -> Whoosh column field holding its value
FACET_COLUMNS: dict[str, str] = {
    "agency": "facet_agency",
    "year": "facet_year",
    "doc_type": "facet_doc_type",
    "category": "facet_category",
    "proposal_kind": "facet_proposal_kind",
    "session": "facet_session",
    "handling_unit": "facet_handling_unit",
    "feedback": "facet_feedback",
    "kind_of_page": "facet_kind_of_page",
    "file_type": "facet_file_type",
}
#: joins the values of a multi-valued facet in its column (no office name holds it)
VALUE_SEPARATOR = "\x1f"

#: the dates a search sorts by: published (date) and written (成文日期)
DATE_COLUMNS = ("date", "written_date")

#: the fields of jieba's words
WORD_FIELDS = ("title", "body", "agency")
#: the fields of a whole value: a normalised 文号 (bracket variants unified), an 索引号 as
#: written, upper-cased, and a reply's values the field prefixes look up (value_terms.py)
EXACT_FIELDS = ("doc_no", "index_no", *VALUE_FIELDS)
#: text field -> the column holding its exact length in words (ranking.word_count, sub-words
#: included). Whoosh keeps lengths in one byte per document (byte_to_length: 1000 tokens come
#: back as 1046), and ranking.py's dl must equal the lengths Sphinx keeps.
LENGTH_COLUMNS: dict[str, str] = {
    "title": "len_title",
    "body": "len_body",
    "agency": "len_agency",
    "title_grams": "len_title_grams",
    "body_grams": "len_body_grams",
    "title_chars": "len_title_chars",
    "body_chars": "len_body_chars",
}
#: our posting files beside Whoosh's segments (grams.py, words.py): an index without them, or
#: with an older layout of them, is rebuilt like one of another schema
POSTINGS_FORMAT = "grams 4, words 2 (zstd pages), no text in Whoosh, reply value terms"


class IndexedDocument(NamedTuple):
    """What the build writes of one Document."""

    fields: dict[str, Any]  # Whoosh's field values
    words: list[tuple[str, str, int]]  # (field, term, weight) postings: words.WordWriter
    title: str  # the streams of title and body (chars.stream): grams.GramWriter
    body: str


def index_document(doc: Document) -> IndexedDocument:
    """Analyze ``doc`` once for everything the build writes of it.

    A word's posting weight is its occurrences (sub-words included) x its field's weight
    (ranking.FIELD_WEIGHTS: a title word counts three); a 文号 or 索引号 weighs 1.
    """
    fields: dict[str, Any] = {"id": doc.id}
    words: list[tuple[str, str, int]] = []
    for name in WORD_FIELDS:
        tokens = analyze(getattr(doc, name))
        counts: dict[str, int] = {}
        for tok in tokens:
            counts[tok.text] = counts.get(tok.text, 0) + 1
        weight = int(FIELD_WEIGHTS[name])
        words += [(name, text, n * weight) for text, n in counts.items()]
        length = sum(word_count(t.text) for t in tokens)
        if length:
            fields[LENGTH_COLUMNS[name]] = length
    if doc.doc_no:
        words.append(("doc_no", doc.doc_no_norm or normalize_doc_no(doc.doc_no), 1))
    if doc.index_no.strip():
        words.append(("index_no", doc.index_no.strip().upper(), 1))
    words += [(name, value, 1) for name, value in document_terms(doc)]
    title, body = stream(doc.title), stream(doc.body)
    for field_name, text in (("title", title), ("body", body)):
        if len(text) > 1:
            fields[LENGTH_COLUMNS[f"{field_name}_grams"]] = len(text) - 1  # its bigrams
        if text:
            fields[LENGTH_COLUMNS[f"{field_name}_chars"]] = len(text)
    for name in DATE_COLUMNS:
        if getattr(doc, name):
            fields[name] = datetime.strptime(getattr(doc, name), "%Y-%m-%d")
    for facet, column in FACET_COLUMNS.items():
        values = document_facet_values(doc, facet)
        if values:
            fields[column] = VALUE_SEPARATOR.join(values)
    return IndexedDocument(fields, words, title, body)


def make_schema() -> Schema:
    return Schema(
        # a column too: a hit's id read from it takes ~1 µs, from the stored fields 12.7
        id=ID(stored=True, unique=True, sortable=True),
        **{name: DATETIME(sortable=True) for name in DATE_COLUMNS},
        **{column: ID(sortable=True) for column in FACET_COLUMNS.values()},
        **{column: COLUMN(NumericColumn("I")) for column in LENGTH_COLUMNS.values()},
    )


def _schema_version() -> str:
    """A hash of the schema's shape and our files' layout: an index built with another one
    needs a full rebuild (an incremental update would mix the two)."""
    shape: list[Any] = [
        (
            name,
            type(f).__name__,
            type(f.format).__name__ if f.format else "",
            type(f.column_type).__name__ if f.column_type else "",
            f.stored,
            f.unique,
        )
        for name, f in sorted(make_schema().items())
    ]
    shape.append(POSTINGS_FORMAT)
    return hashlib.sha256(repr(shape).encode("utf-8")).hexdigest()[:16]


SCHEMA_VERSION = _schema_version()
