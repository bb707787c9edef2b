"""The Whoosh schema, and the bridge from our analyzer to Whoosh's token stream.

Only what matching, ranking, filtering and facets need is in Whoosh; the documents themselves
live in the generation's docstore (``indexer/docstore.py``). Nothing is stored in Whoosh but the
id.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, DATETIME, ID, TEXT, Schema
from whoosh.formats import Format

from ..analysis import Token, analyze
from ..chars import stream
from ..extract.fields import normalize_doc_no
from ..ranking import FIELD_WEIGHTS, word_count
from ..records import Document

#: facet name -> Whoosh column field holding its value
FACET_COLUMNS: dict[str, str] = {
    "agency": "facet_agency",
    "year": "facet_year",
    "doc_type": "facet_doc_type",
    "category": "facet_category",
    "proposal_kind": "facet_proposal_kind",
}

#: the fields of jieba's words
WORD_FIELDS = ("title", "body", "agency")
#: title matches count more than body matches (BM25F field weight, ranking.FIELD_WEIGHTS)
TITLE_BOOST = float(FIELD_WEIGHTS["title"])
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


class Analyzed(str):
    """A field value with its tokens already computed: document_to_fields analyzes each text
    once for both the postings and the length column."""

    tokens: list[Token]

    def __new__(cls, text: str, tokens: list[Token]) -> Analyzed:
        value = super().__new__(cls, text)
        value.tokens = tokens
        return value

    def __reduce__(self) -> tuple:
        # Whoosh's MpWriter (bench/query_bench.py) pickles field values to its sub-writers
        return (Analyzed, (str(self), self.tokens))


class GovTokenizer(Tokenizer):
    """Feeds ``indexer.analysis.analyze`` tokens to Whoosh.

    Positions come from our analyzer (they count tokens; sub-words share their word's position),
    unlike jieba's ChineseAnalyzer, which puts character offsets in ``pos`` and so breaks phrases.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ):
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        for tok in analyze(value):
            t.text = tok.text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = value[tok.start : tok.end]
            if positions:
                t.pos = start_pos + tok.pos
            if chars:
                t.startchar = start_char + tok.start
                t.endchar = start_char + tok.end
            yield t


class Counts(Format):
    """Postings with a weight (occurrences x field boost) and nothing else: no positions.

    Exact runs and neighbouring words are matched on the character view (``grams.py``), so
    the word fields need no positions: on all of lawrefbook-laws the Whoosh index went from
    74.9 to 21.4 MB and its build from 23.2 to 17.1 s (bench/README.md).
    """

    posting_size = 0

    def __init__(self, field_boost: float = 1.0, **options: Any):
        self.field_boost = field_boost
        self.options = options

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any):
        raise NotImplementedError("GovText.index writes the postings")

    def encode(self, value: Any) -> bytes:
        return b""

    def decode_frequency(self, valuestring: bytes) -> int:
        return 1

    def decode_weight(self, valuestring: bytes) -> float:
        return self.field_boost


class GovText(TEXT):
    """A text field whose postings are built straight from ``analyze``: each word's
    occurrences as its weight (x the field boost), no positions (``Counts``)."""

    def __init__(self, field_boost: float = 1.0):
        super().__init__(analyzer=GovTokenizer(), phrase=False)
        self.format = Counts(field_boost=field_boost)

    def index(self, value: Any, **kwargs: Any):
        counts: dict[str, int] = {}
        tokens = value.tokens if isinstance(value, Analyzed) else analyze(value)
        for tok in tokens:
            counts[tok.text] = counts.get(tok.text, 0) + 1
        boost = self.format.field_boost
        for text, n in counts.items():
            yield text.encode("utf-8"), n, n * boost, b""


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=GovText(field_boost=TITLE_BOOST),
        body=GovText(),
        agency=GovText(),
        doc_no=ID(),  # normalised 文号 (bracket variants unified)
        index_no=ID(),  # 索引号 as written, upper-cased
        date=DATETIME(sortable=True),
        **{column: ID(sortable=True) for column in FACET_COLUMNS.values()},
        **{column: COLUMN(NumericColumn("I")) for column in LENGTH_COLUMNS.values()},
    )


def _schema_version() -> str:
    """A hash of the schema's shape: an index built with another shape needs a full rebuild
    (an incremental update would mix the two)."""
    shape = [
        (
            name,
            type(f).__name__,
            type(f.format).__name__ if f.format else "",
            type(f.column_type).__name__ if f.column_type else "",
            getattr(f.format, "field_boost", 1.0) if f.format else 1.0,
            f.stored,
            f.unique,
        )
        for name, f in sorted(make_schema().items())
    ]
    return hashlib.sha256(repr(shape).encode("utf-8")).hexdigest()[:16]


SCHEMA_VERSION = _schema_version()


def document_to_fields(doc: Document) -> dict[str, Any]:
    """The Whoosh field values of one Document."""
    return index_fields(doc)[0]


def index_fields(doc: Document) -> tuple[dict[str, Any], str, str]:
    """The Whoosh field values of one Document (what the build workers add), and the streams
    of its title and body (``indexer.chars.stream``) for its gram segment."""
    fields: dict[str, Any] = {"id": doc.id}
    for name in WORD_FIELDS:
        text = getattr(doc, name)
        tokens = analyze(text)
        fields[name] = Analyzed(text, tokens)
        length = sum(word_count(t.text) for t in tokens)
        if length:
            fields[LENGTH_COLUMNS[name]] = length
    streams = stream(doc.title), stream(doc.body)
    for field_name, text in zip(("title", "body"), streams, strict=True):
        if len(text) > 1:
            fields[LENGTH_COLUMNS[f"{field_name}_grams"]] = len(text) - 1  # its bigrams
        if text:
            fields[LENGTH_COLUMNS[f"{field_name}_chars"]] = len(text)
    if doc.doc_no:
        fields["doc_no"] = doc.doc_no_norm or normalize_doc_no(doc.doc_no)
    if doc.index_no:
        fields["index_no"] = doc.index_no.strip().upper()
    if doc.date:
        fields["date"] = datetime.strptime(doc.date, "%Y-%m-%d")
    for facet, column in FACET_COLUMNS.items():
        value = doc.year if facet == "year" else getattr(doc, facet)
        if value:
            fields[column] = value
    return fields, *streams
