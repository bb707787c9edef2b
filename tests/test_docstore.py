"""The docstore keeps a body in pieces compressed one by one; a snippet reads only what it shows.

The stored document reads back whole, every piece knows where it starts in the body and in the
body's stream (``chars.stream``), and a hit's snippet is the same whether the engine points at
the match or the body is searched from its start — on real long laws, where the match is far in.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from indexer.chars import stream
from indexer.docstore import CHUNK_CHARS, LEAD_CHARS, DocStore, StoredDocument, pack
from indexer.extract import discover, extract_source
from indexer.highlight import hit_of
from indexer.query import parse_query
from indexer.records import Document


def test_a_document_reads_back_whole_with_every_field():
    body = "第一条　为了规范\n管理，制定本办法。\r\n" * 700 + "𠀀尾"
    doc = Document(id="x1", title="标题", body=body, agency="区商务局", doc_no="岚综〔2023〕1号")
    stored = StoredDocument(pack(doc))
    assert stored.document() == doc
    assert stored.fields.title == "标题" and stored.fields.body == ""
    assert stored.body_length == len(body)
    assert stored.pieces == 1 + -(-(len(body) - LEAD_CHARS) // CHUNK_CHARS)
    assert stored.lead(3000) == body[:3000]


def test_pieces_know_where_they_start_in_the_body_and_in_its_stream():
    rng = random.Random(7)
    body = "".join(rng.choice("经济 发展\n\t　一二") for _ in range(20_000))
    stored = StoredDocument(pack(Document(id="x", body=body)))
    whole = stream(body)
    for i in range(stored.pieces):
        start, text = stored.piece(i)
        assert body[start : start + len(text)] == text
        assert stored.stream_start(i) == len(stream(body[:start]))
    for position in (0, 1, len(whole) // 2, len(whole) - 1):
        i = stored.piece_of_stream(position)
        end = stored.stream_start(i + 1) if i + 1 < stored.pieces else len(whole)
        assert stored.stream_start(i) <= position < end


def test_an_empty_body_has_no_pieces():
    stored = StoredDocument(pack(Document(id="e", title="只有标题")))
    assert stored.pieces == 0 and stored.body_length == 0 and stored.document().body == ""


def test_a_store_of_another_format_is_refused():
    with pytest.raises(ValueError, match="rebuild"):
        StoredDocument(b"x\x9c" + b"\0" * 20)


def test_store_round_trip(tmp_path: Path):
    docs = [Document(id=f"d{i}", title=f"第{i}号", body="正文" * (i * 1000)) for i in range(5)]
    with DocStore(tmp_path / "docs.sqlite") as store:
        store.put_many((d, "h") for d in docs)
        assert store.get_many([d.id for d in docs]) == {d.id: d for d in docs}
        assert {i: s.document() for i, s in store.get_stored(["d3", "nope"]).items()} == {
            "d3": docs[3]
        }


@pytest.mark.slow
def test_a_snippet_is_the_same_with_or_without_the_engines_hint(shared_corpora: Path):
    """A run far into a long law: found around the hint and by searching from the start."""
    rng = random.Random(13)
    checked = 0
    laws = [shared_corpora / "lawrefbook-laws" / part for part in ("刑法", "民法典", "社会法")]
    for source in (s for folder in laws for s in discover(folder)):
        doc = extract_source(source)[0]
        if len(doc.body) < 4 * CHUNK_CHARS:
            continue
        stored = StoredDocument(pack(doc))
        body_stream = stream(doc.body)
        for _ in range(10):
            at = rng.randrange(len(body_stream) // 2, len(body_stream) - 8)
            run = body_stream[at : at + 6]
            if not all("\u4e00" <= c <= "\u9fff" for c in run):
                continue
            marks = parse_query(f'"{run}"').marks
            first = body_stream.index(run)
            hinted = hit_of(stored, 1.0, marks, first)
            searched = hit_of(stored, 1.0, marks, None)
            assert hinted.snippet == searched.snippet
            assert f"<mark>{run}</mark>" in stream(hinted.snippet), (run, hinted.snippet)
            checked += 1
    assert checked >= 30
