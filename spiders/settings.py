"""Scrapy settings for darkpool's spiders: polite by default.

`spiders.runner.run_crawl` loads this module and adds the store URL; the
same settings work with the `scrapy` command from the repository root
(`SCRAPY_SETTINGS_MODULE=spiders.settings`).
"""

import os

from tracker import __version__

BOT_NAME = "darkpool"
SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

# Identify ourselves and say where to read about us.
USER_AGENT = f"darkpool/{__version__} (+https://github.com/darkpool-tracker/darkpool; abandoned-cart research)"
ROBOTSTXT_OBEY = True

# Politeness: one request at a time per site, adapted to the site's latency.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bounds: pages are articles and threads, not downloads; stop a crawl gone wrong.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
DEPTH_LIMIT = 60
CLOSESPIDER_ERRORCOUNT = 50
RETRY_TIMES = 1
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Pagination loop protection: at most this many pages followed from one source.
DARKPOOL_MAX_PAGES_PER_SOURCE = 50

ITEM_PIPELINES = {"spiders.pipelines.StorePipeline": 300}

# Optional HTTP cache (run_crawl(cache=True) / `darkpool crawl --cache`).
HTTPCACHE_ENABLED = False
HTTPCACHE_EXPIRATION_SECS = 24 * 3600
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_IGNORE_HTTP_CODES = [500, 502, 503, 504, 408, 429]

# Resumable crawls: JOBDIR is set per run (`darkpool crawl --jobdir DIR`).
JOBDIR = None

LOG_LEVEL = "WARNING"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.middlewares.SharedRobotsTxtMiddleware": 100,
    # process_response runs high to low: 650 sees a 3xx before RedirectMiddleware (600)
    "spiders.middlewares.OffsiteRedirectMiddleware": 650,
}

# Crawls started outside `darkpool crawl` (the `scrapy` command, Scrapyd jobs)
# store into $DARKPOOL_DB; `-s DARKPOOL_DB_URL=...` (Scrapyd: `setting=`) overrides.
DARKPOOL_DB_URL = os.environ.get("DARKPOOL_DB") or None
