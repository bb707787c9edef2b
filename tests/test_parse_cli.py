"""``govsearch parse FILE``: the Document as UTF-8 JSON; exit 1 with one line for a bad file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from click.testing import CliRunner
from conftest import CORPUS, DATA

from indexer.cli import main

SEED = CORPUS / "seed" / "000_ae3ff73dc60525ac.txt"


def test_parse_prints_the_document_as_json_with_chinese_unescaped() -> None:
    result = CliRunner().invoke(main, ["parse", str(SEED)])
    assert result.exit_code == 0, result.output
    assert "关于区政协六届三次会议第13号提案的复函" in result.output  # not \\u escapes
    doc = json.loads(result.output)
    assert doc["index_no"] == "00250260-2/2024-31773"
    assert doc["addressee"] == "王强委员"
    assert doc["doc_no"] == ""


def test_parse_of_records_prints_an_array() -> None:
    result = CliRunner().invoke(main, ["parse", str(DATA / "extract" / "records.json")])
    assert result.exit_code == 0
    assert [d["doc_no"] for d in json.loads(result.output)] == ["岚综管综〔2016〕178号", ""]


def test_parse_output_is_utf8_through_a_pipe() -> None:
    """UTF-8 bytes even when the locale says ASCII (a cron job, a minimal container)."""
    out = subprocess.run(
        [sys.executable, "-c", "from indexer.cli import main; main()", "parse", str(SEED)],
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
    )
    assert "王强委员".encode() in out.stdout


def test_bad_files_exit_1_with_one_line(tmp_path) -> None:
    unsupported = tmp_path / "a.psd"
    unsupported.write_bytes(b"8BPS")
    truncated = tmp_path / "b.pdf"
    truncated.write_bytes(b"%PDF-1.4")
    for path, reason in [
        (tmp_path / "missing.txt", "no such file"),
        (tmp_path, "is a directory"),
        (unsupported, "unsupported file type"),
        (DATA / "extract" / "bad" / "binary.html", "binary file"),
        (DATA / "extract" / "bad" / "empty.html", "empty file"),
    ]:
        result = CliRunner().invoke(main, ["parse", str(path)])
        assert result.exit_code == 1, path
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and reason in lines[0], result.stderr
