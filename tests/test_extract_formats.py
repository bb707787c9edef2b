"""Format parsers on variants of real pages: what they take, and what they refuse to guess."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS

from indexer.extract import extract_document
from indexer.extract.crawler_txt import looks_like_crawler
from indexer.extract.seed_text import looks_like_seed, parse_seed_text

SEED_TEXT = (CORPUS / "seed" / "000_ae3ff73dc60525ac.txt").read_text("utf-8")
GWHWJ = next(CORPUS.glob("pingtan/zwgk/zfxxgk/gwhwj/zshzzytdfw/202307/79403_*/page.txt"))
SITE_NAME_PAGE = next(CORPUS.glob("pingtan/zwgk/zxwj/qgwhwj/201511/2489_*/page.txt"))


@pytest.mark.parametrize(
    "variant",
    [
        SEED_TEXT,
        SEED_TEXT.replace("发布日期: 2024-06-03 16:46\n", ""),
        SEED_TEXT.replace("发布日期: 2024-06-03 16:46\n浏览次数:\n", ""),
        SEED_TEXT.replace("统一编号\n", "").replace("发布日期: 2024-06-03 16:46\n", ""),
        SEED_TEXT.replace("\n", "\r\n"),
    ],
    ids=["as-is", "no-发布日期", "no-发布日期-浏览次数", "no-统一编号", "crlf"],
)
def test_seed_layout_variants(variant: str) -> None:
    assert looks_like_seed(variant)
    doc = parse_seed_text(variant)
    assert doc.title == "关于区政协六届三次会议第13号提案的复函"
    assert doc.index_no == "00250260-2/2024-31773"
    assert doc.date == "2024-06-03"
    assert doc.agency == "区商务局(区金融办)"
    assert doc.disclosure == "主动公开"
    assert doc.doc_no == ""  # 文号 is empty on the page: it stays empty
    assert doc.body.startswith("王强委员:")
    assert "浏览次数" not in doc.body


def test_crawler_detection() -> None:
    assert looks_like_crawler(GWHWJ.read_text("utf-8"))
    assert not looks_like_crawler(SEED_TEXT)
    assert not looks_like_seed(GWHWJ.read_text("utf-8"))


def test_wenhao_wu_means_none_and_the_disclosure_block_is_read() -> None:
    doc = extract_document(GWHWJ)
    assert doc.doc_no == "" and doc.doc_no_norm == ""  # header and block say 无
    assert doc.index_no == "PZ00101-1500-2023-00016"
    assert doc.written_date == "2023-07-17"
    assert doc.agency == "平潭综合实验区自然资源与生态环境局"
    assert not doc.body.startswith("当前位置")
    assert "QQ空间" not in doc.body and "索 引 号" not in doc.body


def test_site_name_publisher_is_not_an_agency() -> None:
    assert "发布机构: 中国平潭\n" in SITE_NAME_PAGE.read_text("utf-8")
    doc = extract_document(SITE_NAME_PAGE)
    assert doc.agency == ""
    assert any("中国平潭" in w for w in doc.warnings)
    assert doc.doc_no == "岚综管综〔2015〕153号"  # the 文号 the body opens with


def test_cited_wenhao_is_not_the_documents_own() -> None:
    page = next(CORPUS.glob("pingtan/zwgk/zfxxgk/gwhwj/hzgfxwj/202309/80223_*/page.txt"))
    text = page.read_text("utf-8")
    assert "（闽自然资发〔2023〕29号）" in text
    assert (
        extract_document(page).doc_no == "岚综管综〔2023〕91号"
    )  # from the header, not the citation
    bmwj = next(CORPUS.glob("pingtan/zwgk/zxwj/bmwj/202212/42176_*/page.txt"))
    assert "(闽农规〔2020〕4号)" in bmwj.read_text("utf-8")
    assert extract_document(bmwj).doc_no == ""


def test_markdown_front_matter_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "某某办法.md"
    path.write_text(
        "---\ntitle: x\n---\n# 某某市政府信息公开办法\n\n二〇一九年十一月四日 市政府令第1号公布\n\n"
        "<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了规范政府信息公开，制定本办法。\n",
        "utf-8",
    )
    doc = extract_document(path)
    assert doc.title == "某某市政府信息公开办法"
    assert doc.date == "2019-11-04"
    assert doc.doc_type == "办法"
    assert "第一章 总则" in doc.body and "##" not in doc.body and "INFO END" not in doc.body


def test_plain_text_title_only_when_the_first_line_reads_as_one(tmp_path: Path) -> None:
    titled = tmp_path / "a.txt"
    titled.write_text("关于开展安全生产检查的通知\n\n各单位：\n现将有关事项通知如下。\n", "utf-8")
    assert extract_document(titled).title == "关于开展安全生产检查的通知"
    untitled = tmp_path / "b.txt"
    untitled.write_text("各单位：\n现将有关事项通知如下，请认真贯彻执行。\n", "utf-8")
    doc = extract_document(untitled)
    # no title in the text: the first meaningful line of the body stands in, marked as such
    assert (doc.title, doc.title_from_body) == ("现将有关事项通知如下，请认真贯彻执行。", True)
    assert doc.body.startswith("各单位：")
    assert extract_document(titled).title_from_body is False


def test_page_html_fills_what_the_page_txt_lacks_but_never_its_text(tmp_path: Path) -> None:
    pair = next(CORPUS.glob("pingtan/zwgk/zdlyxxgk/yata/rdya/202211/37906_*"))
    txt = (pair / "page.txt").read_text("utf-8")
    assert "发布机构: 平潭县人民代表大会常务委员会\n" in txt
    url_line = next(line for line in txt.splitlines() if line.startswith("原文链接:"))
    txt = txt.replace("发布机构: 平潭县人民代表大会常务委员会", "发布机构: 桌面")
    (tmp_path / "page.txt").write_text(txt.replace(url_line, "原文链接: "), "utf-8")
    (tmp_path / "page.html").write_bytes((pair / "page.html").read_bytes())
    doc = extract_document(tmp_path / "page.txt")
    assert doc.agency == "平潭县人民代表大会常务委员会"  # <meta name="ContentSource">
    assert doc.url.startswith("https://www.pingtan.gov.cn/")
    assert doc.body == extract_document(pair / "page.txt").body


def test_words_附件下载_inside_the_text_are_not_the_footer(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "标题: 关于公布办事指南的通知\n发布时间: 2023-05-01 08:00\n文号: \n发布机构: 区行政审批局\n"
        "==================== 正文 ====================\n"
        "各单位：办事指南可在本网站附件下载栏目获取，请及时查阅。"
        " 来源：区行政审批局 附件下载 办事指南.pdf",
        "utf-8",
    )
    doc = extract_document(page)
    assert (
        doc.body == "各单位：办事指南可在本网站附件下载栏目获取，请及时查阅。\n附件：办事指南.pdf"
    )
