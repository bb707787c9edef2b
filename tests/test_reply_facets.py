"""Facets and filters of replies: handling_unit (multi-valued, through the agency alias
table), session, proposal_kind, feedback; the /api/search parameters that select them.
(Both engines give the same counts: tests/test_sphinx_cluster.py compares them.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.agencies import _read, canonical_unit, canonical_units
from indexer.records import SearchRequest
from indexer.whoosh.engine import SearchEngine


@pytest.fixture(scope="module")
def engine(sample_index: Path):
    with SearchEngine(sample_index) as engine:
        yield engine


def _counts(result, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


def test_the_alias_table_makes_one_office_one_name() -> None:
    assert canonical_unit("区交建局") == canonical_unit("区交通建设局") == "区交通与建设局"
    assert canonical_unit("区市场监管局") == "区市场监督管理局"
    assert canonical_unit(" 区 财政金融局") == "区财政金融局"  # written with spaces
    assert canonical_unit("某某未知局") == "某某未知局"
    assert canonical_units(["区交建局", "区交通建设局", "区财政金融局"]) == [
        "区交通与建设局",
        "区财政金融局",
    ]


def test_users_extend_the_table_with_their_own_file(tmp_path: Path, monkeypatch) -> None:
    from indexer import agencies

    extra = tmp_path / "aliases.tsv"
    extra.write_text("# ours\n区城市发展集团\t区城发集团\n", "utf-8")
    monkeypatch.setenv(agencies.ENV_VAR, str(extra))
    agencies.alias_table.cache_clear()
    try:
        assert canonical_unit("区城发集团") == "区城市发展集团"
        assert canonical_unit("区交建局") == "区交通与建设局"  # the repo's lines stay
    finally:
        monkeypatch.delenv(agencies.ENV_VAR)
        agencies.alias_table.cache_clear()


def test_every_alias_names_one_office_only() -> None:
    from indexer.agencies import ALIASES_FILE

    seen: dict[str, str] = {}
    for line in ALIASES_FILE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            names = line.split("\t")
            for name in names:
                assert seen.setdefault(name, names[0]) == names[0], name
    assert _read(ALIASES_FILE)["区交通建设局"] == "区交通与建设局"


def test_handling_unit_facet_counts_each_unit_of_a_reply(engine) -> None:
    result = engine.search(SearchRequest(q="", size=100))
    units = _counts(result, "handling_unit")
    # 37906 writes 区交通与建设局, 82873 区交通建设局: one office, one value
    assert units["区交通与建设局"] == 2
    assert "区交通建设局" not in units
    assert units["区自然资源与生态环境局"] == 2  # 区自然与生态资源局 (42952), 区资源生态局 (82873)
    replies = sum(1 for h in result.hits if h.kind_of_page == "reply")
    assert sum(units.values()) > replies  # a reply of several units counts for each


def test_handling_unit_filter_is_or_within_and_across_facets(engine) -> None:
    one = engine.search(SearchRequest(q="", handling_unit=["区交通与建设局"], size=100))
    assert one.total == 2
    for hit in one.hits:
        assert "区交通与建设局" in canonical_units(hit.handling_units)
    both = engine.search(
        SearchRequest(q="", handling_unit=["区交通与建设局", "区社会事业局"], size=100)
    )
    assert both.total > one.total
    # the selected facet keeps the counts of its other values (disjunctive)
    assert _counts(both, "handling_unit") == _counts(
        engine.search(SearchRequest(q="", size=100)), "handling_unit"
    )
    narrowed = engine.search(
        SearchRequest(q="", handling_unit=["区交通与建设局"], proposal_kind=["建议"], size=100)
    )
    assert [h.proposal_kind for h in narrowed.hits] == ["建议"]


def test_session_kind_and_feedback_facets(engine) -> None:
    result = engine.search(SearchRequest(q="", size=100))
    assert _counts(result, "session") == {"区政协六届三次会议": 1}
    assert set(_counts(result, "proposal_kind")) == {"提案", "建议"}
    feedback = _counts(result, "feedback")
    assert set(feedback) == {"满意", "基本满意"}
    unsatisfied = engine.search(SearchRequest(q="", feedback=["基本满意"], size=100))
    assert unsatisfied.total == feedback["基本满意"]
    assert {h.feedback for h in unsatisfied.hits} == {"基本满意"}


def test_the_api_takes_the_reply_facets_in_the_url(api_client) -> None:
    body = api_client.get(
        "/api/search?q=&handling_unit=区交通与建设局&feedback=基本满意&feedback=满意"
    ).get_json()
    assert body["total"] == 2
    listed = {v["value"]: v for v in body["facets"]["handling_unit"]}
    assert listed["区交通与建设局"]["selected"]
    assert {v["value"] for v in body["facets"]["feedback"] if v["selected"]} == {"满意", "基本满意"}
    page = api_client.get("/search?q=&handling_unit=区交通与建设局").get_data(as_text=True)
    assert "承办单位" in page and "区交通与建设局" in page


# --- field prefixes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # the alias table: 37906 writes 区交通与建设局, 82873 区交通建设局
        ("承办单位:区交建局", 2),
        ("handling_unit:区交通建设局", 2),
        ("提案人:陈榕", 1),  # 陈榕等代表
        ("addressee:王强委员", 1),  # the seed's salutation, title and all
        ("届次:六届三次", 1),
        ("session:区政协六届三次会议", 1),
        ("届次:区政协六届三次", 1),
        ("反馈:基本满意", None),
        ("编号:第13号", 1),
        ("类别:提案", None),
    ],
)
def test_value_prefixes_find_replies_by_their_fields(engine, q: str, expected: int | None) -> None:
    result = engine.search(SearchRequest(q=q, size=100))
    field = q.split(":")[0]
    assert result.total == expected if expected is not None else result.total > 0
    assert result.warnings == []
    if field in {"反馈", "feedback"}:
        assert {h.feedback for h in result.hits} == {"基本满意"}


def test_prefixes_combine_with_words_and_not(engine) -> None:
    units = engine.search(SearchRequest(q="承办单位:区社会事业局", size=100))
    satisfied = engine.search(SearchRequest(q="承办单位:区社会事业局 -反馈:满意", size=100))
    assert 0 < satisfied.total < units.total
    assert all(h.feedback != "满意" for h in satisfied.hits)
    both = engine.search(SearchRequest(q="机构:政协 承办单位:区社会事业局", size=100))
    assert {h.proposal_kind for h in both.hits} == {"提案"}


def test_chinese_text_prefixes_mean_the_english_ones(engine) -> None:
    for chinese, english in [
        ("标题:通知", "title:通知"),
        ("文号:岚综管综〔2023〕91号", "doc_no:岚综管综〔2023〕91号"),
    ]:
        a = engine.search(SearchRequest(q=chinese, size=100))
        b = engine.search(SearchRequest(q=english, size=100))
        assert a.total == b.total > 0
        assert [h.id for h in a.hits] == [h.id for h in b.hits]


def test_an_unknown_prefix_stays_plain_text(engine) -> None:
    result = engine.search(SearchRequest(q="未知前缀:地瓜经济", size=10))
    assert result.warnings == []
    plain = engine.search(SearchRequest(q="未知前缀 地瓜经济", size=10))
    assert result.total <= plain.total
