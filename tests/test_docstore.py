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
from indexer.highlight import Hint, hit_of
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


def _long_laws(shared_corpora: Path) -> list[StoredDocument]:
    laws = [shared_corpora / "lawrefbook-laws" / part for part in ("刑法", "民法典", "社会法")]
    docs = (extract_source(source)[0] for folder in laws for source in discover(folder))
    return [StoredDocument(pack(doc)) for doc in docs if len(doc.body) >= 4 * CHUNK_CHARS]


def _same_with_or_without(stored: StoredDocument, query: str, hint: Hint) -> str:
    marks = parse_query(query).marks
    hinted = hit_of(stored, 1.0, marks, hint).snippet
    assert hinted == hit_of(stored, 1.0, marks).snippet, (query, hint)
    return hinted


@pytest.mark.slow
def test_a_snippet_is_the_same_with_or_without_the_engines_hint(shared_corpora: Path):
    """A run of a long law, where the engine puts it or a guess before it (two bigrams' votes
    can fall short of the match), and a word of a law that holds no run of its part: the
    snippet is the one searching the law piece by piece gives. The runs are drawn where the
    pieces make it hard: around their borders and a window's width before their ends."""
    rng = random.Random(13)
    checked = guessed = words = pairs = 0
    for stored in _long_laws(shared_corpora):
        body = stored.document().body
        body_stream = stream(body)
        ends = [stored.stream_start(i) for i in range(1, stored.pieces)]
        for _ in range(16):
            border = rng.choice(ends)
            length = rng.randint(2, 6)
            # across a border, or up to a window's width or two before it
            at = (
                border - rng.randrange(1, length)
                if rng.random() < 0.3
                else border - rng.randrange(480)
            )
            run = body_stream[at : at + length]
            if not all("\u4e00" <= c <= "\u9fff" for c in run):
                continue
            first = body_stream.index(run)
            snippet = _same_with_or_without(stored, f'"{run}"', Hint(first))
            assert f"<mark>{run}</mark>" in stream(snippet), (run, snippet)
            # two runs a little apart: the window shown is where most marks are, after the first
            other = body_stream[at + rng.randrange(20, 300) :][:2]
            if all("\u4e00" <= c <= "\u9fff" for c in other):
                both = [body_stream.index(x) for x in (run[:2], other)]
                _same_with_or_without(stored, f"{run[:2]} {other}", Hint(min(both)))
                pairs += 1
            checked += 1
            if first > 600:
                _same_with_or_without(stored, f'"{run}"', Hint(first - rng.randrange(1, 600)))
                guessed += 1
            # two words of the law run together (a part whose run the law never writes)
            a, b = body_stream[at : at + 2], body_stream[rng.randrange(len(body_stream) - 2) :][:2]
            part = a + b
            if all("\u4e00" <= c <= "\u9fff" for c in part) and part not in body_stream:
                marks = parse_query(part).marks
                found = [body_stream.find(w) for m in marks for w in m.words]
                found = [i for i in found if i >= 0]
                if found and all(len(w) > 1 for m in marks for w in m.words):
                    _same_with_or_without(stored, part, Hint(min(found), run=False))
                    words += 1
    assert checked >= 100 and guessed >= 50 and words >= 30 and pairs >= 50, (
        checked,
        guessed,
        words,
        pairs,
    )


def _from_sqlite(path: Path, ids: list[str]) -> dict[str, Document]:
    store = DocStore(path, readonly=True)
    if store._pack is not None:
        store._pack.close()
        store._pack = None  # what SQLite alone answers
    try:
        return {i: d.document() for i, d in store.get_stored(ids).items()}
    finally:
        store.close()


def test_the_pack_reads_what_sqlite_holds(sample_index: Path):
    """A built generation has a pack (docpack.py); every document read from it is the one
    SQLite holds, an id it lacks is absent, and a page of ids in any order reads back whole."""
    from indexer.docpack import pack_path
    from indexer.whoosh import layout

    path = layout.current_generation(sample_index) / layout.DOCSTORE
    assert pack_path(path).exists()
    with DocStore(path, readonly=True) as store:
        assert store._pack is not None
        ids = [doc.id for doc in store]
        rng = random.Random(3)
        for _ in range(20):
            page = rng.sample(ids, min(10, len(ids))) + ["no-such-id"]
            read = {i: d.document() for i, d in store.get_stored(page).items()}
            assert read == _from_sqlite(path, page)
            assert "no-such-id" not in read and len(read) == len(page) - 1


def test_ids_that_share_a_key_are_read_from_sqlite(tmp_path: Path, monkeypatch):
    """Two ids with one key (every id here: a constant key) or a pack from another store
    still give each id its own document: the pack's document is checked, SQLite answers."""
    from indexer import docpack

    docs = [Document(id=f"d{i}", title=f"第{i}号", body="正文" * (i * 300)) for i in range(6)]
    path = tmp_path / "docs.sqlite"
    with DocStore(path) as store:
        store.put_many((d, "h") for d in docs)
    monkeypatch.setattr(docpack, "key", lambda doc_id: 7)
    docpack.write_pack(path)
    with DocStore(path, readonly=True) as store:
        assert store._pack is not None
        got = {i: d.document() for i, d in store.get_stored([d.id for d in docs]).items()}
    assert got == {d.id: d for d in docs}


def test_a_write_removes_the_pack(tmp_path: Path):
    """Any write to a docstore makes its pack stale: the pack goes before the write."""
    from indexer.docpack import pack_path, write_pack

    path = tmp_path / "docs.sqlite"
    old = Document(id="a", title="旧", body="旧的正文")
    with DocStore(path) as store:
        store.put_many([(old, "h")])
    write_pack(path)
    for write in (
        lambda s: s.put_many([(Document(id="a", title="新", body="新的正文"), "h2")]),
        lambda s: s.put_packed([("b", "b.txt", "h", pack(Document(id="b", title="乙")))]),
        lambda s: s.delete_many(["b"]),
    ):
        write_pack(path)
        with DocStore(path) as store:
            write(store)
        assert not pack_path(path).exists()
        with DocStore(path, readonly=True) as store:
            assert store._pack is None
    with DocStore(path, readonly=True) as store:
        assert store.get_stored(["a"])["a"].fields.title == "新"


def test_a_pack_of_the_wrong_size_is_not_used(tmp_path: Path):
    """A pack cut short, or with bytes after its documents, is left alone at open: every
    document comes back whole, from SQLite. (A pack is written to a temporary name and renamed,
    so this takes a disk error or a copy gone wrong.)"""
    from indexer.docpack import pack_path, write_pack

    docs = [Document(id=f"d{i}", title=f"第{i}号", body="正文" * (i * 400)) for i in range(8)]
    path = tmp_path / "docs.sqlite"
    with DocStore(path) as store:
        store.put_many((d, "h") for d in docs)
    whole = write_pack(path).read_bytes()
    for damaged in (whole[: len(whole) * 2 // 3], whole[:20], whole + b"x"):
        pack_path(path).write_bytes(damaged)
        with DocStore(path, readonly=True) as store:
            assert store._pack is None
            got = {i: d.document() for i, d in store.get_stored([d.id for d in docs]).items()}
        assert got == {d.id: d for d in docs}
