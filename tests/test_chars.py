"""The character view (``indexer.chars``): what a run is compared with, and its keywords.

The Sphinx feed names every bigram and character of every document with the vectorised
``gram_keywords`` / ``char_keywords``; a query names its run's with ``gram_keyword`` /
``char_keyword``, one at a time. They must agree, or a run would find nothing on Sphinx.
"""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from indexer.chars import (
    char_keyword,
    char_keywords,
    gram_keyword,
    gram_keywords,
    grams,
    query_run,
    stream,
)

#: any character a stream can hold: whitespace is left out of streams, surrogates cannot be
TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)), min_size=0, max_size=60
).map(stream)


@given(TEXT)
def test_one_keyword_at_a_time_equals_the_feeds_keywords(text):
    assert gram_keywords(text).split() == [gram_keyword(g) for g in grams(text)]
    assert char_keywords(text).split() == [char_keyword(c) for c in text]


def test_keywords_are_distinct_for_distinct_bigrams():
    rng = random.Random(3)
    pairs = {
        chr(rng.randrange(0x4E00, 0xA000)) + chr(rng.randrange(0x20, 0x30000)) for _ in range(5000)
    }
    pairs = {p for p in pairs if not any(0xD800 <= ord(c) < 0xE000 for c in p)}
    keywords = [gram_keyword(p) for p in pairs]
    assert len(set(keywords)) == len(pairs)
    assert all(k.startswith("zq") and len(k) == 11 and k.isalnum() for k in keywords)


def test_the_stream_ignores_whitespace_and_normalises_character_by_character():
    assert stream("地瓜經濟\n 发展　２０２４Ｇ") == "地瓜经济发展2024g"
    assert stream("a\u200bb\ufeffc") == "abc"


def test_a_typed_run_drops_punctuation_at_its_edges_only():
    assert query_run("“三支一扶”") == "三支一扶"
    assert query_run("《中华人民共和国 刑法》") == "中华人民共和国刑法"
    assert query_run("闽政〔2023〕12号") == "闽政〔2023〕12号"
    assert query_run("。，") == ""
