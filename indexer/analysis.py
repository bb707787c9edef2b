"""The one Chinese analyzer, used at index time and at query time (no Whoosh here).

``analyze(text)`` returns the main tokens of jieba's accurate mode (HMM on), numbered 0, 1, 2 …
(stop words, punctuation and whitespace are dropped and take no position, so a phrase with a stop
word still matches), each followed by the sub-words jieba's search mode finds inside it (the 2- and
3-character dictionary words of a longer word), at the SAME position with ``sub=True``: the
query 农业 finds 中国农业发展银行 through a sub-word, while the phrase "中国农业发展银行" matches
only that sequence of main tokens. Runs of Latin letters and digits are cut by this module, not
by jieba.

Both sides are normalised first, character by character so that offsets stay valid on the original
text: Traditional → Simplified, full-width → half-width, Latin lower-cased (no stemming). jieba
segments the normalised text, so 地瓜經濟 segments like 地瓜经济; ``text[start:end]`` is always the
original characters of the token (``check_tokens`` verifies every invariant).

Dictionaries: jieba's own, the shipped domain dictionary (data/userdict.txt) and an optional user
file (``GOVSEARCH_USER_DICT``, or ``set_user_dictionary``). ``ANALYZER_VERSION`` hashes them
with the stop list, this code's version and the segmenters' versions; an index records it.

The segmenter is a private jieba ``Tokenizer`` (the user dictionary must not leak into other code),
or — by default, when installed — ``rjieba``, jieba's Rust port (~17× faster);
tests/test_analysis.py proves that both yield exactly the same tokens with our dictionaries on the
whole shared corpus. ``GOVSEARCH_TOKENIZER=jieba`` forces the reference path.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, Protocol

import jieba

from .errors import SettingError
from .normalize import normalize

jieba.setLogLevel(60)  # jieba logs its dictionary load at INFO on every start-up

#: bump when the code changes which tokens come out (it is part of ANALYZER_VERSION)
CODE_VERSION = "5"

DATA_DIR = Path(__file__).resolve().parent / "data"
#: the shipped domain dictionary (jieba format ``word freq [tag]``, ``#`` comments)
SHIPPED_DICTIONARY = DATA_DIR / "userdict.txt"
#: the shipped stop list (one word a line, ``#`` comments say why each is there)
STOP_LIST = DATA_DIR / "stopwords.txt"

#: path of an optional extra user dictionary, read at import
USER_DICT_ENV = "GOVSEARCH_USER_DICT"
#: ``jieba`` forces the reference Python segmenter; ``rjieba`` requires the Rust one
TOKENIZER_ENV = "GOVSEARCH_TOKENIZER"


class Token(NamedTuple):
    # a NamedTuple, not a dataclass: analyze() builds one per token (millions per build), and a
    # frozen slots dataclass took 4.3 µs per construction against 0.9 µs here (see _new)
    text: str  # the normalised term
    pos: int  # token position: counts main tokens, not characters
    start: int  # character offsets into the ORIGINAL text: text[start:end] is the token
    end: int
    sub: bool = False  # a search-mode sub-word, placed at the position of the word it belongs to


class DictionaryLineError(ValueError):
    """A user dictionary line that is not ``word freq [tag]`` with freq > 0."""

    def __init__(self, path: Path, line: int, reason: str):
        self.line, self.reason = line, reason
        super().__init__(f"{path}:{line}: {reason}")


class TokenInvariantError(ValueError):
    """``check_tokens`` found a token list that breaks one of the analyzer's invariants."""


# ---------------------------------------------------------------------------------------------
# dictionaries and stop list

# jieba's own user-dictionary line format (jieba/__init__.py re_userdict)
_DICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")


