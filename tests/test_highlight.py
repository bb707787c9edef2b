"""<mark> lands on exactly what matched, everything else is escaped (real documents of corpus/).

What matched: a part's run where the document holds it (Ctrl+F), else its words."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from indexer.chars import stream
from indexer.highlight import highlight_title, snippet
from indexer.query import parse_query
from indexer.records import SearchRequest
from indexer.whoosh.engine import SearchEngine

MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
QUERIES = ["地瓜经济", "地瓜經濟", "平潭", "经济 发展", "消防 安全", "政府信息公开", '"综合实验区"']


@pytest.fixture(scope="module")
def engine(sample_index: Path):
    with SearchEngine(sample_index) as engine:
        yield engine


def plain(fragment: str) -> str:
    return html.unescape(MARK.sub(r"\1", fragment))


def assert_marks_are_query_terms(fragment: str, marks) -> int:
    """Every mark holds a run or a word of the query (neighbouring marks merge into one)."""
    wanted = {m.run for m in marks if m.run} | {w for m in marks for w in m.words}
    marked = MARK.findall(fragment)
    for text in marked:
        written = stream(html.unescape(text))
        assert any(w in written for w in wanted), f"<mark>{text}</mark> is not in {wanted}"
    # nothing but <mark> is markup
    assert "<" not in MARK.sub("", fragment)
    return len(marked)


@pytest.mark.parametrize("q", QUERIES)
def test_marks_wrap_query_terms_on_real_documents(engine, q):
    terms = parse_query(q).marks
    result = engine.search(SearchRequest(q=q, size=20))
    assert result.hits
    marks = 0
    for hit in result.hits:
        doc = engine.get(hit.id)
        marks += assert_marks_are_query_terms(hit.snippet, terms)
        marks += assert_marks_are_query_terms(hit.title_html, terms)
        assert plain(hit.title_html) == doc.title
        # the snippet is a piece of the body (spaces collapsed, … at cut ends)
        piece = plain(hit.snippet).strip("…")
        squashed = re.sub(r"\s+", " ", doc.body)
        assert piece in squashed
    assert marks > 0


def test_every_occurrence_of_a_repeated_word_is_marked():
    title = "平潭综合实验区管委会关于平潭综合实验区消防工作的通知"
    out = highlight_title(title, parse_query("平潭").marks)
    assert out.count("<mark>平潭</mark>") == 2
    assert plain(out) == title


def test_traditional_text_is_marked_on_its_own_characters():
    terms = parse_query("地瓜经济").marks
    out = highlight_title("深耕「地瓜經濟」發展", terms)
    assert "<mark>地瓜經濟</mark>" in out
    assert plain(out) == "深耕「地瓜經濟」發展"


def test_a_run_is_marked_where_it_is_written_even_inside_other_words():
    """Ctrl+F: 海关 is written in 上海关于…, and a search for 海关 finds that text, so it is
    marked there."""
    assert highlight_title("上海关于加强管理的通知", parse_query("海关").marks) == (
        "上<mark>海关</mark>于加强管理的通知"
    )


def test_the_whole_run_is_marked_across_a_line_break_and_next_to_digits():
    out = snippet(
        "第一条\n为了规范三支\n一扶计划2024年实施。", parse_query("三支一扶计划2024").marks
    )
    assert "<mark>三支 一扶计划2024</mark>" in out


def test_words_are_marked_when_the_run_is_not_written():
    marks = parse_query("打赢脱贫攻坚战").marks
    out = highlight_title("坚决打赢这场脱贫的攻坚战", marks)
    assert out == "坚决<mark>打赢</mark>这场<mark>脱贫</mark>的<mark>攻坚战</mark>"
    whole = highlight_title("坚决打赢脱贫攻坚战，脱贫工作", marks)
    # the document holds the run: the run is marked, not its words elsewhere
    assert whole == "坚决<mark>打赢脱贫攻坚战</mark>，脱贫工作"


def test_everything_else_is_escaped():
    terms = parse_query("通知").marks
    out = highlight_title('<script>alert("x")</script>&通知', terms)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.endswith("&amp;<mark>通知</mark>")


def test_snippet_without_match_is_the_beginning_and_long_bodies_are_cut():
    body = "第一条 为了规范管理，制定本办法。" * 40
    out = snippet(body, parse_query("不存在的词").marks)
    assert out.startswith("第一条") and out.endswith("…") and "<mark>" not in out
    far = "前言。" * 3000 + "这里讨论地瓜经济的发展。" + "结语。" * 3000
    out = snippet(far, parse_query("地瓜经济").marks)
    assert "<mark>地瓜经济</mark>" in out and out.startswith("…") and out.endswith("…")
    assert len(plain(out)) <= 160


def test_texts_normalised_together_have_the_streams_of_each_on_its_own(engine):
    """TextStream.many (a page's prefixes in one call) against TextStream of each text: the
    real bodies of corpus/ cut at random, with Traditional, full-width, line breaks and
    zero-width characters put in, and texts short enough to skip numpy on their own."""
    import random

    from indexer.highlight import TextStream

    rng = random.Random(5)
    with engine._use() as gen:
        bodies = [doc.body for doc in gen.docs if doc.body]
    extra = ["地瓜經濟\n", "５Ｇ基站", "\u200b", " \u3000", "甲", ""]
    for _ in range(200):
        texts = []
        for _ in range(rng.randint(1, 10)):
            body = rng.choice(bodies)
            start = rng.randrange(len(body))
            text = body[start : start + rng.choice([0, 3, 40, 63, 200, 900])]
            texts.append(text + rng.choice(extra) if rng.random() < 0.5 else text)
        for one, text in zip(TextStream.many(texts), texts, strict=True):
            alone = TextStream(text)
            assert one.text == text and one.stream == alone.stream
            assert list(one._kept) == list(alone._kept)
            for run in {alone.stream[i : i + 3] for i in range(0, len(alone.stream), 7)}:
                assert one.find(run) == alone.find(run)
