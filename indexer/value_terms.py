"""Field prefixes of the query language and the exact values they look up (no engine here).

``承办单位:区交建局``, ``提案人:王强``, ``届次:六届三次``, ``反馈:不满意`` (and ``handling_unit:``,
``addressee:``, ``session:``, ``feedback:``, ``proposal_kind:``, ``proposal_no:``) select
replies by a field's value. Both engines index each reply's values as whole terms (like a 文号:
matched, not ranked): ``document_terms`` says which, and ``query_terms`` which of them a typed
value means, so that a query and the index agree on one normal form (the alias table's name of
an office, a proposer's bare name, a session's 六届三次 core).
"""

from __future__ import annotations

import re

from .agencies import canonical_unit, canonical_units
from .records import Document

#: prefix as typed (lower case, colon removed) -> the prefix the query builder knows: the text
#: prefixes (title, agency, doc_no) search words; the value prefixes (VALUE_FIELDS) look up terms
PREFIX_NAMES: dict[str, str] = {
    "title": "title",
    "标题": "title",
    "agency": "agency",
    "机构": "agency",
    "发布机构": "agency",
    "doc_no": "doc_no",
    "文号": "doc_no",
    "handling_unit": "handling_unit",
    "承办单位": "handling_unit",
    "主办单位": "handling_unit",
    "办理单位": "handling_unit",
    "addressee": "addressee",
    "提案人": "addressee",
    "建议人": "addressee",
    "提建议人": "addressee",
    "session": "session",
    "届次": "session",
    "feedback": "feedback",
    "反馈": "feedback",
    "proposal_kind": "proposal_kind",
    "类别": "proposal_kind",
    "proposal_no": "proposal_no",
    "编号": "proposal_no",
    "提案号": "proposal_no",
    "建议号": "proposal_no",
}
#: the fields whose values are looked up whole
VALUE_FIELDS: tuple[str, ...] = (
    "handling_unit",
    "addressee",
    "session",
    "feedback",
    "proposal_kind",
    "proposal_no",
)

_TITLES = re.compile(r"(?:等)?(?:委员|代表)(?:们)?$")
_NAME_SPLIT = re.compile(r"[、，,；;\s]+")
_CORE = re.compile(r"([一二三四五六七八九十〇零\d]{1,4})届.*?([一二三四五六七八九十〇零\d]{1,4})次")


def _names(addressee: str) -> list[str]:
    """``吴海英、林绍钿等代表`` -> the whole, then ``吴海英``, ``林绍钿`` (titles removed)."""
    whole = "".join(addressee.split())
    names = [_TITLES.sub("", n) for n in _NAME_SPLIT.split(addressee)]
    return list(dict.fromkeys([whole, _TITLES.sub("", whole), *[n for n in names if n]]))


def _session_core(session: str) -> str:
    """``区政协六届三次会议`` -> ``六届三次``; ``平潭县第十八届人民代表大会第二次会议`` ->
    ``十八届二次``."""
    match = _CORE.search(session)
    return f"{match.group(1)}届{match.group(2)}次" if match else ""


def document_terms(doc: Document) -> list[tuple[str, str]]:
    """The (field, value) terms a document is found by under the value prefixes."""
    terms = [("handling_unit", unit) for unit in canonical_units(doc.handling_units)]
    if doc.addressee:
        terms += [("addressee", n) for n in _names(doc.addressee)]
    if doc.session:
        session = "".join(doc.session.split())
        terms.append(("session", session))
        core = _session_core(session)
        if core:
            terms.append(("session", core))
    for name in ("feedback", "proposal_kind", "proposal_no"):
        if getattr(doc, name):
            terms.append((name, getattr(doc, name)))
    return list(dict.fromkeys(terms))


def query_terms(field: str, typed: str) -> list[str]:
    """The values of ``field`` a typed value looks up (any of them matches)."""
    value = "".join(typed.split())
    if not value:
        return []
    if field == "handling_unit":
        return [canonical_unit(value)]
    if field == "addressee":
        return list(dict.fromkeys([value, _TITLES.sub("", value)]))
    if field == "session":
        core = _session_core(value)
        whole = value if value.endswith("会议") else value + "会议"
        # 六届三次 (the core alone) finds every body's session of that number
        return [core] if core in (value, value.removesuffix("会议")) else [whole]
    if field == "proposal_no":
        digits = re.sub(r"\D", "", value)
        return [digits] if digits else []
    return [value]
