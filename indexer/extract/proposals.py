"""Replies to proposals (政协提案) and suggestions (人大代表建议) read into exact fields.

Two layouts carry them: a letter (``关于区政协六届三次会议第13号提案的复函`` / ``王强委员：`` /
``经我局主办，…等单位会办`` / 落款 and date) and a handling record (``事由/案由 提案人 承办单位
代表反馈 办理情况``, read by ``replies.py`` before this module runs). ``read_reply`` decides
what a document is — one reply, a session list (the 办理情况 of a whole session), or neither —
and keeps only the fields that kind of page has: a document that is no reply has every reply
field empty, since an invented value is worse than none.
"""

from __future__ import annotations

import re

from ..records import REPLY_FIELDS, Document
from .fields import find_dates

_ORDINAL = r"[一二三四五六七八九十〇零\d]{1,4}"
# 区政协六届三次会议 / 政协十三届全国委员会第四次会议 / 十届全国人大四次会议 /
# 平潭县第十八届人民代表大会第二次会议: a name, 届, a body, 次会议
_SESSION = (
    rf"[\u4e00-\u9fff]{{0,16}}?第?{_ORDINAL}届[\u4e00-\u9fff]{{0,10}}?第?{_ORDINAL}次(?:全体)?会议"
)
_SESSION_RE = re.compile(_SESSION)
# what is glued in front of a session without being its name: 国务院办公厅对…, 关于…,
# 全区政协工作会议暨…, 您在…, 2023年…
_SESSION_PREFIX = re.compile(
    r"^.*(?:对|于|暨|在|的|将|就|向|及|和|与|、|[，,。：:（(《“]|\d{4}年度?)"
)
# 第13号提案 / 第7240号建议 / 第0234号（财税金融类044号）提案 / 第5号代表建议
_NUMBERED = re.compile(
    r"第\s*(?P<no>\d{1,6})\s*号\s*(?:[（(][^）)]{0,20}[)）])?\s*(?:代表|委员)?"
    r"(?P<kind>提案|建议|议案)"
)
# 您在区政协六届三次会议上提出的《…》(第13号) / 你们提出的关于…的建议（第7240号）
_OPENING_NUMBER = re.compile(r"提出的.{0,160}?[（(]\s*第\s*(?P<no>\d{1,6})\s*号\s*[)）]", re.S)
# 关于…建议的答复 / 提案答复的函: a title that says the page answers a proposal or suggestion
_ANSWER_TITLE = re.compile(r"(?:提案|建议|议案)(?:的)?(?:答复|复函|回复|办理答复)")
# the salutation: names (2-4 characters, 、-separated, 等) and 委员 / 代表, at a line's start
_SALUTATION = re.compile(
    r"(?:^|(?<=[\s\n。！!]))(?:尊敬的)?(?P<who>(?:[\u4e00-\u9fff]{2,4}(?:委员|代表)?[、，,]){0,12}"
    r"[\u4e00-\u9fff]{1,4}(?:等(?:\d{1,3}|[一二三四五六七八九十]{1,3})?位?)?(?:委员|代表)(?:们)?)"
    r"\s*[:：]"
)
# a proposal of a party, a federation or a group: its name alone on the letter's first lines
_BODY_SALUTATION = re.compile(
    r"^\s*(?P<who>(?:(?:中国)?(?:民革|民盟|民建|民进|农工党|致公党|九三学社|台盟|工商联)"
    r"[\u4e00-\u9fff]{0,16}|[\u4e00-\u9fff]{2,16}(?:委员会|支部|总支|支社|基层委|联合会|商会|界别))"
    r")\s*[:：]\s*$",
    re.M,
)
_SELF_REFERENCE = ("我局", "我委", "我办", "我厅", "我部", "我院", "我处", "我署", "我中心",
                   "我单位", "本局", "本单位")  # fmt: skip
