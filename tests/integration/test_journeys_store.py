"""Journeys loaded from a real store (SQLite and PostgreSQL) and the `journeys` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tracker.analysis.load import load_journey_data, load_journeys
from tracker.db.engine import init_store, make_engine, session_factory
from tracker.db.store import save_cart, save_records
from tracker.records import MessageRecord, OfferInfo, RetailerRef

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The store-backed tests here run on SQLite and on PostgreSQL."""
    return any_db_url


def _store(url: str):
    engine = make_engine(url)
    init_store(engine)
    return engine, session_factory(engine)


def _rec(key: str, sent: float, kind: str, retailer: RetailerRef, offer=None) -> MessageRecord:
    return MessageRecord(
        source=f"file:{key}.eml",
        key=key,
        content_hash=key,
        sent_at=at(sent),
        retailer=retailer,
        kind=kind,
        offer=offer,
    )


def test_load_from_the_store_keeps_cart_kinds_only(db_url):
    engine, sessions = _store(db_url)
    levi, ulta = RetailerRef("levi.com", "Levi's"), RetailerRef("ulta.com", "Ulta")
    with sessions.begin() as s:
        save_cart(s, levi, at(0), "me", 80.0, "USD")
        save_records(
            s,
            [
                _rec("a", 1, "abandoned_cart", levi),
                _rec("b", 5, "browse_abandonment", levi, OfferInfo("percent", 10.0, code="X10")),
                _rec("c", 6, "promotion", levi, OfferInfo("percent", 30.0)),
                _rec("d", 7, "transactional", levi),
                _rec("e", 8, "abandoned_cart", ulta),
            ],
            "me",
        )
    with sessions.begin() as s:
        data = load_journey_data(s)
        only_levi = load_journeys(s, "levi.com")
    engine.dispose()
    assert sorted(data.messages["message_pk"].map(int)) == [1, 2, 5]
    assert len(data.carts) == 1 and data.carts["left_h"].iloc[0] == at(0).timestamp() / 3600
    assert len(only_levi) == 1
    (journey,) = only_levi
    assert journey["retailer"] == {"domain": "levi.com", "name": "Levi's"}
    assert journey["cart"] == {"left_at": at(0).isoformat(), "value": 80.0, "currency": "USD"}
    assert journey["window_end"] == at(14 * 24).isoformat()
    assert [(s["step"], s["hours"], s["kind"]) for s in journey["steps"]] == [
        (1, 1.0, "abandoned_cart"),
        (2, 5.0, "browse_abandonment"),
    ]
    assert journey["steps"][1]["offer"] == {
        "type": "percent",
        "value": 10.0,
        "currency": None,
        "code": "X10",
        "expires_at": None,
    }


def test_journeys_command(tmp_path, db_url, run_cli):
    engine = make_engine(db_url)
    init_store(engine)
    levi = RetailerRef("levi.com", "Levi's")
    with session_factory(engine).begin() as s:
        save_cart(s, levi, at(0), "me")
        save_records(
            s,
            [
                _rec("a", 1, "abandoned_cart", levi),
                _rec("b", 24, "abandoned_cart", levi, OfferInfo("percent", 10.0)),
                _rec("z", 500, "abandoned_cart", levi),
            ],
            "me",
        )
    engine.dispose()
    lines = run_cli("journeys", "--jsonl").output.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [len(r["steps"]) for r in rows] == [2, 1]
    assert rows[1]["cart"] is None and rows[1]["steps"][0]["hours"] is None
    text = run_cli("journeys", "--retailer", "levi.com").output
    assert "1h reminder · 24h 10%" in text and "no cart" in text
    assert "No journeys" in run_cli("journeys", "--retailer", "none.test").output


def test_load_on_every_backend(sessions):
    """Epoch seconds come from SQL (strftime on SQLite, extract on PostgreSQL)."""
    levi = RetailerRef("levi.com", "Levi's")
    with sessions.begin() as s:
        save_cart(s, levi, at(0), "me")
        offer = OfferInfo("percent", 10.0, expires_at=at(72))
        save_records(
            s,
            [_rec("a", 1.5, "abandoned_cart", levi), _rec("b", 24, "abandoned_cart", levi, offer)],
            "me",
        )
    with sessions.begin() as s:
        (journey,) = load_journeys(s)
    assert [step["hours"] for step in journey["steps"]] == [1.5, 24.0]
    assert journey["steps"][1]["offer"]["expires_at"] == at(72).isoformat()
