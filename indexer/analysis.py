"""The one Chinese analyzer, used at index time and at query time (no Whoosh here).

PROVISIONAL minimal version: the analysis work item replaces the body of this module but keeps
its public surface: ``Token``, ``analyze(text)``, ``ANALYZER_VERSION``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import jieba

jieba.setLogLevel(60)  # jieba logs its dictionary load at INFO on every start-up


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # the normalised term
    pos: int  # token position: counts main tokens, not characters
    start: int  # character offsets into the ORIGINAL text: text[start:end] is the token
    end: int
    sub: bool = False  # a search-mode sub-word, placed at the position of the word it belongs to


def analyze(text: str) -> list[Token]:
    """Main tokens (accurate mode) with their sub-words at the same position."""
    out: list[Token] = []
    pos = -1
    for word, start, end in jieba.tokenize(text):
        if not word.strip():
            continue
        pos += 1
        out.append(Token(word.lower(), pos, start, end))
    return out


ANALYZER_VERSION = hashlib.sha256(b"provisional-0").hexdigest()[:16]
