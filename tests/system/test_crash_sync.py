"""`darkpool sync` killed with SIGKILL at random points, then rerun: nothing lost.

A real `darkpool sync` process reads a private Dovecot (tests/services/dovecot.py)
in batches of three and is killed after a random delay spread over an
uninterrupted run (measured once), very early, or the moment the store's WAL
is written (inside or right after a commit). After every kill the store is
intact and its cursor never passes a message it does not hold: every
message and problem at or below `sync_state.last_uid` is stored, so a rerun
that resumes from the cursor loses nothing. A run to completion must leave
exactly the rows of an uninterrupted sync.

Triage decides from the headers alone (never from what the store knows), so the
syncs use the default triage: a resumed sync downloads exactly what an
uninterrupted one does.
"""

from __future__ import annotations

import random
import re
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
)
from hostile.crash import varied_messages as messages

SEED = 8_2026
MESSAGES = 60
BATCH = 3
KILLS = 20
KILLS_PER_STORE = 5
_UID = re.compile(r";UID=(\d+)$")


@pytest.fixture(scope="module")
def box(dovecot):
    mailbox = dovecot.add_user()
    for data in messages(MESSAGES, seed=11):
        mailbox.deliver(data)
    return dovecot, mailbox


def sync_argv(box, db: Path) -> tuple[list[str], dict]:
    server, mailbox = box
    argv = darkpool(
        "--db", str(db), "sync", "--host", server.host, "--port", str(server.port),
        "--plain", "--user", mailbox.user, "--batch-size", str(BATCH),
    )  # fmt: skip
    return argv, {"DARKPOOL_IMAP_PASSWORD": mailbox.password}


@pytest.fixture(scope="module")
def reference(box, tmp_path_factory) -> tuple[dict, float]:
    db = tmp_path_factory.mktemp("reference") / "store.sqlite"
    argv, env = sync_argv(box, db)
    seconds = timed(lambda: run(argv, env))
    return dump_store(db), seconds


def check_partial(db: Path, final: dict) -> int:
    """After a kill: intact, a subset of the final rows, nothing missing below the cursor."""
    got = store_after_kill(db)
    if got is None:
        return 0
    for table in ("messages", "offers", "problems", "retailers"):
        assert set(got[table]) <= set(final[table]), table
    cursor = max((row[3] for row in got["sync_state"]), default=0)
    below = {row for row in final["messages"] if uid(row[3]) <= cursor}
    assert below <= set(got["messages"]), "the cursor passed a message that is not stored"
    assert {p for p in final["problems"] if p[3] <= cursor} <= set(got["problems"])
    keys = {row[0] for row in got["messages"]}
    assert set(got["offers"]) == {o for o in final["offers"] if o[0] in keys}
    return cursor


def uid(source: str) -> int:
    return int(_UID.search(source).group(1))


def kill_once(rng: random.Random, argv, env, db: Path, seconds: float) -> tuple[str, bool]:
    how = rng.choice(["delay", "delay", "early", "write", "write"])
    if how == "delay":
        return how, kill_after(argv, rng.uniform(0.05, 0.95) * seconds, env)
    if how == "early":
        return how, kill_after(argv, rng.uniform(0.05, 1.5), env)
    return how, kill_at_write(argv, db, rng.randrange(0, MESSAGES // BATCH + 6), env)


def test_killed_syncs_rerun_to_the_same_store(box, reference, tmp_path):
    final, seconds = reference
    assert final["messages"] and final["offers"] and final["problems"]
    assert final["sync_state"][0][3] == MESSAGES  # every UID seen
    rng = random.Random(SEED)
    landed, kinds, stores, cursors = 0, {"delay": 0, "early": 0, "write": 0}, 0, []
    on_store = KILLS_PER_STORE
    for _attempt in range(3 * KILLS):
        if landed >= KILLS:
            break
        if on_store == KILLS_PER_STORE:
            stores, on_store = stores + 1, 0
            db = tmp_path / f"store{stores}.sqlite"
        argv, env = sync_argv(box, db)
        how, killed = kill_once(rng, argv, env, db, seconds)
        cursor = check_partial(db, final)
        cursors.append(cursor)
        landed += killed
        kinds[how] += killed
        on_store += 1
        if cursor == MESSAGES or on_store == KILLS_PER_STORE or landed >= KILLS:
            run(argv, env)  # the rerun to completion
            got = dump_store(db)
            assert len(got["message_keys"]) == len(set(got["message_keys"]))
            assert got == final, f"store {stores} differs after kills"
            on_store = KILLS_PER_STORE  # next kill on a fresh store
    print(
        f"\nsync: {landed} kills landed mid-run ({kinds}) on {stores} stores; "
        f"cursors after kills {cursors}; uninterrupted run {seconds:.1f}s"
    )
    assert landed >= KILLS
    assert kinds["write"] >= 3 and kinds["delay"] >= 3
    assert len({c for c in cursors if 0 < c < MESSAGES}) >= 3  # kills between batches too
