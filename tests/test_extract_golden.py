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

The jiangxi_* / lishui_html / law_* cases read their file from ../shared/corpora (SHARED_CASES;
they skip when it is absent); their golden files keep the body only as body_start (the first
BODY_START characters), body_chars and body_sha256, so that no Jiangxi, Lishui or laws text is
committed. Rechecked by eye against the shared files after the move (2026-11-27; the bodies hash
to those of the previous full-text golden files, only id and source_path changed):
* jiangxi_html — xxgkTitle table: 索引号 014501068/2020-03530, 发文机关 江西省市场监督管理局
  (agency), 文号 赣市监党组〔2020〕16号, 主题分类 市场监管、安全生产监管 (category), 成文日期
  2020-02-28; <meta> ArticleTitle 中共江西省市场监督管理局党组关于李洪斌同志职务任免的通知
  (doc_type 通知), PubDate 2020-02-28, Url; body from 省药品监督管理局，省局机关… to 2020年2月28日,
  without the hidden 来源 line, QR code (扫一扫), print/close links.
* jiangxi_jx_text — body-only text: title, date and agency empty (no title invented from the
  salutation); body 各市、县（区）人民政府，省政府各部门：… to （此件主动公开）, 92 characters.
* lishui_html — xxgk_article table: 索引号 113325000026455663/2023-43887, 文号 丽政发〔2023〕30号,
  组配分类 市政府文件, 发布机构 市政府, 成文日期 2023-10-16, 公开方式 主动公开; 发布时间 2023-10-23;
  title from <title> (doc_type 通知); body from 莲都区人民政府，市直各单位： with the 安置任务表
  kept as ``cell | cell`` rows (序号 | 安置单位名称 | 安置任务 | 岗位类别 … 合计 | 29), no 浏览次数
  or 信息来源 line, no share/footer text (the attachment's PDF file name is its last line).
* law_version_md — title 中华人民共和国国歌法 from the ``# `` line, date 2017-09-01 from the file
  name; body from the 2017年9月1日 …通过 history line to 附件：…, <!-- INFO END --> dropped.
* law_no_version_md — title 中华人民共和国刑法修正案（三）, date 2001-12-29 from the first history
  line; body from that line to 九、本修正案自公布之日起施行。, <!-- INFO END --> dropped.
* ids and source_path are those of an index of ../shared/corpora (relpath such as
  jiangxi-gov-html/html/art_14075_1574386.html; checked against extract_document(..., root=)).

* records_json — record 0 assembled from the Pingtan gwhwj 批复 60970 (corpus/): 标题,
  索引号 PZ00101-1300-2016-00001, 文号 岚综管综〔2016〕178号, 发文机关 平潭综合实验区管委会
  (agency), 成文日期 2016-07-18, 发布日期 2016-07-19 11:30 → 2016-07-19, 栏目 → category,
  doc_type 批复, 原文链接 → url; unknown key 有效性 ignored; the HTML 正文 becomes text (the small
  table as ``cell | cell`` rows, its <script> dropped). Record 1 the Pingtan 人大建议 reply 37906:
  addressee, handling_units, proposal_kind 建议, doc_type 答复; views/nested ignored.
* records_jsonl (unchanged; it held no Lishui text) — the seed as a record (mapped
  发布单位/公布日期/索引号, empty 文号), the Pingtan 37906 record; the blank line not counted, the
  invalid line (record 1) and the 短 record (record 2, too little text) skipped with warnings.
"""

from __future__ import annotations

import hashlib
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


#: cases whose file is in ../shared/corpora (never copied into the repo), by their path there;
#: the relpath is the one an index of ../shared/corpora gives the file, so the ids match its ids
SHARED_CASES: dict[str, str] = {
    "jiangxi_html": "jiangxi-gov-html/html/art_14075_1574386.html",
    "jiangxi_jx_text": "jiangxi-gov-html/JX_text/art_4980_1515143.txt",
    "lishui_html": "lishui-xxgk-html/lishui_detail.html",
    "law_version_md": "lawrefbook-laws/宪法相关法/国歌法(2017-09-01).md",
    "law_no_version_md": "lawrefbook-laws/刑法/刑法修正案（三）.md",
}

CASES: dict[str, tuple[Path, Path, bool]] = {
    # name: (file, root its relpath is taken from, read page.html companion)
    "seed": (CORPUS / "seed" / "000_ae3ff73dc60525ac.txt", CORPUS, False),
    "pingtan_rdya_txt": (_one("zdlyxxgk/yata/rdya/202211/37912_*/page.txt"), CORPUS, False),
    "pingtan_zxta_txt": (_one("zdlyxxgk/yata/zxta/202211/38162_*/page.txt"), CORPUS, False),
    "pingtan_zxta_2023_txt": (_one("zdlyxxgk/yata/zxta/202312/82873_*/page.txt"), CORPUS, False),
    "pingtan_gwhwj_txt": (_one("zfxxgk/gwhwj/cxjshgldzd/201607/60970_*/page.txt"), CORPUS, False),
    "pingtan_pair": (_one("zdlyxxgk/yata/rdya/202211/37906_*/page.txt"), CORPUS, True),
    "pingtan_trs_html": (_one("zdlyxxgk/yata/zxta/202211/38112_*/page.html"), CORPUS, False),
    "records_json": (EXTRACT_DATA / "records.json", EXTRACT_DATA, False),
    "records_jsonl": (EXTRACT_DATA / "records.jsonl", EXTRACT_DATA, False),
}

#: characters of a shared case's body kept in its golden file (the rest only as a digest)
BODY_START = 60


def _extract(path: Path, root: Path, with_companion: bool) -> list[dict]:
    companions = (path.with_name("page.html"),) if with_companion else ()
    rel = path.relative_to(root).as_posix()
    return [doc.to_dict() for doc in extract_source(Source(path, rel, companions))]


def _without_body(doc: dict) -> dict:
    """The golden form of a shared case: its body as start + length + sha256, not the text.

    The golden files are committed; the Jiangxi, Lishui and laws texts must not be.
    """
    out: dict = {}
    for key, value in doc.items():
        if key == "body":
            out["body_start"] = value[:BODY_START]
            out["body_chars"] = len(value)
            out["body_sha256"] = hashlib.sha256(value.encode("utf-8")).hexdigest()
        else:
            out[key] = value
    return out


def _case(name: str, request: pytest.FixtureRequest) -> list[dict]:
    if name in SHARED_CASES:
        root = request.getfixturevalue("shared_corpora")  # skips when absent
        return [_without_body(d) for d in _extract(root / SHARED_CASES[name], root, False)]
    return _extract(*CASES[name])


@pytest.mark.parametrize("name", sorted([*CASES, *SHARED_CASES]))
def test_golden(name: str, request: pytest.FixtureRequest) -> None:
    docs = _case(name, request)
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
    assert names == set(CASES) | set(SHARED_CASES)


def test_pair_is_one_document_with_the_txt_text() -> None:
    txt, root, _ = CASES["pingtan_pair"]
    alone = _extract(txt, root, False)
    paired = _extract(txt, root, True)
    assert len(paired) == 1
    assert paired[0]["body"] == alone[0]["body"]
    assert paired[0]["id"] == alone[0]["id"]
