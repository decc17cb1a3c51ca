from datetime import UTC, datetime, timedelta, timezone

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from tracker.db.engine import (
    SCHEMA_HEAD,
    alembic_config,
    ensure_store,
    schema_revision,
)
from tracker.db.models import Cart, Message, Offer, Retailer
from tracker.db.store import load_records, save_cart, save_records
from tracker.records import MessageRecord, OfferInfo, RetailerRef


def _record(key: str, offer: OfferInfo | None = None) -> MessageRecord:
    return MessageRecord(
        source=f"test:{key}",
        key=key,
        content_hash=key * 2,
        message_id=f"<{key}@x>",
        sent_at=datetime(2026, 11, 20, 15, 3, tzinfo=timezone(timedelta(hours=1))),
        retailer=RetailerRef("levi.com", "Levi's"),
        kind="abandoned_cart",
        confidence=0.9,
        offer=offer,
    )


def test_models_and_migrations_do_not_drift(engine):
    command.check(alembic_config(engine))


def test_schema_head_is_alembics_head(engine):
    # ensure_store compares the store with SCHEMA_HEAD instead of loading Alembic.
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert SCHEMA_HEAD == head == schema_revision(engine)


def test_upgrade_from_0001_keeps_remembered_accounts(engine):
    command.downgrade(alembic_config(engine), "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO imap_accounts (host, port, username, security, folders, contributor)"
                " VALUES ('imap.example.org', 993, 'me@example.org', 'tls', 'INBOX', 'me')"
            )
        )
    assert schema_revision(engine) == "0001"
    ensure_store(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT host, username, cafile, since FROM imap_accounts"))
        assert rows.all() == [("imap.example.org", "me@example.org", None, None)]


def test_an_outdated_store_is_upgraded_on_first_use(engine):
    command.downgrade(alembic_config(engine), "base")
    assert schema_revision(engine) is None or schema_revision(engine) != SCHEMA_HEAD
    ensure_store(engine)
    assert schema_revision(engine) == SCHEMA_HEAD


def test_save_records_is_idempotent_and_round_trips(sessions):
    offer = OfferInfo(
        "percent", 15.0, code="COMEBACK15", expires_at=datetime(2026, 11, 22, tzinfo=UTC)
    )
    batch = [_record("a", offer), _record("b"), _record("a", offer)]
    with sessions.begin() as s:
        first = save_records(s, batch, contributor="me")
    with sessions.begin() as s:
        second = save_records(s, batch, contributor="me")
    assert (first.new, first.duplicate) == (2, 1)
    assert (second.new, second.duplicate) == (0, 3)
    with sessions.begin() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 2
        assert s.scalar(select(func.count()).select_from(Offer)) == 1
        assert s.scalar(select(func.count()).select_from(Retailer)) == 1
        records = list(load_records(s))
    assert [r.key for r in records] == ["a", "b"]
    assert records[0].offer == offer
    assert records[0].sent_at == datetime(2026, 11, 20, 14, 3, tzinfo=UTC)
    assert records[0].to_json()["sent_at"] == "2026-11-20T14:03:00+00:00"


def test_save_cart_twice_is_one_cart(sessions):
    at = datetime(2026, 11, 20, 14, 3, tzinfo=UTC)
    with sessions.begin() as s:
        first = save_cart(s, RetailerRef("levi.com", "Levi's"), at, "me", 80.0, "USD")
    with sessions.begin() as s:
        second = save_cart(s, RetailerRef("levi.com", "Levi's"), at, "me")
        assert s.scalar(select(func.count()).select_from(Cart)) == 1
    assert first[1] is True and second == (first[0], False)


def test_concurrent_writers_do_not_duplicate(engine, sessions):
    """Two contributors importing overlapping mail at once: one row per key and domain."""
    import threading

    domains = [RetailerRef(f"shop{i}.com", f"Shop {i}") for i in range(20)]

    def batch(offset: int) -> list[MessageRecord]:
        out = []
        for i in range(offset, offset + 120):
            rec = _record(f"k{i}")
            rec.retailer = domains[i % len(domains)]
            out.append(rec)
        return out

    errors: list[BaseException] = []

    def worker(offset: int, who: str) -> None:
        try:
            for chunk in range(0, 120, 30):
                with sessions.begin() as s:
                    save_records(s, batch(offset)[chunk : chunk + 30], contributor=who)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(o, w)) for o, w in ((0, "a"), (60, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with sessions.begin() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 180
        assert s.scalar(select(func.count(func.distinct(Message.key)))) == 180
        assert s.scalar(select(func.count()).select_from(Retailer)) == 20
