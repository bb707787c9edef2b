"""Field helpers (dates, 文号, doc_type, labels, proposal info, contact) on real pages' strings."""

from __future__ import annotations

import pytest

from indexer.extract.fields import (
    canonical_label,
    clean_title,
    clean_value,
    doc_type_from_title,
    find_contact,
    find_doc_no,
    label_field,
    normalize_doc_no,
    parse_date,
)
from indexer.extract.labels import split_labelled
from indexer.extract.proposals import find_handling_units, find_salutation, split_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-03", "2024-06-03"),
        ("2023-10-23 08:59", "2023-10-23"),
        ("发布日期: 2024-06-03 16:46", "2024-06-03"),
        ("2006年10月18日", "2006-10-18"),
        ("平潭综合实验区管委会 2016年7月18日", "2016-07-18"),
        ("2019/3/2", "2019-03-02"),
        ("二○一九年十一月四日", "2019-11-04"),  # ○ U+25CB, as written in 落款
        ("二〇一二年四月十六日", "2012-04-16"),  # 〇 U+3007
        ("二〇二三年十二月三十一日", "2023-12-31"),
        ("一九八二年十二月四日", "1982-12-04"),
        ("二〇二四年六月三日", "2024-06-03"),
        ("二0二四年六月三日", "2024-06-03"),  # a typed 0 for the zero
        ("2024.6.3", "2024-06-03"),
        ("2024．6．3", "2024-06-03"),
        ("2024 年 6 月 3 日", "2024-06-03"),
        ("2023-02-30", ""),  # no such day: nothing rather than a wrong date
        ("第13号", ""),
        ("", ""),
    ],
)
def test_parse_date(text: str, expected: str) -> None:
    assert parse_date(text) == expected


def test_parse_date_takes_the_first_date() -> None:
    assert parse_date("公示时间：2019年10月14日至2018年10月18日") == "2019-10-14"
    assert parse_date("二○一九年十一月四日印发，2020-01-01施行") == "2019-11-04"


@pytest.mark.parametrize(
    "variant",
    ["岚综管办〔2016〕83号", "岚综管办[2016]83号", "岚综管办（2016）83号", "岚综管办【2016】83号",
     "岚综管办﹝2016﹞83号", "岚综管办(2016)83号", "岚综管办 〔2016〕 83号"],
)  # fmt: skip
def test_doc_no_brackets_normalise_to_one_form(variant: str) -> None:
    assert normalize_doc_no(variant) == "岚综管办〔2016〕83号"


def test_find_doc_no_as_written() -> None:
    text = "根据《平潭综合实验区殡葬专项整治工作暂行规定》（岚综管办[2016]83号），凡…"
    assert find_doc_no(text) == "岚综管办[2016]83号"
    assert find_doc_no("没有文号的句子。") == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("关于区政协六届三次会议第13号提案的复函", "复函"),
        ("平潭综合实验区管委会关于同意成立北厝镇如意社区居民委员会的批复", "批复"),
        ("平潭综合实验区2022年度政府信息公开工作年度报告", "年报"),
        ("政府工作报告（2017）", "报告"),
        ("平潭综合实验区教育局关于调整2017届高三毕业班春季开学时间的通知的通知", "通知"),
        ("平潭综合实验区自然资源与生态环境局行政处罚决定书 闽岚环罚〔2019〕14号", "决定书"),
        ("使 用 林 地 审 核 同 意 书", "同意书"),
        ("江西省人民政府关于以“两好”推进日常性新冠肺炎疫情防控工作的实施意见", "意见"),
        ("拖拉机和联合收割机驾驶证注销公告", "公告"),
        ("2022年11月及1-11月平潭环境空气质量", ""),
    ],
)
def test_doc_type_from_title(title: str, expected: str) -> None:
    assert doc_type_from_title(title) == expected


