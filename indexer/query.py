"""A user query → the engine-neutral tree of ``query_tree.py`` (no engine here).

What the query language means (the README's "Search" section says it for users):

* ``三支一扶`` (a part: characters without spaces) finds the documents whose title or body hold
  its jieba words (all of them, as before exact matching), and the documents that contain the
  run as it is written (``Run``: Ctrl+F on the character view, across jieba's word boundaries).
  Both rank: a document with the run gets the run's bigrams as keywords on top of the words,
  so it ranks above one that only has the words scattered.
* ``"三支一扶"`` (quoted) finds only the documents that contain the run; spaces inside the
  quotes are ignored like line breaks in the text.
* ``脱贫 攻坚``: spaces separate parts that must all match; parts written next to each other in
  the text rank higher (the run of two neighbouring parts joined is an optional ``Maybe``).
* A part of more than ``ALL_WORDS`` words (a pasted sentence or paragraph) needs only two thirds
  of them (``AtLeast``): the document it was copied from matches by its run anyway, and no
  query finds nothing merely because it is long.
* ``OR``, ``-part`` / ``NOT part``, parentheses, ``title:`` / ``标题:`` (title only), ``agency:``
  / ``机构:`` (words of the agency field), ``doc_no:`` / ``文号:`` (a 文号); a typed 文号 or 索引号
  finds its document first. The reply prefixes (``承办单位:`` ``提案人:`` ``届次:`` ``反馈:`` …,
  ``value_terms.py``) look up a reply's values whole; an unknown prefix is plain text.

A syntax error never reaches the user: the whole query is searched as plain parts and a warning
says so. Wildcards are not supported (``*`` and ``?`` are dropped) so that no query can expand
into a huge set of terms.
"""

from __future__ import annotations

import math
import re

from .analysis import analyze
from .chars import char_keyword, gram_keyword, grams, query_run
from .extract.fields import normalize_doc_no
from .query_syntax import OPERATORS, PREFIX, Parser, QuerySyntaxError, lex
from .query_tree import (
    RUN_FIELDS,
    And,
    AtLeast,
    Mark,
    Maybe,
    Near,
    Node,
    Nothing,
    Or,
    ParsedQuery,
    Run,
    Term,
    walk,
)
from .ranking import NEAR_GAP, SYNONYM_WEIGHT
from .ranking import words as sphinx_words
from .synonyms import table as synonym_table
from .value_terms import VALUE_FIELDS, query_terms

#: longer queries are cut here (with a warning): nobody types more, and it bounds parsing work
MAX_QUERY_CHARS = 500
#: at most this many word terms per query (with a warning): bounds posting reads per request.
#: Runs are not counted: a run of any length is one phrase of bigrams.
MAX_TERMS = 64
#: a part of up to this many words needs all of them; a longer one (pasted text) needs
#: MIN_SHOULD_MATCH of them
ALL_WORDS = 6
MIN_SHOULD_MATCH = 2 / 3
#: a long part's words that count towards MIN_SHOULD_MATCH: its longest (the rarest, mostly).
#: Every word's postings are read: 32 words of a 100-character passage took 140 ms at 100k
#: documents, and the passage's source is found by its run anyway.
PASSAGE_WORDS = 8

#: fields searched by a bare word
DEFAULT_FIELDS: tuple[str, ...] = ("title", "body")
#: ``prefix:`` -> the index fields it searches
FIELD_PREFIXES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "agency": ("agency",),
    "doc_no": ("doc_no",),
}