_UNIT = r"[\u4e00-\u9fff()（）]{2,30}?"
_UNITS = r"[\u4e00-\u9fff()（）、，,和及]{2,240}?"
# 经我局主办，区发改经信局、区科技局等单位会办 / 由我委牵头，会同财政部、教育部 /
# 经商财政部、教育部 (the bodies consulted by the replying office)
_LEAD_AND_CO = re.compile(
    rf"(?:经|由)(?P<lead>{_UNIT})(?:主办|牵头)(?:办理)?[，,、]?\s*(?:会同|联合)?(?P<co>{_UNITS})"
    r"(?:等(?:单位|部门))?(?:会办|协办|配合|共同|办理|研究|[，,。])"
)
_CONSULTED = re.compile(
    # 经商务局… is the 商务局, not a consultation
    rf"经(?:征求|会商|商(?![务业贸]))(?P<co>{_UNITS})(?:等(?:单位|部门))?(?:意见|同意|[，,。])"
)
_SELF_AND_CO = re.compile(
    rf"(?P<lead>{'|'.join(_SELF_REFERENCE)})(?:会同|联合)(?P<co>{_UNITS})(?:等(?:单位|部门))?"
    r"(?:进行了|认真|对|共同|办理|研究|[，,。])"
)
_UNIT_SPLIT = re.compile(r"[、，,；;]\s*|(?<=[局委办厅部院处室司中心署会])(?:和|及)")
_PARENTHESIS = re.compile(r"[(（][^)）]*[)）]")
# a session list: the handling of a whole session's proposals, or a table of them
_LIST_TITLE = re.compile(
    r"(?:提案|建议|议案)(?:和|及|、|与|[\u4e00-\u9fff]{0,6})?(?:的)?(?:办理|答复|办复)(?:工作)?"
    r"(?:情况|结果|进展)(?:的)?(?:报告|通报|汇总|公开|公示|统计|一览表|表)?$"
    r"|(?:提案|建议|议案)(?:办理)?(?:情况)?(?:汇总表|一览表|目录|清单)"
)
# a letter that records the proposer's verdict as a labelled line (代表反馈：满意, 委员对办理
# 结果的意见：基本满意); a satisfied tone in the text is no record
_FEEDBACK_LINE = re.compile(
    r"(?:代表|委员|提案人|建议人)(?:反馈|意见|对(?:办理|答复)(?:结果|情况)?的?(?:意见|评价|反馈))"
    r"\s*[:：]\s*(?P<value>不\s*满\s*意|基\s*本\s*满\s*意|满\s*意)"
)
_BRACKET_TAIL = re.compile(r"(?:[（(][^（()）]*[)）])+$")
_TRAILER = re.compile(r"(?:[（(]?\s*(?:联系人|联系电话|此件|抄送|附件)[^\n]*|\s)+$")


def split_units(text: str) -> list[str]:
    """``区发改经信局、区科技局等单位`` → ``["区发改经信局", "区科技局"]``."""
    units = []
    for part in _UNIT_SPLIT.split(text.strip()):
        part = re.sub(r"等(?:单位|部门)?$", "", part.strip(" 。.\u3000"))
        part = "".join(part.split())
        if part and part not in units:
            units.append(part)
    return units


def clean_session(text: str) -> str:
    """A session as written: no glued prefix (国务院办公厅对…, …工作会议暨), no line-break
    spaces."""
    text = "".join(text.split())
    return _SESSION_PREFIX.sub("", text)


def find_session(text: str) -> str:
    """The first session named in ``text`` (``区政协六届三次会议``), or ""."""
    match = _SESSION_RE.search("".join(text.split()))
    return clean_session(match.group(0)) if match else ""


def channel_kind(text: str) -> str:
    """提案 when the text names the CPPCC (政协), 建议 when it names the people's congress
    (人大, 人民代表大会); "" when it names neither or both."""
    cppcc = "政协" in text or "政治协商" in text
    congress = "人大" in text or "人民代表大会" in text
    if cppcc == congress:
        return ""
    return "提案" if cppcc else "建议"


def normalize_feedback(text: str) -> str:
    """满意 / 基本满意 / 不满意 from a recorded feedback (``满 意`` → 满意), or ""."""
    value = "".join(text.split())
    if "不满意" in value:
        return "不满意"
    if "满意" in value and "基本" in value:
        # one page writes 满意基本 for 基本满意
        return "基本满意"
    return "满意" if value.startswith("满意") or value.endswith("满意") else ""


def find_salutation(body: str) -> str:
    """The addressee of a letter (``王强委员``, ``邓乃扬、韩汝琦委员``) in its first lines."""
    for match in _SALUTATION.finditer(body[:400]):
        who = match.group("who").removeprefix("尊敬的")
        # 各位委员： / 各代表： greet everyone, not a proposer
        if not who.startswith(("各", "全体", "尊敬")):
            return who
    return ""


def find_group_salutation(body: str) -> str:
    """The proposing party or group a letter greets (``九三学社西湖区支社``), on a line of its
    own among the first three; asked only of a page already known to be a reply."""
    head = "\n".join(body.splitlines()[:3])
    match = _BODY_SALUTATION.search(head)
    return match.group("who") if match else ""


def _self_name(agency: str) -> str:
    """我局 is the publishing agency; its name without a parenthesised second name."""
    return _PARENTHESIS.sub("", agency).strip()


def find_handling_units(text: str, agency: str = "") -> list[str]:
    """Lead unit first, then the others in the order written, from a letter's opening."""
    lead, co = "", ""
    match = _LEAD_AND_CO.search(text) or _SELF_AND_CO.search(text)
    if match:
        lead, co = match.group("lead"), match.group("co")
    else:
        consulted = _CONSULTED.search(text)
        if consulted:
            # 经商… names the bodies the replying office consulted: it leads the reply
            lead, co = agency, consulted.group("co")
    if not match and not co:
        return []
    lead = lead.removeprefix("由").removeprefix("经")
    if lead in _SELF_REFERENCE or not lead:
        lead = _self_name(agency)
    units = [lead] if lead else []
    return units + [u for u in split_units(co) if u not in units and u not in _SELF_REFERENCE]


