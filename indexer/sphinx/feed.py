"""What Sphinx indexes of a Document: our analyzer's tokens as space-separated words.

Sphinx never segments Chinese itself: every field is the text of our tokens joined by spaces,
and ``charset_table`` declares the CJK blocks as word characters, so each of our tokens is one
Sphinx keyword and phrase positions count our tokens. Two fields per text field, as Whoosh keeps
both at one position: ``title`` holds the accurate-mode main tokens (phrases match there) and
``title_sub`` the search-mode sub-words (recall: 经济 finds 经济发展).

Every text field ends with FILL_TOKEN: Sphinx 2.2.11 gives an empty field the length of the same
field in the document indexed before it (``index_field_lengths``; seen on a 4-document index),
which would scramble bm25f()'s document lengths. With the filler no field is empty, and each
document is exactly FILL_LENGTH weighted tokens longer in Sphinx than in ranking.py, which the
engine corrects for (ranking.shard_k1_b).

The rows are tab-separated (``tsvpipe``); the column order is COLUMNS, which also writes the
``tsvpipe_*`` declarations of the shard config (Sphinx maps columns by declaration order).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis import analyze
from ..chars import char_keywords, gram_keywords, stream
from ..dates import NO_DAY, day_number
from ..extract.fields import normalize_doc_no
from ..facets import document_facet_values
from ..meta import checked_meta
from ..records import FACET_FIELDS, MULTI_VALUED_FACETS, Document
from ..value_terms import document_terms

#: searched text fields: (main field, sub-word field)
TEXT_FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "title_sub"),
    "body": ("body", "body_sub"),
    "agency": ("agency", "agency_sub"),
}
#: the character view (``indexer.chars``) of title and body: (bigram field, character field),
#: each bigram / character one keyword (``chars.gram_keyword`` / ``char_keyword``) at the
#: position of its character, so that a run is a phrase of its bigrams
CHAR_VIEW_FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title_grams", "title_chars"),
    "body": ("body_grams", "body_chars"),
}
#: the bigrams of title and body once more, matched only by a query's ``Near`` (close parts):
#: a field of weight 0 whose field_mask bit says the NEAR matched (ranked.py). The character
#: fields served first, but NEAR over phrases of common characters (中 华 人 民 …) read their
#: whole hit lists: pair queries went from p95 18.5 to 58.3 ms at 100k documents
NEAR_FIELDS: dict[str, str] = {"title": "title_near", "body": "body_near"}
#: a field every document has, holding ALL_TOKEN: Sphinx cannot run a query that is only a NOT
#: ("-word"), so that becomes ``@every ALL_TOKEN -word``; a reply's value terms (value_terms.py) are
#: there too: the field is not ranked
EVERY_FIELD = "every"
ALL_TOKEN = "govsearchall"
#: exact identifiers (normalised 文号, upper-cased 索引号) as one keyword each (see id_token): a
#: field rather than a string attribute, so that a typed 文号 can be OR-ed with the text query
IDS_FIELD = "ids"


#: ends every text field (see above); never typed, never matched
FILL_TOKEN = "govsearchfill"
#: what a shard holds beyond the columns: the padding document and the filler words. An index
#: built without them would rank wrongly: the engine refuses another version (meta.json).
FEED_VERSION = (
    "8: character view, facet codes together, written day, reply facets and terms, file_type,"
    " near fields"
)


def check_meta(index_dir: Path) -> dict[str, Any]:
    """The index dir's meta.json, if this code can read the index (AnalyzerMismatchError)."""
    return checked_meta(
        index_dir,
        {"feed_version": FEED_VERSION},
        "rebuild it with 'govsearch index --backend sphinx'",
    )


