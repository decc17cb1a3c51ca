"""The stats -> publish contract: one typed row per retailer (`stats --jsonl`).

`tracker.analysis.stats` builds these; `tracker.snapshot.publish` reads them.
TypedDicts rather than dataclasses because the row *is* the JSON line of
docs/design.md's `stats --jsonl` schema, written out as is.
"""

from __future__ import annotations

from typing import TypedDict


class RetailerName(TypedDict):
    domain: str
    name: str


class OfferFigure(TypedDict):
    type: str
    value: float | None
    currency: str | None


class Rate(TypedDict):
    value: float | None  # 0..1
    low: float | None  # Wilson 95% interval
    high: float | None
    n: int  # carts whose outcome is known


class Quantiles(TypedDict):
    median: float | None  # hours
    p25: float | None
    p75: float | None
    n: int


class SurvivalQuantiles(Quantiles):
    censored: int  # carts without a discount (yet)


class LadderStep(TypedDict):
    step: int
    median_hours: float | None  # from the cart
    gap_hours: float | None  # from the previous step
    n: int
    n_from_cart: int
    contributors: int
    offer: OfferFigure | None


class CodeShares(TypedDict):
    shared: int
    single_use: int
    unknown: int
    shared_share: float | None


class ReportSummary(TypedDict):
    value_median: float | None
    wait_median_hours: float | None


class ExposureParts(TypedDict):
    likely: float | None
    deep: float | None
    predictable: float | None
    known: float | None


class RetailerStats(TypedDict):
    """One line of `darkpool stats --jsonl`."""

    retailer: RetailerName
    contributors: int
    carts: int
    cart_emails: int
    discount_rate: Rate
    hours_to_first_email: Quantiles
    hours_to_discount: SurvivalQuantiles
    first_discount: OfferFigure | None
    max_discount: OfferFigure | None
    ladder: list[LadderStep]
    reports: int
    exposure: int | None
    sequences: int
    escalates: bool | None
    shared_vs_single_use: CodeShares | None
    expiry_hours: Quantiles
    report_summary: ReportSummary | None
    reports_agree: bool | None
    exposure_parts: ExposureParts
    first_seen: str | None  # ISO day
    last_seen: str | None
