"""The Whoosh schema and what the build writes of one document (indexer/whoosh/schema.py)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from whoosh.fields import DATETIME, ID

from indexer.analysis import analyze
from indexer.chars import stream
from indexer.ranking import FIELD_WEIGHTS, word_count
from indexer.records import Document
from indexer.whoosh import schema
from indexer.whoosh.schema import (
    FACET_COLUMNS,
    LENGTH_COLUMNS,
    index_document,
    make_schema,
)

DOC = Document(
    id="x",
    title="关于区政协六届三次会议第13号提案的复函",
    body="区商务局答复王强委员关于深耕地瓜经济的提案。地瓜经济，地瓜经济！",
    doc_no="西政办[2024] 3号",
    index_no=" 002489531/2024-00123 ",
    date="2024-06-03",
    agency="区商务局",
    doc_type="复函",
    proposal_kind="提案",
)


def test_only_the_id_is_stored_and_whoosh_indexes_no_text() -> None:
    s = make_schema()
    assert [name for name, f in s.items() if f.stored] == ["id"]
    assert s["id"].unique
    assert not {"title", "body", "agency", "doc_no", "index_no"} & set(s.names())


def test_facets_are_sortable_columns_and_date_is_datetime() -> None:
    s = make_schema()
    for column in FACET_COLUMNS.values():
        assert isinstance(s[column], ID) and s[column].column_type is not None
    assert isinstance(s["date"], DATETIME) and s["date"].column_type is not None


def test_exact_fields_are_normalised_and_columns_filled() -> None:
    fields, words, _, _ = index_document(DOC)
    assert ("doc_no", "西政办〔2024〕3号", 1) in words
    assert ("index_no", "002489531/2024-00123", 1) in words
    assert fields["date"] == datetime(2024, 6, 3)
    assert fields["facet_year"] == "2024"
    assert fields["facet_agency"] == "区商务局"
    assert fields["facet_doc_type"] == "复函"
    assert "facet_category" not in fields  # empty values are not indexed


def test_word_postings_count_every_token_times_the_field_weight() -> None:
    """Sub-words included (地瓜 and 经济 inside 地瓜经济), a title word counting three."""
    _, words, _, _ = index_document(DOC)
    for name in ("title", "body", "agency"):
        want = Counter(t.text for t in analyze(getattr(DOC, name)))
        got = {term: w for f, term, w in words if f == name}
        assert got == {term: n * FIELD_WEIGHTS[name] for term, n in want.items()}
    body = {term: w for f, term, w in words if f == "body"}
    assert body["地瓜经济"] == 3 and body["地瓜"] == 3 and body["经济"] == 3
    assert {term: w for f, term, w in words if f == "title"}["复函"] == 3


def test_lengths_and_streams() -> None:
    fields, _, title, body = index_document(DOC)
    assert (title, body) == (stream(DOC.title), stream(DOC.body))
    assert fields[LENGTH_COLUMNS["body_grams"]] == len(body) - 1
    assert fields[LENGTH_COLUMNS["body_chars"]] == len(body)
    assert fields[LENGTH_COLUMNS["title"]] == sum(word_count(t.text) for t in analyze(DOC.title))


def test_schema_version_follows_the_schema_and_our_files(monkeypatch: pytest.MonkeyPatch):
    assert schema._schema_version() == schema.SCHEMA_VERSION
    monkeypatch.setattr(schema, "POSTINGS_FORMAT", schema.POSTINGS_FORMAT + "+")
    assert schema._schema_version() != schema.SCHEMA_VERSION

    def another_column():
        s = make_schema()
        s.add("extra", ID(sortable=True))
        return s

    monkeypatch.setattr(schema, "POSTINGS_FORMAT", schema.POSTINGS_FORMAT[:-1])
    monkeypatch.setattr(schema, "make_schema", another_column)
    assert schema._schema_version() != schema.SCHEMA_VERSION
