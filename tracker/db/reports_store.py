"""What the spiders found, in the store: pages, their reports, crawl sources.

A page's reports are replaced as a whole in the caller's transaction: reports
whose key is still on the page are updated in place (keeping their id and
first `seen_at`), new ones inserted, vanished ones deleted. Crawling a page
twice therefore leaves the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Executable, bindparam, delete, select
from sqlalchemy.orm import Session, joinedload

from tracker.db.bounds import fit_row
from tracker.db.models import CrawlSource, Page, Report, Retailer
from tracker.db.store import dialect_insert
from tracker.records import RetailerRef


class ReportLike(Protocol):
    """The fields a report needs to be stored (spiders' `ReportItem` has them)."""

    @property
    def key(self) -> str: ...  # read-only: ReportItem computes it

    retailer_domain: str | None
    retailer_name: str | None
    offer_type: str | None
    value: float | None
    value_max: float | None
    currency: str | None
    wait_min: float | None
    wait_max: float | None
    outcome: str
    snippet: str | None


@dataclass(frozen=True)
class StoredReport:
    """One stored report, shaped for `reports --jsonl` by `to_json()`."""

    source_url: str
    retailer_domain: str | None
    retailer_name: str | None
    offer_type: str | None
    value: float | None
    value_max: float | None
    currency: str | None
    wait_min: float | None
    wait_max: float | None
    seen_at: datetime
    snippet: str | None = None
    outcome: str = "unspecified"

    def to_json(self) -> dict[str, Any]:
        offer = None
        if self.offer_type:
            offer = {
                "type": self.offer_type,
                "value": self.value,
                "value_max": self.value_max,
                "currency": self.currency,
            }
        wait = None
        if self.wait_min is not None or self.wait_max is not None:
            wait = {"min": self.wait_min, "max": self.wait_max}
        return {
            "source_url": self.source_url,
            "retailer": {"domain": self.retailer_domain, "name": self.retailer_name},
            "offer": offer,
            "wait_hours": wait,
            "outcome": self.outcome,
            "seen_at": self.seen_at.isoformat(),
        }


def _now() -> datetime:
    return datetime.now(UTC)


# Statements are built once per dialect: building an ON CONFLICT statement costs
# more than running it, and the crawl writes one page every few milliseconds.
_STATEMENTS: dict[tuple[str, str], Any] = {}
REPORT_FIELDS = (
    "retailer_id", "retailer_name", "offer_type", "value", "value_max", "currency",
    "wait_min", "wait_max", "outcome", "snippet",
)  # fmt: skip


_RETAILER_IDS = select(Retailer.domain, Retailer.id).where(
    Retailer.domain.in_(bindparam("domains", expanding=True))
)


def _statement(session: Session, name: str) -> Executable:
    key = (session.get_bind().dialect.name, name)
    if key not in _STATEMENTS:
        stmt: Executable
        if name == "page":
            page = dialect_insert(session, Page.__table__)
            fields = ("status", "content_hash", "error", "fetched_at")
            stmt = page.on_conflict_do_update(
                index_elements=["url"], set_={k: page.excluded[k] for k in fields}
            ).returning(Page.__table__.c.id)
        elif name == "retailer":
            stmt = dialect_insert(session, Retailer.__table__).on_conflict_do_nothing(
                index_elements=["domain"]
            )
        else:
            report = dialect_insert(session, Report.__table__)
            stmt = report.on_conflict_do_update(
                index_elements=["page_id", "key"],
                set_={c: report.excluded[c] for c in REPORT_FIELDS},
            )
        _STATEMENTS[key] = stmt
    return _STATEMENTS[key]


def _save_page(
    session: Session, url: str, status: int | None, content_hash: str | None, error: str | None
) -> int:
    values = fit_row(
        Page.__table__,
        {
            "url": url,
            "status": status,
            "content_hash": content_hash,
            "error": error,
            "fetched_at": _now(),
        },
    )
    return session.execute(_statement(session, "page"), values).scalar_one()


def save_page_reports(
    session: Session,
    url: str,
    status: int | None,
    reports: Sequence[ReportLike],
    content_hash: str | None = None,
) -> int:
    """Make `reports` the page's reports (idempotent); returns how many it has.

    Runs in the caller's transaction, so a page and its reports commit together.
    """
    page_id = _save_page(session, url, status, content_hash, None)
    unique = {rep.key: rep for rep in reports}
    refs = [
        RetailerRef(r.retailer_domain, r.retailer_name or r.retailer_domain)
        for r in unique.values()
        if r.retailer_domain
    ]
    retailer_ids = _retailer_ids(session, refs)
    session.execute(
        delete(Report).where(Report.page_id == page_id, Report.key.not_in(list(unique)))
    )
    if not unique:
        return 0
    rows = [_report_row(page_id, key, rep, retailer_ids) for key, rep in unique.items()]
    session.execute(_statement(session, "report"), rows)
    return len(rows)


def save_page_error(session: Session, url: str, status: int | None, error: str) -> None:
    """Record that a page failed; its earlier reports are kept, not wiped."""
    _save_page(session, url, status, None, error[:2000])


def _retailer_ids(session: Session, refs: list[RetailerRef]) -> dict[str, int]:
    """`save_retailers` with statements built once (same upsert, same result)."""
    stored: dict[str, str] = {}  # given domain -> domain as stored
    rows: dict[str, dict[str, Any]] = {}
    for ref in refs:
        row = fit_row(Retailer.__table__, {"domain": ref.domain, "name": ref.name})
        stored[ref.domain] = row["domain"]
        rows.setdefault(row["domain"], row)
    if not rows:
        return {}
    session.execute(_statement(session, "retailer"), list(rows.values()))
    found = session.execute(_RETAILER_IDS, {"domains": list(rows)})
    ids = {domain: pk for domain, pk in found}
    return {given: ids[domain] for given, domain in stored.items() if domain in ids}


def _report_row(
    page_id: int, key: str, rep: ReportLike, retailer_ids: dict[str, int]
) -> dict[str, Any]:
    row = {
        "page_id": page_id,
        "key": key,
        "retailer_id": retailer_ids.get(rep.retailer_domain) if rep.retailer_domain else None,
        "retailer_name": rep.retailer_name,
        "offer_type": rep.offer_type,
        "value": rep.value,
        "value_max": rep.value_max,
        "currency": rep.currency,
        "wait_min": rep.wait_min,
        "wait_max": rep.wait_max,
        "outcome": rep.outcome,
        "snippet": rep.snippet,
        "seen_at": _now(),
    }
    return fit_row(Report.__table__, row)


def load_reports(session: Session, retailer: str | None = None) -> Iterator[StoredReport]:
    """Stored reports in page and insertion order; `retailer` filters by domain."""
    stmt = select(Report).options(joinedload(Report.page), joinedload(Report.retailer))
    if retailer:
        stmt = stmt.join(Report.retailer).where(Retailer.domain == retailer)
    stmt = stmt.order_by(Report.page_id, Report.id)
    for rep in session.scalars(stmt):
        yield StoredReport(
            source_url=rep.page.url,
            retailer_domain=rep.retailer.domain if rep.retailer else None,
            retailer_name=rep.retailer_name or (rep.retailer.name if rep.retailer else None),
            offer_type=rep.offer_type,
            value=rep.value,
            value_max=rep.value_max,
            currency=rep.currency,
            wait_min=rep.wait_min,
            wait_max=rep.wait_max,
            seen_at=rep.seen_at,
            snippet=rep.snippet,
            outcome=rep.outcome,
        )


def save_source(session: Session, url: str) -> bool:
    """Add a default crawl start URL; returns False when it was already there."""
    stmt = (
        dialect_insert(session, CrawlSource.__table__)
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(CrawlSource.__table__.c.id)
    )
    row = fit_row(CrawlSource.__table__, {"url": url, "added_at": _now()})
    return session.execute(stmt, row).first() is not None


def load_sources(session: Session) -> list[str]:
    return list(session.scalars(select(CrawlSource.url).order_by(CrawlSource.id)))


def delete_source(session: Session, url: str) -> bool:
    """Remove a crawl source; returns False when it was not there."""
    result = session.execute(delete(CrawlSource).where(CrawlSource.url == url))
    # a DELETE's result is a CursorResult; Session.execute is typed to return a Result
    return bool(cast(CursorResult[Any], result).rowcount)
