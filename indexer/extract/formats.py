"""Read a file, pick its format's extractor, and finish the Document the same way for all."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..errors import ExtractError
from ..records import Document
from .attachment import FILE_TYPES, extract_attachment
from .crawler_txt import looks_like_crawler, parse_crawler_text
from .decode import decode_bytes, sniff_declared_charset
from .fields import SITE_NAMES, clean_title, doc_type_from_title, find_contact, normalize_doc_no
from .html import parse_html
from .jsonrec import parse_json_records
from .markdown import parse_markdown
from .plain_text import parse_plain_text
from .proposals import read_reply
from .seed_text import looks_like_seed, parse_seed_text

#: below this many non-space characters (title + body) a file holds no document
MIN_TEXT_CHARS = 20

#: what a page.html may add to its page.txt: metadata the txt lacks, never the txt's text
_COMPANION_FIELDS = (
    "title",
    "agency",
    "date",
    "written_date",
    "index_no",
    "doc_no",
    "category",
    "url",
)
# C0 control characters (NUL, ESC, BEL …) that a JSON record or a damaged page can carry are no
# text: a NUL reached the HTML page of a document (tests/test_hostile.py). Tab, newline, CR and
# form feed stay (they are whitespace to the body's line logic and to HTML).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_HTML = {".html", ".htm", ".shtml", ".xhtml"}
_MARKDOWN = {".md", ".markdown"}


def read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ExtractError(f"file too large: {size} bytes > limit of {max_bytes}")
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise ExtractError("no such file") from exc
    except IsADirectoryError as exc:
        raise ExtractError("is a directory, not a file") from exc
    except PermissionError as exc:
        raise ExtractError("permission denied") from exc
    if len(data) > max_bytes:
        raise ExtractError(f"file too large: over the limit of {max_bytes} bytes")
    if not data.strip():
        raise ExtractError("empty file")
    return data


def extract_file(
    path: Path, companions: tuple[Path, ...] = (), *, max_bytes: int
) -> list[tuple[str | None, Document]]:
    """(record key, Document) pairs; the key is None for a file that is one document (see
    ``jsonrec`` for the key of a record of a JSON/JSONL file)."""
    suffix = path.suffix.lower()
    if path.name == "_index.md":
        raise ExtractError("folder index (_index.md), not a document")
    if suffix in FILE_TYPES:
        # attachments have their own size limit (limits.py): a 50 MB PDF is a normal budget
        return [(None, finish(extract_attachment(path)))]
    data = read_bytes(path, max_bytes)
    if suffix in _HTML:
        decoded = decode_bytes(data, sniff_declared_charset(data))
        doc = parse_html(decoded.text)
    elif suffix == ".txt" and companions and path.name != "page.txt":
        decoded = decode_bytes(data)
        doc = _text_twin(decoded.text, companions[0], max_bytes)
    elif suffix == ".txt":
        decoded = decode_bytes(data)
        doc = _parse_txt(decoded.text, companions, max_bytes)
    elif suffix in _MARKDOWN:
        decoded = decode_bytes(data)
        doc = parse_markdown(decoded.text, path.name)
    elif suffix in {".json", ".jsonl"}:
        decoded = decode_bytes(data)
        records = parse_json_records(decoded.text, jsonl=suffix == ".jsonl")
        finished: list[tuple[str | None, Document]] = []
        dropped: list[str] = []
        for number, key, record in records:
            record.warnings[:0] = decoded.warnings
            try:
                finished.append((key, finish(record)))
            except ExtractError as exc:
                dropped.append(f"record {number} skipped: {exc.reason}")
        if not finished:
            raise ExtractError(
                dropped[0] if len(dropped) == 1 else f"no usable record: {dropped[0]}"
            )
        for _, doc in finished:
            doc.warnings.extend(dropped[:3])
        return finished
    else:
        raise ExtractError(f"unsupported file type {suffix or '(none)'!r}")
    doc.warnings[:0] = decoded.warnings
    return [(None, finish(doc))]


def _parse_txt(text: str, companions: tuple[Path, ...], max_bytes: int) -> Document:
    if looks_like_crawler(text):
        doc = parse_crawler_text(text)
        for companion in companions:
            _enrich_from_companion(doc, companion, max_bytes)
        return doc
    if looks_like_seed(text):
        return parse_seed_text(text)
    return parse_plain_text(text)


def _text_twin(text: str, page: Path, max_bytes: int) -> Document:
    """A text file beside an HTML page of the same stem: when the page's body holds its text,
    it is the crawler's copy of that page and merges into the page's document (an ExtractError
    that the build lists with the page's name); otherwise a document of its own.

    "Holds" is in order, not as one run: the Jiangxi crawler dropped the headings and list
    numbers of the page (一、明查暗访时间 …) and kept the rest, so its text is a subsequence of
    the page's body (whitespace aside) covering most of it, never a substring.
    """
    try:
        data = read_bytes(page, max_bytes)
        page_body = parse_html(decode_bytes(data, sniff_declared_charset(data)).text).body
    except ExtractError:
        page_body = ""
    own, held = "".join(text.split()), "".join(page_body.split())
    if own and len(own) * _TWIN_SHARE >= len(held) and _in_order(own, held):
        raise ExtractError(
            f"the text of {page.parent.name}/{page.name}: merged into that page's document"
        )
    return _parse_txt(text, (), max_bytes)


#: a twin's text covers at least 1/_TWIN_SHARE of its page's body (a few words found in order in
#: a long page are not a copy of it); the Jiangxi twins cover 18 % (a page whose table the
#: crawler left out) to 93 %
_TWIN_SHARE = 8


def _in_order(part: str, whole: str) -> bool:
    """Whether every character of ``part`` occurs in ``whole``, in the same order."""
    rest = iter(whole)
    return all(ch in rest for ch in part)


def _enrich_from_companion(doc: Document, companion: Path, max_bytes: int) -> None:
    """Fill fields the page.txt lacks from its page.html (the txt stays authoritative for text)."""
    try:
        data = read_bytes(companion, max_bytes)
        extra = parse_html(decode_bytes(data, sniff_declared_charset(data)).text)
    except ExtractError as exc:
        doc.warnings.append(f"companion {companion.name} unreadable: {exc.reason}")
        return
    for name in _COMPANION_FIELDS:
        if not getattr(doc, name) and getattr(extra, name):
            setattr(doc, name, getattr(extra, name))
    if not doc.body.strip() and extra.body.strip():
        doc.body = extra.body


def finish(doc: Document) -> Document:
    """Shared last steps: control characters out, title cleanup, 文号 normalisation, doc_type,
    proposal info, contact."""
    for f in dataclasses.fields(doc):
        value = getattr(doc, f.name)
        if isinstance(value, str):
            setattr(doc, f.name, _CONTROL.sub("", value))
        elif isinstance(value, list):
            setattr(doc, f.name, [_CONTROL.sub("", v) if isinstance(v, str) else v for v in value])
    doc.title = clean_title(doc.title)
    doc.body = doc.body.strip()
    text_chars = len("".join(doc.title.split())) + len("".join(doc.body.split()))
    if not doc.title and text_chars < MIN_TEXT_CHARS:
        raise ExtractError("empty document" if text_chars == 0 else "too little text")
    if not doc.body:
        doc.warnings.append("empty body")
    if doc.agency in SITE_NAMES:
        doc.warnings.append(f"publisher {doc.agency!r} names the web site, not an agency: ignored")
        doc.agency = ""
    doc.doc_no_norm = normalize_doc_no(doc.doc_no)
    if not doc.doc_type:
        doc.doc_type = doc_type_from_title(doc.title)
    read_reply(doc)
    if not doc.contact:
        doc.contact = find_contact(doc.body[-300:])
    if not doc.title:
        # a document never shows its id (or nothing) as its title: the body's first line stands
        # in, marked, after the title-based fields above were left empty rather than guessed
        doc.title = title_from_body(doc.body)
        doc.title_from_body = bool(doc.title)
    return doc


#: a line is a title stand-in when it holds this many letters, digits or ideographs
_MEANINGFUL_CHARS = 4
#: a stand-in title is cut to this many characters
_STAND_IN_CHARS = 60


def title_from_body(body: str) -> str:
    """The first meaningful line of ``body`` (cut short), or ""."""
    for line in body.splitlines():
        line = " ".join(line.split())
        if sum(ch.isalnum() for ch in line) >= _MEANINGFUL_CHARS:
            return line if len(line) <= _STAND_IN_CHARS else line[:_STAND_IN_CHARS] + "…"
    return ""
