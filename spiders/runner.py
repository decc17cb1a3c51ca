"""Run the reports spider in-process and summarise what it did.

Scrapy's reactor can start once per process, so `run_crawl` is meant to be
called once (by `darkpool crawl`); tests run that command in a subprocess.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tracker.config import data_dir
from tracker.errors import CrawlError
from tracker.labels import progress_bar

if TYPE_CHECKING:
    from scrapy.settings import Settings


@dataclass(frozen=True)
class PageLine:
    """What one page gave, for `darkpool crawl --verbose`."""

    url: str
    reports: int = 0
    dropped: tuple[tuple[str, int], ...] = ()
    note: str = ""
    error: str | None = None

    def line(self) -> str:
        """ "URL: 3 reports, 1 dropped (no store: 1)" or "URL: needs JavaScript, not read"."""
        if self.error:
            return f"{self.url}: error: {self.error}"
        if self.note and not self.reports:
            return f"{self.url}: {self.note}"
        total = sum(n for _, n in self.dropped)
        why = ", ".join(f"{reason}: {n}" for reason, n in self.dropped)
        found = f"{self.reports} report" + ("" if self.reports == 1 else "s")
        return f"{self.url}: {found}, {total} dropped" + (f" ({why})" if why else "")


@dataclass(frozen=True)
class CrawlSummary:
    pages: int
    reports: int
    dropped: int
    errors: int
    skipped: int = 0
    finish_reason: str | None = None
    javascript: int = 0  # pages that need JavaScript, not read
    page_lines: tuple[PageLine, ...] = field(default=(), compare=False)

    def line(self) -> str:
        """The one-line summary `darkpool crawl` prints."""
        js = f", {self.javascript} need JavaScript (not read)" if self.javascript else ""
        return (
            f"Crawled {self.pages} pages: {self.reports} reports, {self.dropped} dropped, "
            f"{self.errors} errors, {self.skipped} skipped (robots.txt/offsite){js}."
        )


def check_urls(urls: list[str]) -> list[str]:
    """Only absolute http(s) URLs can be crawled; raises CrawlError otherwise."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise CrawlError(f"not an http(s) URL: {url!r}")
    return urls


