"""Golden extraction tests: one real document per input format, compared field by field.

Regenerate after an intended change with ``GOVSEARCH_UPDATE_GOLDEN=1 python3 -m pytest
tests/test_extract_golden.py`` and review the diff of tests/golden/ before committing.

Each golden file was checked by eye once against its source file (2026-11-27):
* seed — 索引号 00250260-2/2024-31773, 公布日期 2024-06-03, 发布单位 区商务局(区金融办),
  empty 文号 stays empty, title 关于区政协六届三次会议第13号提案的复函 (doc_type 复函),
  session 区政协六届三次会议, proposal_no 13, 提案, addressee 王强委员,
  handling_units 区商务局 (我局 主办) + the four 会办 units,
  contact 联系人:卜欣,联系电话:0571-89510494; body from 王强委员: to the contact line, no 浏览次数.
* pingtan_rdya_txt / pingtan_zxta_txt / pingtan_zxta_2023_txt — header fields as in page.txt; no
  breadcrumb, 时间/微信/微博/QQ空间 or 来源…附件下载 left in the body; 事由/提案人/承办单位 (rdya,
  建议, …代表) and 案由/提案人/主办/协办/分办单位 (zxta, 提案, …委员 or bare names, 陈 兴 → 陈兴)
  as metadata and one line each; doc_type 答复.
* pingtan_gwhwj_txt — 索引号 PZ00101-1300-2016-00001, 发文机关, 成文日期 2016-07-18 and 发文字号
  岚综管综〔2016〕178号 from the flattened block; the block itself is not in the body.
* pingtan_pair — page.txt with its page.html: one Document, the page.txt text.
* pingtan_trs_html — the page.html alone: <meta> title/date/source/column, TRS body paragraphs,
  no share buttons, 浏览量 or 附件下载.
* jiangxi_html — xxgkTitle table (索引号 014501068/2020-03530, 发文机关,
  文号 赣市监党组〔2020〕16号, 成文日期), <meta> title/date; body without the hidden 来源 line,
  QR code, print/close links.
* jiangxi_jx_text — body-only text: no title invented from the salutation.
* lishui_html — xxgk_article table values, the inline 安置任务表 kept as ``cell | cell`` rows,
  no 浏览次数 script, no share/footer text.
* law_version_md / law_no_version_md — the ``# `` title, date from the file name (2017-09-01) or
  the first history line (2001-12-29); <!-- INFO END --> dropped.
* records_json / records_jsonl — mapped field names, HTML body turned into text without its
  script, nested/unknown keys ignored, invalid and empty JSONL records skipped with warnings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import CORPUS, DATA, REPO

from indexer.extract import Source, extract_source

GOLDEN = REPO / "tests" / "golden"
EXTRACT_DATA = DATA / "extract"
PINGTAN = CORPUS / "pingtan" / "zwgk"


def _one(pattern: str) -> Path:
    matches = sorted(PINGTAN.glob(pattern))
    assert len(matches) == 1, pattern
    return matches[0]


CASES: dict[str, tuple[Path, Path, bool]] = {
    # name: (file, root its relpath is taken from, read page.html companion)
    "seed": (CORPUS / "seed" / "000_ae3ff73dc60525ac.txt", CORPUS, False),
    "pingtan_rdya_txt": (_one("zdlyxxgk/yata/rdya/202211/37912_*/page.txt"), CORPUS, False),
    "pingtan_zxta_txt": (_one("zdlyxxgk/yata/zxta/202211/38162_*/page.txt"), CORPUS, False),
    "pingtan_zxta_2023_txt": (_one("zdlyxxgk/yata/zxta/202312/82873_*/page.txt"), CORPUS, False),
    "pingtan_gwhwj_txt": (_one("zfxxgk/gwhwj/cxjshgldzd/201607/60970_*/page.txt"), CORPUS, False),
    "pingtan_pair": (_one("zdlyxxgk/yata/rdya/202211/37906_*/page.txt"), CORPUS, True),
    "pingtan_trs_html": (_one("zdlyxxgk/yata/zxta/202211/38112_*/page.html"), CORPUS, False),
    "jiangxi_html": (EXTRACT_DATA / "real" / "jiangxi_art_14075_1574386.html", EXTRACT_DATA, False),
    "jiangxi_jx_text": (
        EXTRACT_DATA / "real" / "jiangxi_JX_text_art_4980_1515143.txt",
        EXTRACT_DATA,
        False,
    ),
    "lishui_html": (EXTRACT_DATA / "real" / "lishui_detail.html", EXTRACT_DATA, False),
    "law_version_md": (EXTRACT_DATA / "real" / "国歌法(2017-09-01).md", EXTRACT_DATA, False),
    "law_no_version_md": (EXTRACT_DATA / "real" / "刑法修正案（三）.md", EXTRACT_DATA, False),
    "records_json": (EXTRACT_DATA / "records.json", EXTRACT_DATA, False),
    "records_jsonl": (EXTRACT_DATA / "records.jsonl", EXTRACT_DATA, False),
}


def _extract(path: Path, root: Path, with_companion: bool) -> list[dict]:
    companions = (path.with_name("page.html"),) if with_companion else ()
    rel = path.relative_to(root).as_posix()
    return [doc.to_dict() for doc in extract_source(Source(path, rel, companions))]


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    docs = _extract(*CASES[name])
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("GOVSEARCH_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(docs, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: run with GOVSEARCH_UPDATE_GOLDEN=1"
    expected = json.loads(golden.read_text("utf-8"))
    assert len(docs) == len(expected)
    for got, want in zip(docs, expected, strict=True):
        # field by field, so that a failure names the field that changed
        for field in want:
            assert got[field] == want[field], f"{name}: {field}"
        assert set(got) == set(want)


def test_golden_files_have_cases() -> None:
    """A golden file whose case was removed would silently stop guarding anything."""
    names = {p.stem for p in GOLDEN.glob("*.json")}
    assert names == set(CASES)


def test_pair_is_one_document_with_the_txt_text() -> None:
    txt, root, _ = CASES["pingtan_pair"]
    alone = _extract(txt, root, False)
    paired = _extract(txt, root, True)
    assert len(paired) == 1
    assert paired[0]["body"] == alone[0]["body"]
    assert paired[0]["id"] == alone[0]["id"]
