"""A visitor's path through the published catalogue in a real browser: Debian's Chromium
driven by Playwright (no browser download), against the real server on a loopback port.

Screenshots are saved in the test's tmp folder (pytest prints where when it fails; keep them
with --basetemp DIR to look at them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REREFERRALS

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs it with apt-get install chromium")
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install chromium); CI installs it and runs this test",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs playwright")


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


def test_search_open_a_measure_see_its_chart_and_follow_a_value_to_its_page(
    browser, start_server, linked_catalogue, tmp_path
):
    server = start_server("serve", "--db", str(linked_catalogue))
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Nothing may come over the network from anywhere but the loopback server (no CDN): the
    # test has no internet. (The PDF viewer loads its own chrome-extension:// files.)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if r.url.startswith("http") and not r.url.startswith(server.url) else None)

    page.goto(server.url + "/")
    page.fill("#search-all-q", "re-referrals")
    page.press("#search-all-q", "Enter")
    page.wait_for_url("**/-/search?q=re-referrals")
    page.screenshot(path=tmp_path / "1-search.png", full_page=True)
    assert page.locator("section[data-table=pages] mark").count() > 0

    page.click("a.scrutiny-measure")
    page.wait_for_url(f"**/-/measures/{REREFERRALS}")
    page.wait_for_selector("#measure-chart[data-rendered=yes]", timeout=20_000)
    chart = page.locator("#measure-chart svg")
    # Vega draws each series as a line path and each value as a symbol.
    assert chart.locator(".mark-line path").count() >= 3  # Doncaster, Rotherham, England
    assert chart.locator(".mark-symbol path").count() >= 10
    legend = chart.locator("text").all_text_contents()
    assert {"Doncaster", "Rotherham", "England", "target", "tolerance"} <= set(legend)
    page.screenshot(path=tmp_path / "2-measure.png", full_page=True)

    link = page.locator("table.scrutiny-values a.scrutiny-source").first
    assert link.get_attribute("href") == "/files/pdf/000_1ce771eb6f7a434f.pdf#page=7"
    with page.expect_response(lambda response: ".pdf" in response.url) as opened:
        link.click()
    response = opened.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    page.wait_for_timeout(1500)  # let the PDF viewer draw the page
    assert page.url.endswith("/files/pdf/000_1ce771eb6f7a434f.pdf#page=7")
    page.screenshot(path=tmp_path / "3-source-page.png")

    assert errors == []
    assert outside == []
