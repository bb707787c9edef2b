"""Find what is written (issue 13): a run of characters typed or pasted finds the documents that
contain it, on both engines, as Ctrl+F would.

The runs are not the analyzer's words: they are cut at random (hypothesis, reproducible) out of
real documents of ../shared/corpora — titles and bodies, 1 to 12 characters, across line breaks
and next to digits — and typed as a user would, with or without quotes. Whether a document
contains a run is decided by this file's own normalisation, never the indexer's code: character
by character (as the README says a text is compared) NFKC, Traditional → Simplified with
``zhconv``, lower case, whitespace removed; punctuation at a run's edges is dropped, as the
README says a query's is. What must hold, on Whoosh and on a 2-shard Sphinx cluster alike:

* quoted: the hits are exactly the documents whose title or body contains the run (recall and
  precision 1), and every hit marks the whole run in its title or snippet;
* typed plainly: a run held by at most 5 documents has its source in the top 10 (the documents
  holding it rank above those that only have its words), and every holder is found;
* a passage pasted from a body (30-200 characters) finds its document first.

Examples per property: GOVSEARCH_PROPERTY_EXAMPLES (default 40 per engine); the draws are
derandomized so CI sees the same runs every time.
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import zhconv
from conftest import sphinx_engine_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.docstore import DocStore
from indexer.records import SearchRequest
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("GOVSEARCH_PROPERTY_EXAMPLES", "40"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: real documents of every kind: disclosure pages (two crawler layouts, HTML), a reply letter,
#: laws (long bodies, numbered articles), two weeks of the evening news
PARTS = [
    "pingtan",
    "jiangxi-gov-html",
    "lishui-xxgk-html",
    "seed",
    "lawrefbook-laws/宪法",
    "lawrefbook-laws/刑法",
    "lawrefbook-laws/社会法",
]
NEWS_DAYS = 14
MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_SPACE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
#: characters that mean something to the query syntax when typed unquoted
_SYNTAX = set('"“”＂()')


@functools.cache
def _one(char: str) -> str:
    """One character as the README says a text is normalised, character by character: NFKC
    unless it expands into several (㎡ → m2: such a character matches only itself), then
    Traditional → Simplified unless that gives several, then lower case."""
    out = unicodedata.normalize("NFKC", char)
    out = out if len(out) == 1 else char
    simple = zhconv.convert(out, "zh-hans")
    out = simple if len(simple) == 1 else out
    lower = out.lower()
    return lower if len(lower) == 1 else out


def normalised(text: str) -> str:
    """This test's idea of "the same text": not the indexer's code."""
    return _SPACE.sub("", "".join(map(_one, text)))


def edge_trimmed(run: str) -> str:
    """A typed run without the punctuation and symbols at its edges."""
    start, end = 0, len(run)
    while start < end and not run[start].isalnum():
        start += 1
    while end > start and not run[end - 1].isalnum():
        end -= 1
    return run[start:end]


@dataclass
class Doc:
    id: str
    title: str
    body: str
    title_norm: str
    body_norm: str


class Oracle:
    """The indexed documents and which of them contain a run, by ``normalised``."""

    def __init__(self, docs: list[Doc]):
        self.docs = docs

    def holders(self, run: str) -> set[str]:
        want = normalised(edge_trimmed(run))
        return {d.id for d in self.docs if want in d.title_norm or want in d.body_norm}


@pytest.fixture(scope="module")
def real_corpus(shared_corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of a slice of ../shared/corpora with the same layout (so ids match), read-only
    source: nothing is written there."""
    root = tmp_path_factory.mktemp("exact_corpus")
    for part in PARTS:
        shutil.copytree(shared_corpora / part, root / part)
    news = root / "cctv-xwlb" / "news"
    news.mkdir(parents=True)
    for day in sorted((shared_corpora / "cctv-xwlb" / "news").glob("*.md"))[:NEWS_DAYS]:
        shutil.copy(day, news / day.name)
    return root


