"""Encodings and bad input: each fixture under tests/data/extract/bad (see its README.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import DATA

from indexer.errors import ExtractError
from indexer.extract import Source, extract_document, extract_source
from indexer.extract.decode import decode_bytes

BAD = DATA / "extract" / "bad"


def test_gbk_page_without_declaration_is_detected() -> None:
    doc = extract_document(BAD / "gbk_undeclared.html")
    assert doc.title == "丽水市人民政府关于下达安置任务的通知"
    assert "退役士兵安置条例" in doc.body
    assert any("detected gb18030" in w for w in doc.warnings)


def test_gb2312_declared_page_with_gbk_only_character_decodes_as_gb18030() -> None:
    data = (BAD / "gb2312_declared_rong.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # the trap: the declared codec cannot read 镕
    doc = extract_document(BAD / "gb2312_declared_rong.html")
    assert doc.title == "关于学习朱镕基同志讲话精神的通知"
    assert "朱镕基同志在视察时强调" in doc.body
    assert doc.warnings == []


def test_utf8_with_bom() -> None:
    assert (BAD / "utf8_bom.html").read_bytes().startswith(b"\xef\xbb\xbf")
    doc = extract_document(BAD / "utf8_bom.html")
    assert doc.title == "关于开展安全生产检查的通知"
    assert "\ufeff" not in doc.title + doc.body


def test_script_in_title_is_not_text() -> None:
    doc = extract_document(BAD / "script_in_title.html")
    assert doc.title == "关于开展安全生产检查的通知"
    assert "alert" not in doc.title + doc.body
    assert "版权所有" not in doc.body  # the footer
    assert "首页" not in doc.body  # the navigation


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.html", "empty file"),
        ("blank.txt", "empty file"),
        ("binary.html", "binary file"),
        ("undecodable.txt", "undecodable bytes"),
    ],
)
def test_bad_files_raise_extract_error_with_reason(name: str, reason: str) -> None:
    with pytest.raises(ExtractError) as info:
        extract_document(BAD / name)
    assert info.value.reason.startswith(reason)
    assert name in str(info.value)  # the message names the file


def test_truncated_html_keeps_usable_text_with_a_warning() -> None:
    doc = extract_document(BAD / "truncated.html")
    assert doc.title == "关于开展安全生产检查的通知"
    assert doc.body.startswith("各区县人民政府")
    assert any("truncated" in w for w in doc.warnings)


def test_file_over_the_size_limit() -> None:
    path = BAD / "utf8_bom.html"
    size = path.stat().st_size
    with pytest.raises(ExtractError, match="too large"):
        extract_source(Source(path, path.name), max_bytes=size - 1)
    assert extract_source(Source(path, path.name), max_bytes=size)


def test_missing_file_directory_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="no such file"):
        extract_document(tmp_path / "nope.txt")
    with pytest.raises(ExtractError, match="directory"):
        extract_source(Source(tmp_path, "x.txt"))
    image = tmp_path / "a.psd"
    image.write_bytes(b"8BPS")
    with pytest.raises(ExtractError, match="unsupported file type"):
        extract_document(image)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("标题", "utf-8")
    path.chmod(0)
    with pytest.raises(ExtractError, match="permission denied"):
        extract_document(path)


def test_invalid_json_and_records_that_are_not_objects(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": ', "utf-8")
    with pytest.raises(ExtractError, match="invalid JSON"):
        extract_document(bad)
    scalars = tmp_path / "scalars.json"
    scalars.write_text("[1, 2]", "utf-8")
    with pytest.raises(ExtractError, match="not an object"):
        extract_source(Source(scalars, scalars.name))


def test_folder_index_is_not_a_document(tmp_path: Path) -> None:
    index = tmp_path / "_index.md"
    index.write_text("---\nbookCollapseSection: true\n---\n", "utf-8")
    with pytest.raises(ExtractError, match="folder index"):
        extract_document(index)


def test_utf8_with_one_broken_character_is_kept_with_a_warning() -> None:
    text = "关于开展安全生产检查的通知。" * 40
    data = text.encode("utf-8")[:-1]  # a download cut in the middle of the last character
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.startswith("关于开展")
    assert decoded.warnings == ["invalid UTF-8 bytes replaced"]


def test_xhtml_with_an_xml_declaration(tmp_path: Path) -> None:
    page = tmp_path / "x.html"
    page.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html><html><head>'
        "<title>关于开展安全生产检查的通知</title></head><body><div id='zoom'>"
        "<p>各单位：现将有关事项通知如下，请认真贯彻执行。</p></div></body></html>",
        "utf-8",
    )
    doc = extract_document(page)
    assert doc.title == "关于开展安全生产检查的通知"
    assert doc.body == "各单位：现将有关事项通知如下，请认真贯彻执行。"


def test_page_whose_declared_charset_does_not_fit_its_bytes() -> None:
    doc = extract_document(BAD / "gbk_declared_utf8.html")  # says utf-8, is GBK
    assert doc.title == "丽水市人民政府关于下达安置任务的通知"
    assert "declared charset 'utf-8' does not fit the bytes" in doc.warnings
    assert "detected gb18030" in doc.warnings


def test_title_element_joined_with_column_and_site_names(tmp_path: Path) -> None:
    page = tmp_path / "t.html"
    page.write_text(
        "<html><head><title>关于开展安全生产检查的通知_通知公告_某某市人民政府</title></head>"
        "<body><div id='zoom'><p>各单位：现将有关事项通知如下。</p></div></body></html>",
        "utf-8",
    )
    assert extract_document(page).title == "关于开展安全生产检查的通知"
