"""Attachments are searchable like pages (issue 14), on Whoosh and on a 2-shard Sphinx cluster:
a run of 6 characters that occurs in one file only, typed as it is, finds that file in the top
10 — for text files (at least 95 of 100 runs) and for the scanned pages read by OCR (at least 85
of 100, the runs drawn from the real text of the pages that were scanned); the ``file_type``
facet counts and filters; an attachment's hit names its page.

The runs are drawn with a fixed seed out of the shared files' stored text and judged by
tests/test_exact_match.py's own normalisation (never the indexer's).
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA, sphinx_engine_of
from test_exact_match import _usable, normalised

from indexer.docstore import DocStore
from indexer.extract.ocr import available as ocr_unavailable
from indexer.records import SearchRequest
from indexer.whoosh import layout
from indexer.whoosh.build import build_index
from indexer.whoosh.engine import SearchEngine

pytestmark = pytest.mark.slow

SCANNED = "attachments/scanned/huaian_2024_report_p1-2_scanned.pdf"
#: the file the scan was rendered from, and its pages that were scanned (SOURCES.md)
SCANNED_FROM = "attachments/annual-reports/szfgs2024.pdf"
SCANNED_PAGES = 2
RUNS = 100
RUN_LENGTH = 6


@pytest.fixture(scope="module")
def corpus(shared_corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared attachments, and a page linking one of our fixtures (copied: read-only)."""
    root = tmp_path_factory.mktemp("attachments_corpus")
    shutil.copytree(shared_corpora / "attachments", root / "attachments")
    (root / "attachments" / "SOURCES.md").unlink()
    page = root / "pages" / "123"
    (page / "attachments").mkdir(parents=True)
    (page / "page.txt").write_text(
        "标题: 关于印发2025年部门收支预算的通知\n发布时间: 2025-03-01 09:00\n"
        "发布机构: 浦江区财政局\n==== 正文 ====\n各单位：现将2025年部门收支预算印发给你们。\n",
        "utf-8",
    )
    shutil.copy(DATA / "attachments" / "收支预算.xls", page / "attachments" / "收支预算.xls")
    return root


@pytest.fixture(scope="module")
def whoosh_index(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("attachments_whoosh")
    report = build_index(corpus, index_dir, progress=False)
    assert not report.skipped, report.summary()
    return index_dir


@pytest.fixture(scope="module")
def stored(whoosh_index: Path) -> dict[str, tuple[str, str]]:
    """source path -> (id, normalised title + body) of every document."""
    gen = layout.current_generation(whoosh_index)
    with DocStore(gen / layout.DOCSTORE, readonly=True) as store:
        return {d.source_path: (d.id, normalised(d.title + "\n" + d.body)) for d in store}


@pytest.fixture(scope="module")
def whoosh_engine(whoosh_index: Path) -> Iterator[SearchEngine]:
    with SearchEngine(whoosh_index) as engine:
        yield engine


@pytest.fixture(scope="module")
def sphinx_engine(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    with sphinx_engine_of(corpus, tmp_path_factory.mktemp("attachments_sphinx")) as engine:
        yield engine


@pytest.fixture(scope="module", params=["whoosh", "sphinx"])
def engine(request: pytest.FixtureRequest):
    return request.getfixturevalue(f"{request.param}_engine")


def unique_runs(texts: dict[str, str], source: str, text: str, count: int) -> list[str]:
    """``count`` runs of RUN_LENGTH characters of ``text`` (normalised) that no other file
    but ``source`` (and, for the scan, the file it was made from) holds."""
    rng = random.Random(14)
    runs: list[str] = []
    others = [t for s, t in texts.items() if s not in (source, SCANNED, SCANNED_FROM)]
    for _ in range(100 * count):
        at = rng.randrange(max(1, len(text) - RUN_LENGTH))
        run = text[at : at + RUN_LENGTH]
        if len(run) == RUN_LENGTH and _usable(run) and "|" not in run and run not in runs:
            if not any(run in other for other in others):
                runs.append(run)
        if len(runs) == count:
            break
    return runs


def _found(engine, run: str, doc_id: str) -> bool:
    hits = engine.search(SearchRequest(q=run, size=10, facets=False)).hits
    return doc_id in [h.id for h in hits]


def test_text_files_exact_runs_find_their_file(engine, stored) -> None:
    files = sorted(s for s in stored if s.startswith("attachments/") and s != SCANNED)
    per_file = RUNS // len(files) + 1
    tried = missed = 0
    misses = []
    texts = {s: t for s, (_, t) in stored.items()}
    for source in files:
        doc_id, text = stored[source]
        for run in unique_runs(texts, source, text, per_file):
            tried += 1
            if not _found(engine, run, doc_id):
                missed += 1
                misses.append((source, run))
    assert tried >= RUNS
    assert (tried - missed) / tried >= 0.95, misses


@pytest.mark.skipif(bool(ocr_unavailable()), reason=str(ocr_unavailable()))
def test_scanned_pages_exact_runs_find_the_scan(engine, stored, corpus: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(corpus / SCANNED_FROM))
    real = normalised(
        "\n".join(pdf[i].get_textpage().get_text_bounded() for i in range(SCANNED_PAGES))
    )
    pdf.close()
    texts = {s: t for s, (_, t) in stored.items()}
    doc_id = stored[SCANNED][0]
    runs = unique_runs(texts, SCANNED, real, RUNS)
    assert len(runs) == RUNS
    misses = [run for run in runs if not _found(engine, run, doc_id)]
    assert (RUNS - len(misses)) / RUNS >= 0.85, misses


def test_file_type_facet_counts_and_filters(engine) -> None:
    result = engine.search(SearchRequest(q="预算"))
    counts = {fv.value: fv.count for fv in result.facets["file_type"]}
    assert counts["PDF"] >= 4 and counts["Excel"] == 2 and counts["网页"] == 1
    only = engine.search(SearchRequest(q="预算", file_type=["Excel"]))
    assert only.total == 2 and {h.file_type for h in only.hits} == {"Excel"}
    # disjunctive: the other values keep their counts while Excel is selected
    listed = {fv.value: fv for fv in only.facets["file_type"]}
    assert listed["Excel"].selected and listed["PDF"].count == counts["PDF"]
    pages = engine.search(SearchRequest(q="预算", file_type=["网页"]))
    assert pages.total == 1 and pages.hits[0].file_type == ""


def test_attachment_hit_names_its_page(engine) -> None:
    hits = engine.search(SearchRequest(q="政府性基金预算拨款收入 88")).hits
    sheet = next(h for h in hits if h.file_type == "Excel" and h.title == "2025年部门收支预算总表")
    assert sheet.parent_title == "关于印发2025年部门收支预算的通知"
    assert sheet.agency == "浦江区财政局"  # inherited from its page


@pytest.mark.skipif(bool(ocr_unavailable()), reason=str(ocr_unavailable()))
def test_scans_facet_as_scans(engine) -> None:
    result = engine.search(SearchRequest(q="淮安市人民政府", file_type=["扫描件"]))
    assert result.total == 1 and result.hits[0].file_type == "扫描件"
