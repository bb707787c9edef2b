"""``govsearch search``: the API's JSON with --json, a CJK-aligned table without."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.records import Hit, SearchResult
from indexer.result_table import display_width, fit, format_table


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["search", *args], env=env)


def without_took_ms(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "took_ms"}


def as_options(params: dict) -> list[str]:
    """``{"date_from": "2020-01-01", "year": ["2024", "2023"]}`` → CLI options."""
    options = []
    for name, value in params.items():
        for one in value if isinstance(value, list) else [value]:
            options += [f"--{name.replace('_', '-')}", str(one)]
    return options


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("地瓜经济", {}),
        ("通知", {"sort": "date", "size": 3, "page": 2}),
        ("", {"year": ["2024", "2023"]}),
        ("提案", {"proposal_kind": "提案", "date_from": "2020-01-01"}),
        ('"unbalanced OR', {}),
    ],
)
def test_json_is_the_api_body_for_the_same_query(api_client, sample_index, query, params):
    result = run(query, "--index", str(sample_index), "--json", *as_options(params))
    assert result.exit_code == 0, result.output
    cli_body = json.loads(result.output)
    url = "/api/search?" + urlencode({"q": query, **params}, doseq=True)
    api_body = api_client.get(url).get_json()
    assert without_took_ms(cli_body) == without_took_ms(api_body)


def test_json_prints_chinese_as_characters(sample_index):
    result = run("地瓜经济", "--index", str(sample_index), "--json")
    assert "地瓜经济" in result.output and "\\u" not in result.output


def test_agency_filter_repeats(api_client, sample_index):
    agencies = [
        v["value"] for v in api_client.get("/api/search?size=1").get_json()["facets"]["agency"]
    ][:2]
    options = [arg for agency in agencies for arg in ("--agency", agency)]
    result = run("", "--index", str(sample_index), "--json", *options)
    body = json.loads(result.output)
    assert body["total"] > 0 and {hit["agency"] for hit in body["hits"]} <= set(agencies)


def test_the_table_lists_title_date_agency(sample_index):
    result = run("地瓜经济", "--index", str(sample_index))
    assert result.exit_code == 0, result.output
    header, columns, row = result.output.splitlines()[:3]
    assert header.startswith("1 result for '地瓜经济'")
    assert columns.split() == ["标题", "日期", "发布机构", "文号"]
    assert "13号提案" in row and "2024-06-03" in row


def test_the_index_can_come_from_the_environment(sample_index):
    result = run("地瓜经济", "--json", env={"GOVSEARCH_INDEX": str(sample_index)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] >= 1


@pytest.mark.parametrize(
    ("options", "word"),
    [
        (["--size", "100000"], "size"),
        (["--page", "-1"], "page"),
        (["--date-from", "2024-13-45"], "date_from"),
        (["--sort", "foo"], "sort"),
    ],
)
def test_invalid_options_exit_2_with_the_api_message(sample_index, options, word):
    result = run("政府", "--index", str(sample_index), *options)
    assert result.exit_code == 2
    assert word in result.output and "Traceback" not in result.output


def test_a_missing_index_is_a_one_line_error(tmp_path):
    result = run("政府", "--index", str(tmp_path / "none"))
    assert result.exit_code == 2
    assert "no index" in result.output and "Traceback" not in result.output


# --- the table itself ----------------------------------------------------------------------


def test_display_width_counts_chinese_as_two_columns():
    assert display_width("abc") == 3
    assert display_width("地瓜经济") == 8
    assert display_width("岚政〔2024〕13号") == 16
    assert display_width("ｅ") == 2  # full-width Latin


@pytest.mark.parametrize("text", ["地瓜经济发展", "abc", "a地b瓜", "", "关于第13号提案的复函"])
@pytest.mark.parametrize("width", [1, 5, 8, 12])
def test_fit_is_exactly_the_width(text, width):
    assert display_width(fit(text, width)) == width


def test_fit_drops_control_characters():
    assert "\x1b" not in fit("标题\x1b[2J", 20)


def _hit(title: str, agency: str) -> Hit:
    return Hit(
        id="x", title=title, agency=agency, date="2024-01-02", doc_type="", doc_no="闽〔2024〕1号",
        index_no="", snippet="", score=1.0, url="",
    )  # fmt: skip


def test_columns_line_up_whatever_the_script():
    result = SearchResult(
        query="q", total=3, page=1, size=10, took_ms=1.0,
        hits=[_hit("Annual report", "Office"), _hit("关于举办培训班的通知", "区经济发展局"),
              _hit("混合 mixed 标题", "平潭综合实验区管委会")],
    )  # fmt: skip
    rows = format_table(result, width=80).splitlines()[2:]
    starts = {display_width(row[: row.index("2024-01-02")]) for row in rows}
    assert len(starts) == 1
    assert all(display_width(row) <= 80 for row in rows)
