"""Benchmark: `darkpool sync` against a bare imaplib loop on a local Dovecot.

    python bench/imap_sync.py [--messages 10000] [--repeat 3]

Starts a private Dovecot (tests/services/dovecot.py) with N retailer messages, copies
of the labelled corpus in tests/fixtures/mail with unique Message-IDs, written
straight into the Maildir. After one untimed warm-up pass (Dovecot builds its
index), it times, best of --repeat:

- `floor`: a bare imaplib loop that logs in, EXAMINEs INBOX and fetches every
  body with UID FETCH BODY.PEEK[] in batches — the transport's floor;
- `sync`: a first `sync_account` into a fresh store (header pass, triage,
  bodies, parse + classify through the mail pipeline in worker processes,
  store, sync state); `sync_one_process`: the same with the pipeline inline;
- `sync_no_pipeline`: the same with a trivial process step (hash only), to
  show how much of `sync` is transport and store versus parsing;
- `resync`: a second sync with nothing new (library call), and
  `resync_cli`: the same through `darkpool sync` in a fresh process.

Prints one JSON line per benchmark: name, seconds, baseline seconds (the
floor, or the target for re-syncs), ratio, plus the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import imaplib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from common import DARKPOOL  # noqa: E402
from services.dovecot import Dovecot  # noqa: E402

from tracker.db.engine import init_store, make_engine, session_factory  # noqa: E402
from tracker.mail.imap.accounts import Account  # noqa: E402
from tracker.mail.imap.sync import SyncOptions, sync_account  # noqa: E402
from tracker.records import MessageRecord, RawMail  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "mail"
MID = re.compile(rb"^Message-ID:.*\r?\n(?:[ \t].*\r?\n)*", re.I | re.M)


def corpus() -> list[bytes]:
    """The corpus's retail mail, each sure to pass triage (List-Unsubscribe)."""
    out = []
    for path in sorted(CORPUS.glob("*.eml")):
        if "personal" in path.name:
            continue
        data = MID.sub(b"", path.read_bytes().replace(b"\r\n", b"\n"))
        if not re.search(rb"^List-Unsubscribe:", data, re.I | re.M):
            data = b"List-Unsubscribe: <mailto:unsub@example.com>\n" + data
        out.append(data)
    return out


def fill(box, count: int) -> int:
    """Write `count` messages into INBOX/cur; returns the total bytes."""
    templates = corpus()
    cur = box.maildir() / "cur"
    total = 0
    for i in range(count):
        data = b"Message-ID: <bench-%d@darkpool.bench>\n" % i + templates[i % len(templates)]
        # S=size in the name, as Dovecot's own deliveries have: RFC822.SIZE needs no read
        path = cur / f"{1_700_000_000 + i}.M{i}P1.bench,S={len(data)}:2,"
        path.write_bytes(data)
        os.chown(path, box.server.uid, box.server.gid)
        total += len(data)
    return total


def floor(server, box, batch: int) -> float:
    """Bare imaplib: fetch every body in UID ranges of `batch`."""
    start = time.perf_counter()
    imap = imaplib.IMAP4(server.host, server.port)
    imap.login(box.user, box.password)
    _typ, data = imap.select("INBOX", readonly=True)
    _typ, uids = imap.uid("SEARCH", "ALL")
    ids = [int(u) for u in uids[0].split()]
    got = 0
    for i in range(0, len(ids), batch):
        chunk = ids[i : i + batch]
        _typ, resp = imap.uid("FETCH", f"{chunk[0]}:{chunk[-1]}", "(BODY.PEEK[])")
        got += sum(1 for part in resp if isinstance(part, tuple))
    imap.logout()
    assert got == len(ids), (got, len(ids))
    return time.perf_counter() - start


def null_process(raw: RawMail) -> MessageRecord:
    digest = hashlib.sha256(raw.data).hexdigest()
    return MessageRecord(source=raw.source, key=digest, content_hash=digest)


def fresh_store(tmp: Path, name: str) -> str:
    url = f"sqlite:///{tmp / name}"
    init_store(make_engine(url))
    return url


def timed_sync(url: str, account: Account, password: str, options: SyncOptions):
    engine = make_engine(url)
    start = time.perf_counter()
    summary = sync_account(session_factory(engine), account, password, options)
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, summary


def resync_cli(url: str, server, box) -> float:
    """Seconds of a `darkpool sync` process re-syncing `box` on `server` (anything with
    .host and .port: a test server or a remembered Account); it must fetch nothing."""
    env = {**os.environ, "DARKPOOL_IMAP_PASSWORD": box.password}
    # named: $DARKPOOL_IMAP_PASSWORD is only for the account on the command line
    cmd = [DARKPOOL, "--db", url, "sync", "--host", server.host, "--port", str(server.port)]
    cmd += ["--plain", "--user", box.user]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert done.returncode == 0 and "fetched 0" in done.stdout, done.stdout + done.stderr
    return seconds


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo") as f:
        model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def line(name: str, seconds: float, baseline: float, **extra) -> None:
    row = {
        "name": name,
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(seconds / baseline, 2),
        **extra,
    }
    print(json.dumps(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = Dovecot(spare_users=1).start()
    tmp = Path(tempfile.mkdtemp(prefix="darkpool-bench-"))
    try:
        box = server.add_user()
        size = fill(box, args.messages)
        account = Account(server.host, box.user, server.port, "plain")
        opts = SyncOptions()
        floor(server, box, opts.batch_count)  # warm-up: Dovecot indexes the Maildir
        base = min(floor(server, box, opts.batch_count) for _ in range(args.repeat))
        info = {
            "messages": args.messages,
            "mbytes": round(size / 1e6, 1),
            **machine(),
            "date": datetime.now(UTC).date().isoformat(),
        }
        line("floor", base, base, **info)
        variants = {
            "sync": SyncOptions(),
            "sync_one_process": SyncOptions(workers=1),
            "sync_no_pipeline": SyncOptions(process=null_process),
        }
        for name, variant in variants.items():
            runs = []
            for r in range(args.repeat):
                url = fresh_store(tmp, f"{name}-{r}.sqlite")
                runs.append(timed_sync(url, account, box.password, variant))
            seconds, summary = min(runs, key=lambda run: run[0])
            assert summary.new == args.messages, summary
            line(name, seconds, base, fetched=summary.fetched, workers=variant.workers)
        again = [timed_sync(url, account, box.password, SyncOptions()) for _ in range(args.repeat)]
        seconds, summary = min(again, key=lambda run: run[0])
        assert summary.fetched == 0, summary
        line("resync", seconds, 1.0, commands=dict(summary.commands))
        line("resync_cli", min(resync_cli(url, server, box) for _ in range(args.repeat)), 1.0)
    finally:
        server.close()


if __name__ == "__main__":
    main()
