"""The one ranking both backends compute: BM25F over collection-wide statistics (no Whoosh here).

For a document d and the distinct query keywords t whose hits d matched::

    score(d) = sum_t idf(t) * tf'(t, d) / (tf'(t, d) + K1 * (1 - B + B * dl(d) / avgdl))

    tf'(t, d) = sum over fields f of FIELD_WEIGHTS[f] * (hits of t in f that the query matched)
    dl(d)     = sum over fields f of FIELD_WEIGHTS[f] * (words of d in f, sub-words included;
                bigrams of d in a character-view field)
    avgdl     = mean dl over the collection (exact token counts, not Whoosh's one-byte lengths)
    idf(t)    = ln(N / (n + 1)) + 1   N documents, n of them have t in a weighted field

This is BM25F as Robertson et al. define it (field-weighted frequencies saturate together), the
function Sphinx's ``bm25f()`` ranking factor evaluates. Whoosh's BM25F, which we used to copy,
saturates each field apart and sums, which no Sphinx ranking expression can reproduce (Sphinx
2.2 exposes no per-field, per-keyword frequency), so the two backends could not agree on a
top-10 (issue 7: 3-5 of 10 in common for 平潭 建设). "Hits that the query matched" follows
Sphinx too (sphinxsearch.cpp, RankerState_Expr_fn::Update, read and checked on a 6-document
index): a keyword under a branch that did not match the document counts nothing; a run (a
phrase of bigrams) counts its occurrences, each recorded at the run's start for every bigram of
it, and a bigram reached twice in the query counts a recorded position once.

Sphinx knows only its own shard's statistics, so the Sphinx engine corrects them per shard
(``shard_k1_b`` and ``keyword_boost``): measured equal to this module's scores on a shard of
5 documents, to the printed digit (tests/test_ranking_agreement.py does it on the sample corpus).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

K1 = 1.2
B = 0.75
#: field weights of tf' and dl; a title match counts three body matches (schema.TITLE_BOOST).
#: The word fields hold jieba's words; ``title_grams`` and ``body_grams`` are the character view
#: (``indexer.chars``): the bigrams of a matched run are its keywords there, so a document that
#: holds a typed run as written gains the run's bigrams on top of its words; a one-character
#: run is its character's keyword in ``title_chars`` / ``body_chars``.
FIELD_WEIGHTS: dict[str, int] = {
    "title": 3,
    "body": 1,
    "agency": 1,
    "title_grams": 3,
    "body_grams": 1,
    "title_chars": 3,
    "body_chars": 1,
}
#: the character-view fields of each text field a Run is matched in: bigrams (a run of two
#: characters or more), single characters (a run of one)
GRAM_FIELDS: dict[str, str] = {"title": "title_grams", "body": "body_grams"}
CHAR_FIELDS: dict[str, str] = {"title": "title_chars", "body": "body_chars"}
#: a document that holds one of the query's runs as written (``query_tree.Run``, matched in a
#: positive branch) ranks above every document that only has the query's words scattered
#: (issue 13): RUN_BONUS is above what words alone can score, at most MAX_TERMS (64) keywords of
#: idf <= ln(N) + 1 each, 948 at a million documents. Among the documents that hold a run (or
#: among those that hold none) BM25F decides, bigrams of the matched runs included.
RUN_BONUS = 1000.0
#: words close together rank above words far apart (issue 13): a document where two neighbouring
#: parts of the query occur within NEAR_GAP characters of each other (either order, one field)
#: gains NEAR_BONUS, below RUN_BONUS (closeness needs both runs, so such a document has
#: RUN_BONUS too) and above what the few keywords of a short query can score apart
NEAR_BONUS = 500.0
NEAR_GAP = 10
#: the idf factor of a keyword only a synonym's run has (``query.synonym_keywords``; Sphinx:
#: ``keyword^boost``): a document found through 发展和改革委员会 for 发改委 gets the run bonus
#: (it holds a run of the query) but almost nothing on top, so the documents holding what was
#: typed rank above it: their run's keywords count in full.
SYNONYM_WEIGHT = 0.001
#: a typed 文号 / 索引号 ranks above any text match, run or words
EXACT_BONUS = 10 * RUN_BONUS
#: more-like-this: key terms taken from a document
RELATED_TERMS = 12
#: more-like-this: characters of the body read for key terms
RELATED_CHARS = 6000


#: what a word is: a run of Latin letters, digits or CJK ideographs, the characters Sphinx's
#: charset_table (sphinx.conf.CHARSET_TABLE) declares. A token is one word but for a few: "2.5"
#: holds two and "、" none, as Sphinx counts them; dl counts words so that both backends agree.
WORD = re.compile(
    "[0-9a-zA-Z\u00c0-\u024f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]+"
)


def words(text: str) -> list[str]:
    """``text`` split into words the way Sphinx's tokenizer splits it, lower-cased."""
    return [w.lower() for w in WORD.findall(text)]


@lru_cache(maxsize=1 << 18)
def word_count(token: str) -> int:
    """Words in one token (cached: a corpus repeats a small vocabulary millions of times)."""
    return len(WORD.findall(token))


def related_text(title: str, body: str) -> str:
    """The part of a document its more-like-this key terms are drawn from."""
    return title + "\n" + body[:RELATED_CHARS]


def idf(n_docs: int, with_term: int) -> float:
    """ln(N / (n + 1)) + 1: positive for any n <= N, so a word every document has still counts."""
    return math.log(n_docs / (with_term + 1)) + 1.0


def sphinx_plain_idf(n_docs: int, with_term: int) -> float:
    """The idf Sphinx 2.2 gives a keyword with ``OPTION idf='plain,tfidf_unnormalized'``.

    ln(N/n) / (2 ln(N+1)) over the shard's own counts (sphinxsearch.cpp; checked against a
    5-document shard). Zero when every document of the shard has the keyword, which no boost can
    correct: each shard therefore holds one empty padding document (sphinx.feed.PAD_ROW).
    """
    total = max(n_docs, with_term)
    return math.log(total / with_term) / (2 * math.log(total + 1))


def keyword_boost(n_docs: int, with_term: int, shard_docs: int, shard_with_term: int) -> float:
    """The ``keyword^boost`` that turns a shard's plain idf into ``idf`` over the collection."""
    if shard_with_term <= 0:
        return 1.0  # the shard has no hit of it: the boost changes nothing
    local = sphinx_plain_idf(shard_docs, shard_with_term)
    return idf(n_docs, with_term) / local if local > 0 else 1.0


def shard_k1_b(avgdl: float, shard_avgdl: float, offset: float = 0.0) -> tuple[float, float]:
    """(k1, b) for a shard whose documents Sphinx sees ``offset`` longer than ranking.py does,
    with ``shard_avgdl`` their average there (offset included).

    Sphinx computes k1 (1 - b + b (dl + offset) / shard_avgdl). With C = K1 B shard_avgdl /
    avgdl, k1' = K1 (1 - B) + C (1 - offset / shard_avgdl) and b' = C / k1' make that
    K1 (1 - B + B dl / avgdl) for every dl. b' <= 1 holds while offset <= avgdl (1 - B) / B.
    """
    if avgdl <= 0 or shard_avgdl <= 0:
        return K1, B
    c = K1 * B * shard_avgdl / avgdl
    k1 = K1 * (1 - B) + c * (1 - offset / shard_avgdl)
    if k1 <= 0 or c > k1:
        return K1, B  # documents of a few tokens each: the offset cannot be corrected for
    return k1, c / k1
