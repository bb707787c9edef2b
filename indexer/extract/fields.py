"""Metadata field helpers shared by every format: labels, dates, 文号, doc_type, proposal info.

Pure functions on strings; they return "" (or []) when the evidence is not there — never a guess.
"""

from __future__ import annotations

import re
from datetime import date

# --- labels -----------------------------------------------------------------------------------

#: label as written on real sites (spaces removed) → Document field
LABELS: dict[str, str] = {
    "索引号": "index_no",
    "文号": "doc_no",
    "发文字号": "doc_no",
    "发文文号": "doc_no",
    "公布日期": "date",
    "发布日期": "date",
    "发布时间": "date",
    "成文日期": "written_date",
    "发布机构": "agency",
    "发布单位": "agency",
    "发文机关": "agency",
    "发文单位": "agency",
    "所属机构": "agency",
    "主题分类": "category",
    "组配分类": "category",
    "信息分类": "category",
    "栏目": "category",
    "公开方式": "disclosure",
    "标题": "title",
    "原文链接": "url",
}

_LABEL_JUNK = re.compile(r"[\s\u3000\xa0:：]+")


def canonical_label(text: str) -> str:
    """``索 引 号：`` / ``标　　题`` → ``索引号`` / ``标题`` (padding spaces, U+3000 and colons)."""
    return _LABEL_JUNK.sub("", text)


def label_field(text: str) -> str | None:
    """The Document field a label names, or None."""
    return LABELS.get(canonical_label(text))


#: publisher values that name the web site or a page widget, not an issuing body (Pingtan's
#: 发布机构 is ``中国平潭`` or ``桌面`` on some pages): treated as "no agency"
SITE_NAMES = frozenset({"中国平潭", "中国平潭网", "桌面", "平潭政府网"})


def clean_value(text: str) -> str:
    """A metadata value with collapsed whitespace; placeholders meaning "none" become ""."""
    value = " ".join(text.replace("\u3000", " ").split())
    return "" if value in {"无", "暂无", "-", "--", "/", "null", "None"} else value


# --- dates ------------------------------------------------------------------------------------

_DATE_NUMERIC = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.．]|年)\s*(\d{1,2})\s*(?:[-/.．]|月)\s*(\d{1,2})(?!\d)"
)
_CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "0": 0, "０": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
# a typed 落款 mixes in a digit or a letter for the zero: 二0二四年, 二O二四年
_CN_NUM = "〇○零Ｏ0０O一二三四五六七八九十"
_DATE_CHINESE = re.compile(
    rf"([{_CN_NUM}]{{4}})\s*年\s*([{_CN_NUM}]{{1,3}})\s*月\s*([{_CN_NUM}]{{1,4}})\s*日"
)


def _cn_number(text: str) -> int | None:
    """十一 → 11, 二十 → 20, 三十一 → 31, 四 → 4 (month and day numerals)."""
    if "十" in text:
        tens, _, units = text.partition("十")
        if len(tens) > 1 or len(units) > 1:
            return None
        t = _CN_DIGITS.get(tens, None) if tens else 1
        u = _CN_DIGITS.get(units, None) if units else 0
        return None if t is None or u is None else t * 10 + u
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


