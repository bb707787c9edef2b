"""The analyzer: golden expectations (checked by eye once), invariants on real pages, and the
proof that the rjieba fast path yields exactly the reference jieba tokens."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jieba
import pytest
from conftest import CORPUS, DATA, REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import analysis
from indexer.analysis import (
    STOP_WORDS,
    Analyzer,
    Token,
    TokenInvariantError,
    analyze,
    check_tokens,
    normalize,
    query_tokens,
    read_dictionary,
)
from indexer.extract import discover
from indexer.extract.attachment import FILE_TYPES

GOLDEN = DATA / "analysis" / "golden_sentences.json"
SEED = CORPUS / "seed" / "000_ae3ff73dc60525ac.txt"


def main_terms(text: str) -> list[str]:
    return [t.text for t in query_tokens(text)]


def subs_of(tokens: list[Token], word: str) -> list[str]:
    (parent,) = [t for t in tokens if t.text == word and not t.sub]
    return [t.text for t in tokens if t.sub and t.pos == parent.pos]


# --- golden expectations ----------------------------------------------------------------------


@pytest.mark.parametrize("case", json.loads(GOLDEN.read_text("utf-8")), ids=lambda c: c["text"])
def test_golden_sentences(case):
    tokens = analyze(case["text"])
    assert [list(t) for t in tokens] == case["tokens"], case["why"]
    check_tokens(case["text"], tokens)


def test_positions_count_main_tokens_not_characters():
    tokens = analyze("中国农业发展银行在平潭设立分行")
    mains = [t for t in tokens if not t.sub]
    assert [(t.text, t.pos) for t in mains] == [
        ("中国", 0),
        ("农业发展银行", 1),
        ("在", 2),
        ("平潭", 3),
        ("设立", 4),
        ("分行", 5),
    ]


def test_sub_words_share_their_words_position():
    tokens = analyze("中国农业发展银行")
    word = next(t for t in tokens if t.text == "农业发展银行")
    subs = [t for t in tokens if t.sub]
    assert [(t.text, t.pos, t.start, t.end) for t in subs] == [
        ("农业", word.pos, 2, 4),
        ("发展", word.pos, 4, 6),
        ("银行", word.pos, 6, 8),
    ]
    # the query word 农业 is a term of the document (a sub-word posting) …
    assert main_terms("农业") == ["农业"]
    assert "农业" in {t.text for t in tokens}
    # … while the phrase's terms are the consecutive main tokens only
    assert main_terms("中国农业发展银行") == ["中国", "农业发展银行"]
    assert [t.pos for t in query_tokens("中国农业发展银行")] == [0, 1]


def test_sub_words_are_jiebas_search_mode_words():
    """On Han text, every (word, start, end) of jieba's own search mode is in analyze(), and
    nothing else (Latin and digit runs are cut by the analyzer itself, see the next test)."""
    text = re.sub("[a-z0-9]", "", normalize(SEED.read_text("utf-8")))
    tk = jieba.Tokenizer()
    for word, freq, tag in read_dictionary(analysis.SHIPPED_DICTIONARY):
        tk.add_word(word, freq, tag)
    expected = Counter(
        (w, s, e)
        for w, s, e in tk.tokenize(text, mode="search")
        if w not in STOP_WORDS and any(ch.isalnum() for ch in w)
    )
    tokens = analyze(text)
    assert Counter((t.text, t.start, t.end) for t in tokens) == expected
    assert sum(t.sub for t in tokens) > 100


def test_latin_and_digit_runs():
    text = "发布日期: 2024-06-03，www.w3.org 增长1.5% C++ 第13号"
    assert main_terms(text) == [
        "发布", "日期", "2024", "06", "03", "www", "w3", "org", "增长", "1.5", "c", "第", "13", "号"
    ]  # fmt: skip
    check_tokens(text, analyze(text))


def test_offsets_of_repeated_words():
    text = "地瓜经济是开放的经济。发展地瓜经济，要让地瓜经济的藤蔓伸出去。"
    tokens = analyze(text)
    starts = [t.start for t in tokens if t.text == "地瓜经济"]
    assert starts == [0, 13, 20]
    assert [t.start for t in tokens if t.text == "经济" and not t.sub] == [8]
    for t in tokens:
        assert text[t.start : t.end] == t.text


def test_traditional_text_offsets_point_into_the_original():
    text = "關於深耕「地瓜經濟」，打造高質量發展西湖樣本的建議"
    tokens = analyze(text)
    by_term = {t.text: text[t.start : t.end] for t in tokens}
    assert by_term["地瓜经济"] == "地瓜經濟"
    assert by_term["经济"] == "經濟"
    assert by_term["高质量"] == "高質量"
    assert by_term["关于"] == "關於"
    check_tokens(text, tokens)


def test_traditional_query_analyzes_like_simplified():
    assert analyze("「地瓜經濟」") == [
        Token(t.text, t.pos, t.start + 1, t.end + 1, t.sub) for t in analyze("地瓜经济")
    ]
    assert main_terms("一號開放工程") == main_terms("一号开放工程") == ["一号开放工程"]
    assert main_terms("區政協委員") == main_terms("区政协委员")


def test_full_width_to_half_width_and_lower_case():
    assert main_terms("ＡＢＣ１２３") == ["abc123"]
    assert main_terms("Hello WORLD") == ["hello", "world"]
    assert main_terms("ＧＰＴ") == main_terms("gpt") == ["gpt"]
    # no stemming
    assert main_terms("running policies") == ["running", "policies"]


def test_normalize_preserves_length_on_every_character():
    every = "".join(map(chr, range(0x10000)))
    assert len(normalize(every)) == len(every)
    normalize(every).encode("utf-8")  # no lone surrogate left for rjieba to choke on
    assert normalize("　ＡＢＣ１２３，經濟İ") == " abc123,经济İ"


def test_stop_words_take_no_position():
    tokens = analyze("地瓜经济和总部经济")
    assert [(t.text, t.pos) for t in tokens if not t.sub] == [("地瓜经济", 0), ("总部经济", 1)]
    # so a query phrase with a stop word matches the text with another one
    assert main_terms("地瓜经济与总部经济") == main_terms("地瓜经济和总部经济")
    for word in STOP_WORDS:
        assert analyze(word) == []


def test_stop_list_removes_no_meaningful_word():
    # words that contain a stop character are single tokens and are kept
    for word in ["目的", "了解", "和平", "及时", "或者", "之一", "平等", "等级"]:
        assert main_terms(word) == [word]


def test_lone_surrogates_do_not_break_the_segmenter():
    text = "地瓜\ud800经济 \udfff"  # json.loads accepts such escapes
    assert normalize(text) == "地瓜\ufffd经济 \ufffd"
    tokens = analyze(text)
    assert [t.text for t in tokens] == ["地瓜", "经济"]
    check_tokens(text, tokens)


def test_punctuation_and_whitespace_dropped():
    assert analyze(" \t\n，。、「」《》()〔〕——…") == []
    assert analyze("") == []


def test_user_dictionary_words_are_single_tokens():
    for word in ["地瓜经济", "一号开放工程", "总部经济", "岚综管综", "碳中和"]:
        assert main_terms(word) == [word], word
    # the sub-words still find the parts
    assert subs_of(analyze("一号开放工程"), "一号开放工程")[:2] == ["一号", "开放"]


def test_every_shipped_dictionary_word_is_one_token():
    for word, _, _ in read_dictionary(analysis.SHIPPED_DICTIONARY):
        assert main_terms(word) == [word], word


def test_compositional_names_stay_split_so_inner_phrases_match():
    # userdict.txt leaves out names jieba cuts into meaningful words: a phrase of two of their
    # parts must still find them (two sub-words of one word share a position: no phrase)
    text = "平潭综合实验区市场监督管理局政府信息公开"
    mains = [t.text for t in query_tokens(text)]
    for phrase in ["综合实验区", "市场监督", "信息公开"]:
        terms = main_terms(phrase)
        assert len(terms) == 2
        i = mains.index(terms[0])
        assert mains[i : i + 2] == terms, phrase


def test_user_dictionary_does_not_leak_into_global_jieba():
    analyze("地瓜经济")
    assert jieba.lcut("地瓜经济") == ["地瓜", "经济"]


def test_check_tokens_on_the_sample_corpus():
    pages = [SEED, *sorted(CORPUS.glob("pingtan/**/page.*"))]
    assert len(pages) > 40
    for page in pages:
        text = page.read_text("utf-8")
        check_tokens(text, analyze(text))


def test_check_tokens_on_shared_pages(shared_corpora):
    pages = sorted((shared_corpora / "jiangxi-gov-html").rglob("*.*"))[::8]
    pages += sorted((shared_corpora / "lawrefbook-laws").rglob("*.md"))[::400]
    pages += [shared_corpora / "lishui-xxgk-html" / "lishui_detail.html"]
    for page in pages:
        text = page.read_text("utf-8")
        check_tokens(text, analyze(text))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda ts: [ts[0], ts[1]._replace(pos=ts[1].pos + 1), *ts[2:]],  # position gap
        lambda ts: [ts[0]._replace(start=ts[0].start + 1), *ts[1:]],  # offset off by one
        lambda ts: [ts[0]._replace(text="地瓜经济"), *ts[1:]],  # term not the original text
        lambda ts: [*ts[:2], ts[2]._replace(pos=0, sub=True), *ts[3:]],  # sub-word misplaced
        lambda ts: [ts[0], Token("的", 1, 2, 3), *ts[1:]],  # a stop word
    ],
)
def test_check_tokens_catches_broken_lists(mutate):
    text = "区商务局关于地瓜经济的复函"
    tokens = analyze(text)
    check_tokens(text, tokens)
    with pytest.raises(TokenInvariantError):
        check_tokens(text, mutate(tokens))


_ALPHABET = (
    "中国农业发展银行地瓜经济開放經濟一号开放工程的和与了"  # Han, Traditional, stop words
    "ＡＢＣａｂ１２　AbZ09，。「」 \n-+.%"  # full-width, Latin, punctuation
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_invariants_hold_on_any_text(text):
    check_tokens(text, analyze(text))


# --- configuration and version ----------------------------------------------------------------


@pytest.fixture
def restore_user_dictionary():
    before = analysis.user_dictionary()
    env = os.environ.get(analysis.USER_DICT_ENV)
    yield
    analysis.set_user_dictionary(before)
    if env is None:
        os.environ.pop(analysis.USER_DICT_ENV, None)
    else:
        os.environ[analysis.USER_DICT_ENV] = env


def test_version_changes_with_the_user_dictionary(tmp_path, restore_user_dictionary):
    base = analysis.ANALYZER_VERSION
    assert main_terms("西湖区投促中心") != ["西湖区投促中心"]
    extra = tmp_path / "extra.txt"
    extra.write_text("西湖区投促中心 3000 nt\n", "utf-8")
    v1 = analysis.set_user_dictionary(extra)
    assert v1 == analysis.ANALYZER_VERSION == analysis.analyzer_version() != base
    assert main_terms("西湖区投促中心") == ["西湖区投促中心"]
    assert os.environ[analysis.USER_DICT_ENV] == str(extra.resolve())
    extra.write_text("西湖区投促中心 3000 nt\n高校经济 2000 n\n", "utf-8")
    assert analysis.set_user_dictionary(extra) not in (base, v1)
    assert analysis.set_user_dictionary(None) == base
    assert main_terms("西湖区投促中心") != ["西湖区投促中心"]


def test_user_dictionary_from_environment_at_import(tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text("西湖区投促中心 3000 nt\n", "utf-8")
    code = (
        "from indexer import analysis as a; "
        "print(a.ANALYZER_VERSION, [t.text for t in a.query_tokens('西湖区投促中心')])"
    )
    env = {**os.environ, analysis.USER_DICT_ENV: str(extra)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split(" ", 1)
    assert out[0] != analysis.ANALYZER_VERSION
    assert out[1].strip() == "['西湖区投促中心']"


def test_missing_user_dictionary_is_an_error(tmp_path, restore_user_dictionary):
    with pytest.raises(FileNotFoundError):
        analysis.set_user_dictionary(tmp_path / "missing.txt")


def test_dictionary_lines_need_a_frequency(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("# comment\n地瓜經濟 10 n\n总部经济\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:3"):
        read_dictionary(bad)
    bad.write_text("# comment\n地瓜經濟 10 n\n", "utf-8")
    assert read_dictionary(bad) == [("地瓜经济", 10, "n")]  # normalised like the text


def test_tokenizer_can_be_forced(monkeypatch):
    monkeypatch.setenv(analysis.TOKENIZER_ENV, "jieba")
    assert Analyzer().tokenizer == "jieba"
    monkeypatch.setenv(analysis.TOKENIZER_ENV, "rjieba")
    assert Analyzer().tokenizer == "rjieba"
    monkeypatch.setenv(analysis.TOKENIZER_ENV, "pkuseg")
    with pytest.raises(ValueError, match="GOVSEARCH_TOKENIZER"):
        Analyzer()


# --- the rjieba fast path ---------------------------------------------------------------------

_pair: tuple[Analyzer, Analyzer] | None = None


def _init_pair() -> None:
    global _pair
    _pair = (Analyzer("jieba"), Analyzer("rjieba"))


def _first_difference(path: str) -> str | None:
    assert _pair is not None
    text = Path(path).read_text("utf-8", errors="replace")
    ref, fast = (a.analyze(text) for a in _pair)
    if ref == fast:
        return None
    i = next((i for i, (x, y) in enumerate(zip(ref, fast, strict=False)) if x != y), len(ref))
    return f"{path} token {i}: jieba {ref[i : i + 3]} rjieba {fast[i : i + 3]}"


@pytest.mark.slow
def test_rjieba_yields_exactly_jiebas_tokens_on_the_whole_shared_corpus(shared_corpora):
    """Every text file of ../shared/corpora that the indexer reads, whole: main tokens with
    offsets, and sub-words.

    All of it (110 MB), not a sample: the jieba side alone takes ~80 s on one core, so the files
    are split over the CPUs. HMM new-word discovery is on in both. Binary attachments (PDF, OFD,
    XLSX) are not text and are left out: read as UTF-8 with replacement characters they put CJK
    Extension A characters next to ``%&#_-``, which jieba's Han pattern leaves out and rjieba's
    includes.
    """
    files = sorted(
        str(p)
        for s in discover(shared_corpora)
        for p in (s.path, *s.companions)
        if p.suffix.lower() not in FILE_TYPES  # binary attachments: read as text, never
    )
    assert len(files) > 3000
    with ProcessPoolExecutor(os.cpu_count(), initializer=_init_pair) as pool:
        differences = [d for d in pool.map(_first_difference, files, chunksize=16) if d]
    assert differences == []
