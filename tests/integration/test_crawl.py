"""The real Scrapy engine, in a subprocess, against a real HTTP server on loopback.

The server serves tests/fixtures/site/ plus misbehaving pages: a 500, a slow
page, a page slower than the timeout, an endless pagination chain and a
two-page cycle. It records every path requested, so tests can assert what the
spider did (and did not) fetch.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from paths import FIXTURES
from report_scoring import score_set
from sqlalchemy import select

from tracker.db.engine import make_engine, session_factory
from tracker.db.models import Page, Report

SITE = FIXTURES / "site"
LABELS = json.loads((SITE / "labels.json").read_text("utf-8"))["pages"]
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "DOWNLOAD_DELAY=0"]
SLOW_PAGE = """<html><head><title>Slow but worth it: abandoned cart codes</title></head>
<body><main><p>I abandoned my cart at Ulta and they sent 20% off after 2 days.</p></main></body></html>"""


def _loop_page(n: int) -> str:
    return (
        f"<html><head><title>Cart tips, page {n}</title></head><body><main>"
        f"<p>Page {n} of our abandoned cart notes.</p></main>"
        f'<div class="pagination"><a href="/loop/{n + 1}">Next</a></div></body></html>'
    )


def _cycle_page(name: str, other: str) -> str:
    return (
        f"<html><head><title>Cycle {name}</title></head><body><p>Abandoned cart page {name}.</p>"
        f'<a rel="next" href="/cycle-{other}.html">Next</a></body></html>'
    )


class SiteHandler(BaseHTTPRequestHandler):
    """Static fixture files plus the misbehaving pages; logs every path."""

    requested: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        type(self).requested.append(path)
        if path == "/broken.html":
            return self._send(500, "<html><body>Internal error</body></html>")
        if path == "/slow.html":
            time.sleep(1.0)
            return self._send(200, SLOW_PAGE)
        if path == "/stuck.html":
            time.sleep(6.0)
            return self._send(200, SLOW_PAGE)
        if path.startswith("/loop/"):
            return self._send(200, _loop_page(int(path.rsplit("/", 1)[1] or 1)))
        if path in {"/cycle-a.html", "/cycle-b.html"}:
            name = path[7]
            return self._send(200, _cycle_page(name, "b" if name == "a" else "a"))
        file = (SITE / path.lstrip("/")).resolve()
        if path == "/" or not file.is_file() or SITE.resolve() not in file.parents:
            return self._send(404, "<html><body>Not found</body></html>")
        kind = "text/plain" if file.suffix == ".txt" else "text/html; charset=utf-8"
        self._send(200, file.read_bytes(), kind)

    def _send(self, status: int, body: str | bytes, kind: str = "text/html; charset=utf-8"):
        data = body.encode() if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up on a slow page

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    """Base URL of the fixture site on 127.0.0.1 (a thread; stopped after the module)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def requested():
    SiteHandler.requested.clear()
    return SiteHandler.requested