def _valid(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return ""


def _chinese_date(match: re.Match[str]) -> str:
    digits = [_CN_DIGITS.get(ch) for ch in match.group(1)]
    month, day = _cn_number(match.group(2)), _cn_number(match.group(3))
    if None in digits or not month or not day:
        return ""
    return _valid(int("".join(str(d) for d in digits)), month, day)


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Every date written in ``text``: (start, end, YYYY-MM-DD) in the order written; an
    impossible date (2023-02-30) is left out rather than guessed."""
    found = [(m.start(), m.end(), _chinese_date(m)) for m in _DATE_CHINESE.finditer(text)]
    found += [
        (m.start(), m.end(), _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        for m in _DATE_NUMERIC.finditer(text)
    ]
    return sorted(d for d in found if d[2])


def parse_date(text: str) -> str:
    """The first date in ``text`` as YYYY-MM-DD, or "".

    Handles ``2024-06-03``, ``2023-10-23 08:59``, ``2019/3/2``, ``2024.6.3``, ``2006年10月18日``
    and Chinese numerals ``二○一九年十一月四日`` (○ U+25CB as well as 〇 U+3007, and the 0 or O a
    typist puts for the zero). Impossible dates give "".
    """
    numeric = _DATE_NUMERIC.search(text)
    chinese = _DATE_CHINESE.search(text)
    if chinese and (not numeric or chinese.start() < numeric.start()):
        return _chinese_date(chinese)
    if numeric:
        return _valid(int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3)))
    return ""


# --- 文号 -------------------------------------------------------------------------------------

_BRACKETS = str.maketrans(
    {
        "[": "〔",
        "]": "〕",
        "（": "〔",
        "）": "〕",
        "(": "〔",
        ")": "〕",
        "【": "〔",
        "】": "〕",
        "﹝": "〔",
        "﹞": "〕",
        "［": "〔",
        "］": "〕",
        "〖": "〔",
        "〗": "〕",
    }
)


def normalize_doc_no(doc_no: str) -> str:
    """文号 for matching: bracket variants unified to 〔〕, spaces dropped."""
    return "".join(doc_no.translate(_BRACKETS).split())


#: a 文号 as found in running text: issuer abbreviation, bracketed year, number, 号
DOC_NO_PATTERN = re.compile(
    r"[\u4e00-\u9fff]{1,12}[〔\[（(【﹝［〖]\s*(?:19|20)\d{2}\s*[〕\]）)】﹞］〗]\s*\d{1,5}\s*号"
)


def find_doc_no(text: str) -> str:
    """The first 文号 in ``text`` (as written), or ""."""
    match = DOC_NO_PATTERN.search(text)
    return match.group(0) if match else ""


# --- titles and doc_type ----------------------------------------------------------------------

#: checked in order against the end of the title: the longer, more specific names first
DOC_TYPES: tuple[str, ...] = (
    "行政处罚决定书",
    "决定书",
    "同意书",
    "批准书",
    "复函",
    "答复",
    "年度报告",
    "通知",
    "通告",
    "公告",
    "公示",
    "通报",
    "意见",
    "办法",
    "决定",
    "批复",
    "规定",
    "细则",
    "方案",
    "规划",
    "报告",
    "函",
    "提案",
    "建议",
    "议案",
    "条例",
    "解释",
    "纪要",
    "名单",
    "说明",
    "提示",
    "命令",
    "令",
)
#: names folded into one facet value
_DOC_TYPE_ALIASES = {"年度报告": "年报", "行政处罚决定书": "决定书"}
_TITLE_TAIL = re.compile(r"(?:[\s(（〔\[【][^)）〕\]】]*[)）〕\]】]|\s+\S*\d+号)+$")
_TITLE_TYPE_WINDOW = 200
_SPACED_OUT = re.compile(r"^(?:[\u4e00-\u9fff] )+[\u4e00-\u9fff]$")


def clean_title(title: str) -> str:
    """Whitespace collapsed; a spaced-out title (``使 用 林 地``) written solid."""
    title = " ".join(title.replace("\u3000", " ").split())
    return title.replace(" ", "") if _SPACED_OUT.match(title) else title


def doc_type_from_title(title: str) -> str:
    """复函, 答复, 通知, 公告, 意见, 办法, 决定, 批复, 年报 … from the end of the title, or ""."""
    # only the end of a title says its type: _TITLE_TAIL (a repeated group of unbounded parts)
    # is quadratic in a long title made of spaces and brackets, so it sees the end only
    core = _TITLE_TAIL.sub("", clean_title(title)[-_TITLE_TYPE_WINDOW:]).rstrip("。．. ")
    core = core.replace(" ", "")
    for name in DOC_TYPES:
        if core.endswith(name):
            return _DOC_TYPE_ALIASES.get(name, name)
    return ""


# --- contact ----------------------------------------------------------------------------------

_CONTACT = re.compile(r"[（(]?\s*(联系人\s*[:：].{1,80}?)\s*[)）]?$")
#: a contact line is short: _CONTACT looks at the end of a line only (its adjacent \s* were
#: quadratic, even cubic, in a long run of whitespace when it searched the whole body)
_CONTACT_WINDOW = 120


def find_contact(text: str) -> str:
    """The contact line (``联系人:卜欣,联系电话:0571-89510494``), brackets removed, or ""."""
    for line in reversed(text.splitlines()):
        end = line.rstrip()[-_CONTACT_WINDOW:]
        match = _CONTACT.search(end) if "联系人" in end else None
        if match:
            return match.group(1).strip()
    return ""
