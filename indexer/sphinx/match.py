"""Our query tree (``indexer.query_tree``) as a Sphinx extended-syntax ``MATCH()`` expression.

The parsing is the Whoosh backend's (``parse_query``), so both backends read a query the same
way; only the last step differs. A term of field ``title`` is looked up in ``title`` (main
tokens) and ``title_sub`` (sub-words), as Whoosh keeps both at one position of one field. A
``Run`` is a phrase of its bigram keywords in the bigram fields (one character: its keyword in
the character fields), ``AtLeast`` a quorum (``"w1 w2 …"/k``), ``Maybe`` Sphinx's ``MAYBE``.
"""

from __future__ import annotations

from ..chars import char_keyword, gram_keyword, grams
from ..query_tree import And, AndNot, AtLeast, Maybe, Near, Node, Nothing, Or, Run, Term
from ..ranking import words
from ..value_terms import VALUE_FIELDS
from .feed import ALL_TOKEN, CHAR_VIEW_FIELDS, EVERY_FIELD, IDS_FIELD, TEXT_FIELDS, id_token

#: keyword -> ``keyword^boost`` factor of one shard's query (ranking.keyword_boost)
Boosts = dict[str, float]


def _boosted(ws: list[str], boosts: Boosts) -> list[str]:
    # fixed-point: the query lexer reads no exponent; a boost is >= 1.9 (ranking.keyword_boost)
    return [f"{w}^{boosts[w]:.7f}" if w in boosts else w for w in ws]


def _term_expr(fields: list[str], text: str, boosts: Boosts) -> str | None:
    ws = _boosted(words(text), boosts)
    if not ws:
        return None
    # one of our tokens that Sphinx splits (e.g. "covid-19") is indexed as consecutive words
    body = ws[0] if len(ws) == 1 else '"' + " ".join(ws) + '"'
    return f"(@({','.join(fields)}) {body})"


def keywords(node: Node | None) -> list[str]:
    """The Sphinx keywords of ``node`` that ranking scores (text fields, not 文号 / 索引号)."""
    out: dict[str, None] = {}

    def walk(n: Node | None) -> None:
        if isinstance(n, Term) and n.field in TEXT_FIELDS:
            out.update(dict.fromkeys(words(n.text)))
        elif isinstance(n, AtLeast):
            out.update(dict.fromkeys(n.words))
        elif isinstance(n, Run):
            out.update(dict.fromkeys(_run_keywords(n.text)))
        elif isinstance(n, (And, Or)):
            for c in n.children:
                walk(c)
        elif isinstance(n, AndNot):
            walk(n.positive)
        elif isinstance(n, Maybe):
            walk(n.required)
            walk(n.optional)

    walk(node)
    return list(out)


def _run_keywords(run: str) -> list[str]:
    return [char_keyword(run)] if len(run) == 1 else [gram_keyword(g) for g in grams(run)]


def _fields_of(field: str) -> list[str]:
    return list(TEXT_FIELDS.get(field, (field,)))


def to_match(
    node: Node | None, exact_ids: tuple[tuple[str, str], ...] = (), boosts: Boosts | None = None
) -> str | None:
    """The MATCH expression, or None when the query can match no document.

    ``boosts`` multiplies the idf of keywords (one shard's correction to collection-wide idf).
    """
    expr = None if node is None else _expr(node, boosts or {})
    if node is None and not exact_ids:
        return f"(@{EVERY_FIELD} {ALL_TOKEN})"
    alternatives = [expr] if expr else []
    alternatives += [f"(@{IDS_FIELD} {id_token(f, v)})" for f, v in exact_ids]
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"


def _expr(node: Node, boosts: Boosts) -> str | None:
    if isinstance(node, Term):
        if node.field in ("doc_no", "index_no"):
            return f"(@{IDS_FIELD} {id_token(node.field, node.text)})"
        if node.field in VALUE_FIELDS:
            return f"(@{EVERY_FIELD} {id_token(node.field, node.text)})"
        return _term_expr(_fields_of(node.field), node.text, boosts)
    if isinstance(node, Run):
        # bigram fields for a run of two characters or more, character fields for one
        fields = [CHAR_VIEW_FIELDS[f][len(node.text) == 1] for f in node.fields]
        ws = _boosted(_run_keywords(node.text), boosts)
        body = ws[0] if len(ws) == 1 else '"' + " ".join(ws) + '"'
        return f"(@({','.join(fields)}) {body})"
    if isinstance(node, AtLeast):
        fields = [f for name in node.fields for f in TEXT_FIELDS[name]]
        ws = " ".join(_boosted(list(node.words), boosts))
        return f'(@({",".join(fields)}) "{ws}"/{node.k})'
    if isinstance(node, Maybe):
        required = _expr(node.required, boosts)
        optional = _expr(node.optional, boosts)
        if required is None or optional is None:
            return required
        return f"({required} MAYBE {optional})"
    if isinstance(node, Or):
        merged = _merged_terms(node, boosts)
        if merged is not None:
            return merged
        parts = [p for p in (_expr(c, boosts) for c in node.children) if p]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
    if isinstance(node, And):
        parts = [_expr(c, boosts) for c in node.children]
        if any(p is None for p in parts):
            return None
        return "(" + " ".join(p for p in parts if p) + ")"
    if isinstance(node, AndNot):
        negative = _expr(node.negative, boosts)
        positive = f"(@{EVERY_FIELD} {ALL_TOKEN})" if node.positive is None else None
        if node.positive is not None:
            positive = _expr(node.positive, boosts)
            if positive is None:
                return None
        if negative is None:
            return positive
        return f"({positive} -{negative})"
    if isinstance(node, Near):
        # phrases of the runs' characters in the character fields, keywords boosted to 0: they
        # add no keyword hits to bm25f, only their fields to field_mask (ranked.py's NEAR_BONUS);
        # NEAR/N matches where one starts less than its length + N after the other (read off
        # searchd: gaps 0..N-1 match in either order)
        fields = ",".join(CHAR_VIEW_FIELDS[f][1] for f in node.fields)
        left, right = (" ".join(f"{char_keyword(c)}^0" for c in r) for r in (node.left, node.right))
        return f'(@({fields}) "{left}" NEAR/{node.gap + 1} "{right}")'
    if isinstance(node, Nothing):
        return None
    raise TypeError(f"unknown query node {node!r}")


def _merged_terms(node: Or, boosts: Boosts) -> str | None:
    """``Or(Term(title, t), Term(body, t))`` as one lookup of t in all those fields."""
    children = node.children
    if not all(isinstance(c, Term) and c.field in TEXT_FIELDS for c in children):
        return None
    texts = {c.text for c in children}  # type: ignore[union-attr]
    if len(texts) != 1:
        return None
    fields = [f for c in children for f in _fields_of(c.field)]  # type: ignore[union-attr]
    return _term_expr(fields, texts.pop(), boosts)
