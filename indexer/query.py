"""The query language: a small recursive-descent parser and the term-level query tree (no Whoosh).

Syntax: words (segmented by ``indexer.analysis.analyze``, implicit AND), ``OR``, ``-word`` /
``NOT word``, ``"exact phrase"``, ``title:`` ``agency:`` ``doc_no:`` prefixes and parentheses.
Whoosh's QueryParser splits on spaces and punctuation, which does not fit Chinese text without
spaces, so we tokenise the query string ourselves and segment each word with the index analyzer.

A syntax error never reaches the user: the whole query is searched as plain words and a warning
says so. Wildcards are not supported (``*`` and ``?`` are dropped) so that no query can expand
into a huge set of terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analysis import analyze
from .extract.fields import normalize_doc_no

#: longer queries are cut here (with a warning): nobody types more, and it bounds parsing work
MAX_QUERY_CHARS = 500
#: at most this many index terms per query (with a warning): bounds posting reads per request
MAX_TERMS = 64
#: deeper parentheses are a syntax error (plain words): each level is three recursive calls, and
#: 499 '(' hit Python's recursion limit, a RecursionError that answered HTTP 500
MAX_DEPTH = 32

#: fields searched by a bare word
DEFAULT_FIELDS: tuple[str, ...] = ("title", "body")
#: ``prefix:`` -> the index fields it searches
FIELD_PREFIXES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "agency": ("agency",),
    "doc_no": ("doc_no",),
}

# --- the term-level tree the engine evaluates (and tests translate to Whoosh queries) --------


@dataclass(frozen=True)
class Term:
    field: str
    text: str


@dataclass(frozen=True)
class Phrase:
    field: str
    texts: tuple[str, ...]  # consecutive main tokens


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AndNot:
    positive: Node | None  # None: every document
    negative: Node


@dataclass(frozen=True)
class Nothing:
    """Matches no document (a word that analyzes to no token, an empty group)."""


Node = Term | Phrase | And | Or | AndNot | Nothing


@dataclass
class ParsedQuery:
    node: Node | None  # None: the empty query (every document)
    highlight_terms: frozenset[str] = frozenset()  # index terms to mark in snippets
    exact_ids: tuple[tuple[str, str], ...] = ()  # (field, value) of a typed 文号 / 索引号
    warnings: list[str] = field(default_factory=list)


# --- lexer ----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>[(（])
  | (?P<rparen>[)）])
  | (?P<quote>["“”＂])
  | (?P<word>[^\s()（）"“”＂]+)
    """,
    re.VERBOSE,
)
_PREFIX = re.compile(r"^(title|agency|doc_no)[:：]", re.IGNORECASE)
_WILDCARDS = str.maketrans("", "", "*?？＊")
# control characters carry no meaning in a query; they would only confuse segmentation
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class _Tok:
    kind: str  # word | lparen | rparen | phrase | or | not | and
    text: str = ""
    prefix: str = ""  # title / agency / doc_no for a prefixed word or phrase
    negated: bool = False  # written as -word


class QuerySyntaxError(ValueError):
    pass


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i = 0
    pending_prefix = ""
    pending_neg = False
    while i < len(q):
        if q[i] in '"“”＂':
            end = _find_quote_end(q, i + 1)
            if end < 0:
                raise QuerySyntaxError("unbalanced quote")
            toks.append(_Tok("phrase", q[i + 1 : end], pending_prefix, pending_neg))
            pending_prefix, pending_neg = "", False
            i = end + 1
            continue
        m = _TOKEN.match(q, i)
        assert m is not None  # the alternatives cover every character
        i = m.end()
        kind = m.lastgroup
        if kind == "ws":
            if pending_prefix or pending_neg:
                raise QuerySyntaxError("operator without a word")
            continue
        if pending_prefix or pending_neg:
            if kind != "word" and not (kind == "lparen" and pending_neg and not pending_prefix):
                raise QuerySyntaxError("operator without a word")
        text = m.group()
        if kind in ("lparen", "rparen"):
            toks.append(_Tok(kind, negated=pending_neg))
            pending_neg = False
            continue
        # a word: operators, a leading '-', a field prefix
        if text in ("OR", "|", "||") and not pending_prefix and not pending_neg:
            toks.append(_Tok("or"))
            continue
        if text in ("AND", "&&") and not pending_prefix and not pending_neg:
            toks.append(_Tok("and"))
            continue
        if text == "NOT" and not pending_prefix and not pending_neg:
            toks.append(_Tok("not"))
            continue
        if text.startswith("-") and not pending_prefix and not pending_neg:
            text = text[1:]
            pending_neg = True
            if not text:
                # '-' directly before a quote or a parenthesis
                if i < len(q) and (q[i] in '"“”＂(（'):
                    continue
                raise QuerySyntaxError("lone '-'")
        pm = _PREFIX.match(text)
        if pm and not pending_prefix:
            pending_prefix = pm.group(1).lower()
            text = text[pm.end() :]
            if not text:
                if i < len(q) and q[i] in '"“”＂':
                    continue
                raise QuerySyntaxError(f"{pending_prefix}: without a value")
        toks.append(_Tok("word", text, pending_prefix, pending_neg))
        pending_prefix, pending_neg = "", False
    if pending_prefix or pending_neg:
        raise QuerySyntaxError("operator without a word")
    return toks


