"""The Sphinx backend against real servers: 2 shard searchd + the distributed front.

Each cluster runs on free loopback ports inside a tmp index dir and is stopped by PID in the
fixture's teardown. Everything skips cleanly when Sphinx's programs are not installed
(.ci/run installs Debian's sphinxsearch).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, running_cluster

from indexer.engines import open_engine
from indexer.errors import AnalyzerMismatchError
from indexer.ranking import EXACT_BONUS
from indexer.records import SearchRequest, SearchResult
from indexer.sphinx.build import build_sphinx
from indexer.sphinx.cluster import META, Cluster, load_cluster
from indexer.sphinx.connections import ShardUnavailableError
from indexer.sphinx.engine import SphinxEngine
from indexer.sphinx.process import (
    SphinxUnavailableError,
    binaries_available,
    free_port_range,
    running_pid,
    start_searchd,
    stop_searchd,
)
from indexer.whoosh.engine import SearchEngine

pytestmark = pytest.mark.skipif(
    not binaries_available(),
    reason="Sphinx's searchd/indexer are not installed (apt-get install sphinxsearch)",
)

#: queries x filters compared with the Whoosh backend: words, sub-word recall (经济 in
#: 经济发展), phrases, OR, NOT, a NOT alone, field prefixes, a 文号, the empty query
QUERIES = [
    "经济",
    "乡村振兴",
    '"海洋经济"',
    "旅游 OR 渔业",
    "企业 -金融",
    "-渔业",
    "title:通知",
    "agency:政协",
    "平潭 建设",
    "实验区",
    "提案 答复",
    "岚综管综〔2023〕91号",
    "",
    # the reply prefixes: whole values, matched and not ranked
    "承办单位:区交建局",
    "提案人:陈榕 OR 届次:六届三次",
    "handling_unit:区社会事业局 -反馈:满意",
]
FILTERS = [
    {},
    {"year": ["2023"]},
    {"agency": ["平潭县人民代表大会常务委员会"], "doc_type": ["答复"]},
    {"date_from": "2022-01-01", "date_to": "2023-06-30"},
    # the reply facets; handling_unit is multi-valued (a reply passes with any of its units)
    {"handling_unit": ["区社会事业局", "区交通与建设局"]},
    {"proposal_kind": ["提案"], "feedback": ["基本满意"]},
    {"session": ["区政协六届三次会议"]},
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(CORPUS, tmp_path_factory.mktemp("sphinx_index")) as c:
        yield c


@pytest.fixture(scope="module")
def sphinx(cluster: Cluster) -> Iterator[SphinxEngine]:
    engine = SphinxEngine(cluster.index_dir)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def whoosh(sample_index: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(sample_index)
    yield engine
    engine.close()


def _facets(result: SearchResult) -> dict:
    return {f: [(v.value, v.count, v.selected) for v in vs] for f, vs in result.facets.items()}


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
@pytest.mark.parametrize("q", QUERIES)
def test_same_matches_and_facet_counts_as_whoosh(whoosh, sphinx, q, filters):
    request = SearchRequest(q=q, size=100, **filters)
    w, s = whoosh.search(request), sphinx.search(request)
    assert s.total == w.total
    assert {h.id for h in s.hits} == {h.id for h in w.hits}
    assert _facets(s) == _facets(w)
    assert s.warnings == w.warnings


#: more ranked queries, most with more than ten matches in corpus/ (the case issue 7 was about)
RANKED = [
    "平潭",
    "政府",
    "经济 发展",
    "人民 政府 工作",
    "综合实验区 管委会 通知",
    "(建议 OR 提案) 答复",
    '"综合 实验区"',
    "title:通知 平潭",
    "经济社会发展",
    "地瓜经济",
]


def same_ranking(w: SearchResult, s: SearchResult) -> None:
    """Same scores rank by rank, and the same documents except among tied scores.

    Sphinx keeps 5 decimals of a score (an integer WEIGHT()) and computes in single precision:
    with ranking.RUN_BONUS added (scores above 1,000) a float32 keeps 7 significant digits, so
    the tolerance grows with the score (float32's epsilon is 1.19e-7).
    """

    def close(a: float, b: float) -> bool:
        return a == pytest.approx(b, rel=1.2e-7, abs=3e-5)

    assert s.total == w.total
    assert len(s.hits) == len(w.hits)
    assert all(close(hs.score, hw.score) for hs, hw in zip(s.hits, w.hits, strict=True)), (
        [h.score for h in s.hits],
        [h.score for h in w.hits],
    )
    if w.hits:
        last = w.hits[-1].score
        cut = last + max(3e-5, 1.2e-7 * last)  # documents tied with the last may be either side
        assert {h.id for h in s.hits if h.score > cut} == {h.id for h in w.hits if h.score > cut}
        for hs, hw in zip(s.hits, w.hits, strict=True):
            assert hs.id == hw.id or close(hs.score, hw.score)


@pytest.mark.parametrize("q", QUERIES + RANKED)
def test_same_top10_and_scores_as_whoosh(whoosh, sphinx, q):
    """Both backends rank by ranking.py (BM25F over the collection's statistics): the sharded
    backend corrects each shard's statistics (dfs, keyword boosts, k1/b), so the top-10 is the
    same however the documents fall into shards."""
    w = whoosh.search(SearchRequest(q=q, size=10, facets=False))
    s = sphinx.search(SearchRequest(q=q, size=10, facets=False))
    same_ranking(w, s)
    if w.hits and w.hits[0].score >= EXACT_BONUS:  # the typed 文号's document
        assert s.hits[0].id == w.hits[0].id


def test_enough_of_those_queries_have_more_than_ten_matches(whoosh):
    many = [q for q in QUERIES + RANKED if whoosh.search(SearchRequest(q=q, size=1)).total > 10]
    assert len(many) >= 8, many


@pytest.mark.parametrize("q", ["平潭", "经济 发展", "实验区"])
def test_later_pages_merge_the_shards_like_whoosh(whoosh, sphinx, q):
    for page in (2, 3):
        request = SearchRequest(q=q, size=5, page=page, facets=False)
        same_ranking(whoosh.search(request), sphinx.search(request))


@pytest.mark.parametrize("sort", ["date", "written_date"])
@pytest.mark.parametrize("q", QUERIES)
def test_same_order_by_date_as_whoosh(whoosh, sphinx, q, sort):
    w = whoosh.search(SearchRequest(q=q, size=10, sort=sort))
    s = sphinx.search(SearchRequest(q=q, size=10, sort=sort))
    assert [getattr(h, sort) for h in s.hits] == [getattr(h, sort) for h in w.hits]
    # documents of the same date may come in another order (ties); all but the last date's
    # group are complete on both sides
    last = getattr(w.hits[-1], sort) if w.hits else None
    assert {h.id for h in s.hits if getattr(h, sort) != last} == {
        h.id for h in w.hits if getattr(h, sort) != last
    }


def test_exact_doc_no_lookup_and_highlight_on_original_text(sphinx):
    result = sphinx.search(SearchRequest(q="岚综管综〔2023〕91号"))
    assert result.hits[0].doc_no == "岚综管综〔2023〕91号"
    result = sphinx.search(SearchRequest(q="海洋经济"))
    hit = result.hits[0]
    doc = sphinx.get(hit.id)
    # every marked span is characters of the stored original text
    import re

    for marked in re.findall(r"<mark>(.*?)</mark>", hit.snippet + hit.title_html):
        assert marked in doc.body or marked in doc.title
    assert "<mark>" in hit.snippet


def test_related_and_get(sphinx, whoosh):
    doc_id = whoosh.search(SearchRequest(q="乡村振兴")).hits[0].id
    assert sphinx.get(doc_id) == whoosh.get(doc_id)
    related = sphinx.related(doc_id)
    assert related and doc_id not in {h.id for h in related}


def test_api_and_pages_work_unchanged_on_sphinx(cluster, sphinx):
    from webui.app import close_engine, create_app

    app = create_app({"INDEX": str(cluster.index_dir), "TESTING": True})
    client = app.test_client()
    try:
        api = client.get("/api/search", query_string={"q": "经济", "year": "2023"})
        assert api.status_code == 200
        body = api.get_json()
        expected = sphinx.search(SearchRequest(q="经济", year=["2023"]))
        assert body["total"] == expected.total
        assert [h["id"] for h in body["hits"]] == [h.id for h in expected.hits]
        assert client.get("/healthz").get_json()["backend"] == "sphinx"
        page = client.get("/search", query_string={"q": "经济"})
        assert page.status_code == 200 and "<mark>" in page.get_data(as_text=True)
        doc_id = body["hits"][0]["id"]
        assert client.get(f"/doc/{doc_id}").status_code == 200
        document = client.get(f"/api/documents/{doc_id}").get_json()
        assert document["id"] == doc_id and "related" in document
        assert client.get("/api/documents/nope").status_code == 404
        replies = client.get("/replies", query_string={"handling_unit": "区社会事业局"})
        assert replies.status_code == 200 and "区社会事业局" in replies.get_data(as_text=True)
        csv_rows = client.get("/replies.csv").get_data(as_text=True).splitlines()
        expected_replies = sphinx.search(SearchRequest(kind_of_page=["reply"]))
        assert len(csv_rows) == 1 + expected_replies.total
        assert (
            client.get("/api/search", query_string={"date_from": "2023-13-01"}).status_code == 400
        )
    finally:
        close_engine(app)


def test_a_dead_shard_gives_partial_results_with_a_warning_or_an_error(tmp_path):
    from webui.app import close_engine, create_app

    with running_cluster(CORPUS, tmp_path / "index") as cluster:
        with SphinxEngine(cluster.index_dir) as engine:
            full = engine.search(SearchRequest(q="", size=1))
            assert full.total == 41 and not full.warnings
            dead = cluster.shards[1]
            pid = running_pid(cluster, dead)
            assert pid is not None
            stop_searchd(cluster, [pid])
            partial = engine.search(SearchRequest(q=""))
            assert 0 < partial.total < full.total
            assert any("partial results" in w and str(dead.api_port) in w for w in partial.warnings)
        app = create_app({"INDEX": str(cluster.index_dir), "TESTING": True})
        response = app.test_client().get("/api/search", query_string={"q": "经济"})
        close_engine(app)
        assert response.status_code == 200
        assert any("partial results" in w for w in response.get_json()["warnings"])

        dataclasses.replace(cluster, agent_failure="error").save()
        with SphinxEngine(cluster.index_dir) as engine:
            with pytest.raises(ShardUnavailableError, match="did not answer"):
                engine.search(SearchRequest(q="经济"))
        app = create_app({"INDEX": str(cluster.index_dir), "TESTING": True})
        response = app.test_client().get("/api/search", query_string={"q": "经济"})
        close_engine(app)
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "search_unavailable"

        # the front down: a ranked page and its facets ask the shards directly (the live one
        # answers); browsing without a word goes through the front, which does not answer
        cluster.save()
        stop_searchd(cluster, [running_pid(cluster, cluster.front)])
        with SphinxEngine(cluster.index_dir) as engine:
            ranked = engine.search(SearchRequest(q="经济"))
            assert 0 < ranked.total < full.total and ranked.facets["year"]
            assert any("partial results" in w for w in ranked.warnings)
            with pytest.raises(SphinxUnavailableError, match="does not answer"):
                engine.search(SearchRequest(q=""))


def test_a_shard_that_stops_answering_costs_the_query_timeout_not_a_hang(cluster):
    """A frozen shard (SIGSTOP: it accepts connections, never answers) gives partial results
    after the front's agent_query_timeout."""
    frozen = cluster.shards[0]
    pid = running_pid(cluster, frozen)
    os.kill(pid, signal.SIGSTOP)
    try:
        with SphinxEngine(cluster.index_dir) as engine:
            result = engine.search(SearchRequest(q="经济"))
    finally:
        os.kill(pid, signal.SIGCONT)
    assert any("partial results" in w for w in result.warnings)


def test_a_restarted_front_is_reconnected_to(tmp_path):
    with running_cluster(CORPUS, tmp_path / "index") as cluster:
        with SphinxEngine(cluster.index_dir) as engine:
            before = engine.search(SearchRequest(q="经济"))
            stop_searchd(cluster, [running_pid(cluster, cluster.front)])
            restarted = start_searchd(cluster)
            try:
                after = engine.search(SearchRequest(q="经济"))
            finally:
                stop_searchd(cluster, restarted)
        assert [h.id for h in after.hits] == [h.id for h in before.hits]


def test_serve_starts_only_missing_searchd_and_stops_only_those(tmp_path):
    from indexer.engines import start_services

    with running_cluster(CORPUS, tmp_path / "index") as cluster:
        shards = [running_pid(cluster, n) for n in cluster.shards]
        stop_searchd(cluster, [running_pid(cluster, cluster.front)])
        stop = start_services(cluster.index_dir)
        assert running_pid(cluster, cluster.front) is not None
        assert [running_pid(cluster, n) for n in cluster.shards] == shards
        stop()
        assert running_pid(cluster, cluster.front) is None
        assert [running_pid(cluster, n) for n in cluster.shards] == shards


def test_rebuild_rotates_while_searchd_keeps_serving(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    with running_cluster(corpus, tmp_path / "index") as cluster:
        pids = [running_pid(cluster, n) for n in cluster.nodes]
        engine = open_engine(cluster.index_dir)
        try:
            before = engine.search(SearchRequest(q=""))
            shutil.rmtree(corpus / "seed")
            build_sphinx(corpus, cluster.index_dir, progress=False)
            after = engine.search(SearchRequest(q=""))
            assert after.total == before.total - 1 == engine.stats()["documents"]
            assert after.generation != before.generation
        finally:
            engine.close()
        # the same processes answered before and after: rotated, not restarted
        assert [running_pid(cluster, n) for n in cluster.nodes] == pids


def test_an_index_built_in_another_format_is_refused(tmp_path):
    """A Sphinx index from before the padding document and filler words would rank wrongly:
    the engine says to rebuild rather than serve it."""
    index = tmp_path / "index"
    build_sphinx(CORPUS, index, shards=1, base_port=free_port_range(4), progress=False)
    with SphinxEngine(index):
        pass  # as built: accepted
    meta = json.loads((index / META).read_text(encoding="utf-8"))
    del meta["feed_version"]
    (index / META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(AnalyzerMismatchError, match="rebuild it with 'govsearch index"):
        SphinxEngine(index)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from indexer.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


@pytest.mark.parametrize("folder", ["with space", "索引 目录"])
def test_an_index_path_with_spaces_or_chinese_builds_and_serves(tmp_path, folder):
    """Every path is written into the configs and the indexer's shell command; a space used to
    split ``tsvpipe_command`` (issue 16, 6)."""
    index = tmp_path / folder / "ix"
    base = str(free_port_range(4))
    built = _cli("index", "--backend", "sphinx", "--corpus", str(CORPUS), "--index", str(index),
                 "--base-port", base)  # fmt: skip
    assert built.returncode == 0, built.stderr
    cluster = load_cluster(index)
    pids = start_searchd(cluster)
    try:
        found = _cli("search", "地瓜经济", "--index", str(index), "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["total"] > 0
    finally:
        stop_searchd(cluster, pids)


@pytest.mark.parametrize("folder", ["comment#x", "line\nbreak", "back\\slash"])
def test_an_index_path_a_config_cannot_hold_is_refused_in_one_line(tmp_path, folder):
    index = tmp_path / folder / "ix"
    built = _cli("index", "--backend", "sphinx", "--corpus", str(CORPUS), "--index", str(index))
    assert built.returncode != 0
    assert built.stderr.count("\n") == 1 and "Traceback" not in built.stderr, built.stderr
    assert "Sphinx config cannot hold" in built.stderr
    assert not index.exists()


def test_a_shard_host_a_config_cannot_hold_is_refused_in_one_line(tmp_path):
    built = _cli("index", "--backend", "sphinx", "--corpus", str(CORPUS),
                 "--index", str(tmp_path / "ix"), "--shard-host", "a b#c")  # fmt: skip
    assert built.returncode != 0
    assert built.stderr.count("\n") == 1 and "Traceback" not in built.stderr, built.stderr
    assert "not a host name" in built.stderr
