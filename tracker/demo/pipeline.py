"""`darkpool demo`: generate the sample, then run the real pipeline on it.

Generate (tracker.demo.generate) -> import each contributor's mbox
(tracker.mail.importing) -> log their carts (store.save_cart) -> crawl the report
pages from a local HTTP server (`darkpool crawl` in a subprocess, so Scrapy's
reactor stays out of this process) -> publish the snapshot (tracker.snapshot.publish).
The demo keeps its own store under its directory; the user's store is untouched.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import update

from tracker.config import DEFAULT_MIN_CONTRIBUTORS
from tracker.db.engine import init_store, make_engine, session_factory
from tracker.db.models import Retailer
from tracker.db.store import save_cart
from tracker.demo.generate import CORPUS_END, DemoCorpus, DemoSize, generate_corpus
from tracker.errors import DemoError
from tracker.mail.importing import import_paths
from tracker.records import RetailerRef
from tracker.snapshot.publish import publish_snapshot


@dataclass
class DemoResult:
    snapshot: Path
    messages: int
    carts: int
    reports_line: str
    publish_line: str

    def line(self) -> str:
        return f"Demo snapshot ready: {self.snapshot}"


def run_demo(
    root: Path,
    size: DemoSize | None = None,
    seed: int = 2026,
    min_contributors: int = DEFAULT_MIN_CONTRIBUTORS,
    progress: Callable[[str], None] = lambda line: None,
) -> DemoResult:
    """Build `root`/snapshot.sqlite from a freshly generated sample; returns what was done."""

    root = Path(root).resolve()
    corpus = generate_corpus(root / "corpus", size or DemoSize(), seed)
    progress(f"Generated {corpus.messages} messages, {len(corpus.carts)} logged carts.")
    store = root / "store.sqlite"
    for stale in (store, store.with_name("store.sqlite-wal"), store.with_name("store.sqlite-shm")):
        stale.unlink(missing_ok=True)
    db_url = f"sqlite:///{store}"
    engine = make_engine(db_url)
    init_store(engine)
    sessions = session_factory(engine)
    try:
        _import_mail(engine, corpus, progress)
        with sessions.begin() as session:
            _log_carts(session, corpus)
            _describe_shops(session, corpus)
        reports_line = crawl_pages(db_url, corpus.pages_dir)
        progress(reports_line)

        with sessions.begin() as session:
            summary = publish_snapshot(
                session, root / "snapshot.sqlite", CORPUS_END, min_contributors
            )
        progress(summary.line())
    finally:
        engine.dispose()
    return DemoResult(
        root / "snapshot.sqlite", corpus.messages, len(corpus.carts), reports_line, summary.line()
    )


def _import_mail(engine, corpus: DemoCorpus, progress) -> None:

    for path in corpus.mboxes:
        result = import_paths(engine, [path], contributor=path.stem, progress=False)
        progress(f"{path.name}: {result.line()}")


def _log_carts(session, corpus: DemoCorpus) -> None:

    for cart in corpus.carts:
        save_cart(
            session,
            RetailerRef(cart.domain, cart.name),
            datetime.fromisoformat(cart.left_at),
            cart.contributor,
            cart.value,
            cart.currency,
        )


def _describe_shops(session, corpus: DemoCorpus) -> None:
    """Category and country of the fictional shops (real ones come from the curated list)."""

    for shop in corpus.shops:
        session.execute(
            update(Retailer)
            .where(Retailer.domain == shop.domain)
            .values(category=shop.category, country=shop.country)
        )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass


def crawl_pages(db_url: str, pages_dir: Path) -> str:
    """Serve `pages_dir` on 127.0.0.1 and run `darkpool crawl` on every page; returns its summary."""
    handler = functools.partial(_QuietHandler, directory=str(pages_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = sorted(p.relative_to(pages_dir).as_posix() for p in pages_dir.rglob("*.html"))
    urls = [f"{base}/{p}" for p in pages if p not in ("index.html", "about.html")]
    args = [sys.executable, "-m", "tracker", "--db", db_url, "crawl", *urls]
    args += ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    finally:
        server.shutdown()
        server.server_close()
    if done.returncode != 0:
        raise DemoError(f"crawl failed: {(done.stderr or done.stdout).strip()[-400:]}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "Crawled."