def test_spaced_out_title_is_written_solid_but_normal_titles_keep_their_spaces() -> None:
    assert clean_title("使 用 林 地 审 核 同 意 书") == "使用林地审核同意书"
    assert clean_title("平潭综合实验区管委会 关于进一步加强耕地保护的紧急通知") == (
        "平潭综合实验区管委会 关于进一步加强耕地保护的紧急通知"
    )


@pytest.mark.parametrize(
    ("label", "field"),
    [("索 引 号：", "index_no"), ("标　　题", "title"), ("发文字号:", "doc_no"),
     ("发布机构", "agency"), ("发布单位", "agency"), ("发文机关", "agency"),
     ("成文日期", "written_date"), ("组配分类", "category"), ("主题分类", "category"),
     ("公布日期", "date"), ("公开方式", "disclosure")],
)  # fmt: skip
def test_label_variants(label: str, field: str) -> None:
    assert label_field(label) == field


def test_canonical_label_and_placeholder_values() -> None:
    assert canonical_label("有 效 性：") == "有效性"
    assert clean_value("无") == ""
    assert clean_value("  岚综管综〔2016〕178号 ") == "岚综管综〔2016〕178号"


def test_addressee_contact_and_handling_units() -> None:
    assert find_salutation("王强委员:\n您在…") == "王强委员"
    assert find_salutation("陈朝雄代表：\n…") == "陈朝雄代表"
    assert find_salutation("各区县人民政府：\n…") == ""
    assert find_contact("…支持!\n(联系人:卜欣,联系电话:0571-89510494)") == (
        "联系人:卜欣,联系电话:0571-89510494"
    )
    opening = "经我局主办,区发改经信局、区科技局、区市场监管局、区投促局等单位会办,并报区政府"
    assert find_handling_units(opening, "区商务局(区金融办)") == [
        "区商务局",
        "区发改经信局",
        "区科技局",
        "区市场监管局",
        "区投促局",
    ]
    assert split_units("君山片区管理局、区旅游与文化体育局、区农业农村局") == [
        "君山片区管理局",
        "区旅游与文化体育局",
        "区农业农村局",
    ]


def test_split_labelled_run_together_fields() -> None:
    text = (
        "事 由：关于建设国彩村至大嵩岛客运码头的建议提 案 人：吴海英、林绍钿等代表"
        "承办单位：区交通与建设局"
    )
    before, pairs = split_labelled(text, ("事由", "提案人", "承办单位"))
    assert before == ""
    assert pairs == [
        ("事由", "关于建设国彩村至大嵩岛客运码头的建议"),
        ("提案人", "吴海英、林绍钿等代表"),
        ("承办单位", "区交通与建设局"),
    ]


def test_dates_with_dots_and_chinese_numerals_are_read_in_every_layout(tmp_path) -> None:
    from indexer.extract import extract_document

    crawler = tmp_path / "a" / "page.txt"
    crawler.parent.mkdir()
    crawler.write_text(
        "标题: 关于开展消防安全检查的通知\n发布时间: 2024.6.3\n文号: \n发布机构: 区应急管理局\n"
        "栏目: 通知公告\n原文链接: \n==================== 正文 ====================\n"
        "索 引 号： PZ00101-1300-2024-00001 成文日期： 二〇二四年五月三十日 发布日期： 2024.6.3 "
        "时间：2024-06-03 09:00 微信 微博 QQ空间 各乡镇：为做好消防安全工作，现通知如下。",
        "utf-8",
    )
    doc = extract_document(crawler)
    assert doc.date == "2024-06-03"
    page = tmp_path / "b.html"
    page.write_text(
        "<html><head><title>关于开展消防安全检查的通知</title></head><body>"
        "<table><tr><td>成文日期：</td><td>二〇二四年五月三十日</td>"
        "<td>发布日期：</td><td>2024.6.3</td></tr></table>"
        "<div>各乡镇：为做好消防安全工作，现通知如下。</div></body></html>",
        "utf-8",
    )
    doc = extract_document(page)
    assert (doc.written_date, doc.date) == ("2024-05-30", "2024-06-03")
