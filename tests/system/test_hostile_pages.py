"""Hostile pages against the real Scrapy engine (a `darkpool crawl` subprocess).

A loopback server serves a gzip bomb, giant pages, redirect loops, off-site
redirects and non-HTML content; one well-behaved page sits beside them. Each
hostile page must be bounded (the crawler never holds it whole), skipped with a
reason (counted in the crawl summary or recorded on its `pages` row) and the
crawl must finish with the good page stored.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys

import pytest
from sqlalchemy import select
from webserver import LoopbackServer, Reply, html

from tracker.db.engine import make_engine, session_factory
from tracker.db.models import Page

MAXSIZE = 1024 * 1024  # the test's DOWNLOAD_MAXSIZE: 1 MiB
FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0"]
GOOD = """<html><head><title>Abandoned cart codes that worked</title></head><body><main>
<p>I abandoned my cart at Ulta and they sent 20% off after 2 days.</p></main></body></html>"""
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
JSON_BODY = json.dumps({"text": "Ulta sent 20% off after 2 days", "html": "<p>hi</p>"}).encode()


def _bomb() -> bytes:
    """~200 MiB of spaces inside an HTML page, gzip-compressed to a few hundred KiB."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as gz:
        gz.write(b"<html><body><p>")
        block = b" " * (1024 * 1024)
        for _ in range(200):
            gz.write(block)
        gz.write(b"</p></body></html>")
    return out.getvalue()


def _endless(chunk_kib: int = 64):
    """An HTML page without Content-Length that never ends on its own (bounded at 64 MiB)."""
    yield b"<html><body>"
    filler = b"<p>" + b"x" * (chunk_kib * 1024) + b"</p>"
    for _ in range(1024):
        yield filler


