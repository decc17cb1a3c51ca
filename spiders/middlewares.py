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

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser
