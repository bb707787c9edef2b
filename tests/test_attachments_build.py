"""Attachments in a build: broken files are skipped with their reason and the rest is indexed;
the summary counts attachments by type and OCR pages; an incremental update re-reads a changed
attachment (or one whose page changed) and removes a deleted one; a rebuild reads OCR text
from the cache instead of OCR'ing the scan again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import DATA, make_linked_corpus

from indexer.corpus import OCR_CACHE
from indexer.docstore import DocStore
from indexer.extract import extract_document, make_id
from indexer.extract.limits import Limits
from indexer.extract.ocr import available as ocr_unavailable
from indexer.whoosh import layout
from indexer.whoosh.build import build_index

BROKEN = ["encrypted.pdf", "password.docx", "truncated.docx", "not-a-spreadsheet.xlsx"]


def _docs(index_dir: Path) -> dict[str, object]:
    gen = layout.current_generation(index_dir)
    with DocStore(gen / layout.DOCSTORE, readonly=True) as store:
        return {d.source_path: d for d in store}


def test_broken_files_are_skipped_and_counted(tmp_path: Path) -> None:
    corpus = make_linked_corpus(tmp_path / "corpus")
    for name in BROKEN:
        shutil.copy(DATA / "attachments" / name, corpus / "files" / name)
    report = build_index(corpus, tmp_path / "index", progress=False)
    skipped = {s.path: s.reason for s in report.skipped}
    assert skipped == {
        "files/encrypted.pdf": "encrypted PDF (password-protected)",
        "files/password.docx": "encrypted Word file (password-protected)",
        "files/truncated.docx": skipped["files/truncated.docx"],
        "files/not-a-spreadsheet.xlsx": skipped["files/not-a-spreadsheet.xlsx"],
    }
    assert skipped["files/truncated.docx"].startswith("not a readable DOCX file")
    assert report.attachments == {"Excel": 2, "Word": 1} and report.ocr_pages == 0
    summary = report.summary()
    assert "attachments: Excel 2, Word 1; OCR pages 0" in summary
    assert "files/encrypted.pdf: encrypted PDF (password-protected)" in summary
    assert len(_docs(tmp_path / "index")) == 5  # 2 pages, 3 attachments


def test_incremental_update_of_attachments(tmp_path: Path) -> None:
    corpus = make_linked_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, progress=False)

    # a changed attachment is re-read; its page, whose listing names its size, too
    shutil.copy(DATA / "attachments" / "textract.xls", corpus / "files" / "收支预算.xls")
    report = build_index(corpus, index_dir, incremental=True, progress=False)
    assert (report.indexed, report.removed) == (2, 0)
    docs = _docs(index_dir)
    assert "the | quick | brown | fox" in docs["files/收支预算.xls"].body
    assert docs["pages/notice.html"].attachments[0]["size"] == 24064

    # a page that changes gives its attachment its new fields
    page = corpus / "crawl" / "123" / "page.txt"
    page.write_text(page.read_text("utf-8").replace("关于做好", "关于切实做好"), "utf-8")
    report = build_index(corpus, index_dir, incremental=True, progress=False)
    assert report.indexed == 2
    notice = _docs(index_dir)["crawl/123/attachments/防汛通知.docx"]
    assert notice.parent_title == "关于切实做好二〇二五年防汛防台工作的通知"

    # a deleted attachment is removed, and its page no longer lists it
    (corpus / "files" / "收支预算.xls").unlink()
    report = build_index(corpus, index_dir, incremental=True, progress=False)
    assert report.removed == 1
    docs = _docs(index_dir)
    assert "files/收支预算.xls" not in docs and docs["pages/notice.html"].attachments == []


@pytest.mark.skipif(bool(ocr_unavailable()), reason=str(ocr_unavailable()))
def test_a_rebuild_reads_ocr_text_from_the_cache(shared_corpora: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(
        shared_corpora / "attachments/scanned/huaian_2024_report_p1-2_scanned.pdf",
        corpus / "scan.pdf",
    )
    index_dir = tmp_path / "index"
    report = build_index(corpus, index_dir, progress=False)
    assert report.attachments == {"扫描件": 1} and report.ocr_pages == 2
    [cached] = list((index_dir / OCR_CACHE).rglob("*.json"))
    # mark the cached text: a rebuild that shows the mark did not OCR again
    pages = json.loads(cached.read_text("utf-8"))
    pages["1"] = "缓存里的第一页文字：由缓存读出。\n" + pages["1"]
    cached.write_text(json.dumps(pages, ensure_ascii=False), "utf-8")
    build_index(corpus, index_dir, progress=False)
    doc = _docs(index_dir)["scan.pdf"]
    assert doc.body.startswith("缓存里的第一页文字") and doc.id == make_id("scan.pdf")
    # the build's cache is its own: reading the file outside a build does not use it
    assert Limits.from_env({}).ocr_cache == ""
    assert not extract_document(corpus / "scan.pdf", corpus).body.startswith("缓存里")
