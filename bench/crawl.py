"""Benchmark: pages/second of the reports spider vs a null spider on one local site.

    python bench/crawl.py [--chains 100] [--pages 10] [--repeat 3]

Builds a site of chains x pages generated pages (every layout the spider
reads, with navigation, cookie banners, ads and footers around them), serves it
from a thread on 127.0.0.1, and crawls it with the real Scrapy engine in a
subprocess per run: once with the reports spider, once with a null spider that
follows the same pagination and stores the same page rows but extracts
nothing. Politeness delays are switched off for both, so the figure is CPU
cost. Prints pages/second for each and the extraction overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNKNOWN = ["Quiet Fox Socks", "Lunar Oak Candles", "Pebble & Pine", "Emberly Tea", "Tillywick Toys"]
OFFERS = ["10% off", "15%", "20% off", "£5 off", "$10 off", "free shipping", "10–15%"]
WAITS = ["within 24 hours", "after 2 days", "next day", "a few hours later", "after 2–3 days"]
FILLER = (
    "Shopping online has changed a lot over the years, and stores now follow up on almost "
    "everything you do. This paragraph is here to make the page as long as a real post. "
)


def _stores(rng: random.Random) -> list[str]:
    from tracker.text.names import load_known_retailers

    names = sorted({k.name for k in load_known_retailers()[1].values()})
    return rng.sample(names, 8) + rng.sample(UNKNOWN, 2)


def _body(rng: random.Random) -> str:
    stores = _stores(rng)
    pick = lambda seq: rng.choice(seq)  # noqa: E731
    items = "".join(f"<li>{s} — {pick(OFFERS)} — {pick(WAITS)}</li>" for s in stores[:3])
    rows = "".join(
        f"<tr><td>{s}</td><td>{pick(OFFERS)}</td><td>{pick(WAITS)}</td></tr>" for s in stores[3:5]
    )
    heads = "".join(
        f"<h2>{s}</h2><p>They sent {pick(OFFERS)} {pick(WAITS)}.</p>" for s in stores[5:7]
    )
    posts = "".join(
        f'<div class="post"><blockquote>{stores[0]} sent 10% next day</blockquote>'
        f"<p>I left my cart at {s} and they emailed {pick(OFFERS)} {pick(WAITS)}.</p></div>"
        for s in stores[7:]
    )
    filler = "".join(f"<p>{FILLER * 3}</p>" for _ in range(6))
    return (
        f"<p>Readers left a cart and waited.</p>{filler}<ul>{items}</ul>"
        f"<table><tr><th>Store</th><th>Discount</th><th>Wait</th></tr>{rows}</table>"
        f"{heads}{posts}"
    )


def _chrome(rng: random.Random) -> tuple[str, str, str]:
    """Head, navigation and footer of a typical blog page (styles, scripts, menus)."""
    css = "".join(
        f".c{i}{{margin:{i % 9}px;color:#{rng.randrange(0xFFFFFF):06x}}}" for i in range(250)
    )
    js = "".join(
        f"window.t{i}=function(a){{return a*{i}+{rng.random():.4f};}};" for i in range(200)
    )
    menu = "".join(f'<li><a href="/topic/{i}">Topic {i}</a></li>' for i in range(60))
    related = "".join(
        f'<li><a href="/post/{rng.randrange(9999)}">Saving tip {i}</a></li>' for i in range(20)
    )
    links = "".join(f'<a href="/page/{i}">Page {i}</a> ' for i in range(40))
    head = f"<style>{css}</style><script>{js}</script>"
    nav = (
        f'<nav class="menu"><ul>{menu}</ul></nav><aside class="sidebar"><ul>{related}</ul></aside>'
    )
    return head, nav, f"<footer>{links}</footer>"


def build_site(chains: int, pages: int, seed: int = 7, lean: bool = False) -> dict[str, bytes]:
    """{path: html} for `chains` paginated posts of `pages` pages each.

    Pages carry the styles, scripts, menus and footers of a typical blog page
    (about 25 KiB) unless `lean`, which leaves only the content (about 4 KiB).
    """
    rng = random.Random(seed)
    site = {"/robots.txt": b"User-agent: *\nDisallow: /private/\n"}
    for c in range(chains):
        for p in range(1, pages + 1):
            nxt = f'<a href="/c{c}/p{p + 1}.html">Next ›</a>' if p < pages else ""
            head, nav, footer = ("", "", "") if lean else _chrome(rng)
            html = (
                f"<html><head><title>Abandoned cart discounts, part {c} page {p}</title>{head}</head><body>{nav}"
                f'<nav class="menu"><a href="/">Home</a> <a href="/deals">50% off today!</a></nav>'
                f'<div class="cookie-banner">We use cookies.</div><article>{_body(rng)}</article>'
                f'<div class="ad">Nike 50% off today!</div><div class="pagination">{nxt}</div>'
                f"<footer>Free shipping on orders over $75.</footer>{footer}</body></html>"
            )
            site[f"/c{c}/p{p}.html"] = html.encode()
    return site


def serve(site: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = site.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            data = body or b"not found"
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def null_spider():
    """Same requests, pagination and page rows as the reports spider; no extraction."""
    from spiders.extract.links import find_next_links
    from spiders.items import PageItem
    from spiders.spiders.reports import ReportsSpider, content_digest

    class NullSpider(ReportsSpider):
        name = "null"

        def parse(self, response):
            root = response.selector.root
            yield PageItem(response.url, response.status, [], content_digest(response.text))
            for url in find_next_links(root, response.url):
                yield self.page_request(url, response.meta.get("source", response.url))

    return NullSpider


def worker(kind: str, db: str, urls: list[str]) -> None:
    from spiders.runner import run_crawl

    overrides = {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DARKPOOL_MAX_PAGES_PER_SOURCE": 1000,
    }
    spider = null_spider() if kind == "null" else None
    started, cpu_started = time.perf_counter(), time.process_time()
    summary = run_crawl(f"sqlite:///{db}", urls, progress=False, overrides=overrides, spider=spider)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        json.dumps(
            {"pages": summary.pages, "reports": summary.reports, "seconds": elapsed, "cpu": cpu}
        )
    )


def run_once(kind: str, base: str, chains: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"{base}/c{c}/p1.html" for c in range(chains)]
        cmd = [sys.executable, __file__, "--worker", kind, "--db", f"{tmp}/bench.sqlite", *urls]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chains", type=int, default=100)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lean", action="store_true", help="content-only pages (~4 KiB)")
    parser.add_argument("--worker", choices=["reports", "null"])
    parser.add_argument("--db")
    parser.add_argument("urls", nargs="*")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.db, args.urls)
    site = build_site(args.chains, args.pages, lean=args.lean)
    server, base = serve(site)
    rates: dict[str, list[float]] = {"null": [], "reports": []}
    cpu_rates: dict[str, list[float]] = {"null": [], "reports": []}
    for _ in range(args.repeat):
        for kind in ("null", "reports"):  # alternate so drift hits both
            got = run_once(kind, base, args.chains)
            rates[kind].append(got["pages"] / got["seconds"])
            cpu_rates[kind].append(got["pages"] / got["cpu"])
            print(f"{kind:8s} {got['pages']} pages, {got['reports']} reports, "
                  f"{got['seconds']:.1f} s wall, {got['cpu']:.1f} s CPU, "
                  f"{rates[kind][-1]:.1f} pages/s")  # fmt: skip
    server.shutdown()
    print(f"\nsite: {len(site) - 1} pages, {sum(map(len, site.values())) // 1024} KiB")
    for label, table in (("wall", rates), ("CPU", cpu_rates)):
        null, reports = statistics.median(table["null"]), statistics.median(table["reports"])
        print(f"{label:4s}: null spider {null:.1f} pages/s, reports spider {reports:.1f} pages/s "
              f"(medians of {args.repeat}); extraction cost {100 * (1 - reports / null):.1f}% "
              "(budget 30%)")  # fmt: skip
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
          f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")  # fmt: skip


if __name__ == "__main__":
    main()
