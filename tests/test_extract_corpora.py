"""All of ../shared/corpora through discover + extract: only ExtractError, only where expected."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from indexer.errors import ExtractError
from indexer.extract import discover, extract_document, extract_source
from indexer.extract.fields import SITE_NAMES

#: Jiangxi JX_text files that are empty or a few bytes (crawler extraction failures, listed in
#: ../shared/corpora/SOURCES.md): the only files of the shared corpora that are not documents
EMPTY_JX_TEXT = {
    "art_14236_1505204", "art_14236_1509133", "art_14236_1509135", "art_14236_1509137",
    "art_18830_1514486", "art_18830_1560946", "art_5358_1580134", "art_5400_1580152",
    "art_5400_1597952", "art_14236_1508394", "art_14236_1508410",
}  # fmt: skip


@pytest.mark.slow
def test_every_shared_file_extracts_or_fails_as_expected(shared_corpora: Path) -> None:
    failed: dict[str, str] = {}
    kinds: Counter[str] = Counter()
    for source in discover(shared_corpora):
        try:
            docs = extract_source(source)
        except ExtractError as exc:
            failed[source.relpath] = exc.reason
            continue
        for doc in docs:
            assert doc.title or doc.body, source.relpath
            assert doc.date == "" or len(doc.date) == 10, source.relpath
            # 中国平潭 / 桌面 name the site: never an agency, wherever the page states them
            assert doc.agency not in SITE_NAMES, source.relpath
        kinds[source.relpath.split("/")[0]] += 1
    assert all(p.startswith("jiangxi-gov-html/JX_text/") for p in failed)
    empty = {p: r for p, r in failed.items() if Path(p).stem in EMPTY_JX_TEXT}
    assert {Path(p).stem for p in empty} == EMPTY_JX_TEXT
    assert set(empty.values()) <= {"empty file", "empty document", "too little text"}
    # every other crawler text is the text of its html/ page: merged into that page's document
    twins = {p: r for p, r in failed.items() if p not in empty}
    assert len(twins) == 29
    for path, reason in twins.items():
        page = f"html/{Path(path).stem}.html"
        assert reason == f"the text of {page}: merged into that page's document"
    assert kinds == {
        "lawrefbook-laws": 3372,  # 3,398 files less 26 _index.md folder indexes
        "pingtan": 205,  # 205 page.txt; the 6 page.html are their companions
        "jiangxi-gov-html": 40,  # the pages; their 29 crawler texts merged into them
        "lishui-xxgk-html": 1,
        "seed": 1,
        "cctv-xwlb": 1691 + 1,  # one Markdown file a day, and the repo's README.md
        # its SOURCES.md, and its 15 files: 8 PDF (one of them scanned), 5 OFD, an XLSX, a DOCX
        "attachments": 1 + 15,
    }


@pytest.mark.slow
def test_every_file_even_those_discover_skips_raises_only_extract_error(
    shared_corpora: Path,
) -> None:
    """extract_document on each file as ``govsearch parse`` would: _index.md, SOURCES.md too."""
    outcomes: Counter[str] = Counter()
    for path in sorted(p for p in shared_corpora.rglob("*") if p.is_file()):
        try:
            extract_document(path, root=shared_corpora)
            outcomes["ok"] += 1
        except ExtractError as exc:
            outcomes[exc.reason] += 1
    assert outcomes["folder index (_index.md), not a document"] == 26
    # the documents, + SOURCES.md read as Markdown, + the 6 page.html read as their page.txt,
    # + the 15 attachments
    assert outcomes["ok"] == 3372 + 205 + 69 + 1 + 1 + 1 + 6 + 1692 + 1 + 15
    unsupported = {k: n for k, n in outcomes.items() if k.startswith("unsupported file type")}
    # cctv-xwlb's LICENSE
    assert sum(unsupported.values()) == 1
    assert sum(outcomes.values()) - outcomes["ok"] == 26 + 11 + 1  # _index.md, JX_text, that
