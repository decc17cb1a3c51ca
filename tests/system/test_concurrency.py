"""Sync, crawl, readers, publish and the site on ONE SQLite store at the same time.

For DARKPOOL_SOAK_SECONDS (default 60 in CI, 15 locally) five loops run real
processes against one store: sync pulls new mail delivered into a private
Dovecot each round, crawl reads new pages from a loopback site each round,
readers run `stats --jsonl`, `messages --jsonl`, `reports --jsonl` and
`publish` (which replaces the snapshot), and the site (app.py through
Streamlit's AppTest, in its own process) renders the overview and a retailer
page from that snapshot while it is being replaced. No process may exit
non-zero, raise, or print "database is locked", and the final store must hold
every message delivered and every page crawled. Loops are bounded in rounds as
well as time; everything stays on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

from paths import ROOT
from services import in_ci
from webserver import LoopbackServer, html

SECONDS = float(os.environ.get("DARKPOOL_SOAK_SECONDS") or (60 if in_ci() else 15))
MAX_ROUNDS = 200
PER_ROUND = 4
APP = ROOT / "app.py"
# Renders the site in a fresh process, as a visitor's session would; exit 1 on
# any exception a page shows.
SITE_VISIT = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
shown = [e.value for e in at.exception]
at.switch_page("tracker/site/pages/retailer.py").run()
shown += [e.value for e in at.exception]
print(shown)
sys.exit(1 if shown else 0)
"""
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0"]


def retail_mail(n: int) -> bytes:
    when = datetime(2026, 11, 20, 14, 0, tzinfo=UTC) + timedelta(minutes=n)
    return (
        f"From: Levi's <hello@e.levi.com>\r\nTo: shopper@example.org\r\n"
        f"Subject: You left something in your cart ({n})\r\n"
        f"Message-ID: <soak-{n}@mail.levi.com>\r\n"
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
        f"List-Unsubscribe: <https://levi.com/unsub?u={n}>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Your cart misses you. Come back within 48 hours for 15% off with code BACK{n}.\r\n"
    ).encode()


def report_page(path: str):
    n = int(path.rsplit("/", 1)[1])
    return html(
        f"<html><head><title>Cart notes {n}</title></head><body><main>"
        f"<p>I abandoned my cart at Ulta and they sent {5 + n % 40}% off after "
        f"{1 + n % 5} days.</p></main></body></html>"
    )


class Loops:
    """Runs `darkpool` processes in threads; collects every failure."""

    def __init__(self, db_url: str, deadline: float) -> None:
        self.db_url = db_url
        self.deadline = deadline
        self.failures: list[str] = []
        self.runs: dict[str, int] = {}
        self.lock = threading.Lock()

    def darkpool(self, name: str, *args: str, env: dict | None = None) -> str:
        return self.python(name, "-m", "tracker", "--db", self.db_url, *args, env=env)

    def python(self, name: str, *args: str, env: dict | None = None) -> str:
        cmd = [sys.executable, *args]
        result = subprocess.run(
            cmd, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
        )
        with self.lock:
            self.runs[name] = self.runs.get(name, 0) + 1
            if (
                result.returncode != 0
                or "database is locked" in (result.stderr + result.stdout).lower()
            ):
                tail = (result.stderr + result.stdout)[-800:]
                self.failures.append(f"{name} exit {result.returncode}: {tail}")
        return result.stdout

    def loop(self, name: str, body) -> threading.Thread:
        def run() -> None:
            for i in range(MAX_ROUNDS):
                if time.monotonic() > self.deadline:
                    return
                body(i)

        thread = threading.Thread(target=run, name=name, daemon=True)
        thread.start()
        return thread


def test_sync_crawl_and_readers_share_one_sqlite_store(dovecot, tmp_path):
    box = dovecot.add_user()
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    sync_args = ["sync", "--host", dovecot.host, "--port", str(dovecot.port), "--plain"]
    sync_args += ["--user", box.user]
    password = {"DARKPOOL_IMAP_PASSWORD": box.password}
    delivered: list[int] = []
    crawled: list[str] = []
    snapshot = tmp_path / "snapshot.sqlite"
    with LoopbackServer({"/p/*": report_page}) as site:
        loops = Loops(db_url, time.monotonic() + SECONDS)
        loops.darkpool("init", "init")

        def sync_round(i: int) -> None:
            for n in range(i * PER_ROUND, (i + 1) * PER_ROUND):
                box.deliver(retail_mail(n))
                delivered.append(n)
            loops.darkpool("sync", *sync_args, env=password)

        def crawl_round(i: int) -> None:
            urls = [f"{site.url}/p/{n}" for n in range(i * PER_ROUND, (i + 1) * PER_ROUND)]
            loops.darkpool("crawl", "crawl", *urls, *FAST)
            crawled.extend(urls)

        def read_round(i: int) -> None:
            loops.darkpool("stats", "stats", "--jsonl")
            loops.darkpool("messages", "messages", "--jsonl")

        def publish_round(i: int) -> None:
            loops.darkpool("reports", "reports", "--jsonl")
            loops.darkpool("publish", "publish", str(snapshot))

        def site_round(i: int) -> None:
            loops.python(
                "site", "-c", SITE_VISIT, str(APP), env={"DARKPOOL_SNAPSHOT": str(snapshot)}
            )

        threads = [
            loops.loop(name, body)
            for name, body in (("sync", sync_round), ("crawl", crawl_round),
                               ("read", read_round), ("publish", publish_round),
                               ("site", site_round))
        ]  # fmt: skip
        for thread in threads:
            thread.join(timeout=SECONDS + 600)
        print(f"{SECONDS:g} s soak: runs {loops.runs}")
        assert not loops.failures, "\n".join(loops.failures)
        messages = loops.darkpool("final", "messages", "--jsonl").splitlines()
        reports = [
            json.loads(x) for x in loops.darkpool("final", "reports", "--jsonl").splitlines()
        ]
    ids = sorted(json.loads(line)["message_id"] for line in messages)
    print(f"{len(delivered)} mails delivered, {len(ids)} stored; "
          f"{len(crawled)} pages crawled, {len(reports)} reports stored")  # fmt: skip
    assert min(loops.runs[k] for k in ("sync", "crawl", "stats", "publish", "site")) >= 1
    assert ids == sorted(f"<soak-{n}@mail.levi.com>" for n in delivered)
    assert sorted(r["source_url"] for r in reports) == sorted(crawled)
    assert not loops.failures, "\n".join(loops.failures)
