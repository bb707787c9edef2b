"""Bytes → text: BOMs, declared charsets, GB-family pages, undeclared encodings.

Every failure is an ``ExtractError`` with a one-line reason; a usable text decoded with a few
replacement characters carries a warning instead.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

from ..errors import ExtractError

# gb2312 pages often contain GBK-only characters (朱镕基's 镕): bs4+lxml then decodes to empty text
# (PERFORMANCE.md). gb18030 is a superset of gb2312 and gbk, so any GB-family label decodes as it.
_GB_FAMILY = {
    "gb2312",
    "gbk",
    "gb18030",
    "gb_2312-80",
    "x-gbk",
    "cp936",
    "ms936",
    "euc-cn",
    "hz-gb-2312",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)

#: at most this share of U+FFFD after a lenient UTF-8 decode still counts as UTF-8 text with a
#: warning (a truncated download cuts one multi-byte character; GBK read as UTF-8 yields ~30–50 %)
_MAX_REPLACEMENT_SHARE = 0.002

#: share of C0 control characters (other than tab/newline/CR/FF) above which we call it binary
_MAX_CONTROL_SHARE = 0.01


#: encodings an undeclared page may be guessed to be in. UTF-16/32 without a BOM and latin-1 are
#: left out on purpose: they "decode" any byte soup (random bytes became CJK-looking UTF-16 text).
_GUESSABLE = ("gb18030", "big5", "cp1252", "shift_jis", "euc_jp", "euc_kr")

#: a guessed encoding must yield at least this share of ASCII/CJK/CJK-punctuation characters;
#: random high bytes "decode" as cp125x or Big5 soup far below it
_MIN_PLAUSIBLE_SHARE = 0.9
_IMPLAUSIBLE = re.compile(
    r"[^\t\n\r\x20-\x7e\u00a0\u00b0\u00b7\u00d7\u00f7\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e\uffe0-\uffe6]"
)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def canonical_encoding(label: str) -> str | None:
    """Python codec name for a charset label, GB family mapped to gb18030; None if unknown."""
    label = label.strip().strip("\"'").lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in _GB_FAMILY else name


def sniff_declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML page declares in its first 4 KB (``<meta charset>``, ``<?xml``)."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _control_share(text: str) -> float:
    # a regex count: a per-character Python loop took half of the extraction time
    return len(_CONTROL.findall(text)) / len(text) if text else 0.0


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" in head


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode a file's bytes; ``declared`` is the charset the document itself names, if any."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom) :].decode(encoding), encoding, [])
            except UnicodeDecodeError as exc:
                raise ExtractError(f"undecodable bytes: invalid {encoding} after its BOM") from exc
    if _looks_binary(data):
        raise ExtractError("binary file (NUL bytes)")
    try:
        return _checked(data.decode("utf-8"), "utf-8", [])
    except UnicodeDecodeError:
        pass
    warnings: list[str] = []
    if declared:
        encoding = canonical_encoding(declared)
        if encoding is None:
            warnings.append(f"unknown declared charset {declared!r}")
        else:
            if encoding != "utf-8":
                try:
                    return _checked(data.decode(encoding), encoding, warnings)
                except UnicodeDecodeError:
                    pass
            # pages whose <meta charset> disagrees with the bytes (SOURCES.md: real quirk)
            warnings.append(f"declared charset {declared!r} does not fit the bytes")
    lenient = data.decode("utf-8", errors="replace")
    if lenient.count("\ufffd") <= max(1, len(lenient) * _MAX_REPLACEMENT_SHARE):
        warnings.append("invalid UTF-8 bytes replaced")
        return _checked(lenient, "utf-8", warnings)
    best = from_bytes(data, cp_isolation=list(_GUESSABLE)).best()
    if best is None or best.encoding is None:
        raise ExtractError("undecodable bytes: no text encoding fits")
    encoding = canonical_encoding(best.encoding) or best.encoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ExtractError(f"undecodable bytes: detected {encoding} does not fit") from exc
    if _plausible_share(text) < _MIN_PLAUSIBLE_SHARE:
        raise ExtractError(f"undecodable bytes: no encoding gives readable text (best {encoding})")
    warnings.append(
        f"detected {encoding}" if declared else f"no charset declared; detected {encoding}"
    )
    return _checked(text, encoding, warnings)


def _plausible_share(text: str) -> float:
    """Share of characters a Chinese government page is made of (ASCII, CJK, CJK punctuation)."""
    return 1 - len(_IMPLAUSIBLE.findall(text)) / len(text) if text else 0.0


def _checked(text: str, encoding: str, warnings: list[str]) -> Decoded:
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise ExtractError(f"binary file (control characters after decoding as {encoding})")
    return Decoded(text=text, encoding=encoding, warnings=warnings)