def crawl_settings(
    engine_url: str,
    jobdir: str | None = None,
    cache: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Scrapy Settings from `spiders.settings` plus the store URL and run options."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("spiders.settings", priority="project")
    settings.set("DARKPOOL_DB_URL", engine_url, priority="cmdline")
    if jobdir:
        Path(jobdir).mkdir(parents=True, exist_ok=True)
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
    if cache:
        # an absolute directory: Scrapy's default is relative to the working directory
        settings.set("HTTPCACHE_ENABLED", True, priority="cmdline")
        settings.set("HTTPCACHE_DIR", str(data_dir() / "httpcache"), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(
    engine_url: str,
    urls: list[str],
    jobdir: str | None = None,
    cache: bool = False,
    progress: bool | None = None,
    overrides: dict[str, Any] | None = None,
    spider: type | None = None,
) -> CrawlSummary:
    """Crawl `urls` (and their pagination) into the store at `engine_url`.

    Blocks until the crawl ends; raises CrawlError for unusable URLs. `overrides`
    are extra Scrapy settings (e.g. {"DOWNLOAD_TIMEOUT": 5}); `spider` replaces
    the reports spider (the benchmark's null spider).
    """
    from scrapy import signals
    from scrapy.crawler import AsyncCrawlerProcess

    from spiders.spiders.reports import ReportsSpider

    check_urls(urls)
    if not urls:
        raise CrawlError("nothing to crawl: give URLs or add sources with `darkpool sources add`")
    settings = crawl_settings(engine_url, jobdir, cache, overrides)
    running = mark_running(Path(jobdir)) if jobdir else None
    process = _interruptible(AsyncCrawlerProcess)(settings)
    crawler = process.create_crawler(spider or ReportsSpider)
    bar = _progress_bar(progress)
    lines: list[PageLine] = []

    def on_response(**_: Any) -> None:
        if bar is not None:
            bar.update(1)

    def on_item(item: Any, **_: Any) -> None:
        lines.append(_page_line(item))

    # Scrapy holds receivers weakly (a lambda would be collected at once); these
    # local functions live until run_crawl returns
    crawler.signals.connect(on_response, signals.response_received)
    crawler.signals.connect(on_item, signals.item_scraped)
    crawler.signals.connect(on_item, signals.item_dropped)
    process.crawl(crawler, urls=urls)
    try:
        process.start()
    finally:
        process.disarm()
        if bar is not None:
            bar.close()
    if process.interrupted:
        raise KeyboardInterrupt  # the CLI prints "Interrupted; ..." and exits 130
    if running is not None:
        running.unlink(missing_ok=True)  # a clean stop: Scrapy saved its queue, resume is safe
    return _summary(crawler.stats.get_stats(), tuple(lines))


def _page_line(item: Any) -> PageLine:
    url = getattr(item, "url", "?")
    dropped = tuple(sorted(getattr(item, "dropped", {}).items()))
    return PageLine(
        url, len(getattr(item, "reports", [])), dropped, getattr(item, "note", ""),
        getattr(item, "error", None),
    )  # fmt: skip


def _interruptible(base: type) -> type:
    """`base` (Scrapy's AsyncCrawlerProcess) where Ctrl-C ends the crawl promptly.

    Scrapy's first SIGINT starts a graceful stop that waits for every download in
    flight (up to DOWNLOAD_TIMEOUT and its retries: over a minute on a slow site)
    and then returns as if the crawl had finished. Here the first SIGINT also
    sends a second one after DARKPOOL_SHUTDOWN_GRACE seconds (Scrapy's forced
    stop), and `interrupted` tells `run_crawl` to raise KeyboardInterrupt. Pages
    are committed one by one, so a forced stop loses only the pages in flight.
    """

    class Interruptible(base):
        interrupted = False
        _timer: threading.Timer | None = None

        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            self._arm()
            super()._signal_shutdown(signum, frame)

        def _signal_shutdown_reactorless(self, signum: int, frame: Any) -> None:
            self._arm()
            super()._signal_shutdown_reactorless(signum, frame)

        def _arm(self) -> None:
            self.interrupted = True
            grace = self.settings.getfloat("DARKPOOL_SHUTDOWN_GRACE", 3.0)
            self._timer = threading.Timer(grace, os.kill, (os.getpid(), signal.SIGINT))
            self._timer.daemon = True
            self._timer.start()

        def disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()

    return Interruptible


def mark_running(jobdir: Path) -> Path:
    """Mark `jobdir` as in use; if the last crawl there was killed, start it over.

    Scrapy appends request fingerprints to requests.seen as it queues them, but
    saves the queue's index only on a clean close. After a SIGKILL the queued
    requests look done and would never be fetched, so the job's request state
    is dropped and the crawl starts again (stored pages are upserted, not
    duplicated). Returns the marker file, removed after a clean stop.
    """
    import logging
    import shutil

    marker = jobdir / "darkpool.running"
    if marker.exists():
        logging.getLogger(__name__).warning(
            "the crawl in %s was interrupted; starting it over", jobdir
        )
        (jobdir / "requests.seen").unlink(missing_ok=True)
        shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
    marker.touch()
    return marker


def _progress_bar(enabled: bool | None):
    """None (a TTY decides), True or False, as for every bar (`tracker.labels.progress_bar`)."""
    if enabled is False:
        return None
    return progress_bar("pages", "page", enabled=enabled)


def _summary(stats: dict[str, Any], lines: tuple[PageLine, ...] = ()) -> CrawlSummary:
    dropped = stats.get("item_dropped_count", 0) - stats.get("darkpool/pages_failed", 0)
    dropped += stats.get("darkpool/reports_dropped/no_retailer", 0)
    dropped += stats.get("darkpool/candidates_dropped", 0)
    return CrawlSummary(
        pages=stats.get("darkpool/pages_saved", 0),
        reports=stats.get("darkpool/reports_saved", 0),
        dropped=max(dropped, 0),
        errors=stats.get("darkpool/fetch_errors", 0)
        + stats.get("spider_exceptions/count", 0)
        + stats.get("darkpool/unreadable_pages", 0),
        skipped=stats.get("darkpool/skipped", 0),
        finish_reason=stats.get("finish_reason"),
        javascript=stats.get("darkpool/pages_javascript", 0),
        page_lines=lines,
    )
