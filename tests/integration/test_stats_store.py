"""Statistics read from a real store: the `stats` command, and reads racing an import."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tracker.analysis.stats import run_stats
from tracker.db.store import save_cart, save_records
from tracker.records import MessageRecord, OfferInfo, RetailerRef

T0 = datetime(2026, 10, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=40)


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """The store-backed tests here run on SQLite and on PostgreSQL."""
    return any_db_url


def test_run_stats_reads_the_store_and_cli_prints_jsonl(db_url, run_cli):
    from tracker.db.engine import init_store, make_engine, session_factory

    engine = make_engine(db_url)
    init_store(engine)
    sessions = session_factory(engine)
    shop = RetailerRef("shop.test", "Shop")
    # the CLI reads the clock, so these carts are a month old whenever the test runs
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)

    def at(hours: float) -> datetime:
        return base + timedelta(hours=hours)

    with sessions.begin() as s:
        for who, delay in (("ann", 24), ("bob", 48)):
            save_cart(s, shop, at(0), who)
            offer = OfferInfo("percent", 10.0)
            recs = [
                MessageRecord(f"src-{who}", f"{who}-1", "h", sent_at=at(1), retailer=shop,
                              kind="abandoned_cart"),
                MessageRecord(f"src-{who}", f"{who}-2", "h", sent_at=at(delay), retailer=shop,
                              kind="browse_abandonment", offer=offer),
                MessageRecord(f"src-{who}", f"{who}-3", "h", sent_at=at(2), retailer=shop,
                              kind="promotion", offer=offer),
            ]  # fmt: skip
            save_records(s, recs, who)
    with sessions.begin() as s:
        (row,) = run_stats(s, datetime.now(UTC)).rows
    engine.dispose()
    # the promotion is not cart mail; both carts got 10% (at 24 and 48 h)
    assert (row["carts"], row["cart_emails"], row["contributors"]) == (2, 4, 2)
    assert row["hours_to_discount"]["median"] == 24.0  # S(24) = 1/2 exactly
    result = run_cli("stats", "--jsonl")
    assert result.exit_code == 0
    assert json.loads(result.output.splitlines()[0]) == row  # same store, same numbers
    table = run_cli("stats", "--retailer", "shop.test")
    assert "shop.test" in table.output and "10%" in table.output
    empty = run_cli("stats", "--retailer", "none.test", "--jsonl")
    assert empty.exit_code == 0 and empty.output == ""


def test_stats_survive_an_import_between_their_queries(tmp_path):
    """An importer commits while stats read (each query may see a newer store).

    The writes land right after stats' first query, as a concurrent `darkpool
    import` or `sync` can; every retailer a later row names must still be known.
    """
    from sqlalchemy import event

    from tracker.db.engine import init_store, make_engine, session_factory

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    reader, writer = make_engine(url), make_engine(url)
    init_store(reader)
    shop = RetailerRef("late.test", "Late Shop")
    fired: list[str] = []

    def import_now(_conn, _cursor, statement, *_args) -> None:
        if fired or not statement.lstrip().upper().startswith("SELECT"):
            return
        fired.append(statement)
        with session_factory(writer).begin() as s:
            save_cart(s, shop, T0, "ann")
            rec = MessageRecord("src", "late-1", "h", sent_at=T0 + timedelta(hours=2),
                                retailer=shop, kind="abandoned_cart")  # fmt: skip
            save_records(s, [rec], "ann")

    event.listen(reader, "after_cursor_execute", import_now)
    with session_factory(reader).begin() as s:
        result = run_stats(s, NOW)
    reader.dispose()
    writer.dispose()
    assert fired  # the import did happen mid-read
    assert [row["retailer"]["domain"] for row in result.rows] in ([], ["late.test"])
