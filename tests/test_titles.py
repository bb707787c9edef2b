"""A document never shows an id (or nothing) as its title (issue 16, 5).

The Jiangxi folder holds each page twice: the saved HTML and the crawler's text of its body
(``JX_text/art_X.txt`` beside ``html/art_X.html``). Indexed together, the text twins came up
in results with a hex id for a title. Now a twin merges into its page's document, and a document
without a title shows its body's first meaningful line, marked as such.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from webui.app import close_engine, create_app

HEX_ID = re.compile(r"[0-9a-f]{16}")


def build(corpus: Path, index_dir: Path) -> str:
    args = ["index", "--corpus", str(corpus), "--index", str(index_dir), "--workers", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def client_of():
    apps = []

    def make(index_dir: Path):
        apps.append(create_app({"INDEX": str(index_dir), "TESTING": True}))
        return apps[-1].test_client()

    yield make
    for app in apps:
        close_engine(app)


@pytest.mark.slow
def test_jiangxi_text_twins_merge_into_their_pages(shared_corpora, tmp_path, client_of):
    corpus = tmp_path / "corpus"
    shutil.copytree(shared_corpora / "jiangxi-gov-html", corpus / "jiangxi-gov-html")
    output = build(corpus, tmp_path / "index")
    assert output.count("merged into that page's document") == 29
    client = client_of(tmp_path / "index")
    body = client.get("/api/search?size=100").get_json()
    pages = sorted((corpus / "jiangxi-gov-html" / "html").glob("*.html"))
    assert body["total"] == len(pages) == 40  # each page once, not twice
    for hit in body["hits"]:
        assert hit["title"] and not HEX_ID.fullmatch(hit["title"]), hit
        assert hit["title"] != hit["id"] and not hit["title_from_body"], hit
    # a sentence of a crawler text finds its page, titled, once
    twin = (corpus / "jiangxi-gov-html" / "JX_text" / "art_14075_1574386.txt").read_text("utf-8")
    sentence = twin.splitlines()[2][:20]
    hits = client.get(f'/api/search?q="{sentence}"').get_json()["hits"]
    title = "中共江西省市场监督管理局党组关于李洪斌同志职务任免的通知"
    assert [h["title"] for h in hits] == [title]
    html = client.get(f'/search?q="{sentence}"').get_data(as_text=True)
    assert "李洪斌同志职务任免的通知" in html and not re.search(r">\s*[0-9a-f]{16}\s*<", html)


def test_a_document_without_a_title_shows_its_first_line_marked(tmp_path, client_of):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "各单位：\n现将春季森林防火工作有关事项通知如下，请认真贯彻执行。\n一、提高认识。\n"
    (corpus / "untitled.txt").write_text(text, "utf-8")
    build(corpus, tmp_path / "index")
    client = client_of(tmp_path / "index")
    [hit] = client.get("/api/search?q=森林防火").get_json()["hits"]
    assert hit["title"] == "现将春季森林防火工作有关事项通知如下，请认真贯彻执行。"
    assert hit["title_from_body"] is True
    page = client.get("/search?q=森林防火").get_data(as_text=True)
    assert "取自正文首行" in page
    doc = client.get(f"/doc/{hit['id']}").get_data(as_text=True)
    assert "这份文件没有标题" in doc and hit["id"] not in re.findall(r"<h1[^>]*>(.*?)</h1>", doc)[0]
    assert client.get(f"/api/documents/{hit['id']}").get_json()["title_from_body"] is True
