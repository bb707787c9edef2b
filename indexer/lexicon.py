"""The lexicon of an index: what a search box can suggest and what pinyin reads as (no engine here).

Beside the docstore (``docs.sqlite``), both builds write ``lexicon.json.zst`` from the stored
documents (``write_lexicon``): every title, the dictionary terms (``data/userdict.txt``, the
user's dictionary, the forms of ``data/synonyms.tsv``), agencies and 文号, each with how many
documents it leads to, and the toneless pinyin of the titles, terms and agencies (not of bodies:
the lexicon stays small). ``pypinyin`` reads a character by its word (重庆 chongqing, 银行
yinhang), with its own phrase dictionary.

A term's count is the documents whose title or first 2,048 body characters
(``docstore.CHUNK_CHARS``) hold it as written (normalised): a count to rank suggestions by, not
a total.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from .analysis import SHIPPED_DICTIONARY, analyze, read_dictionary, user_dictionary
from .chars import query_run
from .compression import compress, decompress
from .docstore import CHUNK_CHARS, StoredDocument
from .normalize import normalize
from .records import Document
from .synonyms import table as synonym_table

LEXICON = "lexicon.json.zst"
FORMAT = "lexicon 1"
#: suggestions a prefix gets
SUGGESTIONS = 8
#: title occurrences of a Chinese prefix looked at: "平潭" is in most titles of a Pingtan corpus,
#: and titles all lead to about one document, so the first ones are as good as any
TITLE_SCAN = 2000
KINDS = ("term", "agency", "doc_no", "title")
#: a part longer than this is pasted text, not a misspelt term: no did-you-mean windows (each
#: window of a 200-character passage read as pinyin would take seconds in all)
NEAR_CHARS = 16
#: a pinyin query of more words than this is not matched with gaps (a pasted Latin text)
GAPPED_GROUPS = 64
#: letters or digits a pinyin query may leave out between two of its words (``_vote_gapped``)
GAP_LETTERS = 8
_EDGE_PUNCTUATION = re.compile(r"^[^\w（(]+|[^\w）)]+$")
_CJK = re.compile("[\u3400-\u9fff]")
_LATIN_QUERY = re.compile(r"[A-Za-z][A-Za-z\s']*")
_NOT_LETTER = re.compile(r"[^a-z0-9]+")


def syllables(text: str) -> list[tuple[str, int]]:
    """(toneless pinyin, characters of ``text`` it reads) in order; other characters are kept
    lower-cased without spaces or punctuation (``G20`` reads g20)."""
    out: list[tuple[str, int]] = []
    at = 0
    for item in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        if at < len(text) and _CJK.match(text[at]):
            out.append((item, 1))
            at += 1
        else:
            n = len(item)
            out.append((_NOT_LETTER.sub("", item.lower()), n))
            at += n
    return out


def typed_pinyin(text: str) -> str:
    """``text`` as a phone user types it: each word (our analyzer's) as its toneless pinyin,
    words separated by a space (脱贫攻坚战 → ``tuopin gongjianzhan``). Pinyin is taken word by
    word, not from the lexicon: what bench/pinyin_eval.py and the tests type."""
    words = [t.text for t in analyze(text) if not t.sub]
    groups = ("".join(lazy_pinyin(w, style=Style.NORMAL)).lower() for w in words)
    return " ".join(g for g in (re.sub(r"[^a-z]", "", g) for g in groups) if g)


def dictionary_terms() -> list[str]:
    words = [w for w, _, _ in read_dictionary(SHIPPED_DICTIONARY)]
    user = user_dictionary()
    if user is not None:
        words += [w for w, _, _ in read_dictionary(user)]
    words += [f for group in synonym_table().groups for f in group]
    return [w for w in dict.fromkeys(words) if len(w) > 1]


def _heads(store_path: Path) -> Iterator[tuple[Document, str]]:
    """(fields without the body, the body's first CHUNK_CHARS characters) of every stored
    document: only the pieces holding them are decompressed (whole bodies took most of the
    56 s of 100k documents)."""
    uri = f"{store_path.resolve().as_uri()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    try:
        for (blob,) in db.execute("SELECT data FROM docs"):
            stored = StoredDocument(blob)
            yield stored.fields, stored.lead(CHUNK_CHARS)
    finally:
        db.close()


def write_lexicon(store_path: Path, out: Path) -> None:
    """The lexicon of the documents in ``store_path``, written to ``out`` (atomically)."""
    terms = dictionary_terms()
    counts: Counter[tuple[str, str]] = Counter()
    for doc, start in _heads(store_path):
        text = normalize(doc.title + "\n" + start)
        counts.update(("term", t) for t in terms if t in text)
        for kind, value in (("title", doc.title), ("agency", doc.agency)):
            if value.strip():
                counts[(kind, value.strip())] += 1
        if doc.doc_no:
            counts[("doc_no", doc.doc_no)] += 1
    pinyin_of = functools.lru_cache(maxsize=None)(syllables)
    entries = [
        [text, kind, n, [] if kind == "doc_no" else pinyin_of(text)]
        for (kind, text), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    data = compress(json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=False).encode())
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # term | agency | doc_no | title
    count: int  # documents it leads to


class _Strings:
    """Many strings joined into one, so that ``str.find`` (C speed) searches them all."""

    def __init__(self, strings: Iterable[str]):
        self.strings = list(strings)
        self.starts: list[int] = []
        at = 0
        for s in self.strings:
            self.starts.append(at)
            at += len(s) + 1
        self.joined = "\x00".join(self.strings)

    def find(self, needle: str, limit: int) -> Iterable[tuple[int, int]]:
        """(string index, offset in it) of the occurrences of ``needle``, at most ``limit``."""
        if not needle:
            return
        at = self.joined.find(needle)
        while at >= 0 and limit > 0:
            i = bisect.bisect_right(self.starts, at) - 1
            yield i, at - self.starts[i]
            limit -= 1
            at = self.joined.find(needle, at + 1)


class Lexicon:
    def __init__(self, entries: list[list]):
        self.text = [e[0] for e in entries]
        self.kind = [e[1] for e in entries]
        self.count = [int(e[2]) for e in entries]
        self._norm = _Strings(query_run(t) for t in self.text)
        # pinyin: each entry's syllables joined, where each syllable starts (offset -> char)
        self._py_starts: list[dict[int, int]] = []
        pys = []
        for e in entries:
            at, char, starts = 0, 0, {}
            for py, n in e[3]:
                starts[at] = char
                at += len(py)
                char += n
            starts[at] = char  # the end counts as a boundary
            self._py_starts.append(starts)
            pys.append("".join(py for py, _ in e[3]))
        self._pinyin = _Strings(pys)
        self._initials = sorted(
            ("".join(py[0] for py, _ in e[3] if py), i)
            for i, e in enumerate(entries)
            # punctuation reads as "" (平潭综合实验区（平潭县）…): no initial, no obstacle
            if e[1] != "title"
            and any(py for py, _ in e[3])
            and all(py.isalpha() for py, _ in e[3] if py)
        )
        #: one character replaced by "?" -> the terms it stands for (did you mean)
        self._near: dict[str, list[int]] = {}
        for i, kind in enumerate(self.kind):
            if kind == "title":
                continue
            t = query_run(self.text[i])
            for j in range(len(t)):
                self._near.setdefault(t[:j] + "?" + t[j + 1 :], []).append(i)

    def __len__(self) -> int:
        return len(self.text)

    # --- suggestions as you type ----------------------------------------------------------

    def suggest(self, prefix: str, limit: int = SUGGESTIONS) -> list[Suggestion]:
        """Entries that start with or contain ``prefix`` (Chinese or pinyin, or initials of a
        term), most documents first, those that start with it before those that contain it."""
        found: dict[int, bool] = {}  # entry -> starts with the prefix
        run = query_run(prefix)
        if run:
            for i, at in self._norm.find(run, TITLE_SCAN):
                found[i] = found.get(i, False) or at == 0
        letters = pinyin_letters(prefix)
        if letters and len(letters) >= 2:
            for i, at in self._pinyin.find(letters, TITLE_SCAN):
                if at in self._py_starts[i]:
                    found[i] = found.get(i, False) or at == 0
            lo = bisect.bisect_left(self._initials, (letters, -1))
            for initials, i in self._initials[lo : lo + TITLE_SCAN]:
                if not initials.startswith(letters):
                    break
                found[i] = True
        ranked = sorted(found, key=lambda i: (not found[i], -self.count[i], len(self.text[i])))
        return [Suggestion(self.text[i], self.kind[i], self.count[i]) for i in ranked[:limit]]

    # --- pinyin ---------------------------------------------------------------------------

    def from_pinyin(self, query: str) -> str:
        """The Chinese a toneless pinyin query (or a term's initials) most likely stands for:
        the span of a title, term or agency whose pinyin is exactly the query's letters, from
        syllable boundary to syllable boundary, most documents first; "" when none."""
        letters = pinyin_letters(query)
        if len(letters) < 2:
            return ""
        votes: Counter[str] = Counter()
        for i, at in self._pinyin.find(letters, 50 * TITLE_SCAN):
            starts = self._py_starts[i]
            end = at + len(letters)
            if at in starts and end in starts:
                votes[self.text[i][starts[at] : starts[end]]] += self.count[i]
        lo = bisect.bisect_left(self._initials, (letters, -1))
        for initials, i in self._initials[lo:]:
            if initials != letters:
                break
            votes[self.text[i]] += self.count[i]
        groups = [pinyin_letters(g) for g in query.split()]
        if not votes and 1 < len(groups) <= GAPPED_GROUPS:
            self._vote_gapped(groups, votes)
        if not votes:
            return ""
        best = max(votes, key=lambda t: (votes[t], -len(t)))
        # punctuation reads as no syllable, so a span may end on the 》 after a 《title》
        return _EDGE_PUNCTUATION.sub("", best)

    def _vote_gapped(self, groups: list[str], votes: Counter[str]) -> None:
        """Spans whose pinyin holds the groups in order with at most ``GAP_LETTERS`` letters or
        digits between two: what a user leaves out of a title (的, 2018, 1月 …)."""
        gap = f"[^\x00]{{0,{GAP_LETTERS}}}?"
        pattern = re.compile(gap.join(re.escape(g) for g in groups))
        for n, m in enumerate(pattern.finditer(self._pinyin.joined)):
            if n >= TITLE_SCAN:
                break
            i = bisect.bisect_right(self._pinyin.starts, m.start()) - 1
            at, end = m.start() - self._pinyin.starts[i], m.end() - self._pinyin.starts[i]
            starts = self._py_starts[i]
            if at in starts and end in starts:
                votes[self.text[i][starts[at] : starts[end]]] += self.count[i]

    # --- did you mean ---------------------------------------------------------------------

    def near(self, part: str) -> list[str]:
        """Terms one character away from ``part`` or one of its runs of 3+ characters, and
        entries' spans read the same in pinyin: ``part`` with that run replaced."""
        run = query_run(part)
        out: list[str] = []
        if not run or len(run) > NEAR_CHARS or not _CJK.search(run):
            return out
        for n in range(min(len(run), 12), 2, -1):
            for s in range(len(run) - n + 1):
                window = run[s : s + n]
                found = [
                    self.text[i]
                    for j in range(n)
                    for i in self._near.get(window[:j] + "?" + window[j + 1 :], [])
                ]
                same_sound = self.from_pinyin("".join(py for py, _ in syllables(window)))
                if same_sound and len(same_sound) == n:
                    found.append(same_sound)
                out += [run[:s] + f + run[s + n :] for f in found if f != window]
        return list(dict.fromkeys(out))


def pinyin_letters(text: str) -> str:
    """A query's letters as pinyin is matched: lower case, no spaces or apostrophes."""
    return re.sub(r"[\s']+", "", text.lower()) if _LATIN_QUERY.fullmatch(text.strip()) else ""


def lexicon_path(store_path: Path) -> Path:
    return store_path.with_name(LEXICON)


@functools.lru_cache(maxsize=4)
def _read(path: Path, mtime: float) -> Lexicon:
    data = json.loads(decompress(path.read_bytes()))
    if data.get("format") != FORMAT:
        return Lexicon([])
    return Lexicon(data["entries"])


def lexicon_beside(store_path: Path) -> Lexicon:
    """The lexicon written beside ``store_path`` (empty for an index built before it existed:
    suggestions and pinyin then find nothing until a rebuild); read once per file."""
    path = lexicon_path(store_path)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return Lexicon([])
    return _read(path, mtime)
