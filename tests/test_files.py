"""Attachments in the web app: ``/files/<id>`` serves an indexed attachment's original file and
nothing else; a page lists its attachments; an attachment shows its page, its download link and
its OCR text labelled; the ``file_type`` facet on the result page and in the API."""

from __future__ import annotations

import os
import shutil
from urllib.parse import quote

import pytest
from conftest import DATA, make_linked_corpus

from indexer.extract import make_id
from indexer.records import Document
from indexer.whoosh.build import build_index
from webui.app import close_engine, create_app
from webui.pages import body_blocks, ocr_spans

SHEET = "files/收支预算.xls"
NOTICE = "crawl/123/attachments/防汛通知.docx"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("files_site")
    corpus = make_linked_corpus(base / "corpus")
    outside = base / "outside"
    outside.mkdir()
    shutil.copy(DATA / "attachments" / "收支预算.xls", outside / "secret.xls")
    # a symlink inside the corpus to a file outside it: indexed, never served
    os.symlink(outside / "secret.xls", corpus / "files" / "link.xls")
    # an attachment the build skips (encrypted): its page lists it without a link
    shutil.copy(DATA / "attachments" / "encrypted.pdf", corpus / "crawl/123/attachments/加密.pdf")
    index_dir = base / "index"
    build_index(corpus, index_dir, progress=False)
    app = create_app({"INDEX": str(index_dir), "TESTING": True})
    yield app.test_client(), corpus
    close_engine(app)


def test_download_serves_the_original_with_its_name_and_type(site) -> None:
    client, corpus = site
    response = client.get(f"/files/{make_id(SHEET)}")
    data = response.get_data()
    response.close()  # send_file streams from an open file
    assert response.status_code == 200
    assert data == (corpus / SHEET).read_bytes()
    assert response.mimetype == "application/vnd.ms-excel"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('收支预算.xls')}" in disposition  # RFC 5987
    assert f'filename="{make_id(SHEET)}.xls"' in disposition  # an ASCII fallback
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    docx = client.get(f"/files/{make_id(NOTICE)}")
    docx.close()
    assert docx.mimetype.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    "url",
    [
        f"/files/{make_id('pages/notice.html')}",  # a page: indexed, but not a file to serve
        "/files/0000000000000000",  # no such document
        "/files/..%2F..%2Fetc%2Fpasswd",
        "/files/../api/search",
        "/files/%2e%2e",
    ],
)
def test_download_serves_nothing_else(site, url: str) -> None:
    client, _ = site
    response = client.get(url)
    assert response.status_code == 404
    assert b"secret" not in response.data and b"root:" not in response.data


def test_download_refuses_a_symlink_out_of_the_corpus(site) -> None:
    client, _ = site
    doc = client.get(f"/api/documents/{make_id('files/link.xls')}").get_json()
    assert doc["file_type"] == "Excel"  # it was indexed …
    assert client.get(f"/files/{doc['id']}").status_code == 404  # … but is not served


def test_download_refuses_a_file_swapped_for_a_symlink_after_indexing(site, tmp_path) -> None:
    client, corpus = site
    target = corpus / "standalone.ods"
    keep = tmp_path / "standalone.ods"
    shutil.move(target, keep)
    os.symlink("/etc/passwd", target)
    try:
        assert client.get(f"/files/{make_id('standalone.ods')}").status_code == 404
    finally:
        target.unlink()
        shutil.move(keep, target)
    served = client.get(f"/files/{make_id('standalone.ods')}")
    served.close()
    assert served.status_code == 200
    assert served.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    assert served.headers["Content-Disposition"] == (
        "attachment; filename=\"standalone.ods\"; filename*=UTF-8''standalone.ods"
    )


def test_api_page_lists_its_attachments(site) -> None:
    client, corpus = site
    page = client.get(f"/api/documents/{make_id('pages/notice.html')}").get_json()
    sheet_id = make_id(SHEET)
    assert page["attachments"] == [
        {
            "id": sheet_id,
            "name": "收支预算.xls",
            "type": "Excel",
            "size": (corpus / SHEET).stat().st_size,
            "pages": 2,
            "url": f"/files/{sheet_id}",
        }
    ]
    sheet = client.get(f"/api/documents/{sheet_id}").get_json()
    assert sheet["parent_id"] == page["id"] and sheet["parent_title"] == page["title"]
    assert sheet["download_url"] == f"/files/{sheet_id}"
    assert page["download_url"] == ""


def test_a_skipped_attachment_is_listed_without_a_link(site) -> None:
    client, _ = site
    page = client.get(f"/api/documents/{make_id('crawl/123/page.txt')}").get_json()
    skipped = next(a for a in page["attachments"] if a["name"] == "加密.pdf")
    assert (skipped["type"], skipped["pages"], skipped["url"]) == ("PDF", 0, "")
    html = client.get(f"/doc/{page['id']}").get_data(as_text=True)
    assert "加密.pdf（未能读取）" in html


def test_pages_show_attachments_and_their_page(site) -> None:
    client, _ = site
    page = client.get(f"/doc/{make_id('pages/notice.html')}").get_data(as_text=True)
    assert "附件" in page and f'href="/files/{make_id(SHEET)}"' in page and "2 页" in page
    sheet = client.get(f"/doc/{make_id(SHEET)}").get_data(as_text=True)
    assert "附件 · <a" in sheet and "下载原文件：收支预算.xls" in sheet
    results = client.get("/search?q=一般公共预算拨款收入").get_data(as_text=True)
    assert "附件 · 关于防汛防台工作的通知" in results
    assert "文件类型" in results and "Excel" in results


def test_api_file_type_filter(site) -> None:
    client, _ = site
    body = client.get("/api/search?q=防汛&file_type=Word").get_json()
    assert [h["file_type"] for h in body["hits"]] == ["Word"]
    values = {f["value"] for f in body["facets"]["file_type"]}
    assert {"Word", "网页"} <= values


def test_ocr_text_is_labelled() -> None:
    doc = Document(
        id="x",
        body="第一页的文字\n\n扫描页的文字\n第二行",
        page_starts=[0, 8],
        ocr_pages=[2],
    )
    assert ocr_spans(doc) == [(8, len(doc.body))]
    blocks = body_blocks(doc.body, ocr_spans(doc))
    assert [b.ocr for b in blocks] == [False, True, True]
