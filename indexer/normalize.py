"""One-character normalisation, shared by the word view (``analysis``) and the character view
(``chars``) of a text, and by the highlighter that maps matches back onto the original text.

NFKC where it maps a character to one other character (full/half width, compatibility
ideographs …), Traditional → Simplified (zhconv's table, single characters only), lower case.
Character by character, so the result has the length of the input and every offset into it is
an offset into the original: a highlight lands on the characters as written.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import zhconv

#: where NFKC maps a character to one other character: the BMP (full/half width, compatibility
#: ideographs, Kangxi radicals, circled digits …), mathematical alphanumerics, the CJK
#: compatibility supplement
_NFKC_RANGES = (range(0x10000), range(0x1D400, 0x1D800), range(0x2F800, 0x2FA20))


@cache
def normalization_table() -> dict[int, str]:
    """One-character → one-character map, so normalising never moves an offset."""
    nfkc: dict[str, str] = {}
    for block in _NFKC_RANGES:
        for cp in block:
            if 0xD800 <= cp < 0xE000:
                continue
            ch = chr(cp)
            out = unicodedata.normalize("NFKC", ch)
            # a character NFKC expands (⑩ → 10, ㎡ → m2) is kept: the length must not change
            if out != ch and len(out) == 1:
                nfkc[ch] = out
    candidates: set[str] = set(nfkc)
    # zhconv's default loaddict() leaves its bundled JSON open (a ResourceWarning, an error under
    # pytest's filterwarnings); given a path it reads the file in a `with` block instead.
    zhconv.zhconv.loaddict(str(Path(zhconv.zhconv.__file__).with_name("zhcdict.json")))
    # zhconv's own zh-hans table lists every character it converts; a character that converts
    # to several (or none) is left alone, as length must be preserved
    trad = zhconv.zhconv.getdict("zh-hans")
    simplified: dict[str, str] = {}
    for ch in trad:
        if len(ch) == 1:
            out = zhconv.convert(ch, "zh-hans")
            if len(out) == 1:
                simplified[ch] = out
    candidates |= simplified.keys()
    candidates |= {chr(cp) for cp in range(0x10000) if chr(cp).lower() != chr(cp)}
    table: dict[int, str] = {}
    for ch in candidates:
        out = nfkc.get(ch, ch)
        out = simplified.get(out, out)
        lower = out.lower()
        if len(lower) == 1:  # 'İ'.lower() is two characters: keep such letters as they are
            out = lower
        if out != ch:
            table[ord(ch)] = out
    # a lone surrogate (JSON allows "\ud800") cannot be encoded for rjieba: make it U+FFFD
    table.update(dict.fromkeys(range(0xD800, 0xE000), "\ufffd"))
    return table


#: below this length ``str.translate`` is as fast as the lookup array (measured: 30 characters
#: 1.8 µs against 2.4 µs; 550 characters 31 µs against 4.0 µs; 4,096 characters 237 µs against
#: 12.9 µs — ``translate`` looks each character up in a dict, ~58 ns a character)
_SHORT = 64


@cache
def lookup() -> np.ndarray:
    """The table as an array over every code point (4.4 MB): one C-speed gather per text."""
    lut = np.arange(0x110000, dtype=np.uint32)
    for code, target in normalization_table().items():
        lut[code] = ord(target)
    return lut


def normalize(text: str) -> str:
    """NFKC (full → half width …), Traditional → Simplified, lower case, character by character:
    the result has the length of ``text``."""
    if len(text) < _SHORT:
        return text.translate(normalization_table())
    # surrogatepass: a lone surrogate (JSON allows "\ud800") goes through the array like any
    # other code point, and the table makes it U+FFFD
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return lookup()[codes].tobytes().decode("utf-32-le", "surrogatepass")
