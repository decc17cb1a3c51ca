"""reports_store on SQLite and PostgreSQL: page replacement, errors, sources."""

from __future__ import annotations

from sqlalchemy import select

from spiders.items import ReportItem
from tracker.db.models import Page, Report, Retailer
from tracker.db.reports_store import (
    delete_source,
    load_reports,
    load_sources,
    save_page_error,
    save_page_reports,
    save_source,
)

URL = "https://forum.example.org/t/42"
ULTA = ReportItem("Ulta Beauty", "ulta.com", "percent", 20.0, None, None, 48.0, 72.0, "Ulta 20%")
NIKE = ReportItem("Nike", "nike.com", snippet="Nike: nothing")
SHOP = ReportItem("Tiny Candle Co", None, "amount", 5.0, None, "GBP", None, 24.0, "Tiny £5")


def _rows(session) -> list[tuple]:
    return [
        (r.id, r.key, r.retailer_id, r.retailer_name, r.offer_type, r.value, r.seen_at)
        for r in session.scalars(select(Report).order_by(Report.id))
    ]


def test_saving_a_page_twice_keeps_the_same_rows(sessions):
    with sessions.begin() as s:
        assert save_page_reports(s, URL, 200, [ULTA, NIKE, SHOP], "h1") == 3
    with sessions.begin() as s:
        first = _rows(s)
    with sessions.begin() as s:
        save_page_reports(s, URL, 200, [ULTA, NIKE, SHOP], "h1")
    with sessions.begin() as s:
        assert _rows(s) == first
        assert s.scalar(select(Page.status).where(Page.url == URL)) == 200
        assert sorted(s.scalars(select(Retailer.domain))) == ["nike.com", "ulta.com"]


def test_recrawl_replaces_vanished_reports_and_errors_keep_them(sessions):
    with sessions.begin() as s:
        save_page_reports(s, URL, 200, [ULTA, NIKE], "h1")
    with sessions.begin() as s:
        save_page_reports(s, URL, 200, [ULTA], "h2")
    with sessions.begin() as s:
        save_page_error(s, URL, 503, "HTTP 503")
    with sessions.begin() as s:
        page = s.scalars(select(Page)).one()
        assert (page.status, page.error) == (503, "HTTP 503")
        assert [r.to_json()["retailer"]["domain"] for r in load_reports(s)] == ["ulta.com"]


def test_load_reports_in_the_design_schema(sessions):
    with sessions.begin() as s:
        save_page_reports(s, URL, 200, [ULTA, NIKE, SHOP])
    with sessions.begin() as s:
        rows = [r.to_json() for r in load_reports(s)]
        only_ulta = [r.to_json() for r in load_reports(s, retailer="ulta.com")]
    assert rows[0] == {
        "source_url": URL,
        "retailer": {"domain": "ulta.com", "name": "Ulta Beauty"},
        "offer": {"type": "percent", "value": 20.0, "value_max": None, "currency": None},
        "wait_hours": {"min": 48.0, "max": 72.0},
        "seen_at": rows[0]["seen_at"],
    }
    assert rows[0]["seen_at"].endswith("+00:00")
    assert rows[1]["offer"] is None and rows[1]["wait_hours"] is None
    assert rows[2]["retailer"] == {"domain": None, "name": "Tiny Candle Co"}
    assert rows[2]["wait_hours"] == {"min": None, "max": 24.0}
    assert only_ulta == rows[:1]


def test_sources_add_list_remove(sessions):
    with sessions.begin() as s:
        assert save_source(s, "https://a.example/x")
        assert not save_source(s, "https://a.example/x")
        assert save_source(s, "https://b.example/y")
    with sessions.begin() as s:
        assert load_sources(s) == ["https://a.example/x", "https://b.example/y"]
        assert delete_source(s, "https://a.example/x")
        assert not delete_source(s, "https://a.example/x")
        assert load_sources(s) == ["https://b.example/y"]
