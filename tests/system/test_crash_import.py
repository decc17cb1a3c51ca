"""`darkpool import` killed with SIGKILL at random points, then rerun: nothing lost.

A real `darkpool` process imports a varied mbox (retailers, offers, mail
without Message-ID, junk) in batches of two and is killed: after a random
delay spread over the length of an uninterrupted run (measured once), a few
very early (during start-up and the store's first migration), and the moment
the store's WAL is written (inside or right after a commit). Several kills
hit one store in a row; then a run to completion must leave exactly the rows
of an uninterrupted run. After every kill the store is intact, and what it
holds is a subset of the final rows, each message with its offer (one
transaction per batch).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hostile.crash import (
    darkpool,
    dump_store,
    kill_after,
    kill_at_write,
    run,
    store_after_kill,
    timed,
    varied_messages,
    write_mbox,
)

SEED = 7_2026
MESSAGES = 80
BATCH = 2
KILLS = 20  # kills that landed while the import was running
KILLS_PER_STORE = 5


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory) -> Path:
    return write_mbox(tmp_path_factory.mktemp("mail") / "shop.mbox", varied_messages(MESSAGES))


@pytest.fixture(scope="module")
def reference(mailbox: Path, tmp_path_factory) -> tuple[dict, float]:
    """The store of one uninterrupted run, and how long that run took."""
    db = tmp_path_factory.mktemp("reference") / "store.sqlite"
    seconds = timed(lambda: run(import_argv(db, mailbox)))
    return dump_store(db), seconds


def import_argv(db: Path, mailbox: Path) -> list[str]:
    return darkpool("--db", str(db), "import", str(mailbox), "--batch-size", str(BATCH))


def check_partial(db: Path, final: dict) -> int:
    """After a kill: the file is intact and holds only whole batches of final rows."""
    got = store_after_kill(db)
    if got is None:
        return 0
    assert set(got["messages"]) <= set(final["messages"])
    keys = {row[0] for row in got["messages"]}
    offers = {row for row in final["offers"] if row[0] in keys}
    assert set(got["offers"]) == offers  # a message is never stored without its offer
    return len(keys)


def kill_once(rng: random.Random, argv: list[str], db: Path, seconds: float) -> tuple[str, bool]:
    """One kill of a kind chosen at random: delay over the run, early, or at a WAL write."""
    how = rng.choice(["delay", "delay", "early", "write", "write"])
    if how == "delay":
        return how, kill_after(argv, rng.uniform(0.05, 0.95) * seconds)
    if how == "early":
        return how, kill_after(argv, rng.uniform(0.05, 1.5))
    commits = MESSAGES // BATCH
    return how, kill_at_write(argv, db, rng.randrange(0, commits + 10))


def test_killed_imports_rerun_to_the_same_store(mailbox, reference, tmp_path):
    final, seconds = reference
    assert len(final["messages"]) == MESSAGES and final["offers"] and final["retailers"]
    rng = random.Random(SEED)
    landed, kinds, stores = 0, {"delay": 0, "early": 0, "write": 0}, 0
    for attempt in range(3 * KILLS):
        if landed >= KILLS:
            break
        if attempt % KILLS_PER_STORE == 0:
            stores += 1
            db = tmp_path / f"store{stores}.sqlite"
        argv = import_argv(db, mailbox)
        how, killed = kill_once(rng, argv, db, seconds)
        held = check_partial(db, final)
        landed += killed
        kinds[how] += killed
        if attempt % KILLS_PER_STORE == KILLS_PER_STORE - 1 or landed >= KILLS:
            run(argv)  # the rerun to completion
            got = dump_store(db)
            assert len(got["message_keys"]) == len(set(got["message_keys"]))  # no duplicates
            assert got == final, f"store {stores} differs after kills (last held {held})"
    print(
        f"\nimport: {landed} kills landed mid-run ({kinds}) on {stores} stores; "
        f"uninterrupted run {seconds:.1f}s"
    )
    assert landed >= KILLS
    assert kinds["write"] >= 3 and kinds["delay"] >= 3
