"""Store pipeline: writes each page's reports through `tracker.db.reports_store`.

One transaction per page, so a page and its reports are committed together and
a crash loses at most the page in flight. Reports without a store name are
dropped (counted in stats and on the item, for `crawl --verbose`); failed
fetches are recorded on the page and then dropped with the reason; a page that
needs JavaScript is recorded as such, with no reports.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from spiders.extract.page import NEEDS_JAVASCRIPT
from spiders.items import PageItem
from tracker.db.engine import ensure_store, make_engine, session_factory
from tracker.db.reports_store import save_page_error, save_page_reports


class StorePipeline:
    """Saves `PageItem`s into the store named by the DARKPOOL_DB_URL setting."""

    def __init__(self, crawler: Crawler, db_url: str) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_url = db_url
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        db_url = crawler.settings.get("DARKPOOL_DB_URL")
        if not db_url:
            raise NotConfigured("DARKPOOL_DB_URL is not set")
        return cls(crawler, db_url)

    def open_spider(self) -> None:
        self.engine = make_engine(self.db_url)
        ensure_store(self.engine)
        self.sessions = session_factory(self.engine)

    def close_spider(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def _sessions(self) -> sessionmaker[Session]:
        if self.sessions is None:
            raise RuntimeError("StorePipeline.process_item before open_spider")
        return self.sessions

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        if item.error:
            with self._sessions().begin() as session:
                save_page_error(session, item.url, item.status, item.error)
            self.stats.inc_value("darkpool/pages_failed")
            raise DropItem(f"fetch failed: {item.url}: {item.error}")
        if item.note == NEEDS_JAVASCRIPT:
            with self._sessions().begin() as session:
                save_page_error(session, item.url, item.status, item.note)
            self.stats.inc_value("darkpool/pages_javascript")
            self.stats.inc_value("darkpool/pages_saved")
            return item
        # report candidates the extraction left out ("offer with no store named")
        self.stats.inc_value("darkpool/candidates_dropped", sum(item.dropped.values()))
        reports = []
        for rep in item.reports:
            if not (rep.retailer_name or rep.retailer_domain):
                self.stats.inc_value("darkpool/reports_dropped/no_retailer")
                item.dropped["no store"] = item.dropped.get("no store", 0) + 1
                continue
            reports.append(rep)
        item.reports = reports
        with self._sessions().begin() as session:
            saved = save_page_reports(session, item.url, item.status, reports, item.content_hash)
        self.stats.inc_value("darkpool/pages_saved")
        self.stats.inc_value("darkpool/reports_saved", saved)
        return item