def find_reply_date(body: str) -> str:
    """The date of the 落款 at the letter's end (``2024年6月3日``, ``二〇二四年六月三日``,
    ``2024.6.3``), or "" when the letter ends undated."""
    tail = _TRAILER.sub("", body[-400:])
    dates = find_dates(tail)
    if not dates:
        return ""
    start, end, iso = dates[-1]
    # the 落款 date ends the letter: at most its 日 and a closing bracket after it
    return iso if not tail[end:].strip(" \u3000日号)）】]") else ""


_SIGNER = re.compile(
    r"(?:^|\n)\s*(?P<who>[\u4e00-\u9fff（）()]{2,30}?(?:局|委|部|办|厅|院|会|府|中心|室|署|处|公司))\s*$"
)


def find_signer(body: str) -> str:
    """The body that signs the letter (the 落款 line above its date), or ""."""
    tail = _TRAILER.sub("", body[-400:])
    dates = find_dates(tail)
    if not dates or tail[dates[-1][1] :].strip(" \u3000日号)）】]"):
        return ""
    match = _SIGNER.search(tail[: dates[-1][0]].rstrip())
    return match.group("who") if match else ""


def is_session_list(title: str) -> bool:
    """A page about a whole session's replies (办理情况 of 139 提案, a table of them)."""
    # a bracketed tail (（第一批）, (2023年)) is no part of what the page is
    core = _BRACKET_TAIL.sub("", "".join(title.split()))
    return bool(_LIST_TITLE.search(core)) and not _NUMBERED.search(core)


def _opening_number(opening: str) -> str:
    match = _OPENING_NUMBER.search(opening)
    return match.group("no") if match else ""


def _opening_session(opening: str) -> str:
    """The session of the sentence that acknowledges the proposal (您在…会议上提出的…收悉),
    not a meeting the reply cites later."""
    for sentence in re.split(r"[。！!]", opening[:400]):
        if "提出" in sentence or "收悉" in sentence:
            return find_session(sentence)
    return ""


def _clear(doc: Document, names: tuple[str, ...]) -> None:
    for name in names:
        setattr(doc, name, [] if name == "handling_units" else "")


def read_reply(doc: Document) -> None:
    """Fill the reply fields of ``doc`` (some may be set already by its layout: a handling
    record, a JSON record) and mark the page a reply, a session list, or neither."""
    title = "".join(doc.title.split())
    opening = doc.body[:600]
    recorded = bool(doc.addressee or doc.handling_units or doc.feedback or doc.proposal_no)
    # a handling record is one reply whatever its title says
    if not recorded and is_session_list(title):
        session = doc.session or find_session(title) or find_session(opening)
        kind = doc.proposal_kind or channel_kind(session or title)
        _clear(doc, REPLY_FIELDS)
        doc.session, doc.proposal_kind = session, kind
        doc.kind_of_page = "session_list"
        return
    # the number as the title writes it (第13号提案), else as the opening does
    numbered = _NUMBERED.search(title) or _NUMBERED.search(opening[:300])
    opening_no = _opening_number(opening)
    salutation = find_salutation(doc.body)
    replying = doc.doc_type in {"复函", "答复", "回复", "函"} or "答复" in title or "复函" in title
    answering = bool(_ANSWER_TITLE.search(title))
    if not (recorded or numbered or opening_no or answering or (replying and salutation)):
        _clear(doc, REPLY_FIELDS)
        doc.kind_of_page = ""
        return
    doc.kind_of_page = "reply"
    doc.session = clean_session(doc.session) or find_session(title) or _opening_session(opening)
    if not doc.proposal_no:
        doc.proposal_no = numbered.group("no") if numbered else opening_no
    if not doc.addressee:
        doc.addressee = salutation or find_group_salutation(doc.body)
    if not doc.handling_units:
        # 我局 is the publisher; a letter read without its page names it in the 落款
        doc.handling_units = find_handling_units(opening, doc.agency or find_signer(doc.body))
    if not doc.feedback:
        recorded_feedback = _FEEDBACK_LINE.search(doc.body)
        doc.feedback = (
            normalize_feedback(recorded_feedback.group("value")) if recorded_feedback else ""
        )
    if not doc.reply_date:
        doc.reply_date = find_reply_date(doc.body)
    # the 落款 date is the letter's 成文日期 when its page states none
    doc.written_date = doc.written_date or doc.reply_date
    if not doc.proposal_kind:
        doc.proposal_kind = _kind_of(doc, numbered, opening)


def _kind_of(doc: Document, numbered: re.Match[str] | None, opening: str) -> str:
    """The channel the document names decides, not the last word of the title: a 政协
    proposal titled 关于…的建议 is a 提案."""
    number_kind = numbered.group("kind") if numbered else ""
    if number_kind == "议案":
        return "议案"
    by_channel = channel_kind(doc.session)
    if by_channel:
        return by_channel
    if number_kind:
        return number_kind
    if doc.addressee.endswith(("委员", "委员们")):
        return "提案"
    if doc.addressee.endswith(("代表", "代表们")):
        return "建议"
    return channel_kind(opening[:200])
