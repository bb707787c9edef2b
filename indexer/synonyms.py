"""Abbreviations and synonyms of government language, applied to a query (the index is unchanged).

``data/synonyms.tsv`` holds one group a line, its forms separated by tabs (发改委, 发展改革委,
发展和改革委员会). A user adds groups without code: a file of the same format named by
``$GOVSEARCH_SYNONYMS`` (the web app's ``synonyms`` setting sets it) is read after ours; a form
that is already in a group joins its new forms to that group.

A part of a query that contains a form gets, for each other form of the group, the part with
that form replaced (市发改委 → 市发展和改革委员会): ``query._Builder`` matches those by their
words only, so a document holding what was typed as written (a run, ``ranking.RUN_BONUS``)
ranks above one found through a synonym.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .chars import query_run

DATA_FILE = Path(__file__).resolve().parent / "data" / "synonyms.tsv"
ENV_VAR = "GOVSEARCH_SYNONYMS"
#: variants of one part at most: each adds its words to the query (query.MAX_TERMS bounds them)
MAX_VARIANTS = 6


def read_groups(text: str) -> list[tuple[str, ...]]:
    """The groups of a synonyms file: lines of tab-separated forms; ``#`` starts a comment."""
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        forms = tuple(dict.fromkeys(f.strip() for f in line.split("\t") if f.strip()))
        if len(forms) > 1:
            groups.append(forms)
    return groups


class SynonymTable:
    """Normalised forms (``chars.query_run``) and the group of each."""

    def __init__(self, groups: list[tuple[str, ...]]):
        self.groups: list[list[str]] = []
        self._group_of: dict[str, int] = {}
        for group in groups:
            forms = [f for f in dict.fromkeys(query_run(g) for g in group) if f]
            known = [self._group_of[f] for f in forms if f in self._group_of]
            at = known[0] if known else len(self.groups)
            if not known:
                self.groups.append([])
            for f in forms:
                if f not in self._group_of:
                    self.groups[at].append(f)
                    self._group_of[f] = at
        self._longest = max((len(f) for f in self._group_of), default=0)

    def group(self, form: str) -> list[str]:
        """The forms of ``form``'s group (empty when it is in none)."""
        at = self._group_of.get(query_run(form))
        return [] if at is None else list(self.groups[at])

    def variants(self, text: str) -> list[str]:
        """``text`` (normalised) with each form it contains replaced by each other form of its
        group; forms are found left to right, the longest at each place."""
        run = query_run(text)
        out: list[str] = []
        i = 0
        while i < len(run) and len(out) < MAX_VARIANTS:
            for n in range(min(self._longest, len(run) - i), 1, -1):
                form = run[i : i + n]
                at = self._group_of.get(form)
                if at is not None:
                    out += [run[:i] + f + run[i + n :] for f in self.groups[at] if f != form]
                    i += n
                    break
            else:
                i += 1
        return list(dict.fromkeys(out))[:MAX_VARIANTS]


@functools.lru_cache(maxsize=4)
def _load(extra: str, mtime: float) -> SynonymTable:
    groups = read_groups(DATA_FILE.read_text(encoding="utf-8"))
    if extra:
        groups += read_groups(Path(extra).read_text(encoding="utf-8"))
    return SynonymTable(groups)


def use_file(path: str) -> None:
    """Read ``path``'s groups after ours from now on (the web app's ``synonyms`` setting);
    ValueError naming the file when it cannot be read, so a typo fails at start-up."""
    try:
        read_groups(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"synonyms file {path!r} cannot be read: {exc}") from None
    os.environ[ENV_VAR] = path


def table() -> SynonymTable:
    """Our groups and the user's (``$GOVSEARCH_SYNONYMS``); re-read when that file changes."""
    extra = os.environ.get(ENV_VAR, "")
    try:
        mtime = Path(extra).stat().st_mtime if extra else 0.0
    except OSError:
        extra, mtime = "", 0.0  # a missing user file: our groups only (the app checks at start)
    return _load(extra, mtime)