def _nested(depth: int) -> str:
    """A report at the bottom of `depth` nested elements (Python's stack is ~1,000)."""
    inner = "<p>I abandoned my cart at Ulta and they sent 20% off after 2 days.</p>"
    return (
        "<html><head><title>Abandoned cart codes</title></head><body>"
        + "<div><span>" * (depth // 2) + inner + "</span></div>" * (depth // 2)
        + "</body></html>"
    )  # fmt: skip


# A single-page app: the text is built by scripts in the browser.
APP = (
    "<html><head><title>Abandoned cart discounts, tested</title>"
    + "".join(f'<script src="/static/chunk-{n}.js"></script>' for n in range(4))
    + "<script>window.__STATE__="
    + "{}" * 2000
    + "</script></head>"
    + '<body><div id="root"></div><noscript>You need to enable JavaScript to run this app.'
    + "</noscript></body></html>"
)


def _redirect(to: str) -> Reply:
    return Reply(302, b"", {"Location": to})


@pytest.fixture(scope="module")
def sites():
    """The hostile site on 127.0.0.1 and an "other site" on 127.0.0.2 that should stay untouched."""
    other = LoopbackServer({"/landing.html": lambda p: html(GOOD)}, host="127.0.0.2").start()
    bomb = _bomb()
    big = b"<html><body>" + b"<p>" + b"y" * (3 * MAXSIZE) + b"</p></body></html>"
    routes = {
        "/good.html": lambda p: html(GOOD),
        "/bomb.html": lambda p: Reply(
            200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"}
        ),
        "/giant.html": lambda p: Reply(200, big),
        "/endless.html": lambda p: Reply(200, _endless()),
        "/redirect/*": lambda p: _redirect(f"/redirect/{int(p.rsplit('/', 1)[1]) + 1}"),
        "/cycle-a.html": lambda p: _redirect("/cycle-b.html"),
        "/cycle-b.html": lambda p: _redirect("/cycle-a.html"),
        "/away.html": lambda p: _redirect(f"{other.url}/landing.html"),
        "/away-by-name.html": lambda p: _redirect(f"http://localhost:{site.port}/good.html"),
        "/paper.pdf": lambda p: Reply(200, PDF, {"Content-Type": "application/pdf"}),
        "/image.png": lambda p: Reply(200, PNG, {"Content-Type": "image/png"}),
        "/data.json": lambda p: Reply(200, JSON_BODY, {"Content-Type": "application/json"}),
        "/mislabelled.html": lambda p: Reply(200, PDF, {"Content-Type": "text/html"}),
        "/nested.html": lambda p: html(_nested(1500)),
        "/nested-deeper.html": lambda p: html(_nested(60_000)),
        "/app.html": lambda p: html(APP),
    }
    site = LoopbackServer(routes).start()
    yield site, other
    site.stop()
    other.stop()


def darkpool(db_url: str, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tracker", "--db", db_url, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _pages(db_url: str, base: str) -> dict[str, Page]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine).begin() as session:
            rows = session.scalars(select(Page)).all()
            session.expunge_all()
    finally:
        engine.dispose()
    return {p.url.removeprefix(base): p for p in rows}


def _crawl(db_url: str, site: LoopbackServer, *paths: str) -> subprocess.CompletedProcess:
    urls = [p if p.startswith("-") else f"{site.url}{p}" for p in paths]
    extra = ["-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}", "-s", f"DOWNLOAD_WARNSIZE={MAXSIZE // 4}"]
    result = darkpool(db_url, "crawl", *urls, f"{site.url}/good.html", *FAST, *extra)
    print(result.stdout, result.stderr[-3000:])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _summary(result: subprocess.CompletedProcess) -> dict[str, int]:
    line = next(x for x in result.stdout.splitlines() if x.startswith("Crawled"))
    words = line.replace(":", "").replace(",", "").split()
    return {
        "pages": int(words[1]),
        "reports": int(words[3]),
        "errors": int(words[7]),
        "skipped": int(words[9]),
    }


def _good_page_stored(db_url: str, site: LoopbackServer) -> None:
    pages = _pages(db_url, site.url)
    assert pages["/good.html"].error is None and pages["/good.html"].status == 200
    reports = darkpool(db_url, "reports", "--jsonl").stdout.splitlines()
    assert any(json.loads(r)["retailer"]["domain"] == "ulta.com" for r in reports)


def _skipped_with_reason(db_url: str, site: LoopbackServer, path: str, words: tuple[str, ...]):
    """The page has a `pages` row whose error names why it was skipped."""
    page = _pages(db_url, site.url).get(path)
    assert page is not None, f"{path} left no trace in the store"
    print(f"{path}: {page.error}")
    assert page.error and any(w in page.error.lower() for w in words), page.error


def test_decompression_bomb_and_giant_pages_are_cut_off(sites, db_url):
    site, _ = sites
    result = _crawl(db_url, site, "/bomb.html", "/giant.html", "/endless.html")
    summary = _summary(result)
    assert summary["pages"] == 1 and summary["reports"] >= 1
    for path in ("/bomb.html", "/giant.html", "/endless.html"):
        _skipped_with_reason(db_url, site, path, ("size", "maxsize", "large"))
    _good_page_stored(db_url, site)


def test_redirect_loops_end(sites, db_url):
    site, _ = sites
    site.requested.clear()
    result = _crawl(db_url, site, "/redirect/1", "/cycle-a.html")
    redirects = [p for p in site.requested if p.startswith("/redirect/")]
    assert 1 < len(redirects) <= 21  # REDIRECT_MAX_TIMES (20) bounds the chain
    assert site.requested.count("/cycle-a.html") <= 2
    assert _summary(result)["pages"] == 1
    _skipped_with_reason(db_url, site, "/redirect/1", ("redirect",))
    _good_page_stored(db_url, site)


def test_offsite_redirects_are_not_followed(sites, db_url):
    site, other = sites
    other.requested.clear()
    site.requested.clear()
    result = _crawl(db_url, site, "/away.html", "/away-by-name.html")
    assert other.requested == []  # not even its robots.txt
    assert _summary(result)["skipped"] >= 2
    for path in ("/away.html", "/away-by-name.html"):
        _skipped_with_reason(db_url, site, path, ("offsite", "off-site", "other site"))
    _good_page_stored(db_url, site)


def test_non_html_content_is_skipped_with_a_reason(sites, db_url):
    site, _ = sites
    paths = ("/paper.pdf", "/image.png", "/data.json", "/mislabelled.html")
    result = _crawl(db_url, site, *paths)
    summary = _summary(result)
    assert summary["pages"] == 2  # the good page and the mislabelled one (as text, no reports)
    for path in ("/paper.pdf", "/image.png", "/data.json"):
        _skipped_with_reason(db_url, site, path, ("not a text page", "content type", "not html"))
    reports = [json.loads(r) for r in darkpool(db_url, "reports", "--jsonl").stdout.splitlines()]
    assert {r["source_url"].removeprefix(site.url) for r in reports} == {"/good.html"}


def test_deeply_nested_pages_are_read_or_recorded_never_crash(sites, db_url):
    site, _ = sites
    result = _crawl(db_url, site, "/nested.html", "/nested-deeper.html")
    assert _summary(result)["errors"] == 0
    pages = _pages(db_url, site.url)
    for path in ("/nested.html", "/nested-deeper.html"):
        assert pages[path].status == 200 and pages[path].error is None  # a record, no crash
    reports = [json.loads(r) for r in darkpool(db_url, "reports", "--jsonl").stdout.splitlines()]
    assert "/nested.html" in {r["source_url"].removeprefix(site.url) for r in reports}


def test_a_page_that_needs_javascript_says_so(sites, db_url):
    site, _ = sites
    result = _crawl(db_url, site, "/app.html", "--verbose")
    assert f"{site.url}/app.html: needs JavaScript, not read" in result.stdout.splitlines()
    assert "1 need JavaScript (not read)" in result.stdout
    assert _pages(db_url, site.url)["/app.html"].error == "needs JavaScript, not read"
    _good_page_stored(db_url, site)
