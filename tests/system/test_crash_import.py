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

import os
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


def _descendants(pid: int) -> set[int]:
    """Live (non-zombie) processes below `pid`, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_the_importer_alone_ends_its_workers_and_a_rerun_completes(tmp_path):
    """The out-of-memory killer or `kill -9 PID` ends only the importer; its pool's
    processes must not linger, and the store must still resume to the same rows."""
    import signal
    import time

    from hostile.crash import start

    mailbox = write_mbox(tmp_path / "big.mbox", varied_messages(1500))
    reference = tmp_path / "reference.sqlite"
    run(darkpool("--db", str(reference), "import", str(mailbox), "--workers", "1"))
    db = tmp_path / "store.sqlite"
    proc = start(darkpool("--db", str(db), "import", str(mailbox), "--workers", "2"))
    deadline, workers = time.monotonic() + 120, set()
    while proc.poll() is None and time.monotonic() < deadline and len(workers) < 3:
        workers = _descendants(proc.pid)  # the forkserver and its two workers (and a tracker)
        time.sleep(0.05)
    assert len(workers) >= 3, "the pool never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)]
    run(darkpool("--db", str(db), "import", str(mailbox), "--workers", "2"))
    assert dump_store(db) == dump_store(reference)
