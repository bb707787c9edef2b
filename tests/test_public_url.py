"""Absolute links come from configuration, never from the request's headers (issue 16, 2).

A client that sends ``Host: evil.example`` used to get a feed whose links pointed there (cache
poisoning, link injection in feed readers). The feed, the CSV's ``link`` column and OpenAPI's
``servers`` now name ``PUBLIC_URL``, else the server's own address.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from test_serve import serve  # noqa: F401 (the fixture that runs govsearch serve)

from indexer.cli import main

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_HEADERS = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "gopher",
    "Forwarded": "host=evil.example;proto=https",
}


def feed_links(body: bytes) -> list[str]:
    feed = ET.fromstring(body)
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    return links + [element.text for element in feed.iter(f"{ATOM}id")]


def csv_links(body: bytes) -> list[str]:
    return [row["link"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))]


def all_links(client, **get) -> list[str]:
    feed = client.get("/feed.atom?q=通知", **get)
    table = client.get("/api/search.csv?q=通知", **get)
    spec = client.get("/api/openapi.json", **get).get_json()
    assert feed.status_code == table.status_code == 200
    links = feed_links(feed.data) + csv_links(table.data)
    assert len(links) > 4
    return links + [server["url"] for server in spec["servers"]]


def test_a_hostile_host_header_does_not_reach_any_link(client_of):
    links = all_links(client_of(), headers=HOSTILE_HEADERS)
    assert not [link for link in links if "evil" in link or "gopher" in link]
    # without PUBLIC_URL: the server's own address (the test app's defaults)
    assert all(link.startswith("http://127.0.0.1:8000") for link in links), links


def test_links_start_with_the_public_url(client_of, monkeypatch):
    client = client_of(PUBLIC_URL="https://search.example.gov.cn/gs")
    links = all_links(client, headers=HOSTILE_HEADERS)
    assert all(link.startswith("https://search.example.gov.cn/gs") for link in links), links
    doc_links = [link for link in links if "/doc/" in link]
    assert doc_links and all(
        link.startswith("https://search.example.gov.cn/gs/doc/") for link in doc_links
    )
    monkeypatch.setenv("GOVSEARCH_PUBLIC_URL", "http://10.1.2.3:8080/")
    assert all(link.startswith("http://10.1.2.3:8080") for link in all_links(client_of()))


@pytest.mark.parametrize("bad", ["ftp://x.example/", "search.example.gov.cn", "https://x/?a=1"])
def test_an_invalid_public_url_stops_serve_with_one_line(sample_index, bad):
    result = CliRunner().invoke(main, ["serve", "--index", str(sample_index), "--public-url", bad])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "GOVSEARCH_PUBLIC_URL" in result.output


def test_a_real_server_names_its_own_port_not_the_host_header(serve, sample_index):  # noqa: F811
    server = serve("--index", str(sample_index))
    feed = server.url + "feed.atom?q=" + quote("通知")
    request = urllib.request.Request(feed, headers=HOSTILE_HEADERS)
    with urllib.request.urlopen(request, timeout=30) as response:
        links = feed_links(response.read())
    assert links and all(link.startswith(server.url) for link in links), (server.url, links)
    spec_request = urllib.request.Request(server.url + "api/openapi.json", headers=HOSTILE_HEADERS)
    with urllib.request.urlopen(spec_request, timeout=30) as response:
        assert json.load(response)["servers"] == [{"url": server.url.rstrip("/")}]
