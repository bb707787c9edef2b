"""Attachments (PDF, Word, WPS, Excel, OFD, scans) → Document, on the real files of
../shared/corpora/attachments and the small fixtures of tests/data/attachments (see its
make_fixtures.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import DATA, make_linked_corpus

from indexer.errors import ExtractError
from indexer.extract import discover, extract_document, extract_source
from indexer.extract.limits import Limits
from indexer.extract.ocr import available as ocr_unavailable
from indexer.extract.pdf import read_pdf

FIXTURES = DATA / "attachments"
needs_ocr = pytest.mark.skipif(bool(ocr_unavailable()), reason=str(ocr_unavailable()))
needs_antiword = pytest.mark.skipif(
    shutil.which("antiword") is None and shutil.which("catdoc") is None,
    reason="antiword / catdoc are not installed (apt-get install antiword catdoc)",
)


@pytest.fixture(scope="module")
def attachments(shared_corpora: Path) -> Path:
    return shared_corpora / "attachments"


def _doc(root: Path, rel: str):
    return extract_document(root / rel, root)


# --- the real files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "title", "pages", "phrase"),
    [
        # the metadata title 政府信息公开工作年度报告 is in the heading, which says more
        ("annual-reports/szfgs2024.pdf", "淮安市人民政府2024 年政府信息公开工作年度报告", 6,
         "本报告由淮安市人民政府办公室根据"),
        ("putuo-budgets/dept_budget.pdf", "上海市普陀区2026年区级部门预算", 23,
         "上海市普陀区司法局是主管本区司法和法制工作的区政府工作部门"),
        # metadata title 附件2：预算主管部门公开样张 is the template's, not in the text: not used
        ("putuo-final-accounts/上海市普陀区规划和自然资源局 2024 年度部门决算.pdf",
         "上海市普陀区规划和自然资源局2024 年度部门决算", 30, "部门决算"),
        ("putuo-final-accounts/上海市普陀区财政局2024年度部门决算.pdf",
         "上海市普陀区财政局2024年度部门决算", 25, "财政局"),
    ],
)
def test_text_pdfs(attachments: Path, rel: str, title: str, pages: int, phrase: str) -> None:
    doc = _doc(attachments, rel)
    assert doc.file_type == "PDF"
    assert doc.title == title
    assert doc.page_count == pages and len(doc.page_starts) == pages
    assert phrase in doc.body
    assert doc.ocr_pages == []
    assert doc.file_name == Path(rel).name and doc.file_size == (attachments / rel).stat().st_size


def test_pdf_table_cells_stay_apart(attachments: Path) -> None:
    """A table row keeps its cells in order, `` | `` apart, so neighbouring cells never fuse
    into a run of the character view."""
    body = _doc(attachments, "annual-reports/szfgs2024.pdf").body
    assert "信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数" in body
    assert "规章 | 1 | 0 | 11" in body
    # while a sentence's own spaces stay spaces
    assert "2024 年政府信息公开工作年度报告" in body


def test_pages_start_where_page_starts_say(attachments: Path) -> None:
    doc = _doc(attachments, "annual-reports/szfgs2024.pdf")
    assert doc.page_starts[0] == 0
    assert doc.body[doc.page_starts[2] :].startswith("- 3 -")


def test_xlsx_every_sheet_in_reading_order(attachments: Path) -> None:
    doc = _doc(attachments, "putuo-budgets/unit_budget.xlsx")
    assert doc.file_type == "Excel" and doc.page_count == 1
    assert doc.title == "2026年度普陀区单位预算公开情况检查表"
    assert "单位名称: 上海市普陀区司法局 | 部门编码:201" in doc.body
    assert doc.body.rstrip().endswith("工作表：2026年单位预算")


def test_docx_template_tables(attachments: Path) -> None:
    doc = _doc(attachments, "templates/政务公开年报模版.docx")
    assert doc.file_type == "Word"
    assert doc.title == "政府信息公开工作年度报告格式模板"
    assert "一、总体情况" in doc.body
    assert " | " in doc.body  # its tables, row by row


@pytest.mark.parametrize(
    ("name", "pages", "phrases"),
    [
        ("1.ofd", 1, ["价税合计（大写） | 伍佰贰拾陆圆整", "兰溪市悦济舫餐厅"]),
        ("keyword.ofd", 1, ["中国建设银行股份有限公司泰安分行"]),
        ("signout.ofd", 1, ["市委主要领导同志调研后续落实事项的通知"]),
        # DocRoot Doc_0/Document_0.xml beside an unused Document.xml; template under TPLS/
        ("testImageOverridePage.ofd", 1, ["临沧市临翔区自然资源局"]),
        # two pages, template text drawn twice (fill + outline) and scaled by a CTM
        ("zsbk.ofd", 2, ["建筑工程施工许可证附件", "中华观测中心1#楼 | 2202.7"]),
    ],
)
def test_ofd(attachments: Path, name: str, pages: int, phrases: list[str]) -> None:
    doc = _doc(attachments, f"ofd/{name}")
    assert doc.file_type == "OFD" and doc.page_count == pages
    for phrase in phrases:
        assert phrase in doc.body
    assert "建建" not in doc.body


def test_ofd_title_is_the_forms_heading_not_its_file_name(attachments: Path) -> None:
    # the invoice's title stands beside its first field (发票代码：…) on one baseline
    doc = _doc(attachments, "ofd/1.ofd")
    assert doc.title == "浙江增值税电子普通发票"
    assert "浙江增值税电子普通发票 | 发票代码：033002000211" in doc.body


def test_ofd_pages_in_page_order(attachments: Path) -> None:
    doc = _doc(attachments, "ofd/zsbk.ofd")
    first, second = doc.body[: doc.page_starts[1]], doc.body[doc.page_starts[1] :]
    assert "中华监测有限公司保障园区项目" in first and "建筑工程项目明细单" in second


@needs_ocr
def test_scanned_pdf_is_read_by_ocr(attachments: Path) -> None:
    doc = _doc(attachments, "scanned/huaian_2024_report_p1-2_scanned.pdf")
    assert doc.file_type == "扫描件"
    assert doc.ocr_pages == [1, 2]
    assert doc.title == "淮安市人民政府2024 年政府信息公开工作年度报告"
    assert "淮安市人民政府办公室" in "".join(doc.body.split())
    assert any("OCR" in w for w in doc.warnings)


@needs_ocr
def test_ocr_results_are_cached_by_content(attachments: Path, tmp_path: Path) -> None:
    scan = attachments / "scanned/huaian_2024_report_p1-2_scanned.pdf"
    limits = Limits(ocr_cache=str(tmp_path / "cache"))
    first = read_pdf(scan, limits)
    assert first.ocr_new == 2
    renamed = tmp_path / "renamed.pdf"
    shutil.copy(scan, renamed)  # the same bytes under another name: from the cache
    again = read_pdf(renamed, limits)
    assert again.ocr_new == 0 and again.pages == first.pages and again.ocr_pages == [1, 2]


@needs_ocr
def test_ocr_page_time_limit(attachments: Path, tmp_path: Path) -> None:
    scan = attachments / "scanned/huaian_2024_report_p1-2_scanned.pdf"
    late = read_pdf(scan, Limits(ocr_page_seconds=0.01, ocr_cache=str(tmp_path)))
    assert late.ocr_pages == [] and late.pages == ["", ""]
    assert late.warnings[0].startswith("page 1 not OCR'd: ")
    assert not list(tmp_path.rglob("*.json"))  # nothing cached for a page not read


def test_ocr_can_be_off_and_capped(attachments: Path) -> None:
    scan = attachments / "scanned/huaian_2024_report_p1-2_scanned.pdf"
    off = read_pdf(scan, Limits(ocr=0))
    assert off.ocr_pages == [] and "no text layer (OCR is off)" in off.warnings[0]
    capped = read_pdf(scan, Limits(ocr_max_pages=0))
    assert capped.ocr_pages == [] and "over the limit of 0 pages" in capped.warnings[0]


# --- the made fixtures -----------------------------------------------------------------------


def test_docx_paragraphs_tables_headers_footnotes() -> None:
    doc = extract_document(FIXTURES / "防汛通知.docx", FIXTURES)
    assert doc.title == "关于做好二〇二五年防汛防台工作的通知"
    assert doc.doc_no == "浦府办发〔2025〕12号"
    assert doc.date == "2025-05-20"
    assert "值守单位 | 责任人 | 联系电话\n滨江街道 | 周海燕 | 0571-8888" in doc.body
    assert "浦江区人民政府办公室文件" in doc.body  # the header
    assert "防汛物资储备点以区应急管理局公布的名单为准" in doc.body  # the footnote
    assert doc.doc_type == "通知"


def test_xls_every_sheet() -> None:
    doc = extract_document(FIXTURES / "收支预算.xls", FIXTURES)
    assert doc.file_type == "Excel" and doc.page_count == 2
    assert doc.title == "2025年部门收支预算总表"
    assert "一般公共预算拨款收入 | 1234.5 | 较上年增长" in doc.body
    assert "政府性基金预算拨款收入 | 88" in doc.body
    assert "本表金额单位为万元" in doc.body


def test_ods() -> None:
    doc = extract_document(FIXTURES / "textract.ods", FIXTURES)
    assert doc.file_type == "Excel"
    assert "the | quick | brown | fox" in doc.body


@needs_antiword
@pytest.mark.parametrize("name", ["textract.doc", "textract.wps"])
def test_doc_and_wps(name: str) -> None:
    doc = extract_document(FIXTURES / name, FIXTURES)
    assert doc.file_type == "Word"
    assert "the quick brown fox jumps over the lazy dog" in doc.body
    # no title in the file: its name, with a warning saying so
    assert doc.title == "textract" and "titled by its name" in doc.warnings[-1]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("encrypted.pdf", "encrypted PDF (password-protected)"),
        ("password.docx", "encrypted Word file (password-protected)"),
        ("truncated.docx", "not a readable DOCX file"),
        ("not-a-spreadsheet.xlsx", "not a readable spreadsheet"),
        ("garbage.ofd", "not a readable OFD file"),
    ],
)
def test_broken_files_are_skipped_with_their_reason(name: str, reason: str) -> None:
    with pytest.raises(ExtractError, match=re.escape(reason)):
        extract_document(FIXTURES / name, FIXTURES)


def test_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # starting the reader alone takes longer than this
    monkeypatch.setenv("GOVSEARCH_FILE_SECONDS", "0.01")
    with pytest.raises(ExtractError, match=r"reading took over 0.01 s \(GOVSEARCH_FILE_SECONDS\)"):
        extract_document(FIXTURES / "收支预算.xls", FIXTURES)


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSEARCH_FILE_MAX_MB", "0")
    with pytest.raises(ExtractError, match=r"file too large: 5632 bytes > limit of 0 MB"):
        extract_document(FIXTURES / "收支预算.xls", FIXTURES)


def test_memory_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # an address space too small for the interpreter's reader: skipped, not a crash
    monkeypatch.setenv("GOVSEARCH_FILE_MEMORY_MB", "40")
    with pytest.raises(ExtractError):
        extract_document(FIXTURES / "防汛通知.docx", FIXTURES)


def test_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSEARCH_OCR_DPI", "high")
    with pytest.raises(ValueError, match="GOVSEARCH_OCR_DPI must be a number"):
        Limits.from_env()


# --- attachments belong to pages -------------------------------------------------------------

def test_relative_href_and_attachments_folder_link_files_to_pages(tmp_path: Path) -> None:
    root = make_linked_corpus(tmp_path)
    sources = {s.relpath: s for s in discover(root)}
    assert sources["files/收支预算.xls"].parent.relpath == "pages/notice.html"
    assert sources["crawl/123/attachments/防汛通知.docx"].parent.relpath == "crawl/123/page.txt"
    assert sources["standalone.ods"].parent is None

    page = extract_source(sources["pages/notice.html"])[0]
    sheet = extract_source(sources["files/收支预算.xls"])[0]
    assert page.attachments == [
        {"id": sheet.id, "name": "收支预算.xls", "type": "Excel", "size": 5632}
    ]
    # the attachment knows its page and takes what its own text lacks from it
    assert sheet.parent_id == page.id and sheet.parent_title == page.title
    assert (sheet.agency, sheet.date, sheet.doc_no) == (
        "浦江区应急管理局",
        "2025-05-21",
        "浦应急〔2025〕7号",
    )
    notice = extract_source(sources["crawl/123/attachments/防汛通知.docx"])[0]
    # its own date and 文号 win over the page's
    assert (notice.date, notice.doc_no) == ("2025-05-20", "浦府办发〔2025〕12号")
    assert notice.parent_title == "关于做好二〇二五年防汛防台工作的通知"
    assert extract_source(sources["standalone.ods"])[0].parent_id == ""


def test_every_attachment_setting_is_documented() -> None:
    import dataclasses

    from conftest import REPO

    readme = (REPO / "README.md").read_text("utf-8")
    for f in dataclasses.fields(Limits):
        assert f"`GOVSEARCH_{f.name.upper()}`" in readme, f.name
