"""Where mail, carts and pages enter the store: every value bounded, no row blocks a batch.

Every test runs on SQLite and on PostgreSQL (the `engine`/`sessions` fixtures):
PostgreSQL refuses what SQLite silently accepts, so only both show that the
store holds the same rows on each backend.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from storefaults import refuse_poison

from tracker.db.bounds import OutOfWindow
from tracker.db.models import Cart, Message, Offer, Page, Retailer
from tracker.db.reports_store import save_page_reports
from tracker.db.store import load_records, save_cart, save_records
from tracker.records import MessageRecord, OfferInfo, RetailerRef

SENT = datetime(2026, 11, 20, 14, 3, tzinfo=UTC)


def record(key: str, **fields) -> MessageRecord:
    values = {
        "source": f"test:{key}",
        "key": key,
        "content_hash": "h" + key,
        "message_id": f"<{key}@x>",
        "sent_at": SENT,
        "retailer": RetailerRef("levi.com", "Levi's"),
        "kind": "abandoned_cart",
        "confidence": 0.9,
    }
    values.update(fields)
    return MessageRecord(**values)


def hostile_records() -> list[MessageRecord]:
    """One record per column PostgreSQL would refuse, amid ordinary ones."""
    long_domain = ("a" * 60 + ".") * 6 + "com"  # 369 characters
    return [
        record("ok-1"),
        record("long-message-id", message_id="<" + "m" * 2000 + "@x>"),
        record("long-sender", sender_domain=long_domain),
        record("long-retailer", retailer=RetailerRef(long_domain, "N" * 600)),
        record("nul", subject="50% off\x00 today", source="mbox\x00:1"),
        record("surrogate", subject="caf\udce9 offer"),
        record("long-kind", kind="k" * 100),
        record(
            "long-offer",
            offer=OfferInfo(
                "percent" * 5, 15.0, currency="EURO", code="C" * 500, code_kind="x" * 40
            ),
        ),
        record("k" * 400),  # a key longer than its column
        record("ok-2"),
    ]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_oversized_values_are_bounded_and_the_whole_batch_is_stored(sessions):
    batch = hostile_records()
    with sessions.begin() as s:
        first = save_records(s, batch, contributor="c" * 400)
    with sessions.begin() as s:
        second = save_records(s, batch, contributor="c" * 400)
    assert (first.new, first.duplicate, first.refused) == (10, 0, [])
    assert (second.new, second.duplicate, second.refused) == (0, 10, [])
    with sessions.begin() as s:
        assert count(s, Message) == 10 and count(s, Offer) == 1
        stored = {r.source: r for r in load_records(s)}
        assert len(max((r.message_id or "" for r in stored.values()), key=len)) == 998
        assert len(stored["test:long-sender"].sender_domain or "") == 255
        long_retailer = stored["test:long-retailer"].retailer
        assert long_retailer is not None and len(long_retailer.domain) == 255
        assert stored["mbox:1"].subject == "50% off today"
        assert stored["test:surrogate"].subject == "caf\ufffd offer"
        offer = stored["test:long-offer"].offer
        assert offer is not None and (offer.currency, len(offer.code or "")) == ("EUR", 128)
        assert s.scalar(select(func.max(func.length(Message.contributor)))) == 255


def test_two_long_keys_that_share_their_first_255_characters_stay_two(sessions):
    shared = "x" * 300
    refs = [RetailerRef(shared + ".com", "A"), RetailerRef(shared + ".org", "B")]
    batch = [record(shared + "-1", retailer=refs[0]), record(shared + "-2", retailer=refs[1])]
    with sessions.begin() as s:
        counts = save_records(s, batch, contributor="me")
        assert counts.new == 2
        assert count(s, Retailer) == 2
        keys = s.scalars(select(Message.key)).all()
        assert len(set(keys)) == 2 and all(len(k) <= 255 for k in keys)


def test_a_row_the_store_refuses_is_recorded_as_an_error_and_the_rest_is_stored(sessions):
    with sessions.begin() as s:
        refuse_poison(s)
    batch = [record(f"m{i}", subject="poison" if i == 2 else f"Your cart {i}") for i in range(5)]
    batch.append(record("stubborn", subject="poison"))  # even its error row is refused
    with sessions.begin() as s:
        counts = save_records(s, batch, contributor="alice")
    assert (counts.new, counts.duplicate, counts.errors) == (5, 0, 2)
    assert [(r.source, r.key, r.recorded) for r in counts.refused] == [
        ("test:m2", "m2", True),
        ("test:stubborn", "stubborn", False),
    ]
    for refused in counts.refused:
        assert "poisoned row" in refused.error and "\n" not in refused.error
        for secret in ("INSERT", "alice", "Your cart", "subject"):
            assert secret not in refused.error
    with sessions.begin() as s:
        stored = {r.key: r for r in load_records(s)}
    assert sorted(stored) == ["m0", "m1", "m2", "m3", "m4"]
    assert stored["m2"].error is not None and stored["m2"].error.startswith("not stored: ")
    assert (stored["m2"].source, stored["m2"].subject, stored["m2"].sent_at) == (
        "test:m2", None, None,
    )  # fmt: skip
    with sessions.begin() as s:  # a rerun stores nothing twice
        again = save_records(s, batch, contributor="alice")
    assert (again.new, again.duplicate, again.errors) == (0, 5, 2)


@pytest.mark.parametrize("poisoned", [False, True], ids=["clean", "one-refused"])
def test_save_records_commits_nothing_before_its_callers_transaction(sessions, poisoned):
    """Its savepoints nest inside the caller's transaction (on SQLite too), so a
    batch and the sync cursor saved after it commit or roll back together."""
    with sessions.begin() as s:
        refuse_poison(s)
    batch = [record("a"), record("b", subject="poison" if poisoned else None), record("c")]
    session = sessions()
    with session.begin():
        assert save_records(session, batch, contributor="me").new == 3
        session.rollback()
    with sessions.begin() as s:
        assert count(s, Message) == 0


def test_times_outside_the_window_are_stored_as_missing(sessions):
    far = datetime(3026, 11, 20, tzinfo=UTC)
    early = datetime(1, 1, 2, tzinfo=UTC)
    batch = [
        record("future", sent_at=far, offer=OfferInfo("percent", 10.0, expires_at=early)),
        record("past", sent_at=early),
        record("now"),
    ]
    with sessions.begin() as s:
        assert save_records(s, batch, contributor="me").new == 3
        stored = {r.key: r for r in load_records(s)}
    assert [stored[k].sent_at for k in ("future", "past", "now")] == [None, None, SENT]
    future_offer = stored["future"].offer
    assert future_offer is not None and future_offer.expires_at is None


@pytest.mark.parametrize("year", [3026, 1])
def test_a_cart_outside_the_window_is_refused(sessions, year):
    with sessions.begin() as s, pytest.raises(OutOfWindow, match="outside 1980-01-01"):
        save_cart(s, RetailerRef("levi.com", "Levi's"), datetime(year, 5, 1, tzinfo=UTC), "me")
    with sessions.begin() as s:
        assert count(s, Cart) == 0


def test_spider_pages_and_reports_are_bounded_too(sessions):
    url = "https://forum.example.org/t?" + "q=%E2%82%AC&" * 400  # 4,829 characters
    with sessions.begin() as s:
        save_page_reports(s, url, 200, [])
    with sessions.begin() as s:  # the same long URL again is the same page
        save_page_reports(s, url, 200, [])
        [stored] = s.scalars(select(Page.url)).all()
    assert len(stored) <= 2048 and stored.startswith("https://forum.example.org/t?q=")


def test_a_record_the_column_types_refuse_is_recorded_and_the_batch_goes_on(sessions):
    """A naive time (a pipeline bug) fails in the column type, before any SQL runs."""
    batch = [record("a"), record("naive", sent_at=datetime(2026, 11, 20)), record("b")]
    with sessions.begin() as s:
        counts = save_records(s, batch, contributor="me")
    assert (counts.new, counts.errors) == (3, 1)
    [refused] = counts.refused
    assert refused.key == "naive" and refused.recorded
    assert refused.error.startswith("naive datetime refused by the store")