def id_token(field: str, value: str) -> str:
    """An exact identifier as one keyword: its brackets and slashes are not word characters."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).hexdigest()
    return field.replace("_", "") + digest


def facet_attr(facet: str) -> str:
    """The attribute of a facet (a field and an attribute must not share a name)."""
    return f"f_{facet}"


#: the multi-valued attribute holding every facet's code of a document
FACETS_ATTR = "f_all"
#: bits of a code in a FACETS_ATTR value (above them: the facet's place in FACET_FIELDS + 1)
_CODE_BITS = 24


def facet_value(facet: str, code: int) -> int:
    """``code`` of ``facet`` as a value of FACETS_ATTR."""
    return ((FACET_FIELDS.index(facet) + 1) << _CODE_BITS) | code


def split_facet_value(value: int) -> tuple[str, int]:
    """(facet, code) of a FACETS_ATTR value."""
    return FACET_FIELDS[(value >> _CODE_BITS) - 1], value & ((1 << _CODE_BITS) - 1)


#: (column name, tsvpipe declaration) after the leading document id, in row order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("gid", "tsvpipe_attr_string"),  # our document id
    *((f, "tsvpipe_field") for pair in TEXT_FIELDS.values() for f in pair),
    *((f, "tsvpipe_field") for pair in CHAR_VIEW_FIELDS.values() for f in pair),
    *((f, "tsvpipe_field") for f in NEAR_FIELDS.values()),
    (EVERY_FIELD, "tsvpipe_field"),
    (IDS_FIELD, "tsvpipe_field"),
    # facet values as integer codes (FacetCodes): grouping 7,890 matches took 4.0 ms on a
    # string attribute and 2.8 ms on an integer one (Sphinx 2.2.11, one shard of 20k documents)
    # a multi-valued facet (a reply's handling units) is a multi-valued attribute: IN matches a
    # document with any one of its values
    *(
        (facet_attr(f), "tsvpipe_attr_multi" if f in MULTI_VALUED_FACETS else "tsvpipe_attr_uint")
        for f in FACET_FIELDS
    ),
    ("day", "tsvpipe_attr_uint"),  # indexer.dates.day_number of the date; 0: no date
    ("wday", "tsvpipe_attr_uint"),  # the same of written_date (成文日期)
    # every facet's code in one multi-valued attribute (``facet_value``): one FACET counts all
    # the facets; Sphinx 2.2.11 runs each FACET of a batch as a query of its own, 7-8 ms apiece
    # over 23k matches of a shard of 50k documents
    (FACETS_ATTR, "tsvpipe_attr_multi"),
)


_UNSAFE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\\": " "})


def sphinx_id(doc_id: str) -> int:
    """A stable 63-bit document id (Sphinx ids are integers, ours are strings); never 0."""
    n = int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")
    return (n & (2**63 - 1)) or 1


def shard_of(doc_id: str, shards: int) -> int:
    """The shard a document lives in: a stable hash, the same on every machine and every run."""
    return sphinx_id(doc_id) % shards


@dataclass(frozen=True)
class Segmented:
    """What Sphinx indexes of one Document, before its facet values get their codes."""

    texts: tuple[str, ...]  # the tsvpipe_field columns, in COLUMNS order, tab/newline-free
    facets: tuple[tuple[str, ...], ...]  # each facet's values, in FACET_FIELDS order
    day: int
    wday: int  # the day number of written_date (成文日期)


def _day(iso: str) -> int:
    try:
        return day_number(iso) if iso else NO_DAY
    except ValueError:
        return NO_DAY


def segment(doc: Document) -> Segmented:
    """Analyze ``doc`` (the costly part of a build: jieba) into its Sphinx columns."""
    texts: list[str] = []
    for name in TEXT_FIELDS:
        tokens = analyze(getattr(doc, name))
        for sub in (False, True):
            words = [t.text.translate(_UNSAFE) for t in tokens if t.sub is sub]
            texts.append(" ".join([*words, FILL_TOKEN]))
    bigrams = {}
    for name in CHAR_VIEW_FIELDS:
        text = stream(getattr(doc, name))
        bigrams[name] = f"{gram_keywords(text)} {FILL_TOKEN}".lstrip()
        texts += [bigrams[name], f"{char_keywords(text)} {FILL_TOKEN}".lstrip()]
    texts += [bigrams[name] for name in NEAR_FIELDS]
    ids = []
    if doc.doc_no:
        ids.append(id_token("doc_no", doc.doc_no_norm or normalize_doc_no(doc.doc_no)))
    if doc.index_no.strip():
        ids.append(id_token("index_no", doc.index_no.strip().upper()))
    # a reply's values (承办单位:…) live beside ALL_TOKEN in the unranked field: matched, not
    # ranked, and not the ids field, whose match is a typed 文号's EXACT_BONUS
    values = [id_token(name, value) for name, value in document_terms(doc)]
    facets = tuple(
        tuple(v.translate(_UNSAFE).strip() for v in document_facet_values(doc, facet))
        for facet in FACET_FIELDS
    )
    return Segmented(
        (*texts, " ".join([ALL_TOKEN, *values]), " ".join(ids)),
        facets,
        _day(doc.date),
        _day(doc.written_date),
    )


class FacetCodes:
    """Facet value <-> integer code, one dictionary for all shards (``INDEX_DIR/facets.json``).

    Code 0 is "no value". A rebuild starts from the previous dictionary and only appends, so a
    code keeps its meaning while shards rotate one after the other.
    """

    FILE = "facets.json"

    def __init__(self, values: dict[str, list[str]] | None = None):
        self.values = {f: list((values or {}).get(f, [])) for f in FACET_FIELDS}
        self._codes = {f: {v: i + 1 for i, v in enumerate(vs)} for f, vs in self.values.items()}

    def code(self, facet: str, value: str) -> int:
        """The code of ``value``, assigning a new one if needed."""
        if not value:
            return 0
        codes = self._codes[facet]
        if value not in codes:
            self.values[facet].append(value)
            codes[value] = len(self.values[facet])
        return codes[value]

    def lookup(self, facet: str, value: str) -> int | None:
        return self._codes[facet].get(value)

    def value(self, facet: str, code: int) -> str:
        values = self.values[facet]
        return values[code - 1] if 0 < code <= len(values) else ""

    def save(self, index_dir: Path) -> None:
        tmp = index_dir / (self.FILE + ".tmp")
        tmp.write_text(json.dumps(self.values, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, index_dir / self.FILE)

    @classmethod
    def load(cls, index_dir: Path) -> FacetCodes:
        try:
            return cls(json.loads((index_dir / cls.FILE).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return cls()


#: Each shard holds one padding document: no text, no facet value, never matched (its only word
#: is PAD_TOKEN). With it no keyword is in every document of a shard, where Sphinx's plain idf is
#: 0 and no keyword boost could restore ranking.idf (ranking.sphinx_plain_idf).
PAD_ID = 2**63 - 1
PAD_TOKEN = "govsearchpad"


def pad_row() -> str:
    fields = [*TEXT_FIELDS.values(), *CHAR_VIEW_FIELDS.values(), tuple(NEAR_FIELDS.values())]
    cells = [str(PAD_ID), "", *(FILL_TOKEN for pair in fields for _ in pair), PAD_TOKEN, ""]
    cells += ["" if f in MULTI_VALUED_FACETS else "0" for f in FACET_FIELDS] + ["0", "0", ""]
    return "\t".join(cells) + "\n"


def tsv_row(doc_id: str, seg: Segmented, codes: FacetCodes) -> str:
    """One tsvpipe line: the Sphinx id, our id, then the columns of ``seg`` (COLUMNS order)."""
    facets = [
        [codes.code(f, v) for v in values]
        for f, values in zip(FACET_FIELDS, seg.facets, strict=True)
    ]
    together = ",".join(
        str(facet_value(f, c)) for f, cs in zip(FACET_FIELDS, facets, strict=True) for c in cs if c
    )
    cells = [str(sphinx_id(doc_id)), doc_id.translate(_UNSAFE), *seg.texts]
    cells += [
        ",".join(map(str, cs)) if f in MULTI_VALUED_FACETS else str(cs[0] if cs else 0)
        for f, cs in zip(FACET_FIELDS, facets, strict=True)
    ]
    cells += [str(seg.day), str(seg.wday), together]
    return "\t".join(cells) + "\n"
