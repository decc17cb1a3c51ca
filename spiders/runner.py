"""Run the reports spider in-process and summarise what it did.

Scrapy's reactor can start once per process, so `run_crawl` is meant to be
called once (by `darkpool crawl`); tests run that command in a subprocess.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tracker.config import data_dir
from tracker.errors import CrawlError
from tracker.labels import progress_bar

if TYPE_CHECKING:
    from scrapy.settings import Settings


@dataclass(frozen=True)
class CrawlSummary:
    pages: int
    reports: int
    dropped: int
    errors: int
    skipped: int = 0
    finish_reason: str | None = None

    def line(self) -> str:
        """The one-line summary `darkpool crawl` prints."""
        return (
            f"Crawled {self.pages} pages: {self.reports} reports, {self.dropped} dropped, "
            f"{self.errors} errors, {self.skipped} skipped (robots.txt/offsite)."
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
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(spider or ReportsSpider)
    bar = _progress_bar(progress)
    if bar is not None:
        crawler.signals.connect(lambda **_: bar.update(1), signal=signals.response_received)
    process.crawl(crawler, urls=urls)
    process.start()
    if running is not None:
        running.unlink(missing_ok=True)  # a clean stop: Scrapy saved its queue, resume is safe
    if bar is not None:
        bar.close()
    return _summary(crawler.stats.get_stats())


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


def _summary(stats: dict[str, Any]) -> CrawlSummary:
    dropped = stats.get("item_dropped_count", 0) - stats.get("darkpool/pages_failed", 0)
    dropped += stats.get("darkpool/reports_dropped/no_retailer", 0)
    return CrawlSummary(
        pages=stats.get("darkpool/pages_saved", 0),
        reports=stats.get("darkpool/reports_saved", 0),
        dropped=max(dropped, 0),
        errors=stats.get("darkpool/fetch_errors", 0) + stats.get("spider_exceptions/count", 0),
        skipped=stats.get("darkpool/skipped", 0),
        finish_reason=stats.get("finish_reason"),
    )