_WILDCARDS = str.maketrans("", "", "*?？＊")
# control characters carry no meaning in a query; they would only confuse segmentation
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Builder:
    """Turns parts into Term/Run nodes, counting word terms against MAX_TERMS."""

    def __init__(self) -> None:
        self.terms = 0
        self.truncated = False
        self.wildcards = False
        self.marks: list[Mark] = []
        #: id() of the Run nodes of synonym variants (``_synonyms``)
        self.variant_runs: set[int] = set()
        #: id(node) -> (run, fields) of the positive text parts, for the neighbour bonus
        self._runs: dict[int, tuple[str, tuple[str, ...]]] = {}

    def _take(self, n: int) -> bool:
        if self.terms + n > MAX_TERMS:
            self.truncated = True
            return False
        self.terms += n
        return True

    def _clean(self, text: str) -> str:
        cleaned = text.translate(_WILDCARDS)
        if cleaned != text:
            self.wildcards = True
        return cleaned

    def _part(self, node: Node, run: str, fields: tuple[str, ...], positive: bool) -> Node:
        if positive and not isinstance(node, Nothing):
            self._runs[id(node)] = (run, fields)
        return node

    def words(self, text: str, prefix: str, *, positive: bool = True) -> Node:
        if prefix in VALUE_FIELDS:
            return self._values(prefix, text)
        # a run is matched as written (a ？ in a title is a character); words drop wildcards
        raw, text = text, self._clean(text)
        fields = FIELD_PREFIXES.get(prefix, DEFAULT_FIELDS)
        if prefix == "doc_no":
            value = normalize_doc_no(text)
            if not value or not self._take(1):
                return Nothing()
            return Term("doc_no", value)
        words_node, words = self._words(text, fields)
        run = query_run(raw) if prefix != "agency" else ""
        if positive and (run or words):
            self.marks.append(Mark(run, words))
        if not run:
            return self._synonyms(words_node, text, fields, positive)
        node = (
            Run(fields, run)
            if isinstance(words_node, Nothing)
            else Or((words_node, Run(fields, run)))
        )
        return self._part(self._synonyms(node, text, fields, positive), run, fields, positive)

    def _synonyms(self, node: Node, text: str, fields: tuple[str, ...], positive: bool) -> Node:
        """``node`` or the part with an abbreviation or synonym replaced (``synonyms.py``).

        A variant is matched as a run, as written: its words alone found 2,086 documents for
        发改委 over the shared corpora where 559 hold one of its forms (发展, 改革 and 委 are
        everywhere). Its keywords weigh ``ranking.SYNONYM_WEIGHT`` (``synonym_keywords``), so
        the documents holding what was typed rank first."""
        variants: list[Node] = []
        for variant in synonym_table().variants(text):
            if not set(fields) <= set(RUN_FIELDS):
                # agency: has no character view: the variant's words there
                words_node, _ = self._words(variant, fields)
                variants += [] if isinstance(words_node, Nothing) else [words_node]
                continue
            run = Run(fields, variant)
            self.variant_runs.add(id(run))
            variants.append(run)
            if positive:
                self.marks.append(Mark(variant))
        if not variants:
            return node
        return Or((*([] if isinstance(node, Nothing) else [node]), *variants))

    def _values(self, field: str, text: str) -> Node:
        """A value prefix (承办单位:区交建局): the reply terms the typed value means."""
        values = [v for v in query_terms(field, text) if self._take(1)]
        if not values:
            return Nothing()
        terms = tuple(Term(field, v) for v in values)
        return terms[0] if len(terms) == 1 else Or(terms)

    def phrase(self, text: str, prefix: str, *, positive: bool = True) -> Node:
        if prefix in ("doc_no", "agency", *VALUE_FIELDS):
            # 文号 are matched whole; the agency field has no character view: its words
            return self.words(text, prefix, positive=positive)
        fields = FIELD_PREFIXES.get(prefix, DEFAULT_FIELDS)
        run = query_run(text)
        if not run:
            return Nothing()
        if positive:
            self.marks.append(Mark(run))
        return self._part(Run(fields, run), run, fields, positive)

    def all_of(self, nodes: list[Node]) -> Node:
        """The parts of one AND, with the runs of neighbouring text parts as optional runs."""
        node = nodes[0] if len(nodes) == 1 else And(tuple(nodes))
        parts = [self._runs[id(n)] for n in nodes if id(n) in self._runs]
        joined = [
            Run(a_fields, a + b)
            for (a, a_fields), (b, b_fields) in zip(parts, parts[1:], strict=False)
            if a_fields == b_fields
        ]
        near = [
            Near(a_fields, a, b, NEAR_GAP)
            for (a, a_fields), (b, b_fields) in zip(parts, parts[1:], strict=False)
            if a_fields == b_fields
            and all(NEAR_RUN[0] <= len(r) <= NEAR_RUN[1] for r in (a, b))
            and not _can_overlap(a, b)
        ]
        optional = [*joined, *near]
        if not optional:
            return node
        return Maybe(node, optional[0] if len(optional) == 1 else Or(tuple(optional)))

    def _words(self, text: str, fields: tuple[str, ...]) -> tuple[Node, tuple[str, ...]]:
        """The words node of one part (all its words, or most of a long one) and its words."""
        groups = _word_groups(text)
        if len(groups) > ALL_WORDS:
            # keywords Sphinx keeps whole too (a quorum takes single words only)
            mains = list(dict.fromkeys(m for m, _ in groups if sphinx_words(m) == [m]))
            room = min(PASSAGE_WORDS, max(0, (MAX_TERMS - self.terms) // len(fields)))
            # no warning when words are left out here: they only rank, and the part's run (its
            # whole text) is matched as written beside them
            longest = sorted(range(len(mains)), key=lambda i: -len(mains[i]))[:room]
            mains = [mains[i] for i in sorted(longest)]
            if len(mains) > ALL_WORDS:
                self.terms += len(mains) * len(fields)
                k = math.ceil(MIN_SHOULD_MATCH * len(mains))
                return AtLeast(k, fields, tuple(mains)), tuple(mains)
        nodes: list[Node] = []
        words: list[str] = []
        for main, subs in groups:
            if not self._take(len(fields) * (1 + len(subs))):
                break
            words.append(main)
            # a one-character sub-word (号 of 106号) would mark noise all over a snippet
            words += [s for s in subs if len(s) > 1]
            alternatives: list[Node] = [Term(f, main) for f in fields]
            if len(subs) > 1:
                # The query may be segmented differently from the document (a long word in one,
                # its parts in the other): matching all its sub-words keeps the recall.
                alternatives.append(And(tuple(_one_of([Term(f, s) for f in fields]) for s in subs)))
            nodes.append(_one_of(alternatives))
        if not nodes:
            return Nothing(), ()
        return (nodes[0] if len(nodes) == 1 else And(tuple(nodes))), tuple(words)


def _one_of(nodes: list[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


def _word_groups(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(main token, its sub-words) for each main token of ``text``."""
    groups: list[tuple[str, list[str]]] = []
    for tok in analyze(text):
        if not tok.sub:
            groups.append((tok.text, []))
        elif groups and tok.text != groups[-1][0] and tok.text not in groups[-1][1]:
            groups[-1][1].append(tok.text)
    return [(main, tuple(subs)) for main, subs in groups]


# --- 文号 / 索引号 typed as the query ---------------------------------------------------------

#: a 文号 or 索引号 is one short run of characters without spaces
_IDENTIFIER_CHARS = 60


def exact_identifiers(q: str) -> tuple[tuple[str, str], ...]:
    """(field, value) lookups for a query that may be a whole 文号 or 索引号.

    Two exact term lookups cost microseconds, so any short query without spaces is tried as
    both (normalised 文号: bracket variants unified; 索引号 upper-cased) instead of guessing
    formats (索引号 come as 00250260-2/2024-31773, PZ00101-0200-2011-00001 …).
    """
    text = q.strip()
    if text.lower().startswith("doc_no:") or text.lower().startswith("doc_no："):
        text = text[7:].strip()
    if not text or len(text) > _IDENTIFIER_CHARS or any(c.isspace() for c in text):
        return ()
    if not any(c.isdigit() for c in text):
        return ()
    return (("doc_no", normalize_doc_no(text)), ("index_no", text.upper()))


# --- entry point ----------------------------------------------------------------------------


#: runs a Near may join: a one-character run is everywhere; a pasted sentence is ranked by its
#: own run
NEAR_RUN = (2, 12)


def _can_overlap(a: str, b: str) -> bool:
    """Whether occurrences of runs ``a`` and ``b`` can share characters (one holds the other, or
    an end of one is a start of the other): then Sphinx's NEAR keeps or drops a pair by the
    order its hits come in, which no simple rule reproduces."""
    if a in b or b in a:
        return True
    return any(a.endswith(b[:k]) or b.endswith(a[:k]) for k in range(1, min(len(a), len(b))))


def parse_query(q: str) -> ParsedQuery:
    """Parse a user query; bad syntax never raises: plain parts are searched, with a warning."""
    warnings: list[str] = []
    q = _CONTROL.sub(" ", q)
    if len(q) > MAX_QUERY_CHARS:
        q = q[:MAX_QUERY_CHARS]
        warnings.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
    if not q.strip():
        return ParsedQuery(None, warnings=warnings)
    exact = exact_identifiers(q)
    builder = _Builder()
    try:
        node = Parser(lex(q), builder).parse()
    except QuerySyntaxError as e:
        warnings.append(f"query syntax error ({e}): searched as plain words")
        builder = _Builder()
        plain = re.sub(r"[\"“”＂]", " ", q)
        words = [w.lstrip("-") for w in plain.split() if w not in OPERATORS and w.lstrip("-")]
        parts = [builder.words(PREFIX.sub("", w), "") for w in words]
        parts = [p for p in parts if not isinstance(p, Nothing)]
        node = builder.all_of(parts) if parts else Nothing()
    if builder.wildcards:
        warnings.append("wildcards (* ?) are not supported: they were ignored")
    if builder.truncated:
        warnings.append(f"query has too many words: only the first {MAX_TERMS} terms were used")
    if node is None:
        node = Nothing()
    weights = dict.fromkeys(synonym_keywords(node, builder.variant_runs), SYNONYM_WEIGHT)
    return ParsedQuery(node, tuple(builder.marks), exact, warnings, weights)


def synonym_keywords(node: Node, variant_runs: set[int]) -> set[str]:
    """The character-view keywords of the synonym variants' runs, those a typed run shares too:
    a bigram of both forms (市场 of 市场监管局 and 市场监督管理局) counted in full let documents
    holding only the other form rank above some holding the typed one (4 of the top 34 for
    市场监管局 over the shared corpora). A typed form holds a bigram its variants lack (a form
    that contains another of its group is not in the table), so it still ranks first."""
    found: set[str] = set()
    for n in walk(node):
        if isinstance(n, Run) and id(n) in variant_runs:
            one = len(n.text) == 1
            found.update([char_keyword(n.text)] if one else map(gram_keyword, grams(n.text)))
    return found


__all__ = ["ALL_WORDS", "DEFAULT_FIELDS", "MAX_TERMS", "RUN_FIELDS", "parse_query"]