def darkpool(db_url: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the real CLI (and so the real Scrapy engine) in its own process."""
    cmd = [sys.executable, "-m", "tracker", "--db", db_url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def crawl(db_url: str, *urls: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    result = darkpool(db_url, "crawl", *urls, *FAST, *extra)
    assert result.returncode == 0, result.stderr
    return result


def stored_jsonl(db_url: str) -> list[dict]:
    result = darkpool(db_url, "reports", "--jsonl")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_crawl_fixture_site_matches_labels(site, requested, db_url):
    urls = [f"{site}/{page}" for page in LABELS if not page.startswith("list-page")]
    result = crawl(db_url, *urls, f"{site}/list-page1.html", extra=("--verbose",))
    assert "Crawled" in result.stdout
    lines = result.stdout.splitlines()
    assert f"{site}/en-list.html: 6 reports, 0 dropped" in lines  # one line per page
    assert f"{site}/about.html: not about leaving a cart" in lines
    assert {"/list-page2.html", "/list-page3.html"} <= set(requested)  # pagination followed
    got: dict[str, list[dict]] = {}
    for report in stored_jsonl(db_url):
        got.setdefault(report["source_url"].removeprefix(site + "/"), []).append(report)
    total = score_set(LABELS, got, "fixture site")
    assert total.precision >= 0.85 and total.full_recall >= 0.85
    for page in ("index.html", "about.html", "shop-sale.html"):
        assert page not in got  # boilerplate and shop pages yield nothing


def test_recrawl_keeps_the_same_rows(site, db_url):
    urls = [f"{site}/en-list.html", f"{site}/forum-thread.html", f"{site}/fr-tableau.html"]
    crawl(db_url, *urls)
    first = _rows(db_url)
    crawl(db_url, *urls)
    assert first and _rows(db_url) == first


def _rows(db_url: str) -> list[tuple]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine).begin() as session:
            reports = session.scalars(select(Report).order_by(Report.id)).all()
            pages = session.scalars(select(Page).order_by(Page.id)).all()
            return [
                (r.id, r.page_id, r.key, r.retailer_id, r.retailer_name, r.offer_type, r.value,
                 r.value_max, r.currency, r.wait_min, r.wait_max, r.seen_at)
                for r in reports
            ] + [(p.id, p.url, p.status, p.content_hash) for p in pages]  # fmt: skip
    finally:
        engine.dispose()


def test_robots_txt_disallowed_page_is_never_fetched(site, requested, db_url):
    # Several start URLs on one site: the disallowed one must wait for robots.txt too.
    urls = ["en-list.html", "forum-thread.html", "private/insider.html", "de-liste.html"]
    result = crawl(db_url, *(f"{site}/{u}" for u in urls))
    assert "/robots.txt" in requested
    assert "/private/insider.html" not in requested
    assert "1 skipped" in result.stdout
    assert not any("/private/" in r["source_url"] for r in stored_jsonl(db_url))


def test_server_error_and_slow_pages_do_not_stop_the_crawl(site, requested, db_url):
    urls = [
        f"{site}/broken.html",
        f"{site}/stuck.html",
        f"{site}/slow.html",
        f"{site}/en-list.html",
    ]
    result = crawl(db_url, *urls, extra=("--timeout", "2", "-s", "RETRY_TIMES=0"))
    assert "2 errors" in result.stdout
    engine = make_engine(db_url)
    with session_factory(engine).begin() as session:
        pages = {p.url.removeprefix(site): p for p in session.scalars(select(Page))}
    engine.dispose()
    assert pages["/broken.html"].status == 500 and "500" in pages["/broken.html"].error
    assert pages["/stuck.html"].error and pages["/stuck.html"].status is None
    sources = {r["source_url"].removeprefix(site) for r in stored_jsonl(db_url)}
    assert {"/slow.html", "/en-list.html"} <= sources


def test_endless_pagination_is_capped_and_cycles_end(site, requested, db_url):
    extra = ("-s", "DARKPOOL_MAX_PAGES_PER_SOURCE=6")
    crawl(db_url, f"{site}/loop/1", f"{site}/cycle-a.html", extra=extra)
    loop_pages = [p for p in requested if p.startswith("/loop/")]
    assert len(loop_pages) == 7  # the start page and six followed pages
    assert sorted(p for p in requested if p.startswith("/cycle")) == [
        "/cycle-a.html",
        "/cycle-b.html",
    ]


def test_sources_drive_a_default_crawl(site, requested, db_url):
    assert darkpool(db_url, "sources", "add", f"{site}/de-forum.html").returncode == 0
    assert "already" in darkpool(db_url, "sources", "add", f"{site}/de-forum.html").stdout
    listed = darkpool(db_url, "sources", "list").stdout.split()
    assert listed == [f"{site}/de-forum.html"]
    crawl(db_url)
    assert requested.count("/de-forum.html") == 1
    domains = {r["retailer"]["domain"] for r in stored_jsonl(db_url)}
    assert {"douglas.de", "mediamarkt.de", "hugoboss.com"} <= domains
    assert darkpool(db_url, "sources", "remove", f"{site}/de-forum.html").returncode == 0
    failed = darkpool(db_url, "crawl")
    assert failed.returncode == 1 and failed.stderr.startswith("Error: nothing to crawl")


def test_bad_url_is_one_line_error(db_url):
    result = darkpool(db_url, "crawl", "ftp://example.com/x")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: not an http(s) URL: 'ftp://example.com/x'"


def test_cache_serves_a_second_crawl_and_jobdir_resumes(
    site, requested, db_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("DARKPOOL_DATA_DIR", str(tmp_path / "data"))
    crawl(db_url, f"{site}/en-table.html", extra=("--cache",))
    assert requested.count("/en-table.html") == 1
    crawl(db_url, f"{site}/en-table.html", extra=("--cache",))
    assert requested.count("/en-table.html") == 1  # answered from the HTTP cache
    assert (tmp_path / "data" / "httpcache").is_dir()
    jobdir = tmp_path / "job"
    crawl(db_url, f"{site}/es-lista.html", extra=("--jobdir", str(jobdir)))
    assert (jobdir / "requests.seen").is_file()
    crawl(db_url, f"{site}/es-lista.html", extra=("--jobdir", str(jobdir)))
    assert requested.count("/es-lista.html") == 1  # the finished job is not redone
