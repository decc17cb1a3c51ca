"""Helpers for the crash tests: a varied mailbox, killing a real process, store dumps.

The store is compared by natural keys only (message key, retailer domain),
never by autoincrement ids or import times, so a store built by one
uninterrupted run and one built by runs killed at random points must dump
to the same rows.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hostile.mail import fixtures, nested_multipart

_MESSAGE_ID = re.compile(rb"(?im)^message-id:[^\n]*\n")
FROM_LINE = b"From shop@example.com Thu Nov 20 14:03:00 2026\n"


def varied_messages(count: int, seed: int = 5) -> list[bytes]:
    """`count` messages from the labelled corpus, each made unique.

    Every seventh loses its Message-ID (keyed by content hash), every
    thirteenth is a retailer's mail nested too deep to parse (an error record
    on import, a sync problem on sync); the rest keep their understanding
    (retailers, kinds, offers) and get a fresh Message-ID.
    """
    rng = random.Random(seed)
    bases = [data.replace(b"\r\n", b"\n") for _, data in fixtures()]
    out = []
    for i in range(count):
        if i % 13 == 12:
            junk = nested_multipart(120).replace(b"15% off", b"15%% off %d" % rng.randrange(10**9))
            unsubscribe = b"List-Unsubscribe: <https://levi.com/u>\n"  # passes sync triage
            out.append(unsubscribe + junk.replace(b"\r\n", b"\n"))
            continue
        data = _MESSAGE_ID.sub(b"", bases[i % len(bases)], count=1)
        marker = b"X-Crash-Test: %d\n" % i
        if i % 7 != 6:
            marker += b"Message-ID: <crash-%d@example.com>\n" % i
        out.append(marker + data)
    return out


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    chunks = []
    for data in messages:
        body = b"\n".join(
            b">" + line if line.lstrip(b">").startswith(b"From ") else line
            for line in data.rstrip(b"\n").split(b"\n")
        )
        chunks.append(FROM_LINE + body + b"\n\n")
    path.write_bytes(b"".join(chunks))
    return path


def darkpool(*args: str) -> list[str]:
    """The argv of a real `darkpool` process (the console script's module)."""
    return [sys.executable, "-m", "tracker", *args]


def start(argv: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,  # nothing reads while it runs: a full pipe would block it
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,  # its own process group: the kill reaches worker processes
    )


def kill(proc: subprocess.Popen) -> bool:
    """SIGKILL the process group; True if it was still running."""
    alive = proc.poll() is None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    return alive


def kill_after(argv: list[str], delay: float, env: dict | None = None) -> bool:
    """Start `argv`, SIGKILL it after `delay` seconds; True if it was killed mid-run."""
    proc = start(argv, env)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=delay)
    return kill(proc)


def kill_at_write(argv: list[str], db: Path, skip: int, env: dict | None = None) -> bool:
    """Start `argv` and SIGKILL it the moment the store's WAL is written for the
    `skip`+1-th time: the kill lands inside or right after a commit."""
    wal = Path(f"{db}-wal")
    proc = start(argv, env)
    last, seen = _stamp(wal), 0
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        now = _stamp(wal)
        if now != last:
            last, seen = now, seen + 1
            if seen > skip:
                break
        time.sleep(0.0005)
    return kill(proc)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size


def run(
    argv: list[str], env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        argv, capture_output=True, env={**os.environ, **(env or {})}, timeout=timeout
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{argv[3:]} exited {done.returncode}: {done.stderr.decode(errors='replace')}"
        )
    return done


def timed(fn: Callable[[], object]) -> float:
    start_ = time.monotonic()
    fn()
    return time.monotonic() - start_


MESSAGE_COLUMNS = (
    "m.key, m.message_id, m.content_hash, m.source, m.contributor, r.domain, m.sender_domain, "
    "m.subject, m.sent_at, m.kind, m.confidence, m.error"
)


def dump_store(db: Path) -> dict[str, list[tuple]]:
    """The store's content by natural key: messages, offers, retailers, IMAP accounts,
    sync state and sync problems."""
    con = sqlite3.connect(db)
    try:
        q = con.execute
        return {
            "messages": q(
                f"SELECT {MESSAGE_COLUMNS} FROM messages m "
                "LEFT JOIN retailers r ON r.id = m.retailer_id ORDER BY m.key"
            ).fetchall(),
            "offers": q(
                "SELECT m.key, o.type, o.value, o.currency, o.min_spend, o.code, o.code_kind, "
                "o.expires_at FROM offers o JOIN messages m ON m.id = o.message_pk ORDER BY m.key"
            ).fetchall(),
            "retailers": q(
                "SELECT domain, name, category, country FROM retailers ORDER BY domain"
            ).fetchall(),
            "message_keys": q("SELECT key FROM messages ORDER BY key").fetchall(),
            "accounts": q(
                "SELECT host, port, username, security, folders, contributor FROM imap_accounts "
                "ORDER BY host, port, username"
            ).fetchall(),
            "sync_state": q(
                "SELECT a.username, s.folder, s.uidvalidity, s.last_uid FROM sync_state s "
                "JOIN imap_accounts a ON a.id = s.account_id ORDER BY a.username, s.folder"
            ).fetchall(),
            "problems": q(
                "SELECT a.username, p.folder, p.uidvalidity, p.uid, p.error FROM sync_problems p "
                "JOIN imap_accounts a ON a.id = p.account_id ORDER BY a.username, p.folder, p.uid"
            ).fetchall(),
        }
    finally:
        con.close()


def store_after_kill(db: Path) -> dict[str, list[tuple]] | None:
    """A killed run's store: asserted intact, then dumped; None while there is nothing
    to check (no file yet, or killed before the first migration committed)."""
    if not db.exists():
        return None
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    finally:
        con.close()
    if "messages" not in tables:
        return None  # nothing half-made
    return dump_store(db)
