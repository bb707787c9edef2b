"""OFD (GB/T 33190, the national fixed-layout format) → one text per page, read with lxml.

An OFD file is a zip: ``OFD.xml`` names each document's root (``DocRoot``), whose
``Document.xml`` lists the pages (``Page/@BaseLoc``) and the template pages they draw on; a page's
``Content.xml`` holds ``TextObject``s (``Boundary`` x y w h in mm, y downwards) with
``TextCode`` runs. Objects are written in drawing order, not reading order (the ofdrw samples
draw a certificate's fields in any order): runs are put into lines by their baseline and into
reading order by x, and a wide gap on a line (a form's or a table's columns) is written `` | ``
(not between single characters: that is a spaced-out word).

The examples' odd paths are handled where they occur: names relative to the file that names them
or absolute from the zip's root (``/Doc_0/…``), any case (``TPLS/TPL_0`` vs ``Tpls/Tpl_0``), a
DocRoot other than ``Doc_0/Document.xml``. Seals (``Seal.esl``), signatures and embedded
attachments are not text and are not read. easyofd was judged and not used: it renders pages to
images and PDF (PyMuPDF, reportlab), far more than reading text needs.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import ExtractError
from .text_file import FileText

#: a part larger than this (uncompressed) is not parsed: a zip bomb must not fill the memory
MAX_PART_BYTES = 64 * 1024 * 1024
#: a gap wider than this many font sizes between two runs of one line separates columns
CELL_GAP = 1.5
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_NUMBER = re.compile(r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?")


@dataclass
class _Run:
    x: float
    y: float  # baseline, mm from the top
    size: float
    end: float  # x where the run's last character ends
    text: str


class _Package:
    def __init__(self, path: Path):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ExtractError(f"not a readable OFD file (not a zip: {exc})") from exc
        self.names = {info.filename.lower(): info for info in self.zip.infolist()}

    def find(self, loc: str, base: str = "") -> zipfile.ZipInfo | None:
        loc = loc.strip().replace("\\", "/")
        tries = [loc.lstrip("/")] if loc.startswith("/") else [posixpath.join(base, loc), loc]
        for name in tries:
            info = self.names.get(posixpath.normpath(name).lower())
            if info is not None:
                return info
        return None

    def xml(self, info: zipfile.ZipInfo) -> etree._Element:
        if info.flag_bits & 0x1:
            raise ExtractError("encrypted OFD file")
        if info.file_size > MAX_PART_BYTES:
            raise ExtractError(f"OFD part {info.filename} is over {MAX_PART_BYTES} bytes")
        try:
            return etree.fromstring(self.zip.read(info), _PARSER)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ExtractError(f"damaged OFD part {info.filename}: {exc}") from exc


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el.iter() if _local(c) == name]


def _text_of(el: etree._Element, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "").strip() if found else ""


def read_ofd(path: Path) -> FileText:
    package = _Package(path)
    root_info = package.find("OFD.xml")
    if root_info is None:
        raise ExtractError("not an OFD file (no OFD.xml)")
    root = package.xml(root_info)
    out = FileText(title=_text_of(root, "Title"))
    for body in _children(root, "DocBody"):
        doc_root = _text_of(body, "DocRoot")
        info = package.find(doc_root) if doc_root else None
        if info is None:
            out.warnings.append(f"OFD document root {doc_root!r} is missing")
            continue
        _read_document(package, info, out)
    if not out.pages:
        raise ExtractError("OFD file without pages")
    out.page_count = len(out.pages)
    return out


def _read_document(package: _Package, info: zipfile.ZipInfo, out: FileText) -> None:
    document = package.xml(info)
    base = posixpath.dirname(info.filename)
    templates = {
        t.get("ID"): t.get("BaseLoc", "")
        for t in _children(document, "TemplatePage")
        if t.get("BaseLoc")
    }
    for page in _children(document, "Page"):
        loc = page.get("BaseLoc")
        if not loc:
            continue
        page_info = package.find(loc, base)
        if page_info is None:
            out.warnings.append(f"OFD page {loc!r} is missing")
            out.pages.append("")
            continue
        content = package.xml(page_info)
        runs: list[_Run] = []
        for used in _children(content, "Template"):
            tpl_loc = templates.get(used.get("TemplateID"))
            tpl_info = package.find(tpl_loc, base) if tpl_loc else None
            if tpl_info is not None:
                runs += _runs(package.xml(tpl_info))
        runs += _runs(content)
        out.pages.append(_lines(runs))


def _numbers(text: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text or "")]


def _advances(delta: str | None, count: int, size: float) -> float:
    """The x advance over ``count`` characters from a DeltaX list (``g N d`` repeats d N times)."""
    values: list[float] = []
    tokens = (delta or "").split()
    i = 0
    while i < len(tokens) and len(values) < count:
        if tokens[i] == "g" and i + 2 < len(tokens):
            try:
                values += [float(tokens[i + 2])] * int(float(tokens[i + 1]))
            except ValueError:
                pass
            i += 3
            continue
        try:
            values.append(float(tokens[i]))
        except ValueError:
            pass
        i += 1
    values = values[:count]
    if len(values) < count:
        values += [values[-1] if values else size] * (count - len(values))
    return sum(values)


def _runs(content: etree._Element) -> list[_Run]:
    runs = []
    for obj in _children(content, "TextObject"):
        box = _numbers(obj.get("Boundary"))
        if len(box) < 2:
            continue
        size = (_numbers(obj.get("Size")) or [3.5])[0] or 3.5
        ctm = _numbers(obj.get("CTM"))
        if len(ctm) == 6 and ctm[0]:
            # zsbk.ofd draws its template text at Size 0.3528 scaled by a CTM of 10
            size *= abs(ctm[0])
        x, y = box[0], box[1]
        for code in _children(obj, "TextCode"):
            text = "".join((code.text or "").split())
            if not text:
                continue
            cx = x + (_numbers(code.get("X")) or [0.0])[0]
            cy = y + (_numbers(code.get("Y")) or [0.0])[0]
            last = size * (0.5 if text[-1].isascii() else 1.0)
            end = cx + _advances(code.get("DeltaX"), len(text) - 1, size) + last
            runs.append(_Run(cx, cy, size, end, text))
    return _drop_repeats(runs)


def _drop_repeats(runs: list[_Run]) -> list[_Run]:
    """A run drawn twice at (nearly) one place once: zsbk.ofd draws each character of its
    template twice (fill, then outline), which read as 建建设设."""
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for run in runs:
        key = (run.text, round(run.x / run.size * 2), round(run.y / run.size * 2))
        if key not in seen:
            seen.add(key)
            kept.append(run)
    return kept


def _lines(runs: list[_Run]) -> str:
    """Runs in reading order: lines by baseline (top down), runs by x, columns `` | `` apart."""
    lines: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (r.y, r.x)):
        if lines and abs(lines[-1][0].y - run.y) <= 0.5 * max(run.size, lines[-1][0].size):
            lines[-1].append(run)
        else:
            lines.append([run])
    out = []
    for line in lines:
        line.sort(key=lambda r: r.x)
        parts = [line[0].text]
        for prev, run in zip(line, line[1:], strict=False):
            # the smaller size: 1.ofd's 6.7 mm title is 7.6 mm from its 3.2 mm 发票代码 label
            wide = run.x - prev.end > CELL_GAP * min(prev.size, run.size)
            # single characters set wide apart are one spaced-out word (建  设  单  位)
            spaced = len(prev.text) == 1 and len(run.text) == 1
            parts.append(" | " if wide and not spaced else "")
            parts.append(run.text)
        out.append("".join(parts))
    return "\n".join(out)
