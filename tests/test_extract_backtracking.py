"""Extraction time does not explode on hostile text (issue 16, 7).

Each file is a megabyte of what makes a backtracking regex quadratic or worse (long runs of
whitespace, unclosed ``<``, ``<!--``, ``(`` …), written in the format whose reader once looked
at it with such a pattern. ``govsearch parse`` must read each in well under a second; it runs in
a subprocess with a timeout so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MB = 1_000_000
TEXT = "各单位：现将有关事项通知如下，请认真贯彻执行。" * 20
HEADER = "标题: 关于开展安全生产检查的通知\n发布时间: 2023-01-01\n==== 正文 ====\n"

#: file name → its text; the comment names the pattern the file once made slow
HOSTILE = {
    # crawler_txt._TAIL: \s* before 附件下载, searched over the whole body
    "spaces/page.txt": HEADER + TEXT + " " * MB + "x",
    # fields._CONTACT: [（(]?\s*(联系人…)\s*[)）]?\s*$ over every line
    "contact/page.txt": HEADER + TEXT + " " * MB + "联系人：" + " " * MB + "x",
    # markdown._HEADING: (.*?)\s*#*\s*$
    "heading.md": "# 标题" + " " * MB + "x\n" + TEXT,
    "closing_hashes.md": "# 标题" + " #" * (MB // 2) + "x\n" + TEXT,
    # markdown._COMMENT: <!--.*?--> from every unclosed <!--
    "comments.md": "# 标题\n" + TEXT + "<!--" * (MB // 4),
    # html._TAGS: <[^>]*> from every unclosed <
    "title.html": "<html><head><title>" + "&lt;" * (MB // 4) + "</title></head><body><p>"
    + TEXT + "</p></body></html>",
    # fields._TITLE_TAIL: (?:[\s(…][^)…]*[)…]|\s+\S*\d+号)+$ on the title
    "doc_nos.jsonl": '{"title": "通知' + " (1号" * (MB // 4) + '", "body": "' + TEXT + '"}\n',
}  # fmt: skip

#: parse the file given as argv[1] through the CLI, print the seconds the command took
TIMED_PARSE = """
import sys, time
from indexer.cli import main
started = time.perf_counter()
try:
    main(["parse", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
print(f"{time.perf_counter() - started:.3f} {code}", file=sys.stderr)
"""


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_megabyte_of_hostile_text_parses_in_well_under_a_second(tmp_path: Path, name: str):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HOSTILE[name], "utf-8")
    try:
        done = subprocess.run(
            [sys.executable, "-c", TIMED_PARSE, str(path)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"govsearch parse {name} took over 20 s")
    seconds, code = done.stderr.strip().splitlines()[-1].split()
    assert code in ("0", "None"), done.stderr
    assert float(seconds) < 1.0, f"{name}: {seconds} s"
