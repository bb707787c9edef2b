"""What a reader of a binary format (PDF, Word, Excel, OFD) hands back: the text of each page.

Plain data that crosses from the reader's own process (``isolated.py``) as JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FileText:
    pages: list[str] = field(default_factory=list)  # a page (PDF, OFD), a sheet, or the document
    title: str = ""  # the file's own title (metadata), as written; judged by attachment.py
    page_count: int = 0  # pages (PDF, OFD) or sheets; 0 when the format has none (Word)
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages read by OCR
    ocr_new: int = 0  # of those, OCR'd now (not from the cache)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileText:
        return cls(**data)
