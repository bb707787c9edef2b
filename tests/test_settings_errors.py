"""A bad setting is one line and exit 2, like every other usage error (issue 16, 4).

Each ``GOVSEARCH_*`` variable with a value govsearch cannot use, given to the command that reads
it: a fresh process each (the analyzer reads its variables when it is first imported), one line
on stderr naming the variable, no traceback, status 2, and nothing served or built.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS

SEED = CORPUS / "seed"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVSEARCH_")}
    try:
        return subprocess.run(
            [sys.executable, "-c", "from indexer.cli import main; main()", *args],
            capture_output=True,
            text=True,
            env={**clean, **env},
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{env} was accepted: govsearch {args[0]} kept running")


def assert_one_line_exit_2(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stderr[-800:]
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr[-800:]
    assert done.stderr.startswith("govsearch: ")
    for word in words:
        assert word in done.stderr


def dictionaries(tmp: Path) -> dict[str, tuple[str, str]]:
    """name → (GOVSEARCH_USER_DICT value, what the message says)"""
    bad_line = tmp / "bad_line.txt"
    bad_line.write_text("# 注释\n地瓜经济 10 n\n总部经济\n", "utf-8")
    not_utf8 = tmp / "gbk.txt"
    not_utf8.write_bytes("地瓜经济 10\n".encode("gbk"))
    return {
        "missing": (str(tmp / "no" / "such" / "file"), "no such file"),
        "folder": (str(tmp), "not a file"),
        "bad line": (str(bad_line), "line 3: expected 'word freq [tag]'"),
        "not utf-8": (str(not_utf8), "not UTF-8"),
    }


@pytest.mark.parametrize("command", ["index", "search", "serve"])
@pytest.mark.parametrize("case", ["missing", "folder", "bad line", "not utf-8"])
def test_a_bad_user_dictionary_is_one_line_and_exit_2(tmp_path, sample_index, command, case):
    value, says = dictionaries(tmp_path)[case]
    args = {
        "index": ["index", "--corpus", str(SEED), "--index", str(tmp_path / "ix")],
        "search": ["search", "地瓜经济", "--index", str(sample_index)],
        "serve": ["serve", "--index", str(sample_index), "--port", "0"],
    }[command]
    done = run(args, {"GOVSEARCH_USER_DICT": value})
    assert_one_line_exit_2(done, f"GOVSEARCH_USER_DICT={value}: {says}")
    assert not (tmp_path / "ix").exists()  # nothing was built


@pytest.mark.parametrize(
    ("variable", "value", "command"),
    [
        ("GOVSEARCH_TOKENIZER", "pkuseg", "index"),
        ("GOVSEARCH_BACKEND", "elastic", "index"),
        ("GOVSEARCH_TOKENIZER", "pkuseg", "search"),
        ("GOVSEARCH_MAX_RESULT_WINDOW", "lots", "search"),
        ("GOVSEARCH_PORT", "http", "serve"),
        ("GOVSEARCH_WORKERS", "0", "serve"),
        ("GOVSEARCH_SHARDS", "-1", "serve"),
        ("GOVSEARCH_CSV_MAX_ROWS", "all", "serve"),
        ("GOVSEARCH_FEED_SIZE", "0", "serve"),
        ("GOVSEARCH_RELATED_LIMIT", "-5", "serve"),
        ("GOVSEARCH_MAX_RESULT_WINDOW", "0", "serve"),
        ("GOVSEARCH_PUBLIC_URL", "search.example.gov.cn", "serve"),
        ("GOVSEARCH_TOKENIZER", "pkuseg", "serve"),
    ],
)
def test_every_bad_environment_setting_is_one_line_and_exit_2(
    tmp_path, sample_index, variable, value, command
):
    args = {
        "index": ["index", "--corpus", str(SEED), "--index", str(tmp_path / "ix")],
        "search": ["search", "地瓜经济", "--index", str(sample_index)],
        "serve": ["serve", "--index", str(sample_index), "--port", "0"],
    }[command]
    if variable == "GOVSEARCH_PORT":
        args = args[:-2]  # --port on the command line would win over the variable
    done = run(args, {variable: value})
    assert_one_line_exit_2(done, variable if variable != "GOVSEARCH_BACKEND" else value)
