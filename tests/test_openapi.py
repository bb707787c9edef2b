"""webui/openapi.json is a valid OpenAPI 3.1 description, and real responses match it."""

from __future__ import annotations

import json
import re
from importlib import resources

import jsonschema
import pytest
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from indexer.params import SINGLE_PARAMS
from indexer.records import FACET_FIELDS
from webui.app import close_engine, create_app

SPEC = json.loads(resources.files("webui").joinpath("openapi.json").read_text(encoding="utf-8"))
_REGISTRY = Registry().with_resource("urn:openapi", Resource(SPEC, DRAFT202012))


def _template(path: str) -> str:
    """``/api/documents/<doc_id>`` and ``/api/documents/{id}`` both become ``/api/documents/{}``."""
    return re.sub(r"<(?:\w+:)?\w+>|\{\w+\}", "{}", path)


def _operation(path: str) -> tuple[str, dict]:
    for template, item in SPEC["paths"].items():
        if re.fullmatch(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)), path):
            return template, item["get"]
    raise AssertionError(f"{path} is not described in openapi.json")


def check_against_spec(response, path: str) -> None:
    """The response's status and content type are described, and a JSON body fits its schema."""
    template, operation = _operation(path)
    described = operation["responses"].get(str(response.status_code))
    assert described, f"{response.status_code} of {template} is not described"
    content = described["content"]
    assert response.mimetype in content, f"{response.mimetype} of {template} is not described"
    if response.mimetype == "application/json":
        schema = content[response.mimetype]["schema"]
        if "$ref" in schema:
            schema = {"$ref": "urn:openapi" + schema["$ref"]}
        jsonschema.Draft202012Validator(schema, registry=_REGISTRY).validate(response.get_json())


def test_the_description_is_valid_openapi():
    validate(SPEC)
    assert SPEC["openapi"].startswith("3.1")


def test_every_get_route_of_the_app_is_described(sample_index):
    rules = create_app({"INDEX": str(sample_index)}).url_map.iter_rules()
    routes = {
        _template(rule.rule) for rule in rules if rule.endpoint.startswith(("api.", "files."))
    }
    assert routes == {_template(path) for path in SPEC["paths"]}


def test_the_search_parameters_are_the_ones_the_validator_reads():
    assert set(SPEC["components"]["parameters"]) == {*FACET_FIELDS, *SINGLE_PARAMS}


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?q=地瓜经济",
        "/api/search?q=通知&sort=date&size=3&page=2",
        "/api/search?size=1&facets=false",
        '/api/search?q="unbalanced',
        "/api/search?size=100000",
        "/api/search?date_from=2024-13-45",
        "/api/search.csv?q=提案",
        "/api/search.csv?page=abc",
        "/feed.atom?q=通知",
        "/api/documents/0000000000000000",
        "/api/documents/..%2F..%2Fetc",
        "/healthz",
        "/api/openapi.json",
    ],
)
def test_real_responses_match_the_description(api_client, url):
    response = api_client.get(url)
    check_against_spec(response, url.split("?")[0])


def test_a_real_document_matches_the_description(api_client):
    hit = api_client.get("/api/search?q=地瓜经济").get_json()["hits"][0]
    path = f"/api/documents/{hit['id']}"
    response = api_client.get(path)
    assert response.status_code == 200
    check_against_spec(response, path)


def test_405_and_503_match_the_description(api_client, tmp_path):
    response = api_client.post("/api/search")
    assert response.status_code == 405
    check_against_spec(response, "/api/search")
    app = create_app({"INDEX": str(tmp_path)})
    client = app.test_client()
    for path in ("/healthz", "/api/search"):
        response = client.get(path)
        assert response.status_code == 503
        check_against_spec(response, path)
    close_engine(app)
