"""SIGKILL `darkpool crawl --jobdir DIR` at random points; the rerun must lose nothing.

A loopback site holds 100 pages in four pagination chains (the crawler finds
each next page only by reading the one before), each page with one distinct
report. The server is throttled so a crawl lasts a few seconds. Each seeded
trial kills the crawl once a random number of pages has been served (plus a
random few milliseconds, so some kills land inside a commit), reruns it with
the same job directory until it ends, and compares the stored reports and
pages with an uninterrupted crawl: same content, no duplicates, no gaps.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select
from webserver import LoopbackServer, html

from tracker.db.engine import make_engine, session_factory
from tracker.db.models import Page, Report

CHAINS, LENGTH = 4, 25
TRIALS = int(os.environ.get("DARKPOOL_CRASH_TRIALS", "4"))
WIDE = 400  # pages linked from one index page: their requests are all queued at once
SETTINGS = [
    *("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.01"),
    *("-s", "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "RETRY_TIMES=0"),
    *("-s", f"DARKPOOL_MAX_PAGES_PER_SOURCE={WIDE + 10}"),
]


def _page(path: str):
    time.sleep(0.01)  # throttle: the whole crawl takes a few seconds
    chain, number = (int(x) for x in path.split("/")[2:4])
    value, days = 5 + (chain * LENGTH + number) % 40, 1 + number % 5
    nxt = f'<a rel="next" href="/chain/{chain}/{number + 1}">Next</a>' if number < LENGTH else ""
    return html(
        f"<html><head><title>Cart notes {chain}, page {number}</title></head><body><main>"
        f"<p>I abandoned my cart at Ulta and they sent {value}% off after {days} days.</p>"
        f"</main><div class='pagination'>{nxt}</div></body></html>"
    )


def _wide_index(path: str):
    links = "".join(f'<a href="/wide/page/{n}">{n}</a> ' for n in range(2, WIDE + 2))
    return html(f"<html><body><p>All our cart notes.</p><nav>{links}</nav></body></html>")


def _wide_page(path: str):
    return html(f"<html><body><p>Cart notes, {path}.</p></body></html>")


RELEASE = threading.Event()  # set at the end of the module: hung pages answer then


def _hung_page(path: str):
    RELEASE.wait(300)  # a site that stopped answering mid-crawl
    return html("<html><body><p>Too late.</p></body></html>")


@pytest.fixture(scope="module")
def site():
    routes = {
        "/chain/*": _page, "/wide/index": _wide_index, "/wide/page/*": _wide_page,
        "/hung/*": _hung_page,
    }  # fmt: skip
    with LoopbackServer(routes) as server:
        yield server
        RELEASE.set()


def _command(db_url: str, site: LoopbackServer, jobdir, urls=None) -> list[str]:
    urls = urls or [f"{site.url}/chain/{c}/1" for c in range(CHAINS)]
    return [sys.executable, "-m", "tracker", "--db", db_url, "crawl", *urls, *SETTINGS] + (
        ["--jobdir", str(jobdir)] if jobdir else []
    )


def _run(db_url: str, site: LoopbackServer, jobdir=None, urls=None) -> None:
    result = subprocess.run(
        _command(db_url, site, jobdir, urls), capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def _kill_after(db_url, site, jobdir, pages: int, extra: float, urls=None) -> int:
    """Start a crawl, SIGKILL it once `pages` pages were served (+`extra` s); pages served."""
    start = len(site.requested)
    proc = subprocess.Popen(
        _command(db_url, site, jobdir, urls), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(site.requested) - start < pages and proc.poll() is None:
        assert time.monotonic() < deadline, "the crawl stalled"
        time.sleep(0.005)
    time.sleep(extra)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return len(site.requested) - start


def _stored(db_url: str) -> tuple[list[tuple], list[tuple]]:
    """Reports (as `darkpool reports --jsonl` shows them) and pages, sorted, duplicates kept."""
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--db", db_url, "reports", "--jsonl"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    reports = []
    for line in result.stdout.splitlines():
        row = json.loads(line)
        row.pop("seen_at")
        reports.append(json.dumps(row, sort_keys=True))
    engine = make_engine(db_url)
    try:
        with session_factory(engine).begin() as session:
            pages = session.execute(select(Page.url, Page.status, Page.content_hash, Page.error))
            pages = sorted(tuple(p) for p in pages)
            per_page = session.execute(
                select(Report.page_id, func.count()).group_by(Report.page_id)
            ).all()
    finally:
        engine.dispose()
    assert all(n == 1 for _, n in per_page)  # one report per page, never two
    return sorted(reports), pages


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory):
    db_url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'store.sqlite'}"
    _run(db_url, site)
    reports, pages = _stored(db_url)
    assert len(reports) == len(pages) == CHAINS * LENGTH
    return reports, pages


@pytest.mark.parametrize("seed", range(TRIALS))
def test_killed_crawl_resumes_to_the_same_store(site, reference, tmp_path, seed):
    rng = random.Random(seed)
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    jobdir = tmp_path / "job"
    served = _kill_after(db_url, site, jobdir, rng.randint(1, 90), rng.uniform(0, 0.05))
    print(f"seed {seed}: killed after {served} requests")
    _run(db_url, site, jobdir)
    reports, pages = _stored(db_url)
    assert len(set(reports)) == len(reports)
    missing = len(reference[0]) - len(set(reports) & set(reference[0]))
    print(f"seed {seed}: {len(reports)} reports after the rerun, {missing} missing")
    assert (reports, pages) == reference


def test_killed_wide_crawl_loses_no_queued_page(site, tmp_path):
    """Hundreds of requests queued at once: Scrapy has written their fingerprints to
    requests.seen but keeps its queue's index in memory until a clean close, so a
    plain resume after SIGKILL would think them done and never fetch them."""
    urls = [f"{site.url}/wide/index", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]
    expected = {f"{site.url}/wide/index"} | {
        f"{site.url}/wide/page/{n}" for n in range(2, WIDE + 2)
    }
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    jobdir = tmp_path / "job"
    served = _kill_after(db_url, site, jobdir, 20, 0.0, urls=urls)
    print(f"wide crawl killed after {served} requests")
    _run(db_url, site, jobdir, urls=urls)
    pages = _stored(db_url)[1]
    print(f"{len(pages)} of {len(expected)} pages after the rerun")
    assert {url for url, *_ in pages} == expected and len(pages) == len(expected)
    assert {(status, error) for _, status, _, error in pages} == {(200, None)}


def test_ctrl_c_stops_a_crawl_waiting_on_a_hung_site(site, tmp_path):
    """SIGINT while a page hangs (a download timeout of 10 minutes): the crawl stops
    within its grace period, says "Interrupted" and exits 130; pages read are kept."""
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    urls = [f"{site.url}/hung/1", f"{site.url}/chain/0/1", "-s", "DOWNLOAD_TIMEOUT=600"]
    proc = subprocess.Popen(
        _command(db_url, site, None, urls),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not {"/hung/1", "/chain/0/3"} <= set(site.requested) and proc.poll() is None:
        assert time.monotonic() < deadline, "the crawl stalled"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=120)  # a guard against hanging, not a timing
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("Ctrl-C did not stop the crawl")
    assert proc.returncode == 130, (out, err)
    assert "Interrupted" in err and "Traceback" not in err
    reports, pages = _stored(db_url)
    assert f"{site.url}/chain/0/1" in {p[0] for p in pages}
