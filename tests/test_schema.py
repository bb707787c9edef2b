"""The Whoosh schema (indexer/schema.py): what is indexed, stored, sortable, and how."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import CORPUS
from whoosh import query
from whoosh.fields import DATETIME, ID, TEXT
from whoosh.filedb.filestore import RamStorage

from indexer import extract
from indexer.analysis import analyze
from indexer.records import Document
from indexer.whoosh import schema
from indexer.whoosh.schema import (
    FACET_COLUMNS,
    TITLE_BOOST,
    GovText,
    document_to_fields,
    make_schema,
)


def test_only_the_id_is_stored() -> None:
    s = make_schema()
    assert [name for name, f in s.items() if f.stored] == ["id"]
    assert s["id"].unique


def test_title_is_boosted_over_body() -> None:
    s = make_schema()
    assert s["title"].format.field_boost == TITLE_BOOST > s["body"].format.field_boost == 1.0


def test_text_fields_keep_counts_but_no_positions_vectors_or_offsets() -> None:
    """Runs and neighbouring words are matched on the character view (gram segments)."""
    s = make_schema()
    for name in ("title", "body", "agency"):
        assert type(s[name].format).__name__ == "Counts"
        assert s[name].format.posting_size == 0
        assert not s[name].vector


def test_facets_are_sortable_columns_and_date_is_datetime() -> None:
    s = make_schema()
    for column in FACET_COLUMNS.values():
        assert isinstance(s[column], ID) and s[column].column_type is not None
    assert isinstance(s["date"], DATETIME) and s["date"].column_type is not None
    assert isinstance(s["doc_no"], ID) and isinstance(s["index_no"], ID)


def test_document_to_fields_normalises_exact_match_fields() -> None:
    doc = Document(
        id="x",
        title="关于区政协六届三次会议第13号提案的复函",
        doc_no="西政办[2024] 3号",
        index_no=" 002489531/2024-00123 ",
        date="2024-06-03",
        agency="区商务局",
        doc_type="复函",
        proposal_kind="提案",
    )
    fields = document_to_fields(doc)
    assert fields["doc_no"] == "西政办〔2024〕3号"
    assert fields["index_no"] == "002489531/2024-00123"
    assert fields["date"] == datetime(2024, 6, 3)
    assert fields["facet_year"] == "2024"
    assert fields["facet_agency"] == "区商务局"
    assert fields["facet_doc_type"] == "复函"
    assert "facet_category" not in fields  # empty values are not indexed


def test_fast_index_path_yields_exactly_whoosh_text_postings() -> None:
    s = make_schema()
    compared = 0
    for source in extract.discover(CORPUS):
        for doc in extract.extract_source(source):
            for name in ("title", "body", "agency"):
                value = getattr(doc, name)
                ours = sorted(p[:3] for p in s[name].index(value))
                frequency = TEXT(analyzer=s[name].analyzer, phrase=False)
                frequency.format.field_boost = s[name].format.field_boost
                assert ours == sorted(p[:3] for p in frequency.index(value))
                compared += bool(value)
    assert compared > 80


def _ram_index(*docs: Document):
    ix = RamStorage().create_index(make_schema())
    with ix.writer() as writer:
        for doc in docs:
            writer.add_document(**document_to_fields(doc))
    return ix


def test_words_and_sub_words_are_found_by_term() -> None:
    text = "区商务局答复王强委员关于深耕地瓜经济的提案"
    ix = _ram_index(Document(id="a", body=text), Document(id="b", body="地瓜 提案 经济 深耕"))
    with ix.searcher() as searcher:
        subs = [t.text for t in analyze(text) if t.sub]
        assert subs  # e.g. 地瓜 and 经济 inside 地瓜经济
        for sub in subs:
            assert "a" in {h["id"] for h in searcher.search(query.Term("body", sub))}
        assert {h["id"] for h in searcher.search(query.Term("body", "深耕"))} == {"a", "b"}


def test_schema_version_follows_the_schema_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    assert schema._schema_version() == schema.SCHEMA_VERSION

    def reboosted():
        s = make_schema()
        s.remove("title")
        s.add("title", GovText(field_boost=TITLE_BOOST + 1))
        return s

    monkeypatch.setattr(schema, "make_schema", reboosted)
    assert schema._schema_version() != schema.SCHEMA_VERSION
