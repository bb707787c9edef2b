"""Runs that mix Chinese with digits, Latin letters and punctuation (issue 13: 2024年, 5G基站,
闽政〔2023〕12号 inside a sentence, G20), width and script variants, a run across a line break:
found, quoted or not, and marked whole, on both engines (tests/data/mixed/notice.txt)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import DATA, sphinx_engine_of

from indexer.chars import query_run, stream
from indexer.ranking import NEAR_BONUS, NEAR_GAP, RUN_BONUS
from indexer.records import SearchRequest
from indexer.sphinx.engine import SphinxEngine
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine

CORPUS = DATA / "mixed"
MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
#: typed as written in the notice, or in another width / script / with the line break left out
FOUND = [
    "2024年",
    "5G基站",
    "5g基站",
    "闽政〔2023〕12号",
    "闽政〔2023〕12号文件",
    "G20",
    "g20峰会",
    "ABC全角",
    "經濟",
    "巩固成果，组织",
    "打赢脱贫攻坚战",
    "“三支一扶”人员",
    "412座",
]
#: near misses: every character is in the notice, not in this order
NOT_FOUND = ["5G基地", "2023年", "G21", "站基G5"]


@contextmanager
def engine_of(backend: str, corpus: Path, index: Path) -> Iterator[SearchEngine | SphinxEngine]:
    """An engine over an index of ``corpus`` built in ``index`` (Sphinx: one shard, running)."""
    if backend == "whoosh":
        build_index(corpus, index, progress=False)
        with SearchEngine(index) as engine:
            yield engine
        return
    with sphinx_engine_of(corpus, index, shards=1) as engine:
        yield engine


@pytest.fixture(scope="module")
def whoosh(tmp_path_factory: pytest.TempPathFactory):
    with engine_of("whoosh", CORPUS, tmp_path_factory.mktemp("mixed_whoosh")) as engine:
        yield engine


@pytest.fixture(scope="module")
def sphinx(tmp_path_factory: pytest.TempPathFactory):
    with engine_of("sphinx", CORPUS, tmp_path_factory.mktemp("mixed_sphinx")) as engine:
        yield engine


@pytest.fixture(params=["whoosh", "sphinx"])
def engine(request: pytest.FixtureRequest):
    return request.getfixturevalue(request.param)


def marked(hit) -> list[str]:
    return [stream(html.unescape(m)) for m in MARK.findall(hit.title_html + hit.snippet)]


@pytest.mark.parametrize("typed", FOUND)
@pytest.mark.parametrize("quoted", [False, True])
def test_a_mixed_run_is_found_and_marked_whole(engine, typed, quoted):
    q = f'"{typed}"' if quoted else typed
    result = engine.search(SearchRequest(q=q, size=5, facets=False))
    assert result.total == 1, q
    run = query_run(typed)
    assert any(run in m for m in marked(result.hits[0])), (q, result.hits[0].snippet)
    assert result.hits[0].score >= 1000  # ranking.RUN_BONUS: it holds the run


@pytest.mark.parametrize("typed", NOT_FOUND)
def test_the_same_characters_in_another_order_are_not_a_quoted_match(engine, typed):
    assert engine.search(SearchRequest(q=f'"{typed}"', size=5, facets=False)).total == 0


def test_the_notice_is_one_document():
    assert [p.name for p in Path(CORPUS).glob("*.txt")] == ["notice.txt"]


PROXIMITY = DATA / "proximity"


@pytest.fixture(scope="module", params=["whoosh", "sphinx"])
def near(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    index = tmp_path_factory.mktemp(f"near_{request.param}")
    with engine_of(request.param, PROXIMITY, index) as engine:
        yield engine


def test_parts_written_next_to_each_other_rank_first_then_close_then_apart(near):
    """脱贫 攻坚: both parts must match; where they are written together (脱贫攻坚) the
    document ranks above the one that has them two characters apart (the joined run's bigrams
    add to its score), which ranks above the one that has them far apart (ranking.NEAR_BONUS:
    without it those two tie, same length, same words)."""
    result = near.search(SearchRequest(q="脱贫 攻坚", size=10, facets=False))
    titles = [h.title for h in result.hits]
    assert titles == ["关于巩固拓展成果的通知", "关于农村道路养护的通知", "关于农村道路建设的通知"]
    assert "<mark>脱贫攻坚</mark>" in result.hits[0].snippet
    together, close, apart = (h.score for h in result.hits)
    assert 0 < together - close < NEAR_BONUS / 2 < close - apart
    # the same parts typed the other way round: closeness has no order, adjacency has
    reverse = near.search(SearchRequest(q="攻坚 脱贫", size=10, facets=False))
    assert [h.title for h in reverse.hits][-1] == "关于农村道路建设的通知"


@pytest.mark.parametrize("backend", ["whoosh", "sphinx"])
def test_close_means_at_most_near_gap_characters_between_in_either_order(backend, tmp_path):
    """Documents with 甲乙丙 and 丁戊 k characters apart (k = 0 … NEAR_GAP + 3, both orders,
    one of them across a line break, which the stream leaves out): the query 甲乙丙 丁戊 gives
    NEAR_BONUS to exactly those with k <= NEAR_GAP, on both engines (Sphinx's NEAR distance is
    counted in its own positions: this pins the conversion)."""
    filler = "日月星辰山川河流草木云雨风霜"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    expected: dict[str, bool] = {}
    for k in range(NEAR_GAP + 4):
        for order in ("甲乙丙{}丁戊", "丁戊{}甲乙丙"):
            title = f"测试{k}{'正' if order[0] == '甲' else '反'}"
            between = filler[:k] if k != 3 else filler[:1] + "\n" + filler[1:3]
            body = filler + order.format(between) + filler
            (corpus / f"{len(expected):02d}.txt").write_text(f"{title}\n\n{body}\n", "utf-8")
            expected[title] = k <= NEAR_GAP
    with engine_of(backend, corpus, tmp_path / "index") as engine:
        result = engine.search(SearchRequest(q="甲乙丙 丁戊", size=50, facets=False))
    assert result.total == len(expected)
    close = {h.title for h in result.hits if h.score >= RUN_BONUS + NEAR_BONUS}
    assert close == {t for t, near in expected.items() if near}
