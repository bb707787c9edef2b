"""The engine-neutral query tree that ``query.parse_query`` builds and every engine evaluates.

Leaves: ``Term`` (an index term of a word field, or an exact 文号 / 索引号), ``Run`` (a run of
characters that must occur as written, matched on the character view of ``chars.py``).
Inner nodes: ``And``, ``Or``, ``AndNot``, ``AtLeast`` (minimum-should-match, for pasted passages
whose words would be too many to require all), ``Maybe`` (matched by ``required`` alone;
``optional`` adds to the ranking where it also matches: words written next to each other),
``Near`` (two runs close together: a ranking signal only, under a Maybe).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the fields a Run can be matched in (the character view of each)
RUN_FIELDS: tuple[str, ...] = ("title", "body")


@dataclass(frozen=True)
class Term:
    """A jieba word in a word field, or a whole 文号 / 索引号 (``doc_no``, ``index_no``)."""

    field: str
    text: str


@dataclass(frozen=True)
class Run:
    """Characters that must occur as written in the character view of one of ``fields``."""

    fields: tuple[str, ...]  # some of RUN_FIELDS
    text: str  # chars.query_run: normalised, no whitespace, at least one character


@dataclass(frozen=True)
class And:
    """Documents every child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Documents some child matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class AndNot:
    """Documents ``positive`` matches and ``negative`` does not (``-word``, ``NOT word``)."""

    positive: Node | None  # None: every document
    negative: Node


@dataclass(frozen=True)
class Nothing:
    """Matches no document (a word that analyzes to no token, an empty group)."""


@dataclass(frozen=True)
class AtLeast:
    """Documents holding at least ``k`` of ``words``, each looked up in every one of ``fields``."""

    k: int
    fields: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Maybe:
    """The documents of ``required``; ``optional`` only adds to the score where it matches."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Near:
    """Documents where runs ``left`` and ``right`` occur in one of ``fields``, in either order,
    with at most ``gap`` characters between the end of one and the start of the other.

    Only ever an optional of a Maybe: it adds ranking.NEAR_BONUS and no keyword hits. The two
    runs never overlap (``query._can_overlap``), so "some pair is close" is what Sphinx's
    NEAR/(gap + 2) over phrases of their bigrams finds too (its FSM follows the hits in
    position order; tests/test_exact_mixed.py pins the distance on both engines).
    """

    fields: tuple[str, ...]
    left: str
    right: str
    gap: int


Node = Term | Run | And | Or | AndNot | AtLeast | Maybe | Near | Nothing


def walk(node: Node | None):
    """Every node of a tree, depth first (from a stack: nested generators cost a frame per
    level for every node, a tenth of parsing a query)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        if isinstance(node, (And, Or)):
            stack.extend(reversed(node.children))
        elif isinstance(node, AndNot):
            stack += (node.negative, node.positive)
        elif isinstance(node, Maybe):
            stack += (node.optional, node.required)


def has_near(node: Node | None) -> bool:
    return any(isinstance(n, Near) for n in walk(node))


@dataclass(frozen=True)
class Mark:
    """What to mark for one part of a query: its run where the text holds it, else its words."""

    run: str  # "" when the part has no character view (agency:)
    words: tuple[str, ...] = ()


@dataclass
class ParsedQuery:
    node: Node | None  # None: the empty query (every document)
    marks: tuple[Mark, ...] = ()  # what snippets and pages mark
    exact_ids: tuple[tuple[str, str], ...] = ()  # (field, value) of a typed 文号 / 索引号
    warnings: list[str] = field(default_factory=list)
    #: keyword -> factor of its idf (below 1: a synonym's keywords, ``query.synonym_keywords``)
    weights: dict[str, float] = field(default_factory=dict)
