"""The pages in a real browser: Debian's chromium driven by Playwright over ``govsearch serve``.

Playwright never downloads a browser here (offline CI): it launches /usr/bin/chromium, which
``.ci/run`` installs with a CJK font. Without that binary these tests skip. Screenshots of the
result page go to ``test-artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
QUERY = "提案"  # in corpus/: replies from several agencies over several years

pytestmark = [
    pytest.mark.playwright,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_index, tmp_path_factory):
    """``govsearch serve`` in a subprocess on a free loopback port; yields its base URL."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from indexer.cli import main; main()", "serve"]
        + ["--index", str(sample_index), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"govsearch serve exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"govsearch serve did not answer /healthz; see {log.name}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _total(page) -> int:
    return int(page.locator(".total").inner_text())


def _facet_counts(page, name: str) -> dict[str, int]:
    rows = page.locator(f"input[name={name}]")
    counts = {}
    for i in range(rows.count()):
        box = rows.nth(i)
        label = page.locator(f"label[for='{box.get_attribute('id')}'] .facet-count")
        counts[box.get_attribute("value")] = int(label.inner_text())
    return counts


def test_search_tick_a_facet_untick_and_open_a_document(page, server):
    page.goto(server + "/")
    box = page.get_by_label("检索关键词")
    assert box.evaluate("el => el === document.activeElement")  # autofocus
    box.fill(QUERY)
    with page.expect_navigation():
        box.press("Enter")
    assert _params(page.url) == {"q": [QUERY]}
    assert page.locator(".hit mark").count() > 0
    assert page.locator("svg.chart rect.chart-bar").count() > 0
    assert page.locator("svg.chart").is_visible()
    total = _total(page)
    years_before = _facet_counts(page, "year")
    agencies = _facet_counts(page, "agency")
    agency = min(agencies, key=agencies.get)  # the rarest: ticking it must change the counts
    assert agencies[agency] < total

    # JavaScript on: ticking submits the form by itself
    with page.expect_navigation():
        page.locator(f"input[name=agency][value='{agency}']").check()
    assert _params(page.url) == {"q": [QUERY], "agency": [agency]}
    assert _total(page) == agencies[agency]
    assert _facet_counts(page, "year") != years_before
    box = page.locator(f"input[name=agency][value='{agency}']")
    assert box.is_checked()
    assert box.evaluate("el => el === document.activeElement")  # keyboard focus kept
    assert page.locator("a.chip").inner_text().startswith("发布机构：" + agency)

    with page.expect_navigation():
        page.locator(f"input[name=agency][value='{agency}']").uncheck()
    assert _params(page.url) == {"q": [QUERY]}
    assert _total(page) == total
    assert _facet_counts(page, "year") == years_before

    # the back button returns to the filtered page, state and all
    page.go_back()
    assert _params(page.url) == {"q": [QUERY], "agency": [agency]}
    assert page.locator(f"input[name=agency][value='{agency}']").is_checked()

    first = page.locator(".hit-title a").first
    title = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert urlsplit(page.url).path.startswith("/doc/")
    assert page.locator("h1").inner_text() == title
    metadata = page.locator("table.metadata")
    assert metadata.is_visible()
    assert metadata.locator("th", has_text="发布机构").count() == 1
    assert page.locator("article mark").count() > 0  # the query, in the title or the text


def test_facets_and_sort_work_without_javascript(browser, server):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{server}/search?q={QUERY}")
    year = page.locator("input[name=year]").first.get_attribute("value")
    page.locator(f"input[name=year][value='{year}']").check()
    page.select_option("#sort", "date")
    with page.expect_navigation():
        page.get_by_role("button", name="应用筛选").click()
    assert _params(page.url) == {"q": [QUERY], "year": [year], "sort": ["date"]}
    dates = [t.get_attribute("datetime") for t in page.locator(".hit time").all()]
    assert dates and all(d.startswith(year) for d in dates)
    assert dates == sorted(dates, reverse=True)
    context.close()


def test_keyboard_reaches_the_skip_link_first(page, server):
    page.goto(f"{server}/search?q={QUERY}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "main"


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1280, 900), ("phone", 375, 812)])
def test_result_page_fits_the_screen_and_is_screenshotted(browser, server, name, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/search?q={QUERY}")
    # nothing wider than the screen: no sideways scrolling at phone width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    results = page.locator("main").bounding_box()
    filters = page.locator("aside.filters").bounding_box()
    if width < 700:
        assert filters["y"] >= results["y"] + results["height"]  # facets under the results
    else:
        assert filters["x"] + filters["width"] <= results["x"]  # facets beside the results
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"search-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
    context.close()


def test_the_search_box_suggests_as_you_type(page, server):
    """The combobox (issue 17): suggestions from /api/suggest for Chinese and for initials,
    up/down/enter/escape from the keyboard, and the chosen suggestion is searched."""
    page.goto(server + "/")
    box = page.get_by_role("combobox", name="检索关键词")
    options = page.locator("#q-list [role=option]")
    box.press_sequentially("dgj")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "地瓜经济" in options.first.inner_text()
    box.press("Escape")
    assert page.locator("#q-list").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "dgj"  # escape closes the list, the text stays

    box.fill("")
    box.press_sequentially("平潭")
    options.first.wait_for()
    assert options.count() > 1
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == "q-list-0"
    assert options.first.get_attribute("aria-selected") == "true"
    chosen = options.first.locator("span").first.inner_text()
    count = options.first.locator(".suggest-count").inner_text()
    with page.expect_navigation():
        box.press("Enter")
    assert _params(page.url) == {"agency": [chosen]}  # 平潭's first suggestions are agencies
    assert _total(page) == int(count.removesuffix(" 篇"))

    header = page.get_by_role("combobox", name="检索关键词")
    header.fill("")
    header.press_sequentially("digua")
    page.locator("#q-header-list [role=option]").first.wait_for()
    assert "地瓜经济" in page.locator("#q-header-list").inner_text()