def read_dictionary(path: Path) -> list[tuple[str, int, str | None]]:
    """``(word, freq, tag)`` from a jieba-format user dictionary; ``#`` starts a comment line.

    Words are normalised (a Traditional entry must match normalised text). A frequency is
    required and must be positive: jieba and rjieba would each guess a missing one their own way,
    and jieba's freq 0 forces a split in a module-global HMM table that leaks to all other code.
    """
    entries = []
    for n, raw in enumerate(path.read_text("utf-8-sig").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _DICT_LINE.match(line)
        if m is None or m.group(2) is None or int(m.group(2)) <= 0:
            raise DictionaryLineError(
                path, n, f"expected 'word freq [tag]' with freq > 0, got {raw[:60]!r}"
            )
        tag = m.group(3).strip() if m.group(3) else None
        entries.append((normalize(m.group(1).strip()), int(m.group(2)), tag))
    return entries


def read_stop_list(path: Path) -> frozenset[str]:
    """One word a line; ``#`` starts a comment (on its own line or after the word)."""
    words = set()
    for raw in path.read_text("utf-8").splitlines():
        word = raw.split("#", 1)[0].strip()
        if word:
            words.add(normalize(word))
    return frozenset(words)


STOP_WORDS = read_stop_list(STOP_LIST)


def _version(user_dict: Path | None) -> str:
    h = hashlib.sha256()
    for part in (
        CODE_VERSION.encode(),
        SHIPPED_DICTIONARY.read_bytes(),
        STOP_LIST.read_bytes(),
        user_dict.read_bytes() if user_dict else b"",
        # the segmenters' own dictionaries and the conversion table come with these versions
        f"jieba={jieba.__version__}".encode(),
        f"zhconv={importlib.metadata.version('zhconv')}".encode(),
        f"rjieba={_installed_version('rjieba')}".encode(),
    ):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:16]


def _installed_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def _user_dict_from_env() -> Path | None:
    """The dictionary ``GOVSEARCH_USER_DICT`` names, read once here so that a bad one stops the
    command at start-up with one line (SettingError), not a worker half way through a build."""
    value = os.environ.get(USER_DICT_ENV, "").strip()
    if not value:
        return None
    path = Path(value).expanduser().resolve()
    problem = ""
    if not path.exists():
        problem = "no such file"
    elif not path.is_file():
        problem = "not a file"
    else:
        try:
            read_dictionary(path)
        except DictionaryLineError as exc:
            problem = f"line {exc.line}: {exc.reason}"
        except UnicodeDecodeError:
            problem = "not UTF-8 text"
        except OSError as exc:
            problem = f"cannot read it ({exc.strerror or exc})"
    if problem:
        raise SettingError(f"{USER_DICT_ENV}={value}: {problem}")
    return path


def _tokenizer_from_env() -> str:
    name = os.environ.get(TOKENIZER_ENV, "").strip().lower()
    if name not in ("", "jieba", "rjieba"):
        raise SettingError(f"{TOKENIZER_ENV}={name}: expected 'jieba' or 'rjieba'")
    return name


_tokenizer_from_env()  # a typo stops the command at start-up, not inside a worker


_user_dict: Path | None = _user_dict_from_env()

#: hash of the code version, dictionaries, stop list and segmenter versions; an index built with
#: another value must be rebuilt. Read it as ``analysis.ANALYZER_VERSION`` (or
#: ``analyzer_version()``): ``set_user_dictionary`` changes it.
ANALYZER_VERSION: str = _version(_user_dict)


def analyzer_version() -> str:
    return ANALYZER_VERSION


def user_dictionary() -> Path | None:
    return _user_dict


def set_user_dictionary(path: str | Path | None) -> str:
    """Use ``path`` (or none) as the extra user dictionary; returns the new ANALYZER_VERSION.

    Also sets ``GOVSEARCH_USER_DICT`` so that worker processes started afterwards (spawn or
    fork) segment with the same dictionary as this one.
    """
    global _user_dict, ANALYZER_VERSION, _default
    new = Path(path).expanduser().resolve() if path else None
    if new is not None and not new.is_file():
        raise FileNotFoundError(f"user dictionary {path}: no such file")
    if new is not None:
        read_dictionary(new)  # a malformed file raises here, before anything changes
    version = _version(new)
    with _lock:
        _user_dict, ANALYZER_VERSION, _default = new, version, None
        if new is None:
            os.environ.pop(USER_DICT_ENV, None)
        else:
            os.environ[USER_DICT_ENV] = str(new)
    return version


