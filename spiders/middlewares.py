"""Downloader middlewares.

`SharedRobotsTxtMiddleware` works around a Scrapy 2.19 quirk: while robots.txt
for a site is being fetched, every further request to that site awaits one
shared Deferred; converting it to a future for each waiter hands the parser to
the first waiter and None to the rest, and None means "no robots.txt, allow
everything". With three or more start URLs on one site, a disallowed page was
fetched. The parser is stored before the Deferred fires, so a waiter that got
None reads it from there.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.statscollectors import StatsCollector
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from tracker.text import registrable_domain


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser


class OffsiteRedirectMiddleware:
    """Refuse redirects to another site (before RedirectMiddleware follows them).

    A page that redirects elsewhere is skipped with the target host as reason,
    and the other site is never contacted. www/apex and http/https moves within
    one registrable domain are still followed.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        if _site(target) != _site(request.url):
            self.stats.inc_value("darkpool/offsite_redirects")
            raise IgnoreRequest(f"off-site redirect to {urlsplit(target).netloc}")
        return response


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return registrable_domain(host) or host
