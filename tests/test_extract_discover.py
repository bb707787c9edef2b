"""discover(): which files of a corpus folder are documents; make_id(): stable, URL-safe ids."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

from conftest import CORPUS

from indexer.extract import Source, discover, extract_document, extract_source, make_id


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def test_discover_skips_what_is_not_a_document(tmp_path: Path) -> None:
    page = "标题: 关于开展安全生产检查的通知\n发布时间: 2023-05-01 08:00\n==== 正文 ====\n各单位：…"
    _tree(
        tmp_path,
        {
            "SOURCES.md": "# where these come from",
            "README.md": "# readme",
            "laws/README.md": "# 不在根目录的 README 是文档",
            "laws/_index.md": "---\nbookCollapseSection: true\n---\n",
            ".hidden.txt": "x",
            ".git/config.txt": "x",
            "a/page.txt": page,
            "a/page.html": "<html><body><p>同一份文件</p></body></html>",
            "a/links.tsv": "url\ttext",
            "a/attachments/附件.pdf": "%PDF",
            "a/attachments/照片.jpg": "JFIF",
            "b/page.html": "<html><body><p>没有 page.txt 的页面</p></body></html>",
            "c.jsonl": '{"title": "t"}\n',
            "d.HTM": "<p>大写后缀</p>",
        },
    )
    sources = list(discover(tmp_path))
    assert [s.relpath for s in sources] == [
        "a/attachments/附件.pdf",
        "a/page.txt",
        "b/page.html",
        "c.jsonl",
        "d.HTM",
        "laws/README.md",
    ]
    attachment, pair = sources[0], sources[1]
    assert pair.companions == (tmp_path / "a" / "page.html",)
    assert sources[2].companions == ()
    # the crawler's attachments/ folder beside page.txt: the PDF belongs to that page
    assert attachment.parent == pair
    assert pair.attachments == (("a/attachments/附件.pdf", tmp_path / "a/attachments/附件.pdf"),)


def test_discover_is_sorted_and_deterministic() -> None:
    first = [s.relpath for s in discover(CORPUS)]
    assert first == sorted(first)
    assert first == [s.relpath for s in discover(CORPUS)]
    assert len(first) == 41  # the seed + 40 Pingtan page.txt (page.html are companions)
    assert "SOURCES.md" not in first


def test_missing_root_discovers_nothing(tmp_path: Path) -> None:
    assert list(discover(tmp_path / "absent")) == []


def test_ids_are_stable_url_safe_and_depend_on_the_relpath_only(tmp_path: Path) -> None:
    rel = "pingtan/zwgk/gsgg/202212/42015_2022年11月及1-11月平潭环境空气质量/page.txt"
    assert make_id(rel) == make_id(rel)
    assert re.fullmatch(r"[0-9a-f]{16}", make_id(rel))
    assert make_id(rel) != make_id(rel, "id:1") != make_id(rel, "id:2")
    # NFD file names (macOS) give the same id as NFC ones
    assert make_id(unicodedata.normalize("NFD", "规划/á.md")) == make_id("规划/á.md")
    assert make_id("a\\b.txt") == make_id("a/b.txt")
    # the same document copied under another root keeps its id
    seed = CORPUS / "seed" / "000_ae3ff73dc60525ac.txt"
    copy = tmp_path / "elsewhere" / "seed" / seed.name
    copy.parent.mkdir(parents=True)
    shutil.copy(seed, copy)
    assert (
        extract_document(seed, root=CORPUS).id
        == extract_document(copy, root=tmp_path / "elsewhere").id
    )


def test_every_source_of_the_sample_corpus_extracts() -> None:
    ids = set()
    for source in discover(CORPUS):
        for doc in extract_source(source):
            assert doc.title, source.relpath
            assert doc.source_path == source.relpath
            ids.add(doc.id)
    assert len(ids) == 41


def test_page_html_given_directly_is_read_with_its_page_txt() -> None:
    html = next(CORPUS.glob("pingtan/zwgk/zdlyxxgk/yata/rdya/202211/37906_*/page.html"))
    via_html = extract_document(html, root=CORPUS)
    via_txt = extract_document(html.with_name("page.txt"), root=CORPUS)
    assert via_html == via_txt
    assert via_html.source_path.endswith("/page.txt")


def test_record_ids_come_from_the_record_not_its_position(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"title": "关于开展安全生产检查的通知", "id": 7}\nnot json\n'
        '{"title": "关于调整河长名单的公示", "url": "https://x.gov.cn/a.htm"}\n'
        '{"title": "关于公布举报电话的公告", "date": "2023-01-02", "body": "正文"}\n',
        "utf-8",
    )
    docs = extract_source(Source(path, "r.jsonl"))
    keys = ["id:7", "url:https://x.gov.cn/a.htm", "sha1:"]
    assert [d.id for d in docs[:2]] == [make_id("r.jsonl", k) for k in keys[:2]]
    assert docs[2].id not in {make_id("r.jsonl", n) for n in ("2", "3")}
