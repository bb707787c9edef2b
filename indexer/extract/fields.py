"""Metadata field helpers: labels, dates, 文号, doc_type, proposal info (no Whoosh here).

PROVISIONAL: the extraction work item fills this module; ``normalize_doc_no`` keeps its name.
"""

from __future__ import annotations

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
    }
)


def normalize_doc_no(doc_no: str) -> str:
    """文号 for matching: bracket variants unified to 〔〕, spaces dropped."""
    return "".join(doc_no.translate(_BRACKETS).split())
