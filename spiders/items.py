"""Items the reports spider yields: one `PageItem` per fetched page.

A page is the unit of storage: the pipeline replaces a page's reports as a
whole, so a re-crawl updates them instead of adding duplicates. Keys are
stable hashes, so the same report on the same page keeps its row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# What a report says came: a discount, only reminders, nothing at all, or it
# does not say (a wait alone). `reports --jsonl` carries it as `outcome`.
OUTCOMES = ("discount", "reminder_only", "nothing_sent", "unspecified")


@dataclass
class ReportItem:
    """One report on a page; `offer_type` None with `outcome` reminder_only or
    nothing_sent is a report that no discount came (the wait is when it was seen)."""

    retailer_name: str | None = None
    retailer_domain: str | None = None
    offer_type: str | None = None
    value: float | None = None
    value_max: float | None = None
    currency: str | None = None
    wait_min: float | None = None
    wait_max: float | None = None
    snippet: str | None = None
    occurrence: int = 0  # n-th identical report on the same page
    outcome: str = ""  # one of OUTCOMES; empty: discount when there is an offer

    def __post_init__(self) -> None:
        if not self.outcome:
            self.outcome = "discount" if self.offer_type else "unspecified"
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown report outcome: {self.outcome!r}")

    @property
    def key(self) -> str:
        """Stable within a page: what was reported, where, and its repeat count."""
        parts = (
            self.retailer_domain or (self.retailer_name or "").casefold(),
            self.offer_type,
            self.value,
            self.value_max,
            self.currency,
            self.wait_min,
            self.wait_max,
            " ".join((self.snippet or "").split()).casefold(),
            self.occurrence,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@dataclass
class PageItem:
    """A fetched page with its reports, or a failed fetch with `error` set."""

    url: str
    status: int | None = None
    reports: list[ReportItem] = field(default_factory=list)
    content_hash: str | None = None
    error: str | None = None
    note: str = ""  # why a read page gave nothing: "needs JavaScript, not read", ...
    dropped: dict[str, int] = field(default_factory=dict)  # report candidates left out, by why

    @property
    def key(self) -> str:
        return self.url
