"""What a crowd can learn from snapshots of a real store (SQLite and PostgreSQL).

Each test builds a private store, publishes it through `publish_snapshot` (or the
CLI) and reads the snapshot back with plain sqlite3: contributors are counted as
people, no published cell rests on fewer than K of them, two snapshots a day apart
do not differ by one cart, and a group of exactly K does not show who shopped where.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cells import every_cell

import tracker
from tracker.db.engine import init_store, make_engine, session_factory
from tracker.db.store import save_cart, save_records
from tracker.records import MessageRecord, OfferInfo, RetailerRef
from tracker.snapshot.publish import publish_snapshot

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
SEPT = datetime(2026, 9, 3, 9, tzinfo=UTC)
SHOP = RetailerRef("crowdshop.test", "Crowd Shop")
OTHER = RetailerRef("othershop.test", "Other Shop")


@pytest.fixture
def store(any_db_url: str):
    engine = make_engine(any_db_url)
    init_store(engine)
    yield engine
    engine.dispose()


def add_cart(engine, shop: RetailerRef, who: str, left: datetime, delay_h: float | None,
             offer: OfferInfo | None = None, tag: str = "") -> None:  # fmt: skip
    """A logged cart with a reminder an hour later and, after `delay_h`, an offer mail."""
    key = f"{shop.domain}-{who}-{left.isoformat()}{tag}"
    recs = [MessageRecord(f"src/{key}", f"{key}-1", f"{key}-1", sent_at=left + timedelta(hours=1),
                          retailer=shop, kind="abandoned_cart")]  # fmt: skip
    if delay_h is not None:
        recs.append(
            MessageRecord(f"src/{key}", f"{key}-2", f"{key}-2", sent_at=left + timedelta(hours=delay_h),
                          retailer=shop, kind="abandoned_cart",
                          offer=offer or OfferInfo("percent", 10.0, code="CROWD10"))
        )  # fmt: skip
    with session_factory(engine).begin() as s:
        save_cart(s, shop, left, who)
        save_records(s, recs, contributor=who)


def add_mail(engine, shop: RetailerRef, who: str, sent: datetime, offer=None, tag="") -> None:
    key = f"mail-{shop.domain}-{who}-{sent.isoformat()}{tag}"
    rec = MessageRecord(f"src/{key}", key, key, sent_at=sent, retailer=shop,
                        kind="abandoned_cart", offer=offer)  # fmt: skip
    with session_factory(engine).begin() as s:
        save_records(s, [rec], contributor=who)


def publish(engine, out: Path, now: datetime = NOW, k: int = 3) -> Path:
    with session_factory(engine).begin() as s:
        publish_snapshot(s, out, now, min_contributors=k)
    return out


def table(out: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(out)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def tables(out: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted; meta without the creation time."""
    names = [n for (n,) in table(out, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    rows = {n: sorted(table(out, f"SELECT * FROM {n}"), key=repr) for n in names}
    rows["meta"] = [r for r in rows["meta"] if r[0] != "created_at"]
    return rows


def test_k_counts_people_not_labels(store, tmp_path: Path):
    """ "alice", "Alice" and "alice " are one contributor, and her code is hers."""
    for i, label in enumerate(["alice", "Alice", "alice ", "\u200bALICE"]):
        add_cart(store, SHOP, label, SEPT + timedelta(days=i), 24 + i,
                 OfferInfo("percent", 20.0, code="JOHNSMITH10", code_kind="shared"))  # fmt: skip
    out = publish(store, tmp_path / "snap.sqlite")
    assert table(out, "SELECT domain FROM retailers") == []
    assert "JOHNSMITH10" not in every_cell(out) and "crowdshop" not in " ".join(every_cell(out))


def test_a_code_is_shared_by_people_not_by_its_shape(store, tmp_path: Path):
    """Personal codes shaped like shared ones ("JOHNSMITH10", "SAM-4F7K") are not shared."""
    for i, (who, code) in enumerate(
        [("ann", "ANNBROWN10"), ("bob", "SAM-4F7K"), ("cy", "CYWEST15")]
    ):
        add_cart(store, SHOP, who, SEPT + timedelta(days=i), 24,
                 OfferInfo("percent", 10.0, code=code, code_kind="shared"))  # fmt: skip
    out = publish(store, tmp_path / "snap.sqlite")
    assert table(out, "SELECT domain, shared_code_share FROM retailers") == [(SHOP.domain, None)]
    assert table(out, "SELECT * FROM codes") == []


def test_no_cell_rests_on_one_contributors_carts_or_offer(store, tmp_path: Path):
    """Three people get this shop's mail, one logs carts and gets a personal 40% offer."""
    for i, who in enumerate(["ann", "bob", "cy"]):
        add_mail(store, SHOP, who, SEPT + timedelta(days=i, hours=5))
        add_mail(store, SHOP, who, SEPT + timedelta(days=i, hours=29),
                 OfferInfo("percent", 10.0, code="CROWD10"))  # fmt: skip
    for day in range(3):  # only ann logs carts: her delays, her 40%
        add_cart(store, SHOP, "ann", SEPT + timedelta(days=10 + day), 30 + day,
                 OfferInfo("percent", 40.0, code=f"ANN40X{day}"), tag="c")  # fmt: skip
    out = publish(store, tmp_path / "snap.sqlite")
    cols = ("carts, discount_rate, discount_median_h, first_email_median_h, max_offer_value, "
            "first_offer_value")  # fmt: skip
    (row,) = table(out, f"SELECT {cols} FROM retailers WHERE domain = ?", SHOP.domain)
    assert row == (0, None, None, None, 10.0, 10.0)
    assert table(out, "SELECT * FROM survival WHERE domain = ?", SHOP.domain) == []
    assert all(v != 40.0 for (v,) in table(out, "SELECT offer_value FROM ladder"))
    assert table(out, "SELECT value FROM offer_distribution") == [(10.0,)]


def test_every_survival_step_rests_on_k_contributors(store, tmp_path: Path):
    """Four people's carts; one of them alone waits 100 h: that step is not shown."""
    for i, who in enumerate(["ann", "bob", "cy", "dee"]):
        add_cart(store, SHOP, who, SEPT + timedelta(days=i), 24.0 + i * 0.3)
    add_cart(store, SHOP, "ann", SEPT + timedelta(days=20), 100.0, tag="late")
    out = publish(store, tmp_path / "snap.sqlite")
    curve = table(out, "SELECT hours, survival, at_risk FROM survival WHERE domain = ? "
                       "ORDER BY hours", SHOP.domain)  # fmt: skip
    # one step at a grid time (the four discounts by 25 h), none at 100 h, no cart's own time
    assert curve == [(0.0, 1.0, 5), (25.0, 0.2, 1)]
    (median,) = table(out, "SELECT discount_median_h FROM retailers")[0]
    assert median == 25.0  # read off the published curve


def test_two_snapshots_a_day_apart_do_not_differ_by_one_cart(store, tmp_path: Path):
    for i, who in enumerate(["ann", "bob", "cy"]):
        add_cart(store, SHOP, who, SEPT + timedelta(days=i), 24 + i)
    before = tables(publish(store, tmp_path / "a.sqlite"))
    assert before["retailers"]  # the September block is published
    # one new cart today (November) and one logged for October: both held back
    add_cart(store, SHOP, "dee", NOW - timedelta(hours=30), 20.0)
    add_cart(store, SHOP, "ann", datetime(2026, 10, 12, tzinfo=UTC), 50.0)
    after = tables(publish(store, tmp_path / "b.sqlite", NOW + timedelta(days=1)))
    assert after == before
    # once October holds K carts from K contributors it is released as one block
    add_cart(store, SHOP, "bob", datetime(2026, 10, 14, tzinfo=UTC), 30.0)
    add_cart(store, SHOP, "cy", datetime(2026, 10, 16, tzinfo=UTC), 40.0)
    released = tables(publish(store, tmp_path / "c.sqlite", NOW + timedelta(days=2)))
    assert table(tmp_path / "c.sqlite", "SELECT carts FROM retailers") == [(6,)]
    assert released != before


def test_exactly_k_contributors_do_not_show_everyone_shopped_everywhere(store, tmp_path: Path):
    people = ["ann", "bob", "cy"]
    for shop in (SHOP, OTHER):
        for i, who in enumerate(people):
            add_cart(store, shop, who, SEPT + timedelta(days=i), 24)
    out = publish(store, tmp_path / "snap.sqlite")
    meta = dict(table(out, "SELECT key, value FROM meta"))
    assert meta["contributors"] == "fewer than 6"  # not "3": that would say all of them
    assert table(out, "SELECT contributors FROM retailers") == [(3,), (3,)]  # "at least K"


def test_a_retailer_everyone_shopped_at_shows_fewer_than_everyone(store, tmp_path: Path):
    people = ["ann", "bob", "cy", "dee", "eve", "fay"]
    for i, who in enumerate(people):
        add_cart(store, SHOP, who, SEPT + timedelta(days=i), 24)
    for i, who in enumerate(people[:4]):
        add_cart(store, OTHER, who, SEPT + timedelta(days=i), 24)
    out = publish(store, tmp_path / "snap.sqlite")
    assert dict(table(out, "SELECT key, value FROM meta"))["contributors"] == "6"
    counts = dict(table(out, "SELECT domain, contributors FROM retailers"))
    assert counts == {SHOP.domain: 3, OTHER.domain: 3}  # multiples of K, below the total 6
    # the same data but 6 and 4 people: the score does not tell the counts apart either
    assert len(set(table(out, "SELECT exposure FROM retailers"))) == 1


def test_kill_9_before_the_rename_leaves_nothing_after_the_next_publish(
    store, any_db_url: str, tmp_path: Path
):
    """A real SIGKILL at the worst moment (snapshot written, not yet renamed)."""
    for i, who in enumerate(["ann", "bob", "cy"]):
        add_cart(store, SHOP, who, SEPT + timedelta(days=i), 24)
    out = tmp_path / "pub" / "snap.sqlite"
    script = (
        "import os, signal, sys\n"
        "import tracker.snapshot.publish as p\n"
        "p.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from tracker.cli import cli\n"
        "cli(sys.argv[1:])\n"
    )
    code = Path(tracker.__file__).parent.parent  # the tree under test
    env = {**os.environ, "PYTHONPATH": str(code), "DARKPOOL_DATA_DIR": str(tmp_path / "data")}
    killed = subprocess.run([sys.executable, "-c", script, "--db", any_db_url, "publish", str(out)],
                            env=env, capture_output=True, check=False)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL
    assert [p.name for p in out.parent.iterdir()]  # it did leave its temp file
    done = subprocess.run([sys.executable, "-m", "tracker", "--db", any_db_url, "publish", str(out)],
                          env=env, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [p.name for p in out.parent.iterdir()] == ["snap.sqlite"]


def test_a_month_one_person_mailed_in_is_not_published(store, tmp_path: Path):
    """October holds only ann's mail; it is released with November's, but not shown."""
    for i, who in enumerate(["ann", "bob", "cy"]):
        add_mail(store, SHOP, who, SEPT + timedelta(days=i))
        add_mail(store, SHOP, who, datetime(2026, 11, 3 + i, tzinfo=UTC))
    add_mail(store, SHOP, "ann", datetime(2026, 10, 7, tzinfo=UTC))
    out = publish(store, tmp_path / "snap.sqlite", datetime(2026, 12, 20, tzinfo=UTC))
    months = table(out, "SELECT month, cart_emails FROM monthly ORDER BY month")
    assert months == [("2026-09", 3), ("2026-11", 3)]
    assert table(out, "SELECT cart_emails FROM retailers") == [(7,)]  # the block is released