# ---------------------------------------------------------------------------------------------
# segmenters


class _Segmenter(Protocol):
    def cut(self, text: str) -> list[str]:
        """jieba's accurate mode, HMM on."""
        ...

    def has_word(self, word: str) -> bool:
        """Whether jieba's search mode takes ``word`` as a sub-word (a dictionary word)."""
        ...


class _JiebaSegmenter:
    def __init__(self, words: Iterable[tuple[str, int, str | None]]):
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for word, freq, tag in words:
            self._tk.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._tk.lcut(text, HMM=True)

    def has_word(self, word: str) -> bool:
        # jieba's search mode tests FREQ.get(gram): prefixes of words are in FREQ with 0
        return bool(self._tk.FREQ.get(word))


class _RjiebaSegmenter:
    def __init__(self, words: Iterable[tuple[str, int, str | None]]):
        import rjieba

        self._tk = rjieba.Jieba()
        for word, freq, tag in words:
            self._tk.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        return self._tk.cut(text, hmm=True)

    def has_word(self, word: str) -> bool:
        return self._tk.has_word(word)


def _tokenizer_name() -> str:
    name = _tokenizer_from_env()
    if name:
        return name
    try:
        import rjieba  # noqa: F401
    except ImportError:
        return "jieba"
    return "rjieba"


# a run of ASCII letters and digits, with a decimal part: jieba's finalseg re_skip without its
# trailing %, so that the query 50 finds 50%
_LATIN_RUN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?", re.ASCII)


def _is_word(w: str) -> bool:
    # punctuation and whitespace tokens have no letter, digit or ideograph
    return w.isalnum() or any(ch.isalnum() for ch in w)


# Token(...) goes through the NamedTuple's Python-level __new__ (1.8 µs); tuple.__new__ builds
# the same object in 0.9 µs (timeit on the loaded 2-core machine), once per token
_new = tuple.__new__


class Analyzer:
    """One configured analyzer; the module functions use a shared default instance."""

    #: sub-word lists kept per word; cleared when full (HMM keeps finding new words)
    SUBWORD_CACHE_SIZE = 200_000

    def __init__(self, tokenizer: str | None = None, user_dict: Path | None = None):
        self.tokenizer = tokenizer or _tokenizer_name()
        words = read_dictionary(SHIPPED_DICTIONARY)
        if user_dict is not None:
            words += read_dictionary(user_dict)
        seg = _JiebaSegmenter if self.tokenizer == "jieba" else _RjiebaSegmenter
        self._segmenter: _Segmenter = seg(words)
        self._subwords: dict[str, list[tuple[str, int, int]]] = {}
        self._other_words: dict[str, bool] = {}

    def analyze(self, text: str) -> list[Token]:
        norm = normalize(text)
        out: list[Token] = []
        pos = -1
        done = 0
        # Latin letters and digits never reach the segmenter: jieba and rjieba split such runs
        # differently (jieba: 2024 / - / 06, www / . / w3; rjieba: 2024-06-03, www.w3.org — 292
        # of the shared corpus' 3,692 files differed). Cut them here, with (nearly) jieba's own
        # rule; nothing is lost, as the text is lower-cased and jieba's dictionary entries that
        # mix Latin and Han (T恤, B超) are upper-case.
        for m in _LATIN_RUN.finditer(norm):
            start = m.start()
            if start > done:
                pos = self._segment(norm[done:start], done, pos, out)
            pos += 1
            done = m.end()
            out.append(_new(Token, (m.group(), pos, start, done, False)))
        if done < len(norm):
            pos = self._segment(norm[done:], done, pos, out)
        return out

    def _segment(self, piece: str, start: int, pos: int, out: list[Token]) -> int:
        """Append the tokens of ``piece`` (which starts at ``start``); return the last position."""
        # Offsets are computed as jieba.tokenize computes them: the running sum of the widths of
        # the accurate-mode words. Sub-words are a function of the word alone (search mode), so
        # they are computed once per distinct word: this loop runs once per token and is most of
        # analyze()'s time.
        stop = STOP_WORDS
        subwords = self._subwords
        other_words = self._other_words
        append = out.append
        for word in self._segmenter.cut(piece):
            end = start + len(word)
            if word.isalnum():
                if word in stop:
                    start = end
                    continue
            else:  # punctuation, whitespace, or a word with a symbol (β-胡萝卜素): decided once
                keep = other_words.get(word)
                if keep is None:
                    keep = other_words[word] = _is_word(word)
                if not keep:
                    start = end
                    continue
            pos += 1
            append(_new(Token, (word, pos, start, end, False)))
            if end - start > 2:
                subs = subwords.get(word)
                if subs is None:
                    subs = self._search_mode_subwords(word)
                for sub, i, j in subs:
                    append(_new(Token, (sub, pos, start + i, start + j, True)))
            start = end
        return pos

    def _search_mode_subwords(self, word: str) -> list[tuple[str, int, int]]:
        """jieba's search mode (Tokenizer.tokenize): the 2-character dictionary words inside a
        word longer than 2, then the 3-character ones inside a word longer than 3."""
        has_word = self._segmenter.has_word
        n = len(word)
        subs = [(word[i : i + 2], i, i + 2) for i in range(n - 1) if has_word(word[i : i + 2])]
        if n > 3:
            subs += [(word[i : i + 3], i, i + 3) for i in range(n - 2) if has_word(word[i : i + 3])]
        subs = [s for s in subs if _is_word(s[0])]
        if len(self._subwords) >= self.SUBWORD_CACHE_SIZE:
            self._subwords.clear()
        self._subwords[word] = subs
        return subs


