"""The query parser: operators, runs, fields, fallbacks and caps (no index needed)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import analyze
from indexer.query import ALL_WORDS, MAX_QUERY_CHARS, MAX_TERMS, exact_identifiers, parse_query
from indexer.query_tree import And, AndNot, AtLeast, Maybe, Near, Nothing, Or, Run, Term, walk
from indexer.ranking import NEAR_GAP


def terms_of(node) -> set[tuple[str, str]]:
    """The word terms of a tree (runs left out)."""
    if isinstance(node, Term):
        return {(node.field, node.text)}
    if isinstance(node, AtLeast):
        return {(f, w) for f in node.fields for w in node.words}
    if isinstance(node, And | Or):
        return set().union(*(terms_of(c) for c in node.children))
    if isinstance(node, AndNot):
        return (terms_of(node.positive) if node.positive else set()) | terms_of(node.negative)
    if isinstance(node, Maybe):
        return terms_of(node.required)
    return set()


def runs_of(node) -> set[str]:
    if isinstance(node, Run):
        return {node.text}
    if isinstance(node, And | Or):
        return set().union(*(runs_of(c) for c in node.children))
    if isinstance(node, AndNot):
        return (runs_of(node.positive) if node.positive else set()) | runs_of(node.negative)
    if isinstance(node, Maybe):
        return runs_of(node.required)
    return set()


def test_words_are_segmented_and_anded_over_title_and_body():
    node = parse_query("地瓜经济 发展").node
    assert isinstance(node, Maybe) and isinstance(node.required, And)
    assert ("title", "地瓜经济") in terms_of(node)
    assert ("body", "发展") in terms_of(node)


def test_a_part_is_its_words_or_its_run_as_written():
    """打赢脱贫攻坚战: its jieba words, all of them, or the characters as typed (Ctrl+F)."""
    node = parse_query("打赢脱贫攻坚战").node
    assert isinstance(node, Or)
    words, run = node.children
    assert isinstance(words, And) and ("body", "打赢") in terms_of(words)
    assert run == Run(("title", "body"), "打赢脱贫攻坚战")


def test_a_run_is_normalised_like_the_text():
    """Traditional, full width, upper case and spaces inside quotes fold away; punctuation at
    the edges is dropped, inside it stays."""
    assert runs_of(parse_query('"經濟 發展"').node) == {"经济发展"}
    assert runs_of(parse_query("ＧＤＰ２０２４年").node) == {"gdp2024年"}
    assert runs_of(parse_query("，闽政〔2023〕12号。").node) == {"闽政〔2023〕12号"}


def test_quoted_is_the_run_only():
    assert parse_query('"三支一扶"').node == Run(("title", "body"), "三支一扶")
    assert parse_query('title:"三支一扶"').node == Run(("title",), "三支一扶")


def test_neighbouring_parts_joined_are_an_optional_run_and_near():
    node = parse_query("脱贫 攻坚").node
    assert isinstance(node, Maybe)
    assert node.optional == Or(
        (Run(("title", "body"), "脱贫攻坚"), Near(("title", "body"), "脱贫", "攻坚", NEAR_GAP))
    )
    three = parse_query("甲乙 丙丁 戊己").node
    assert isinstance(three, Maybe) and runs_of(three.optional) == {"甲乙丙丁", "丙丁戊己"}
    nears = {(n.left, n.right) for n in walk(three.optional) if isinstance(n, Near)}
    assert nears == {("甲乙", "丙丁"), ("丙丁", "戊己")}


def test_no_near_where_runs_can_overlap_or_a_run_is_one_character():
    def nears(q):
        return [n for n in walk(parse_query(q).node) if isinstance(n, Near)]

    assert not nears("中华人民 人民共和国")  # an end of one is a start of the other
    assert not nears("人民 中华人民共和国")  # one holds the other
    assert not nears("法 民法典 宪法")  # a one-character run: Sphinx's signal would be wrong
    assert not nears("民法典 " + "中华人民共和国民法典总则")  # a run over 12 characters
    assert nears("民法典 宪法") and nears('"三支一扶" 新春')


def test_a_pasted_passage_needs_most_of_its_words_not_all():
    passage = "中华人民共和国境内从事对外贸易经营活动的企业应当依照本法规定办理登记手续"
    node = parse_query(passage).node
    assert isinstance(node, Or)
    quorum, run = node.children
    assert isinstance(quorum, AtLeast) and len(quorum.words) > ALL_WORDS
    assert quorum.k < len(quorum.words)
    assert run.text == passage


def test_parentheses_inside_a_word_are_characters():
    assert runs_of(parse_query("理)负责制。集体企业").node) == {"理)负责制。集体企业"}
    assert runs_of(parse_query("第(一)项").node) == {"第(一)项"}
    assert runs_of(parse_query("第（一）项").node) == {"第(一)项"}


def test_long_word_also_matches_its_sub_words():
    subs = [t.text for t in analyze("中华人民共和国") if t.sub]
    assert subs, "the analyzer gives sub-words for a long word"
    node = parse_query("中华人民共和国").node
    found = terms_of(node)
    assert ("body", "中华人民共和国") in found
    assert all(("body", s) in found for s in subs)


def test_or_not_minus_and_phrase():
    assert isinstance(parse_query("海关 OR 税务").node, Or)
    for q in ("平潭 -消防", "平潭 NOT 消防"):
        node = parse_query(q).node
        assert isinstance(node, AndNot)
        assert ("body", "消防") in terms_of(node.negative)
        assert all(m.run != "消防" for m in parse_query(q).marks)


def test_field_prefixes():
    assert terms_of(parse_query("title:通知").node) == {("title", "通知")}
    assert {f for f, _ in terms_of(parse_query("agency:商务局").node)} == {"agency"}
    assert parse_query("doc_no:岚综管综[2016]106号").node == Term("doc_no", "岚综管综〔2016〕106号")


def test_parentheses_group():
    node = parse_query("(海关 OR 税务) 平潭").node
    assert isinstance(node, And) and isinstance(node.children[0], Or)
    assert runs_of(node) == {"海关", "税务", "平潭"}


@pytest.mark.parametrize(
    "q", ['"unclosed', "(平潭", "平潭)", "OR", "平潭 OR", "NOT", "-", "title:", "() 平潭"]
)
def test_syntax_errors_degrade_to_words_with_a_warning(q):
    parsed = parse_query(q)
    assert parsed.warnings and "syntax" in parsed.warnings[0]
    assert parsed.node is not None


def test_wildcards_are_ignored_not_expanded():
    parsed = parse_query("经济*")
    assert any("wildcard" in w for w in parsed.warnings)
    assert all("*" not in t for _, t in terms_of(parsed.node))
    assert isinstance(parse_query("*").node, Nothing)


def test_caps_on_length_and_terms():
    long = parse_query("经济" * 6000)
    assert any(str(MAX_QUERY_CHARS) in w for w in long.warnings)
    many = parse_query(" ".join(f"词{i}号" for i in range(300)))
    assert any("too many" in w for w in many.warnings)
    assert len(terms_of(many.node)) <= MAX_TERMS


def test_empty_query_is_every_document():
    assert parse_query("").node is None
    assert parse_query("  \x00 ").node is None


def test_exact_identifiers_in_any_bracket_style():
    for typed in ("岚综管综[2016]106号", "岚综管综（2016）106号", "岚综管综【2016】106号"):
        assert ("doc_no", "岚综管综〔2016〕106号") in exact_identifiers(typed)
    assert ("index_no", "PZ00101-0200-2011-00001") in exact_identifiers("pz00101-0200-2011-00001")
    assert exact_identifiers("经济 发展") == ()
    assert exact_identifiers("地瓜经济") == ()


_ALPHABET = list('()"-*? OR NOT title: 经济发展平潭\x00\n')


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=60))
def test_any_query_parses_without_exception(q):
    parsed = parse_query(q)
    assert parsed.node is None or terms_of(parsed.node) is not None
