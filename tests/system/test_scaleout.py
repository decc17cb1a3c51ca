"""Distributed crawls through Scrapyd: a real server on loopback runs the reports spider.

The repository's scrapy.cfg names the project "darkpool"; a Scrapyd started
beside a copy of it lists that project and runs jobs with the installed code.
Two jobs are scheduled at once against the fixture site, both writing into one
store (SQLite and PostgreSQL), as several crawl nodes sharing a PostgreSQL
store would. See docs/scale-out.md.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from paths import FIXTURES, ROOT
from services import require
from sqlalchemy import text

from tracker.db.engine import init_store, make_engine

SITE = FIXTURES / "site"

SCRAPYD_HINT = "Scrapyd not installed (pip install -e '.[dev]')"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _api(base: str, path: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{path}", data=body, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory, free_port):
    """A private Scrapyd on 127.0.0.1, running from a folder with the project's scrapy.cfg."""
    # in CI the [dev] extra installs it: a missing one fails there
    require(importlib.util.find_spec("scrapyd") is not None, SCRAPYD_HINT)
    home = tmp_path_factory.mktemp("scrapyd")
    shutil.copy(ROOT / "scrapy.cfg", home / "scrapy.cfg")
    port = free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.2\n"
        "max_proc = 2\njobs_to_keep = 5\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DARKPOOL_DB", None)
    log = (home / "scrapyd.out").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=home, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _api(base, "daemonstatus.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((home / "scrapyd.out").read_text()[-2000:]) from None
            time.sleep(0.2)
    yield base, home
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def _wait_finished(base: str, jobs: set[str], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listing = _api(base, "listjobs.json?project=darkpool")
        if jobs <= {job["id"] for job in listing["finished"]}:
            return
        time.sleep(0.5)
    raise AssertionError(f"jobs not finished in {timeout} s: {listing}")


def test_scrapyd_lists_the_project_and_its_spider(scrapyd):
    base, _home = scrapyd
    assert "darkpool" in _api(base, "listprojects.json")["projects"]
    assert _api(base, "listspiders.json?project=darkpool")["spiders"] == ["reports"]


def test_two_scrapyd_jobs_crawl_into_one_store(scrapyd, site, any_db_url):
    base, home = scrapyd
    engine = make_engine(any_db_url)
    init_store(
        engine
    )  # `darkpool init` once, as docs/scale-out.md says: jobs never race to migrate
    engine.dispose()
    fast = [("setting", "AUTOTHROTTLE_ENABLED=False"), ("setting", "DOWNLOAD_DELAY=0")]
    jobs = set()
    for page in ("en-table.html", "list-page1.html"):
        got = _api(
            base,
            "schedule.json",
            [
                ("project", "darkpool"),
                ("spider", "reports"),
                ("urls", f"{site}/{page}"),
                ("setting", f"DARKPOOL_DB_URL={any_db_url}"),
                *fast,
            ],
        )
        assert got["status"] == "ok", got
        jobs.add(got["jobid"])
    _wait_finished(base, jobs)
    logs = "\n".join(p.read_text() for p in (home / "logs").rglob("*.log"))
    assert "Traceback" not in logs, logs[-3000:]

    engine = make_engine(any_db_url)
    with engine.connect() as conn:
        pages = {row[0] for row in conn.execute(text("SELECT url FROM pages"))}
        domains = [
            row[0]
            for row in conn.execute(
                text("SELECT r.domain FROM reports p JOIN retailers r ON r.id = p.retailer_id")
            )
        ]
    engine.dispose()
    # both jobs stored their pages (list-page1 follows its pagination)
    assert f"{site}/en-table.html" in pages
    assert {f"{site}/list-page{n}.html" for n in (1, 2, 3)} <= pages
    assert {"target.com", "crateandbarrel.com", "abercrombie.com"} <= set(domains)
