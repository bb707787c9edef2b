"""Where the engine says a long body's first match is (``scoring.first_body_starts``, the hint a
snippet is cut around), on real long laws: reading only each bigram's first positions per
document gives what reading all of them gives."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.chars import stream
from indexer.whoosh import scoring
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine

pytestmark = pytest.mark.slow

LAWS = ("刑法/刑法.md", "民法典/合同编.md", "民法典/物权编.md", "宪法/宪法.md")


@pytest.fixture(scope="module")
def long_laws(shared_corpora: Path, tmp_path_factory: pytest.TempPathFactory):
    corpus = tmp_path_factory.mktemp("long_laws")
    for i, law in enumerate(LAWS):
        shutil.copy(shared_corpora / "lawrefbook-laws" / law, corpus / f"{i}.md")
    index_dir = tmp_path_factory.mktemp("long_laws_index")
    build_index(corpus, index_dir, progress=False)
    with SearchEngine(index_dir) as engine, engine._use() as gen:
        docs = {gen.reader.docnum(doc.id): doc for doc in gen.docs}
        yield gen.reader, {d: stream(doc.body) for d, doc in docs.items()}


def test_a_long_bodys_first_run_is_found_reading_its_bigrams_first_positions(
    long_laws, monkeypatch
):
    """Runs drawn from the laws, late ones and ones of common bigrams (中华 has more than
    FIRST_VOTES positions in each law before most runs it starts): the first positions give
    the start all positions give, each at or before the run's first occurrence."""
    reader, streams = long_laws
    rng = random.Random(7)
    docs = np.array(sorted(streams), dtype=np.int64)
    fallbacks = 0
    full_calls = scoring.run_starts

    def counting(*args, **kwargs):
        nonlocal fallbacks
        if kwargs.get("limit") is None:
            fallbacks += 1
        return full_calls(*args, **kwargs)

    checked = late = 0
    for body in streams.values():
        for _ in range(60):
            length = rng.randint(2, 7)
            at = rng.randrange(len(body) // 2, len(body) - length)
            run = body[at : at + length]
            if not all("\u4e00" <= c <= "\u9fff" for c in run):
                continue
            monkeypatch.setattr(scoring, "run_starts", counting)
            limited = scoring.first_body_starts(reader, [run], docs)
            monkeypatch.setattr(scoring, "run_starts", full_calls)
            monkeypatch.setattr(scoring, "FIRST_VOTES", 1 << 30)
            everything = scoring.first_body_starts(reader, [run], docs)
            monkeypatch.undo()
            assert limited == everything, run
            for d, text in streams.items():
                first = text.find(run)
                if first >= 0:
                    assert d in limited and limited[d] <= first, (run, d)
            late += body.find(run) > len(body) // 4
            checked += 1
    assert checked >= 150 and late >= 50, (checked, late)
    assert fallbacks >= 20, fallbacks  # the first positions gave no start in some laws
