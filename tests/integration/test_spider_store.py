"""reports_store on SQLite and PostgreSQL: page replacement, errors, sources."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select, text

from spiders.items import ReportItem
from tracker.db.engine import alembic_config, ensure_store
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
NIKE = ReportItem("Nike", "nike.com", snippet="Nike: nothing", outcome="nothing_sent")
GAP = ReportItem("Gap", "gap.com", None, None, None, None, 3.0, 3.0, "Gap", outcome="reminder_only")
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
        "outcome": "discount",
        "seen_at": rows[0]["seen_at"],
    }
    assert rows[0]["seen_at"].endswith("+00:00")
    assert rows[1]["offer"] is None and rows[1]["wait_hours"] is None
    assert rows[1]["outcome"] == "nothing_sent"
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


def test_reminder_only_reports_keep_their_wait_and_outcome(sessions):
    with sessions.begin() as s:
        save_page_reports(s, URL, 200, [GAP, SHOP])
    with sessions.begin() as s:
        rows = [r.to_json() for r in load_reports(s)]
    assert [(r["offer"], r["wait_hours"], r["outcome"]) for r in rows] == [
        (None, {"min": 3.0, "max": 3.0}, "reminder_only"),
        (rows[1]["offer"], {"min": None, "max": 24.0}, "discount"),
    ]


def test_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="outcome"):
        ReportItem("Gap", "gap.com", outcome="maybe")


def test_upgrade_to_0003_gives_stored_reports_their_outcome(engine):
    command.downgrade(alembic_config(engine), "0002")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO pages (id, url, status, fetched_at)"
                " VALUES (1, 'https://x.example/', 200, '2026-11-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO reports (page_id, key, retailer_name, offer_type, value, wait_min,"
                " wait_max, seen_at) VALUES"
                " (1, 'a', 'Ulta', 'percent', 20, 24, 24, '2026-11-01 00:00:00'),"
                " (1, 'b', 'Nike', NULL, NULL, NULL, NULL, '2026-11-01 00:00:00'),"
                " (1, 'c', 'Gap', NULL, NULL, 3, 3, '2026-11-01 00:00:00')"
            )
        )
    ensure_store(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, outcome FROM reports ORDER BY key")).all()
    assert [tuple(r) for r in rows] == [
        ("a", "discount"),
        ("b", "nothing_sent"),
        ("c", "unspecified"),
    ]
