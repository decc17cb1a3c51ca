"""Benchmark: the same sync on every IMAP server of the test matrix.

    python bench/imap_servers.py [--messages 2000] [--repeat 3] [--servers dovecot,cyrus,courier,mailutils,pymap]

For each server (tests/services/: Dovecot, Cyrus, Courier, GNU Mailutils
imap4d, pymap; those not installed are left out) it fills one INBOX with --messages retailer
messages and times, best of --repeat:

- `uids_fetch`: listing the folder's UIDs the way sync does (FETCH (UID) by
  sequence chunks) against `uids_search`: one `UID SEARCH UID 1:*` (how many
  UIDs each found is in the line: Mailutils' SEARCH finds none);
- `first_sync`: a first sync into a fresh store with a trivial process step
  (hash only), i.e. transport, triage and store without parsing;
- `resync`: a second sync with nothing new (library call) and `resync_cli`:
  the same through `darkpool sync` in a fresh process (target < 1 s).

Prints one JSON line per server and benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from imap_sync import corpus, fresh_store, machine, null_process, resync_cli  # noqa: E402
from services import courier, cyrus, dovecot, mailutils, pymap  # noqa: E402

from tracker.db.engine import make_engine, session_factory  # noqa: E402
from tracker.mail.imap.accounts import Account  # noqa: E402
from tracker.mail.imap.client import ImapSession  # noqa: E402
from tracker.mail.imap.sync import SyncOptions, sync_account  # noqa: E402

SERVERS = {
    "dovecot": (dovecot.Dovecot, dovecot.DOVECOT is not None),
    "cyrus": (cyrus.Cyrus, cyrus.INSTALLED),
    "courier": (courier.Courier, courier.INSTALLED),
    "mailutils": (mailutils.Mailutils, mailutils.IMAP4D is not None),
    "pymap": (pymap.Pymap, pymap.INSTALLED),
}


def fill(box, count: int) -> None:
    templates = corpus()
    for i in range(count):
        data = b"Message-ID: <bench-%d@darkpool.bench>\n" % i + templates[i % len(templates)]
        box.deliver(data)
    if hasattr(box, "settle"):  # Mailutils: a mail client has opened the folder once
        box.settle()


def best(fn, repeat: int):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - start, result))
    return min(runs, key=lambda run: run[0])


def list_uids(account: Account, password: str, how: str) -> int:
    with ImapSession(account.server(), password) as imap:
        selected = imap.select("INBOX")
        if how == "search":
            return len(imap.search_after(0))
        return len(imap.list_uids(0, selected.messages or 0))


def line(server: str, name: str, seconds: float, **extra) -> None:
    print(json.dumps({"server": server, "name": name, "seconds": round(seconds, 3), **extra}))


def bench(key: str, make, args, tmp: Path) -> None:
    server = make().start()
    try:
        box = server.add_user()
        fill(box, args.messages)
        port = getattr(box, "port", server.port)  # pymap: one server per user
        account = Account(server.host, box.user, port, "plain")
        list_uids(account, box.password, "fetch")  # warm-up: the server indexes the folder
        for how in ("fetch", "search"):
            seconds, found = best(lambda h=how: list_uids(account, box.password, h), args.repeat)
            line(key, f"uids_{how}", seconds, found=found, messages=args.messages)
        url = fresh_store(tmp, f"{key}.sqlite")
        factory = session_factory(make_engine(url))
        opts = SyncOptions(process=null_process)
        start = time.perf_counter()
        first = sync_account(factory, account, box.password, opts)
        line(key, "first_sync", time.perf_counter() - start, new=first.new)
        seconds, again = best(
            lambda: sync_account(factory, account, box.password, SyncOptions()), args.repeat
        )
        line(key, "resync", seconds, commands=dict(again.commands), failures=len(again.failures))
        line(key, "resync_cli", min(resync_cli(url, account, box) for _ in range(args.repeat)))
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--servers", default=",".join(SERVERS))
    args = parser.parse_args()
    print(json.dumps({"name": "machine", "messages": args.messages, **machine()}))
    tmp = Path(tempfile.mkdtemp(prefix="darkpool-bench-servers-"))
    for key in args.servers.split(","):
        make, installed = SERVERS[key]
        if installed:
            bench(key, make, args, tmp)
        else:
            print(json.dumps({"server": key, "name": "skipped", "reason": "not installed"}))


if __name__ == "__main__":
    main()
