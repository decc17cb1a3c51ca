"""The served site in Debian's headless Chromium: it renders, and a script in a name stays text."""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from services.chromium import served_site

from tracker.demo.snapshot import write_sample_snapshot

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
NAMES = ["Larkspur Outfitters", XSS, "Mossgrove Home", "Quillby Beauty"]
# CI may collect the screenshots from $DARKPOOL_TEST_ARTIFACTS; locally they go to a temp dir
ARTIFACTS = Path(os.environ.get("DARKPOOL_TEST_ARTIFACTS") or tempfile.mkdtemp(prefix="darkpool-"))


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    """`darkpool site` on a free port against a seeded snapshot, as a user would start it."""
    where = tmp_path_factory.mktemp("browser")
    snapshot = where / "snapshot.sqlite"
    write_sample_snapshot(snapshot, names=NAMES)
    with served_site(snapshot, where) as url:
        yield url


def test_overview_renders_in_chromium_without_running_the_script(browser, site_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site_url, wait_until="domcontentloaded")
    page.get_by_text("Abandoned-cart discounts, measured").wait_for(timeout=60_000)
    page.get_by_role("heading", name="Leaderboard").wait_for(timeout=60_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # let the grid paint its cells
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "browser-overview.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    body = page.inner_text("body")
    assert "Retailers" in body and "Contributors" in body
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0  # the payload made no element
    page.close()


def test_retailer_page_shows_the_payload_as_text(browser, site_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site_url + "retailer", wait_until="domcontentloaded")
    page.get_by_text("Search retailers").wait_for(timeout=60_000)
    page.get_by_label("Search retailers").fill("script")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name=XSS)
    heading.wait_for(timeout=60_000)
    assert heading.inner_text().strip() == XSS  # the literal text, not markup
    page.get_by_text("still get one").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "browser-retailer.png"), full_page=True)
    assert dialogs == []
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("main script").count() == 0
    page.close()


def test_public_site_sends_security_headers_and_hides_metrics(browser, site_url):
    with urllib.request.urlopen(site_url) as response:
        headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(site_url + "_stcore/metrics")
    assert refused.value.code == 404
    with urllib.request.urlopen(site_url + "_stcore/health") as response:
        assert response.status == 200  # what `darkpool site` polls still answers

    # the policy must not break the page: it renders, charts included, with no violation
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    refused_loads: list[str] = []
    page.on(
        "console",
        lambda m: refused_loads.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(site_url + "methodology", wait_until="domcontentloaded")
    page.get_by_role("heading", name="Methodology").first.wait_for(timeout=60_000)
    page.goto(site_url, wait_until="domcontentloaded")
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.goto(site_url + "retailer", wait_until="domcontentloaded")
    page.get_by_label("Search retailers").fill("Larkspur")
    page.keyboard.press("Enter")
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # charts evaluate their expressions after mounting
    assert refused_loads == []
    page.close()
