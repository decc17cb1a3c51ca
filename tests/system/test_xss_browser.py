"""XSS payloads in every text column of the snapshot, in headless Chromium: no script runs.

A snapshot is written with `create_snapshot` (through the demo writer) and then
every text cell of one retailer, of its ladder, offers, reports and codes, and
the meta values, is replaced by a distinct payload: a <script>, an <img
onerror>, a Markdown link to javascript: and a bare javascript: URL, each
naming its field. `darkpool site` serves it; every page is visited (the hostile
retailer has the highest exposure, so pages that show one retailer pick it).
No dialog may open, no payload may become an element, and where the site shows
the text it must read as the literal payload.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from services.chromium import served_site

from tracker.demo.snapshot import write_sample_snapshot

PAGES = ["", "retailer", "compare", "explore", "methodology"]


def payload(field: str) -> str:
    return (
        f'Hostile {field} <script>alert("{field}")</script>'
        f'<img src=x onerror=alert("{field}")>'
        f'[{field} link](javascript:alert("{field}")) javascript:alert("{field}")'
    )


HOSTILE_DOMAIN = '<img src=x onerror=alert("domain")>.example'
NAME = "AAA " + payload("name")
# column -> payload, per table; the domain column holds HOSTILE_DOMAIN everywhere
RETAILER_TEXT = ["category", "country", "first_offer_type", "first_offer_currency",
                 "max_offer_type", "max_offer_currency"]  # fmt: skip
CHILD_TEXT = {
    "ladder": ["offer_type", "offer_currency"],
    "offer_distribution": ["type", "currency"],
    "reports": ["offer_type", "currency", "source_host"],
    "codes": ["code"],
}


def write_hostile_snapshot(path: Path) -> None:
    domains = write_sample_snapshot(path, names=["Larkspur Outfitters", "HOSTILE", "Mossgrove"])
    target = domains[1]
    conn = sqlite3.connect(path)
    with conn:
        sets = ", ".join(f"{c} = ?" for c in RETAILER_TEXT)
        conn.execute(
            f"UPDATE retailers SET name = ?, exposure = 100, {sets} WHERE domain = ?",
            [NAME, *(payload(c) for c in RETAILER_TEXT), target],
        )
        for table, columns in CHILD_TEXT.items():
            sets = ", ".join(f"{c} = ?" for c in columns)
            args = [payload(f"{table}.{c}") for c in columns]
            conn.execute(f"UPDATE {table} SET {sets} WHERE domain = ?", [*args, target])
        conn.execute(
            "INSERT INTO codes VALUES (?, ?, 5)", (target, payload("code2"))
        )  # a code row even if the sample had none
        conn.execute(
            "INSERT INTO reports (domain, offer_type, value, source_host, seen_month) "
            "VALUES (?, ?, 20, ?, '2026-10')",
            (target, payload("report.type"), payload("report.host")),
        )
        for table in ("retailers", "ladder", "survival", "offer_distribution", "reports",
                      "codes", "monthly"):  # fmt: skip
            conn.execute(
                f"UPDATE {table} SET domain = ? WHERE domain = ?", (HOSTILE_DOMAIN, target)
            )
        conn.execute("UPDATE meta SET value = ? WHERE key = 'darkpool_version'", (payload("meta"),))
        conn.execute("INSERT INTO meta VALUES (?, ?)", (payload("meta.key"), payload("meta.value")))
    conn.close()


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    where = tmp_path_factory.mktemp("xss")
    snapshot = where / "snapshot.sqlite"
    write_hostile_snapshot(snapshot)
    with served_site(snapshot, where) as url:
        yield url


INJECTED = """() => ({
  img: document.querySelectorAll("img[src='x'], img[onerror]").length,
  script: [...document.scripts].filter(s => s.textContent.includes('alert(')).length,
  jslink: document.querySelectorAll("a[href^='javascript:' i]").length,
  handlers: [...document.querySelectorAll('*')].filter(
      e => [...e.attributes].some(a => a.name.startsWith('on') && a.value.includes('alert'))).length,
})"""


def _visit(browser, url: str) -> tuple[object, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="domcontentloaded")
    page.locator("[data-testid='stMain'] h1").first.wait_for(timeout=60_000)
    page.wait_for_timeout(2500)  # let grids, charts and widgets paint
    return page, dialogs


@pytest.mark.parametrize("path", PAGES)
def test_no_payload_runs_or_becomes_an_element(browser, site_url, path):
    page, dialogs = _visit(browser, site_url + path)
    found = page.evaluate(INJECTED)
    crashed = page.locator("[data-testid='stException']").count()
    body = page.inner_text("body")
    print(f"/{path}: {found}, exceptions: {crashed}, dialogs: {dialogs}")
    assert dialogs == []
    assert found == {"img": 0, "script": 0, "jslink": 0, "handlers": 0}
    assert crashed == 0, body[-2000:]
    page.close()


def test_retailer_page_shows_every_payload_as_text(browser, site_url):
    page, dialogs = _visit(browser, site_url + "retailer")
    page.get_by_role("heading", name=NAME).wait_for(timeout=60_000)
    body = page.inner_text("body")
    shown = [f for f in ("name", "category", "country") if payload(f) in body]
    print(f"payloads shown literally on the retailer page: {shown}")
    assert payload("name") in body  # the literal text, markup and all
    assert HOSTILE_DOMAIN in body
    assert dialogs == [] and page.evaluate(INJECTED)["img"] == 0
    page.close()


def test_the_checks_see_an_injection_when_there_is_one(browser):
    """The same checks on a page that does render the payload as HTML must fire."""
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_content(f'<div>{payload("probe")}</div><a href="javascript:alert(1)">x</a>')
    page.wait_for_timeout(500)
    found = page.evaluate(INJECTED)
    assert dialogs and all(v >= 1 for v in found.values()), (dialogs, found)
    page.close()