_lock = threading.Lock()
_default: Analyzer | None = None


def default_analyzer() -> Analyzer:
    """The shared analyzer (built on first use: loading a dictionary takes 0.1–0.6 s)."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Analyzer(user_dict=_user_dict)
    return _default


def analyze(text: str) -> list[Token]:
    """Main tokens (accurate mode) in text order, each immediately followed by its sub-words
    (same position, ``sub=True``)."""
    return default_analyzer().analyze(text)


def query_tokens(text: str) -> list[Token]:
    """Only the main tokens: what a query's words and phrases are matched with.

    The index holds every main token and sub-word, so a query word matches either.
    """
    return [t for t in default_analyzer().analyze(text) if not t.sub]


# ---------------------------------------------------------------------------------------------
# invariants


def check_tokens(text: str, tokens: list[Token]) -> None:
    """Raise TokenInvariantError unless ``tokens`` is a valid analysis of ``text``.

    Main tokens: positions 0, 1, 2 … in order, non-overlapping spans left to right; sub-words:
    right after their word, same position, span inside the word's span; every token:
    ``normalize(text[start:end]) == token.text``, not empty, not a stop word or punctuation.
    """
    expected_pos = 0
    last_end = 0
    word: Token | None = None
    for i, t in enumerate(tokens):
        if not (0 <= t.start < t.end <= len(text)):
            raise TokenInvariantError(f"token {i} {t}: span outside text of length {len(text)}")
        if normalize(text[t.start : t.end]) != t.text:
            raise TokenInvariantError(
                f"token {i} {t}: text[start:end] is {text[t.start : t.end]!r}"
            )
        if t.text in STOP_WORDS or not _is_word(t.text):
            raise TokenInvariantError(f"token {i} {t}: stop word or punctuation")
        if t.sub:
            if word is None or t.pos != word.pos:
                raise TokenInvariantError(f"token {i} {t}: sub-word not at its word's position")
            if not (word.start <= t.start and t.end <= word.end and t.text != word.text):
                raise TokenInvariantError(f"token {i} {t}: sub-word outside its word {word}")
        else:
            if t.pos != expected_pos:
                raise TokenInvariantError(f"token {i} {t}: position should be {expected_pos}")
            if t.start < last_end:
                raise TokenInvariantError(f"token {i} {t}: overlaps the previous word")
            expected_pos += 1
            last_end = t.end
            word = t
