"""Which page an attachment belongs to, decided when the corpus is walked (no parsing).

A file is a page's attachment when the page links it with a relative ``href`` (an HTML page, or
the page.html beside a crawler's page.txt), or when it lies in the ``attachments/`` folder
beside a crawler's ``page.txt`` / ``page.html``. An attachment two pages link belongs to the
first of them in path order; a file no page links is a document of its own.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

#: the folder a crawler saves a page's attachments in, beside page.txt
ATTACHMENTS_FOLDER = "attachments"
PAGE_FILES = ("page.txt", "page.html")
_HTML = (".html", ".htm", ".shtml", ".xhtml")
_HREF = re.compile(
    rb"""href\s*=\s*(?:"([^"]{1,1000})"|'([^']{1,1000})'|([^\s>"']{1,1000}))""", re.I
)
#: bytes of a page read for its links (the largest real page is 313 KB)
_LINK_BYTES = 4 * 1024 * 1024


def _folder_page(rel: str, pages: set[str]) -> str:
    """The crawler page whose attachments/ folder holds ``rel``, or ""."""
    parts = PurePosixPath(rel).parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == ATTACHMENTS_FOLDER:
            folder = PurePosixPath(*parts[:i])
            for name in PAGE_FILES:
                page = (folder / name).as_posix()
                if page in pages:
                    return page
    return ""


def _hrefs(path: Path) -> list[str]:
    try:
        with path.open("rb") as fh:
            data = fh.read(_LINK_BYTES)
    except OSError:
        return []
    out = []
    for match in _HREF.finditer(data):
        raw = next(g for g in match.groups() if g is not None)
        href = raw.decode("utf-8", "replace").strip()
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            continue  # only relative links can name a file of this corpus
        out.append(unquote(parts.path))
    return out


def link_attachments(
    root: Path, pages: dict[str, Path], attachments: set[str], page_of_html: dict[str, str]
) -> dict[str, str]:
    """attachment relpath -> the relpath of the page (Source) it belongs to.

    ``pages``: relpath -> path of every page Source; ``page_of_html``: an HTML file read as
    part of a page Source (a page.html companion) -> that Source's relpath.
    """
    if not attachments:
        return {}
    found: dict[str, str] = {}
    names = set(pages) | set(page_of_html)
    for rel in sorted(attachments):
        page = _folder_page(rel, names)
        if page:
            found[rel] = page_of_html.get(page, page)
    htmls = {rel: root / rel for rel in names if rel.lower().endswith(_HTML)}
    for rel in sorted(htmls):
        base = PurePosixPath(rel).parent
        for href in _hrefs(htmls[rel]):
            target = _normalised(base / href)
            if target in attachments and target not in found:
                found[target] = page_of_html.get(rel, rel)
    return found


def _normalised(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return ""  # above the corpus root
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    return unicodedata.normalize("NFC", "/".join(parts))
