"""The generic reports spider: reads pages where shoppers report abandoned-cart
discounts, yields one `PageItem` per page and follows pagination on the same site.

Start URLs come from the `urls` argument (a list or a comma-separated string).
Extraction lives in `spiders.extract.page`; this module only routes responses.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from spiders.extract.links import find_next_links
from spiders.extract.page import read_page
from spiders.extract.sentences import Extracted
from spiders.items import PageItem, ReportItem


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, urls: list[str] | str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(urls, str):
            urls = [u for u in urls.split(",") if u]
        self.start_urls = list(urls or [])
        self.seen_content: set[str] = set()
        self.pages_per_source: dict[str, int] = {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield self.page_request(url, source=url)

    def page_request(self, url: str, source: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse, errback=self.on_error, meta={"source": source}
        )

    def parse(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        kind = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or not is_page_type(kind):
            # PDFs, images, JSON: Scrapy may sniff them as text, but they are no pages
            yield PageItem(response.url, response.status, error=f"not a text page: {kind}")
            return
        root = response.selector.root
        digest = content_digest(response.text)
        try:
            found, dropped, note = read_page(root, response.url)
        except Exception as exc:  # one unreadable page is recorded, the crawl goes on
            self.crawler.stats.inc_value("darkpool/unreadable_pages")
            error = f"could not read the page: {type(exc).__name__}: {exc}"[:300]
            yield PageItem(response.url, response.status, error=error)
            return
        reports = number_repeats([report_item(e) for e in found])
        yield PageItem(response.url, response.status, reports, digest, note=note, dropped=dropped)
        if digest in self.seen_content:
            return  # the same content again: a pagination loop, stop here
        self.seen_content.add(digest)
        source = response.meta.get("source", response.url)
        limit = self.settings.getint("DARKPOOL_MAX_PAGES_PER_SOURCE", 50)
        for url in find_next_links(root, response.url):
            count = self.pages_per_source.get(source, 0)
            if count >= limit:
                self.crawler.stats.inc_value("darkpool/pagination_capped")
                return
            self.pages_per_source[source] = count + 1
            yield self.page_request(url, source)

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on errbacks
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.crawler.stats.inc_value("darkpool/skipped")
            if "robots.txt" not in str(failure.value):  # never fetched: leave no trace
                # size limits, redirect limits, off-site redirects: record why on the page
                first = request.meta.get("redirect_urls", [request.url])[0]
                yield PageItem(first, None, error=f"skipped: {failure.value}")
            return
        self.crawler.stats.inc_value("darkpool/fetch_errors")
        error = failure.value
        if isinstance(error, HttpError):  # what failure.check(HttpError) tests
            status = error.response.status
            yield PageItem(request.url, status, error=f"HTTP {status}")
            return
        reason = str(failure.value) or "cancelled (over DOWNLOAD_MAXSIZE or shut down)"
        # Twisted types Failure.type as Optional; a Failure always has its exception
        name = failure.type.__name__  # type: ignore[union-attr]
        yield PageItem(request.url, None, error=f"{name}: {reason}")


def is_page_type(content_type: str) -> bool:
    """HTML, XHTML, XML or plain text (or no declared type); not PDF, images or JSON."""
    kind = content_type.split(";", 1)[0].strip()
    return not kind or kind.startswith("text/") or kind.endswith(("html", "xml"))


def content_digest(text: str) -> str:
    """A hash of the page text, whitespace-insensitive, to spot repeated pages."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def report_item(found: Extracted) -> ReportItem:
    offer = found.offer
    wait = found.wait
    return ReportItem(
        retailer_name=found.retailer_name,
        retailer_domain=found.retailer_domain,
        offer_type=offer.type if offer else None,
        value=offer.value if offer else None,
        value_max=offer.value_max if offer else None,
        currency=offer.currency if offer else None,
        wait_min=wait.min_hours if wait else None,
        wait_max=wait.max_hours if wait else None,
        snippet=found.snippet,
        outcome=found.outcome,
    )


def number_repeats(reports: list[ReportItem]) -> list[ReportItem]:
    """Give identical reports on one page distinct occurrence numbers (stable keys)."""
    seen: dict[str, int] = {}
    for rep in reports:
        base = rep.key
        rep.occurrence = seen.get(base, 0)
        seen[base] = rep.occurrence + 1
    return reports
