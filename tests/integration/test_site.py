"""The Streamlit site through AppTest: every page, on a seeded, an empty and a missing snapshot."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from paths import ROOT
from streamlit.testing.v1 import AppTest

from tracker.demo.snapshot import write_sample_snapshot
from tracker.site.ui import escape_md
from tracker.snapshot.schema import create_snapshot

APP = ROOT / "app.py"
PAGES = ("overview", "retailer", "compare", "explore", "methodology")
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
NAMES = ["Larkspur Outfitters", "Cobalt & Fern", XSS, "Mossgrove Home", "Quillby Beauty"]


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "snapshot.sqlite"
    write_sample_snapshot(path, names=NAMES)
    monkeypatch.setenv("DARKPOOL_SNAPSHOT", str(path))
    return path


@pytest.fixture
def empty(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "empty.sqlite"
    conn = create_snapshot(path)
    with conn:
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("min_contributors", "3"), ("retailers", "0"), ("created_at", "2026-11-20")],
        )
    conn.close()
    monkeypatch.setenv("DARKPOOL_SNAPSHOT", str(path))
    return path


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page(f"tracker/site/pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Everything the page shows as text, for content assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "error", "text"):
        parts += [str(e.value) for e in at.get(kind)]
    return "\n".join(parts)


def survival_rows(path: Path, domain: str) -> list[tuple[float, float]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT hours, survival FROM survival WHERE domain = ? ORDER BY hours", (domain,)
    ).fetchall()
    conn.close()
    return rows


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_a_seeded_snapshot(seeded: Path, page: str):
    at = open_page(page)
    assert at.title[0].value


def test_overview_shows_the_leaderboard(seeded: Path):
    at = open_page("overview")
    board = at.dataframe[0].value
    assert set(board["Retailer"]) == set(NAMES)
    exposure = list(board["Exposure"])
    assert exposure == sorted(exposure, reverse=True)
    assert at.metric[0].value == str(len(NAMES))


def test_retailer_page_states_the_survival_sentence(seeded: Path):
    at = open_page("retailer")
    domain = at.selectbox(key="retailer_pick").value
    rows = survival_rows(seeded, domain)
    # by hand: S(48) is the last step at or before 48 h; the curve ends at S(end)
    s48 = [s for h, s in rows if h <= 48][-1]
    expected = round((s48 - rows[-1][1]) / s48 * 100)
    assert f"If nothing came by 48 h, {expected}% still get one." in texts(at)
    assert len(at.get("arrow_vega_lite_chart")) >= 2 or len(at.get("vega_lite_chart")) >= 2


def test_retailer_page_reports_table_has_no_none(seeded: Path):
    at = open_page("retailer")
    tables = [
        t.value for t in at.dataframe if list(t.value.columns) == ["Offer", "Wait", "Site", "Seen"]
    ]
    assert tables, "the seeded retailer has public reports"
    cells = [str(v) for v in tables[0].to_numpy().ravel()]
    assert cells and not any(v in ("None", "nan") for v in cells)


def test_retailer_search_narrows_the_choice(seeded: Path):
    at = open_page("retailer")
    at.text_input(key="retailer_search").input("mossgrove").run()
    assert at.selectbox(key="retailer_pick").options == ["Mossgrove Home (shop4.example.com)"]
    assert "Mossgrove Home" in texts(at)
    at.text_input(key="retailer_search").input("no such shop").run()
    assert "No retailer matches this search." in texts(at)


def test_a_retailer_that_never_discounts_says_so(seeded: Path):
    at = open_page("retailer")
    at.selectbox(key="retailer_pick").set_value("shop4.example.com").run()  # i % 4 == 3
    assert not at.exception
    assert "No offer seen in this retailer's mail." in texts(at)


def test_compare_and_audit(seeded: Path):
    at = open_page("compare")
    at.multiselect(key="compare_pick").set_value(["shop1.example.com", "shop2.example.com"]).run()
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Larkspur Outfitters (shop1.example.com)",
        "Cobalt & Fern (shop2.example.com)",
    ]
    at.selectbox(key="audit_pick").set_value("shop2.example.com").run()
    assert [b.label for b in at.get("download_button")] == [
        "Download the audit (Markdown)",
        "Download the audit (CSV)",
    ]
    assert "Abandoned-cart exposure audit: Cobalt \\& Fern" in texts(at)


def test_explore_filters_and_downloads(seeded: Path):
    at = open_page("explore")
    assert f"{len(NAMES)} of {len(NAMES)} retailers match." in texts(at)
    at.multiselect(key="explore_category").set_value(["fashion"]).run()
    assert f"1 of {len(NAMES)} retailers match." in texts(at)  # only the first shop
    keys = [b.key for b in at.get("download_button")]
    assert "explore_download_retailers" in keys and "explore_download_monthly" in keys


def test_methodology_names_k(seeded: Path):
    at = open_page("methodology")
    assert "K = 3" in texts(at)
    assert "exposure" in texts(at).lower()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_handles_an_empty_snapshot(empty: Path, page: str):
    at = open_page(page)
    if page != "methodology":
        assert "holds no retailer yet" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_handles_a_missing_snapshot(tmp_path: Path, monkeypatch, page: str):
    monkeypatch.setenv("DARKPOOL_SNAPSHOT", str(tmp_path / "nope.sqlite"))
    at = open_page(page)
    if page != "methodology":
        assert "No snapshot to show yet." in texts(at)


def test_a_file_that_is_not_a_snapshot(tmp_path: Path, monkeypatch):
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("not a database")
    monkeypatch.setenv("DARKPOOL_SNAPSHOT", str(bogus))
    at = open_page("overview")
    assert "not a darkpool snapshot" in texts(at)


def test_a_script_in_a_retailer_name_is_shown_as_text(seeded: Path):
    at = open_page("overview")
    assert XSS in list(at.dataframe[0].value["Retailer"])  # a cell, shown verbatim
    at.switch_page("tracker/site/pages/retailer.py").run()
    at.selectbox(key="retailer_pick").set_value("shop3.example.com").run()
    header = at.header[0].value
    assert header == escape_md(XSS)
    assert not re.search(r"(?<!\\)[<>]", header)  # every angle bracket is escaped