@pytest.fixture(scope="module")
def whoosh_index(real_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("exact_whoosh")
    build_index(real_corpus, index_dir, progress=False)
    return index_dir


@pytest.fixture(scope="module")
def oracle(whoosh_index: Path) -> Oracle:
    gen = layout.current_generation(whoosh_index)
    with DocStore(gen / layout.DOCSTORE, readonly=True) as store:
        docs = [
            Doc(d.id, d.title, d.body, normalised(d.title), normalised(d.body)) for d in store
        ]
    assert len(docs) > 300
    return Oracle(docs)


@pytest.fixture(scope="module")
def whoosh_engine(whoosh_index: Path) -> Iterator[SearchEngine]:
    with SearchEngine(whoosh_index) as engine:
        yield engine


@pytest.fixture(scope="module")
def sphinx_engine(real_corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    with sphinx_engine_of(real_corpus, tmp_path_factory.mktemp("exact_sphinx")) as engine:
        yield engine


@pytest.fixture(scope="module", params=["whoosh", "sphinx"])
def engine(request: pytest.FixtureRequest):
    return request.getfixturevalue(f"{request.param}_engine")


# --- drawing runs out of the documents ----------------------------------------------------------


def _usable(run: str) -> bool:
    """A run a user could type plainly and this test can judge: it holds a Chinese character;
    no quote or parenthesis (query syntax), no leading '-' (NOT); its edges are letters or
    digits; and no character that NFKC turns into several (㎡ → m2: the index matches those as
    written, the README says so)."""
    return (
        any("\u4e00" <= c <= "\u9fff" for c in run)
        and not (_SYNTAX & set(run))
        and not run.startswith("-")
        and edge_trimmed(run) == run
        and all(len(unicodedata.normalize("NFKC", c)) == 1 for c in run)
    )


@st.composite
def runs(draw, oracle: Oracle, kind: str) -> tuple[str, Doc]:
    """(run as typed, its source document): ``kind`` is "any" (title or body, 1-12 characters),
    "long" (13-40 characters of a body), "break" (across a line break of a body, the break taken
    out) or "digit" (next to a digit)."""
    for _ in range(100):
        doc = draw(st.sampled_from(oracle.docs))
        text = doc.title if kind == "any" and draw(st.integers(0, 3)) == 0 else doc.body
        if kind == "break":
            spots = [m.start() for m in re.finditer(r"(?<=\S)\n(?=\S)", text)]
        elif kind == "digit":
            spots = [m.start() for m in re.finditer(r"(?<=[0-9])[\u4e00-\u9fff]", text)]
        else:
            spots = list(range(len(text)))
        if not spots:
            continue
        at = draw(st.sampled_from(spots))
        if kind == "break":  # the break at ``at`` is inside the run
            before = draw(st.integers(1, 11))
            run = text[at - before : at] + text[at + 1 : at + 1 + draw(st.integers(1, 12 - before))]
        elif kind == "digit":  # a digit (or a few) and the characters after them
            run = text[at - draw(st.integers(1, 3)) : at + draw(st.integers(1, 6))]
        elif kind == "long":  # a sentence's worth: confirmed on the stored text of candidates
            run = text[at : at + draw(st.integers(13, 40))]
        else:
            run = text[at : at + draw(st.integers(1, 12))]
        if run and not any(c.isspace() for c in run) and _usable(run):
            return run, doc
    raise AssertionError(f"no usable {kind} run in 100 draws")


def all_hits(engine, q: str) -> list:
    """Every hit of a query, page by page (100 a page)."""
    hits, page = [], 1
    while True:
        result = engine.search(SearchRequest(q=q, size=100, page=page, facets=False))
        hits += result.hits
        if len(hits) >= result.total or not result.hits:
            assert len(hits) == result.total
            return hits
        page += 1


def marks_the_run(hit, run: str) -> bool:
    """Some <mark> of the hit's title or snippet holds the whole run."""
    want = normalised(edge_trimmed(run))
    return any(want in normalised(html.unescape(m)) for m in MARK.findall(hit.title_html)) or any(
        want in normalised(html.unescape(m)) for m in MARK.findall(hit.snippet)
    )


# --- the properties ------------------------------------------------------------------------------


def check_quoted(engine, oracle: Oracle, run: str, source: Doc) -> None:
    holders = oracle.holders(run)
    assert source.id in holders
    hits = all_hits(engine, f'"{run}"')
    found = {h.id for h in hits}
    assert found == holders, (run, sorted(found - holders)[:5], sorted(holders - found)[:5])
    for hit in hits[:10]:
        assert marks_the_run(hit, run), (run, hit.id, hit.title_html, hit.snippet)


@pytest.mark.parametrize("kind", ["any", "long", "break", "digit"])
@PROPERTY
@given(data=st.data())
def test_quoted_run_finds_exactly_the_documents_that_contain_it(engine, oracle, kind, data):
    """Runs of 1-12 characters, of 13-40, across a line break, next to digits."""
    run, source = data.draw(runs(oracle, kind))
    check_quoted(engine, oracle, run, source)


@PROPERTY
@given(data=st.data())
def test_plain_run_ranks_its_holders_first(engine, oracle, data):
    run, source = data.draw(runs(oracle, "any"))
    holders = oracle.holders(run)
    top = [h.id for h in engine.search(SearchRequest(q=run, size=10, facets=False)).hits]
    # the documents holding the run rank above every document that only has its words
    assert set(top[: min(10, len(holders))]) <= holders, (run, top, sorted(holders)[:10])
    if len(holders) <= 5:
        assert source.id in top, (run, top)
    if len(holders) <= 50:  # every holder is found (the run is added to the words' matches)
        assert holders <= {h.id for h in all_hits(engine, run)}, run


@PROPERTY
@given(data=st.data())
def test_pasted_passage_finds_its_document_first(engine, oracle, data):
    doc = data.draw(st.sampled_from([d for d in oracle.docs if len(d.body_norm) >= 400]))
    length = data.draw(st.sampled_from([30, 60, 100, 200]))
    start = data.draw(st.integers(0, len(doc.body) - 1))
    passage = _SPACE.sub("", doc.body[start:])[:length]
    if len(passage) < length or _SYNTAX & set(passage) or passage.startswith("-"):
        return
    result = engine.search(SearchRequest(q=passage, size=10, facets=False))
    assert result.total > 0, passage
    holders = oracle.holders(passage)
    assert result.hits[0].id in holders, (passage, result.hits[0].title)
    assert doc.id in {h.id for h in result.hits} or len(holders) > 10, passage
