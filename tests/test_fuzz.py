"""Property tests (hypothesis) over the whole query path and over extraction of page pairs.

Extends tests/test_query.py (the parser alone, a small alphabet) and tests/test_extract_property.py
(single files): here random Unicode and operator soup go through ``SearchEngine.search`` on the
real index of corpus/ and through the HTTP layer, and extraction gets a page.txt with a damaged
page.html companion. Nothing may escape but our own errors (``GovsearchError`` subclasses), and
what comes back must be well formed.

Examples per test: GOVSEARCH_FUZZ_EXAMPLES (default 100, so the module runs in seconds); run
``GOVSEARCH_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py --hypothesis-show-statistics`` for a
longer search.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import CORPUS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.errors import ExtractError, GovsearchError
from indexer.extract import Source, extract_source
from indexer.params import SINGLE_PARAMS, parse_search_params
from indexer.records import FACET_FIELDS, SearchRequest
from indexer.whoosh.engine import SearchEngine
from webui.app import close_engine, create_app

EXAMPLES = int(os.environ.get("GOVSEARCH_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a loaded 2-core CI machine; hangs are what the HTTP tests' timeouts catch
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: the query language's operators in every spelling the lexer knows, CJK words of the corpus,
#: field prefixes (known and unknown), wildcards and characters that have broken parsers before
SOUP = [
    '"', "“", "”", "＂", "(", ")", "（", "）", "-", "OR", "AND", "NOT", "|", "||", "&&", ":", "：",
    "*", "?", "？", "＊", " ", " ", "　", "\t", "title:", "agency:", "doc_no:", "TITLE:", "foo:",
    "地瓜经济", "经济", "发展", "平潭", "通知", "提案", "人民政府", "中华人民共和国", "〔2023〕",
    "岚综管综[2016]106号", "号", "第", "a", "Z9", "\x00", "\x1b", "\u202e", "\ufeff", "\ud7ff",
    "𠀀", "<script>", "&amp;", "%zz",
]  # fmt: skip
soup = st.lists(st.sampled_from(SOUP), max_size=25).map("".join)
# deep nesting reaches query.MAX_DEPTH. (499 '(' once overflowed the parser's recursion, but
# hypothesis raises the recursion limit while a test runs: test_hostile.py guards that one.)
nested = st.tuples(st.integers(0, 450), soup, st.integers(0, 450)).map(
    lambda t: "(" * t[0] + t[1] + ")" * t[2]
)
queries = st.one_of(
    soup, nested, st.text(max_size=80), st.text(alphabet='经济发展平潭 ()"-*', max_size=40)
)
TAG = re.compile(r"</?mark>")


@pytest.fixture(scope="module")
def engine(sample_index: Path):
    engine = SearchEngine(sample_index)
    yield engine
    engine.close()


@FUZZ
@given(q=queries, sort=st.sampled_from(["relevance", "date"]), page=st.integers(1, 3))
def test_any_query_searches_and_gives_a_well_formed_result(engine, q, sort, page):
    request = SearchRequest(q=q, sort=sort, page=page, size=5)
    try:
        result = engine.search(request)
    except GovsearchError:
        return  # our own error, with a message for the user
    assert 0 <= len(result.hits) <= 5 and result.total >= 0
    assert len(result.hits) <= max(0, result.total - (page - 1) * 5)
    assert len({hit.id for hit in result.hits}) == len(result.hits)
    for hit in result.hits:
        # highlighting marks words and escapes everything else
        assert "<" not in TAG.sub("", hit.snippet) and "<" not in TAG.sub("", hit.title_html)
        assert engine.get(hit.id).id == hit.id
    for values in result.facets.values():
        # nothing is selected, so every facet count is part of the total
        assert all(0 < value.count <= result.total for value in values)
    if sort == "date":
        dates = [hit.date for hit in result.hits if hit.date]
        assert dates == sorted(dates, reverse=True)


PARAM_NAMES = list(SINGLE_PARAMS) + list(FACET_FIELDS) + ["x", "q[]", ""]
params = st.dictionaries(
    st.sampled_from(PARAM_NAMES),
    st.lists(st.one_of(queries, st.sampled_from(["0", "-1", "100", "101", "2024-02-30", "1e3"])),
             min_size=1, max_size=3),
    max_size=5,
)  # fmt: skip


@FUZZ
@given(params=params)
def test_any_parameters_are_a_request_or_a_query_error(params):
    try:
        request = parse_search_params(params)
    except GovsearchError as exc:
        assert exc.http_status == 400 and str(exc)
        return
    assert 1 <= request.size <= 100 and request.page >= 1
    assert not re.search(r"[\x00-\x1f]", request.q)


@pytest.fixture(scope="module")
def client(sample_index: Path):
    app = create_app({"INDEX": str(sample_index), "TESTING": True})
    yield app.test_client()
    close_engine(app)


@FUZZ
@given(params=params, path=st.sampled_from(["/api/search", "/search", "/feed.atom", "/doc/"]))
def test_any_parameters_over_http_are_answered_without_a_server_error(client, params, path):
    if path == "/doc/":  # a document page highlights the query it was opened from
        path += client.get("/api/search?size=1").get_json()["hits"][0]["id"]
    response = client.get(f"{path}?{urlencode(params, doseq=True)}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    if path == "/api/search" or response.status_code == 400 and path != "/search":
        body = response.get_json()
        assert ("error" in body) == (response.status_code == 400)


# --- extraction: a page.txt and its page.html companion, both damaged ------------------------

PAIR = next(CORPUS.glob("pingtan/zwgk/zdlyxxgk/yata/rdya/202211/37906_*"))


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(out)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "random"]))
        if action == "cut":
            del out[at:]
        elif action == "insert":
            out[at:at] = draw(st.sampled_from(SOUP + ["<html>", "</body>", "标题:", "\n"])).encode(
                draw(st.sampled_from(["utf-8", "gb18030", "utf-16"])), "surrogatepass"
            )
        elif action == "delete":
            del out[at : at + draw(st.integers(1, 500))]
        else:
            out[at:at] = draw(st.binary(max_size=64))
    return bytes(out)


@FUZZ
@given(
    txt=damaged((PAIR / "page.txt").read_bytes()) | st.binary(max_size=2000),
    html=damaged((PAIR / "page.html").read_bytes()) | st.binary(max_size=2000),
)
def test_a_damaged_page_pair_extracts_or_raises_extract_error(txt, html):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "37906_page"
        folder.mkdir()
        (folder / "page.txt").write_bytes(txt)
        (folder / "page.html").write_bytes(html)
        source = Source(folder / "page.txt", "37906_page/page.txt", (folder / "page.html",))
        try:
            docs = extract_source(source, max_bytes=200_000)
        except ExtractError as exc:
            assert exc.reason and "\n" not in exc.reason
            return
    assert len(docs) == 1
    doc = docs[0]
    assert doc.title or doc.body
    for value in (doc.title, doc.body, doc.agency, doc.doc_no, doc.index_no, doc.url):
        assert not re.search(r"[\x00-\x08\x0b\x0e-\x1f]", value)
