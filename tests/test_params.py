"""parse_search_params: the one validator of search parameters (HTTP and CLI)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.errors import QueryError
from indexer.params import (
    MAX_QUERY_LENGTH,
    MAX_RESULT_WINDOW,
    MAX_SIZE,
    parse_search_params,
    to_query_params,
)
from indexer.records import SearchRequest


def test_no_parameters_give_the_defaults():
    assert parse_search_params({}) == SearchRequest()


def test_every_parameter_is_read():
    req = parse_search_params(
        {
            "q": [" 地瓜经济 "],
            "agency": ["平潭综合实验区管委会", "区政协"],
            "doc_type": ["复函"],
            "year": ["2024", "2023"],
            "category": ["综合政务"],
            "proposal_kind": ["提案"],
            "date_from": ["2023-01-01"],
            "date_to": ["2024-12-31"],
            "sort": ["date"],
            "page": ["3"],
            "size": ["100"],
            "facets": ["false"],
        }
    )
    assert req == SearchRequest(
        q="地瓜经济",
        agency=["平潭综合实验区管委会", "区政协"],
        doc_type=["复函"],
        year=["2024", "2023"],
        category=["综合政务"],
        proposal_kind=["提案"],
        date_from="2023-01-01",
        date_to="2024-12-31",
        sort="date",
        page=3,
        size=100,
        facets=False,
    )


def test_empty_values_count_as_absent():
    # a GET form submits every field, the empty ones as "name="
    params = {name: [""] for name in ("q", "agency", "year", "date_from", "sort", "page", "size")}
    assert parse_search_params(params) == SearchRequest()


def test_repeated_facet_values_are_kept_once_in_order():
    req = parse_search_params({"agency": ["乙", "甲", "乙"], "year": ["2024"]})
    assert req.agency == ["乙", "甲"]
    assert req.year == ["2024"]


def test_a_plain_string_is_one_value_not_a_list_of_characters():
    assert parse_search_params({"q": "政府", "agency": "区政协"}).agency == ["区政协"]


def test_control_characters_become_spaces():
    assert parse_search_params({"q": ["政府\x00信息\x1b[31m"]}).q == "政府 信息 [31m"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"size": ["100000"]}, ["size", "1 to 100"]),
        ({"size": ["0"]}, ["size"]),
        ({"size": ["1.5"]}, ["size", "whole number"]),
        ({"page": ["-1"]}, ["page", "whole number"]),
        ({"page": ["abc"]}, ["page", "'abc'"]),
        ({"page": ["1000000000"]}, ["page", str(MAX_RESULT_WINDOW)]),
        ({"page": ["9" * 5000]}, ["page"]),  # int() would raise its own ValueError past 4300
        ({"page": ["٣"]}, ["page"]),  # Arabic-Indic three: int() accepts it, we do not
        ({"page": ["1", "2"]}, ["page", "only once"]),
        ({"date_from": ["2024-13-45"]}, ["date_from", "YYYY-MM-DD", "'2024-13-45'"]),
        ({"date_to": ["2023-02-29"]}, ["date_to", "real date"]),
        ({"date_from": ["2024/01/01"]}, ["date_from"]),
        ({"date_from": ["2024-02-01"], "date_to": ["2024-01-01"]}, ["date_from", "after"]),
        ({"sort": ["foo"]}, ["sort", "relevance", "date"]),
        ({"year": ["24"]}, ["year", "four digits"]),
        ({"year": ["２０２４"]}, ["year"]),  # full-width digits
        ({"q": ["政" * (MAX_QUERY_LENGTH + 1)]}, ["at most 500 characters"]),
        ({"facets": ["maybe"]}, ["facets"]),
        ({"agency": ["x" * 201]}, ["agency", "200 characters"]),
        ({"agency": [str(n) for n in range(51)]}, ["at most 50 agency"]),
    ],
)
def test_invalid_values_raise_a_query_error_that_names_them(params, words):
    with pytest.raises(QueryError) as info:
        parse_search_params(params)
    for word in words:
        assert word in str(info.value)


def test_a_long_bad_value_is_not_echoed_whole():
    with pytest.raises(QueryError) as info:
        parse_search_params({"sort": ["x" * 10_000]})
    assert len(str(info.value)) < 200


def test_limits_are_inclusive():
    last = MAX_RESULT_WINDOW // MAX_SIZE
    req = parse_search_params({"page": [str(last)], "size": [str(MAX_SIZE)]})
    assert (req.page, req.size) == (last, MAX_SIZE)
    req = parse_search_params({"page": [str(MAX_RESULT_WINDOW)], "size": ["1"]})
    assert (req.page, req.size) == (MAX_RESULT_WINDOW, 1)
    assert parse_search_params({"q": ["政" * MAX_QUERY_LENGTH]}).q == "政" * MAX_QUERY_LENGTH
    same_day = {"date_from": ["2024-02-29"], "date_to": ["2024-02-29"]}
    assert parse_search_params(same_day).date_from == "2024-02-29"


def test_query_params_of_the_defaults_are_empty():
    assert to_query_params(SearchRequest()) == {}


_values = st.lists(
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs")), min_size=1, max_size=8),
    max_size=3,
    unique=True,
)


@given(
    q=st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30).map(str.strip),
    agency=_values,
    year=st.lists(st.from_regex(r"[0-9]{4}", fullmatch=True), max_size=3, unique=True),
    dates=st.lists(st.dates().map(str), min_size=2, max_size=2).map(sorted),
    sort=st.sampled_from(["relevance", "date"]),
    page=st.integers(1, MAX_RESULT_WINDOW),
    size=st.integers(1, MAX_SIZE),
    facets=st.booleans(),
)
def test_query_params_round_trip(q, agency, year, dates, sort, page, size, facets):
    agency = [a for a in agency if a.strip() == a]
    page = min(page, MAX_RESULT_WINDOW // size)  # inside the result window
    req = SearchRequest(
        q=q,
        agency=agency,
        year=year,
        date_from=dates[0],
        date_to=dates[1],
        sort=sort,
        page=page,
        size=size,
        facets=facets,
    )
    assert parse_search_params(to_query_params(req)) == req