def _find_quote_end(q: str, start: int) -> int:
    for j in range(start, len(q)):
        if q[j] in '"“”＂':
            return j
    return -1


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, toks: list[_Tok], builder: _Builder):
        self.toks = toks
        self.i = 0
        self.b = builder
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def parse(self) -> Node | None:
        node = self.or_expr()
        if self.peek() is not None:
            raise QuerySyntaxError("unexpected ')'")
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while (t := self.peek()) is not None and t.kind == "or":
            self.i += 1
            parts.append(self.and_expr())
        if any(p is None for p in parts):
            if len(parts) > 1:
                raise QuerySyntaxError("OR without a word on both sides")
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))  # type: ignore[arg-type]

    def and_expr(self) -> Node | None:
        positives: list[Node] = []
        negatives: list[Node] = []
        while (t := self.peek()) is not None and t.kind not in ("or", "rparen"):
            if t.kind == "and":
                self.i += 1
                continue
            negated, node = self.unary()
            (negatives if negated else positives).append(node)
        if not positives and not negatives:
            return None
        pos: Node | None = None
        if positives:
            pos = positives[0] if len(positives) == 1 else And(tuple(positives))
        if not negatives:
            return pos
        neg = negatives[0] if len(negatives) == 1 else Or(tuple(negatives))
        return AndNot(pos, neg)

    def unary(self) -> tuple[bool, Node]:
        t = self.peek()
        assert t is not None
        if t.kind == "not":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "rparen", "not", "and"):
                raise QuerySyntaxError("NOT without a word")
            negated, node = self.unary()
            return (not negated), node
        if t.kind == "lparen":
            self.i += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError("parentheses nested too deeply")
            inner = self.or_expr()
            self.depth -= 1
            end = self.peek()
            if end is None or end.kind != "rparen":
                raise QuerySyntaxError("unbalanced parenthesis")
            self.i += 1
            if inner is None:
                raise QuerySyntaxError("empty parentheses")
            return t.negated, inner
        if t.kind == "rparen":
            raise QuerySyntaxError("unbalanced parenthesis")
        self.i += 1
        if t.kind == "phrase":
            return t.negated, self.b.phrase(t.text, t.prefix, positive=not t.negated)
        return t.negated, self.b.words(t.text, t.prefix, positive=not t.negated)


# --- from words to index terms --------------------------------------------------------------


class _Builder:
    """Turns words and phrases into Term/Phrase nodes, counting terms against MAX_TERMS."""

    def __init__(self) -> None:
        self.terms = 0
        self.truncated = False
        self.wildcards = False
        self.highlight: set[str] = set()

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

    def words(self, text: str, prefix: str, *, positive: bool = True) -> Node:
        text = self._clean(text)
        fields = FIELD_PREFIXES.get(prefix, DEFAULT_FIELDS)
        if prefix == "doc_no":
            value = normalize_doc_no(text)
            if not value or not self._take(1):
                return Nothing()
            return Term("doc_no", value)
        groups = _word_groups(text)
        nodes: list[Node] = []
        for main, subs in groups:
            if not self._take(len(fields) * (1 + len(subs))):
                break
            if positive:
                self.highlight.add(main)
                # a one-character sub-word (号 of 106号) would mark noise all over a snippet
                self.highlight.update(s for s in subs if len(s) > 1)
            alternatives: list[Node] = [Term(f, main) for f in fields]
            if len(subs) > 1:
                # The query may be segmented differently from the document (a long word in one,
                # its parts in the other): matching all its sub-words keeps the recall.
                alternatives.append(And(tuple(_one_of([Term(f, s) for f in fields]) for s in subs)))
            nodes.append(_one_of(alternatives))
        if not nodes:
            return Nothing()
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def phrase(self, text: str, prefix: str, *, positive: bool = True) -> Node:
        text = self._clean(text)
        if prefix == "doc_no":
            return self.words(text, prefix, positive=positive)
        fields = FIELD_PREFIXES.get(prefix, DEFAULT_FIELDS)
        mains = tuple(t.text for t in analyze(text) if not t.sub)
        if not mains or not self._take(len(fields) * len(mains)):
            return Nothing()
        if positive:
            self.highlight.update(mains)
        if len(mains) == 1:
            return _one_of([Term(f, mains[0]) for f in fields])
        return _one_of([Phrase(f, mains) for f in fields])


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


def parse_query(q: str) -> ParsedQuery:
    """Parse a user query; bad syntax never raises: plain words are searched, with a warning."""
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
        node = _Parser(_lex(q), builder).parse()
    except QuerySyntaxError as e:
        warnings.append(f"query syntax error ({e}): searched as plain words")
        builder = _Builder()
        plain = re.sub(r"[\"“”＂()（）]", " ", q)
        words = [
            w.lstrip("-")
            for w in plain.split()
            if w not in ("OR", "NOT", "AND", "|", "||", "&&") and w.lstrip("-")
        ]
        parts = [builder.words(_PREFIX.sub("", w), "") for w in words]
        parts = [p for p in parts if not isinstance(p, Nothing)]
        node = parts[0] if len(parts) == 1 else (And(tuple(parts)) if parts else Nothing())
    if builder.wildcards:
        warnings.append("wildcards (* ?) are not supported: they were ignored")
    if builder.truncated:
        warnings.append(f"query has too many words: only the first {MAX_TERMS} terms were used")
    if node is None:
        node = Nothing()
    return ParsedQuery(node, frozenset(builder.highlight), exact, warnings)
