"""How the made fixtures of this folder were made (run once; the files are committed).

Needs python-docx (a dependency), and xlwt and pikepdf, which only this script uses
(``python3 -m pip install xlwt pikepdf``). The ``textract.*`` files are not made here: they
are deanmalmgren/textract's ``tests/*/standardized_text.*`` (MIT licence, commit 5d9a380b56ea),
``textract.wps`` a copy of its ``.doc`` under the suffix WPS Office gives its Word 97 files.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

NOTICE = "关于做好二〇二五年防汛防台工作的通知"
FOOTNOTE = "脚注：防汛物资储备点以区应急管理局公布的名单为准。"


def make_docx() -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = NOTICE
    document.sections[0].header.paragraphs[0].text = "浦江区人民政府办公室文件"
    document.add_paragraph("浦府办发〔2025〕12号")
    document.add_paragraph(NOTICE)
    document.add_paragraph("各街道办事处、各有关单位：汛期将至，请按下表落实防汛值守责任。")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("值守单位", "责任人", "联系电话"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("滨江街道", "周海燕", "0571-8888"), strict=True):
        cell.text = text
    document.add_paragraph("浦江区人民政府办公室")
    document.add_paragraph("2025年5月20日")
    path = HERE / "防汛通知.docx"
    document.save(path)
    _add_footnote(path)


def _add_footnote(path: Path) -> None:
    """python-docx writes no footnotes: add word/footnotes.xml and its relationship by hand."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{w}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        f'<w:footnote w:id="1"><w:p><w:r><w:t>{FOOTNOTE}</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    rel_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    rels = parts["word/_rels/document.xml.rels"].decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdFoot1" Type="{rel_type}" Target="footnotes.xml"/></Relationships>',
    )
    types = parts["[Content_Types].xml"].decode()
    types = types.replace(
        "</Types>",
        f'<Override PartName="/word/footnotes.xml" ContentType="{content_type}"/></Types>',
    )
    parts["word/_rels/document.xml.rels"] = rels.encode()
    parts["[Content_Types].xml"] = types.encode()
    parts["word/footnotes.xml"] = notes.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def make_xls() -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("收支预算总表")
    rows = [
        ("2025年部门收支预算总表",),
        ("项目", "预算数", "备注"),
        ("一般公共预算拨款收入", 1234.5, "较上年增长"),
        ("政府性基金预算拨款收入", 88, ""),
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.add_sheet("说明").write(0, 0, "本表金额单位为万元，数据来自区财政局预算管理系统。")
    book.save(str(HERE / "收支预算.xls"))


def make_broken() -> None:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(HERE / "encrypted.pdf", encryption=pikepdf.Encryption(user="secret", owner="x"))
    (HERE / "truncated.docx").write_bytes((HERE / "防汛通知.docx").read_bytes()[:1500])
    (HERE / "not-a-spreadsheet.xlsx").write_bytes("这不是表格文件，只是改了后缀的文字。".encode())
    (HERE / "garbage.ofd").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    # an OLE container naming an EncryptedPackage stream, as Office stores a DOCX with a
    # password (made by hand: the header and the stream name are what the reader looks at)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    (HERE / "password.docx").write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + bytes(64))


if __name__ == "__main__":
    make_docx()
    make_xls()
    make_broken()
