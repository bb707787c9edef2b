"""Word files → text: DOCX with python-docx, DOC and WPS with Debian's antiword (catdoc after).

DOCX: the body's paragraphs and tables in document order (a table row's cells `` | `` apart, as
the HTML extractor writes them), then headers, footers, footnotes and endnotes, each once.
DOC / WPS (WPS Office's own suffix for its Word 97 binary files): ``antiword`` keeps paragraphs
and writes tables as ``|cell|cell|`` rows; ``catdoc`` reads some files antiword refuses (it
reads no tables).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import ExtractError
from .text_file import FileText

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: the stream an encrypted OOXML file (a password-protected DOCX/XLSX) keeps its package in
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: seconds one antiword/catdoc run may take (the file's own limit stops the whole reader)
TOOL_SECONDS = 120


def read_docx(path: Path) -> FileText:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        if _ENCRYPTED in path.read_bytes():
            raise ExtractError("encrypted Word file (password-protected)")
        return read_doc(path)  # an old binary .doc under a .docx name
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractError(f"not a readable DOCX file ({exc or type(exc).__name__})") from exc
    except Exception as exc:  # zipfile.BadZipFile, lxml's XMLSyntaxError on a damaged part
        raise ExtractError(f"not a readable DOCX file ({type(exc).__name__}: {exc})") from exc
    lines = _body_lines(document)
    seen: set[str] = set()
    for section in document.sections:
        for part in (section.header, section.footer):
            for paragraph in part.paragraphs:
                text = paragraph.text.strip()
                if text and text not in seen:
                    seen.add(text)
                    lines.append(text)
    for part in document.part.package.parts:
        if str(part.partname) in ("/word/footnotes.xml", "/word/endnotes.xml"):
            lines += _notes(part.blob)
    return FileText(pages=["\n".join(lines)], title=(document.core_properties.title or ""))


def _body_lines(document) -> list[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            lines.append(Paragraph(child, document).text.strip())
        elif child.tag == f"{_W}tbl":
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    # a merged cell comes back once per grid column it spans
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                if cells:
                    lines.append(" | ".join(cells))
    return [line for line in lines if line]


def _notes(blob: bytes) -> list[str]:
    from lxml import etree

    root = etree.fromstring(blob, etree.XMLParser(resolve_entities=False, no_network=True))
    notes = []
    for note in root:
        # ids -1 and 0 are Word's separator "notes", not text
        if note.get(f"{_W}id") in ("-1", "0"):
            continue
        text = "".join(t.text or "" for t in note.iter(f"{_W}t")).strip()
        if text:
            notes.append(text)
    return notes


def read_doc(path: Path) -> FileText:
    """DOC / WPS with antiword, else catdoc; ExtractError with both tools' reasons."""
    reasons = []
    for command in (
        ["antiword", "-m", "UTF-8.txt", "-w", "0", str(path)],
        ["catdoc", "-d", "utf-8", "-w", str(path)],
    ):
        if shutil.which(command[0]) is None:
            reasons.append(f"{command[0]} is not installed")
            continue
        try:
            done = subprocess.run(command, capture_output=True, timeout=TOOL_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            reasons.append(f"{command[0]} took over {TOOL_SECONDS} s")
            continue
        text = done.stdout.decode("utf-8", "replace")
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if done.returncode == 0 and text.strip():
            return FileText(pages=[text])
        if problem and "encrypt" in problem[0].lower():
            raise ExtractError("encrypted Word file (password-protected)")
        reasons.append(f"{command[0]}: {problem[0] if problem else 'no text'}")
    raise ExtractError("not a readable Word file (" + "; ".join(reasons) + ")")
