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


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_pending_links_meetings_filtered_search_and_a_phone_sized_measure_page(
    browser, start_server, linked_catalogue, tmp_path
):
    server = start_server("serve", "--db", str(linked_catalogue))
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # A pending link is shown as pending, and a reader can hide it. Seed 002 p8 (Rotherham):
    # "the fall in January to 92.7%" of health assessment reviews awaits review.
    page.goto(server.url + "/-/measures/health-assessments")
    page.wait_for_selector("#measure-chart[data-rendered=yes]", timeout=20_000)
    pending = page.locator("tr.scrutiny-pending")
    assert pending.count() == 1 and "92.7%" in pending.inner_text()
    assert pending.locator(".scrutiny-pending-mark").is_visible()
    page.screenshot(path=tmp_path / "4-pending.png", full_page=True)
    page.click("a.scrutiny-pending-toggle")
    page.wait_for_url("**pending=hide")
    assert page.locator("tr.scrutiny-pending").count() == 0

    # Search with a filter and a hyphen variant: "reoffending" finds seed 004's "re-offending"
    # resolution (Doncaster minutes p3), and the authority filter keeps to Doncaster.
    page.goto(server.url + "/-/search")
    page.fill("#search-all-q", "reoffending")
    page.select_option("#search-authority", "Doncaster")
    page.press("#search-all-q", "Enter")
    page.wait_for_url("**/-/search?q=reoffending**authority=Doncaster**")
    resolution = page.locator("section[data-table=resolutions] li").first
    assert "re-offending" in resolution.locator("mark").all_text_contents()
    assert all(w.startswith("Doncaster") for w in page.locator("section[data-table=pages] .scrutiny-where").all_text_contents())
    page.screenshot(path=tmp_path / "5-search-filtered.png", full_page=True)

    # A meeting page: Kent Cabinet, 9 January 2025, reached from the committees index.
    page.goto(server.url + "/-/committees")
    page.click("a[href='/-/committees/Kent/Cabinet']")
    page.click("a[href$='/2025-01-09']")
    page.wait_for_url("**/-/meetings/Kent/Cabinet/2025-01-09")
    assert "Provisional Local Government Finance Settlement 2025-26" in page.locator("ol.scrutiny-items").inner_text()
    page.screenshot(path=tmp_path / "6-meeting.png", full_page=True)

    # At 400 px wide, the measure page's body does not scroll sideways: wide tables scroll in
    # their own box. The same for compare and the measures list.
    phone = browser.new_page(viewport={"width": 400, "height": 800})
    phone.on("pageerror", lambda error: errors.append(str(error)))
    for path, name in [(f"/-/measures/{REREFERRALS}", "7-measure-400px.png"), ("/-/compare", "8-compare-400px.png"),
                       ("/-/measures", "9-measures-400px.png")]:  # fmt: skip
        phone.goto(server.url + path)
        if path != "/-/measures":
            phone.wait_for_selector(".scrutiny-chart[data-rendered=yes]", timeout=20_000)
        assert _no_sideways_scroll(phone) == 0, path
        phone.screenshot(path=tmp_path / name, full_page=True)
    assert errors == []


def test_a_source_link_of_a_file_with_spaces_opens_the_pdf_at_its_page(browser, start_server, tmp_path):
    """Kent publishes "Printed minutes 30th-Jan-2025 10.00 Cabinet.pdf": a name with spaces. The
    Newbiggin parish minutes (page 3: "Pot Holes are again appearing on the Cart Roads") under
    such a name."""
    import shutil

    from click.testing import CliRunner
    from conftest import CORPUS

    from scrutiny.cli import cli

    papers = tmp_path / "papers"
    papers.mkdir()
    name = "Printed minutes 3rd-Sep-2019 19.00 Parish Council.pdf"
    shutil.copy(CORPUS / "dev" / "newbiggin-pc_parish-council_2019-09-03_minutes.pdf", papers / name)
    db_path = tmp_path / "parish.db"
    result = CliRunner().invoke(cli, ["build", str(papers), "--db", str(db_path), "-j", "1"])
    assert result.exit_code == 0, result.output
    server = start_server("serve", "--db", str(db_path), "--files", str(papers))
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server.url + "/-/search?q=cart+roads")
    link = page.locator("section[data-table=pages] a.scrutiny-source").first
    assert link.get_attribute("href") == "/files/Printed%20minutes%203rd-Sep-2019%2019.00%20Parish%20Council.pdf#page=3"
    with page.expect_response(lambda response: ".pdf" in response.url) as opened:
        link.click()
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "application/pdf"
    page.wait_for_timeout(1500)
    assert page.url.endswith("Parish%20Council.pdf#page=3")
    page.screenshot(path=tmp_path / "10-spaced-source.png")
