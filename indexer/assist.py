"""Search the way people ask: a Latin query read as pinyin, and "did you mean" (no engine here).

``assisted_search`` is what the API, the CLI and the pages run: the engine's search, then

* **pinyin**: a query of Latin letters only (``tuopin gongjianzhan``, ``dgjj``) that finds fewer
  than ``FEW`` documents as typed is read as the Chinese it stands for in the index's lexicon
  (``lexicon.Lexicon.from_pinyin``: the span of a title, term or agency with exactly that pinyin,
  or the term with those initials), and that search answers when it finds more, with
  ``read_as`` set to the Chinese. ``covid`` or ``G20`` written in documents stays Latin.
* **did you mean**: a query of plain parts that finds fewer than ``FEW`` documents, or whose
  parts no document holds as written (``_holds_a_run``), and whose parts, as written, are in
  fewer than ``FEW`` documents gets ``suggestion``: the same query with one part changed to a
  dictionary term or agency one character away (地瓜经纪 → 地瓜经济) or to a span of the
  lexicon read the same in pinyin (一号开放公程 → 一号开放工程), when that change is written in
  ``GAIN`` times as many documents (and in some: any, where the query is in none). A query
  already written in ``FEW`` documents gets none.
  (Traditional characters need no suggestion: a query is normalised to Simplified.)
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .lexicon import pinyin_letters
from .query_syntax import OPERATORS
from .ranking import RUN_BONUS
from .records import SearchRequest, SearchResult

if TYPE_CHECKING:
    from .engines import Engine

#: fewer documents than this is "few"
FEW = 3
#: a suggestion must be written in this many times the documents the query is
GAIN = 3
#: changed queries counted at most (one search of one hit each: ~1-3 ms on the shared corpora)
MAX_CANDIDATES = 8
#: characters that make a query more than plain parts: no suggestion for those
_SYNTAX = re.compile(r"[\"“”＂()（）:：*?？]")


def assisted_search(engine: Engine, request: SearchRequest) -> SearchResult:
    result = engine.search(request)
    if not request.q.strip() or (result.total >= FEW and _holds_a_run(request, result)):
        return result
    if pinyin_letters(request.q):
        chinese = _from_pinyin(engine, request.q)
        if chinese:
            read = engine.search(replace(request, q=chinese))
            if read.total > result.total:
                read.query, read.read_as = request.q, chinese
                return read
        return result
    result.suggestion = did_you_mean(engine, request)
    return result


def _holds_a_run(request: SearchRequest, result: SearchResult) -> bool:
    """Whether some document may hold a part of the query as written. Ranked by relevance, a
    document holding a run of the query scores above ``ranking.RUN_BONUS``, and ranks first: a
    first hit below it means none does (发展和改革居 finds 355 documents by its words, none
    by what was typed). Sorted otherwise, only "few results" asks for a suggestion."""
    if request.sort != "relevance" or request.page != 1 or not result.hits:
        return True
    return result.hits[0].score >= RUN_BONUS


def _from_pinyin(engine: Engine, q: str) -> str:
    """The whole query's Chinese, else each space-separated group's, joined by spaces."""
    lexicon = engine.lexicon()
    whole = lexicon.from_pinyin(q)
    if whole or len(q.split()) < 2:
        return whole
    parts = [lexicon.from_pinyin(g) for g in q.split()]
    return " ".join(parts) if all(parts) else ""


def _written(engine: Engine, request: SearchRequest, parts: list[str]) -> int:
    """Documents holding every part as written (each part quoted), under the same filters."""
    quoted = " ".join(f'"{p}"' for p in parts)
    return engine.search(replace(request, q=quoted, page=1, size=1, facets=False)).total


def did_you_mean(engine: Engine, request: SearchRequest) -> str:
    parts = request.q.split()
    if _SYNTAX.search(request.q) or any(p in OPERATORS or p.startswith("-") for p in parts):
        return ""
    written = _written(engine, request, parts)
    if written >= FEW:
        return ""
    lexicon = engine.lexicon()
    candidates = [
        parts[:k] + [near] + parts[k + 1 :]
        for k, part in enumerate(parts)
        for near in lexicon.near(part)
    ]
    best, most = "", max(0, GAIN * written - 1)
    for candidate in candidates[:MAX_CANDIDATES]:
        n = _written(engine, request, candidate)
        if n > most:
            best, most = " ".join(candidate), n
    return best
