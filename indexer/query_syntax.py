"""The query syntax: a lexer and a small recursive-descent parser (no index terms here).

Syntax: parts separated by spaces (all must match), ``OR``, ``-part`` / ``NOT part``,
``"exact run"``, field prefixes (``title:`` ``agency:`` ``doc_no:``, ``承办单位:`` ``提案人:``
``届次:`` …: ``value_terms.PREFIX_NAMES``) and parentheses. Whoosh's
QueryParser splits on spaces and punctuation, which does not fit Chinese text without spaces, so
the query string is tokenised here and each part is handed to a builder (``query._Builder``)
that turns it into index terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from .query_tree import AndNot, Node, Or
from .value_terms import PREFIX_NAMES

#: deeper parentheses are a syntax error (plain words): each level is three recursive calls, and
#: 499 '(' hit Python's recursion limit, a RecursionError that answered HTTP 500
MAX_DEPTH = 32


class Builder(Protocol):
    """What the parser asks of the query builder."""

    def words(self, text: str, prefix: str, *, positive: bool = True) -> Node: ...
    def phrase(self, text: str, prefix: str, *, positive: bool = True) -> Node: ...
    def all_of(self, nodes: list[Node]) -> Node: ...


# --- lexer ----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<quote>["“”＂])
  | (?P<word>[^\s()"“”＂]+)
    """,
    re.VERBOSE,
)
# the longest names first (提建议人 before 建议人); value_terms.PREFIX_NAMES says what each means
PREFIX = re.compile(
    rf"^({'|'.join(sorted(map(re.escape, PREFIX_NAMES), key=len, reverse=True))})[:：]",
    re.IGNORECASE,
)
OPERATORS = ("OR", "NOT", "AND", "|", "||", "&&")


@dataclass
class _Tok:
    kind: str  # word | lparen | rparen | phrase | or | not | and
    text: str = ""
    prefix: str = ""  # title / agency / doc_no / a value field, for a prefixed word or phrase
    negated: bool = False  # written as -word


class QuerySyntaxError(ValueError):
    pass


#: stand-ins for parentheses and Chinese quotes that are part of a word (``理)负责制``,
#: ``第(一)项``, ``组织“三支一扶”人员``) while lexing
_LITERALS = {"(": "\ue000", ")": "\ue001", "“": "\ue002", "”": "\ue003"}
_RESTORE = str.maketrans({v: k for k, v in _LITERALS.items()})
_CURLY = "“”"


def _mark_literals(q: str) -> str:
    """ASCII parentheses group only at a word's edge: ``(`` at the start of a word, ``)`` at its
    end. Chinese quotes “…” quote only a whole word: “ at its start and the closing quote at its
    end. Inside a word (text pasted from a document, where “三支一扶” is punctuation) they are
    characters like any other, as full-width （） always are; ASCII " always quotes."""
    out = list(q)
    for i, ch in enumerate(q):
        if ch == "(" and i > 0 and not (q[i - 1].isspace() or q[i - 1] in "(-"):
            out[i] = _LITERALS[ch]
        elif ch == ")" and i + 1 < len(q) and not (q[i + 1].isspace() or q[i + 1] == ")"):
            out[i] = _LITERALS[ch]
    i = 0
    while i < len(q):
        if q[i] in _CURLY and out[i] == q[i]:
            end = next((j for j in range(i + 1, len(q)) if q[j] in '"“”＂'), -1)
            starts = i == 0 or q[i - 1].isspace() or q[i - 1] in "(-:："
            ends = end >= 0 and (end + 1 == len(q) or q[end + 1].isspace() or q[end + 1] == ")")
            if starts and ends:
                i = end + 1  # a quoted word: both quotes stay operators
                continue
            out[i] = _LITERALS[q[i]]
        i += 1
    return "".join(out)


def lex(q: str) -> list[_Tok]:
    toks = _lex(_mark_literals(q))
    for tok in toks:
        tok.text = tok.text.translate(_RESTORE)
    return toks


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
                if i < len(q) and (q[i] in '"“”＂('):
                    continue
                raise QuerySyntaxError("lone '-'")
        pm = PREFIX.match(text)
        if pm and not pending_prefix:
            pending_prefix = PREFIX_NAMES[pm.group(1).lower()]
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


class Parser:
    def __init__(self, toks: list[_Tok], builder: Builder):
        self.toks = toks
        self.i = 0
        self.b = builder
        self.depth = 0
        #: inside an odd number of NOT / -( … ): what is built there is excluded, not marked
        self.excluding = False

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
        pos = self.b.all_of(positives) if positives else None
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
            self.excluding = not self.excluding
            negated, node = self.unary()
            self.excluding = not self.excluding
            return (not negated), node
        if t.kind == "lparen":
            self.i += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError("parentheses nested too deeply")
            self.excluding ^= t.negated
            inner = self.or_expr()
            self.excluding ^= t.negated
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
        positive = not (t.negated ^ self.excluding)
        if t.kind == "phrase":
            return t.negated, self.b.phrase(t.text, t.prefix, positive=positive)
        return t.negated, self.b.words(t.text, t.prefix, positive=positive)
