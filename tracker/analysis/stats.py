"""Per-retailer statistics of abandoned-cart mail: rates, waits, offers, exposure.

Input is the journeys of `tracker/analysis/journeys.py` plus the public reports the
spiders stored; output is one dict per retailer in the `stats --jsonl` schema
of docs/design.md, plus a few frames `tracker.snapshot.publish` writes to the snapshot. All data
is loaded with one set-based query per table (`tracker.analysis.load`) and
computed with pandas group-bys, Kaplan-Meier included (one grouped pass,
`tracker.analysis.survival`). The clock is never read here: `now` is passed in.

Measures (hours are from the logged cart):

- discount rate: carts that got a discount within their window over carts whose
  outcome is known (a discount came, or the window has closed by `now`), with a
  Wilson 95% interval. A cart still waiting is not counted as a failure.
- hours to first email: median/p25/p75 over carts that got any cart mail.
- hours to discount: Kaplan-Meier (product-limit, exponential Greenwood band); a cart with
  no discount yet is censored at min(now, window end). Median/p25/p75 are read
  off the curve (time by which 50/25/75% got one) and are null when not reached.
- first discount: the most common first offer of a sequence; max discount: the
  largest offer of that same type (and currency).
- ladder: per step number, the median delay from the cart, the median gap from
  the previous step (cartless sequences count here too) and the most common offer;
  steps reached by fewer than a quarter of the sequences are left out.
- escalates: whether, in most sequences with two offers of one type, the last is
  larger than the first. Null when no sequence has two.
- reports agree: the median reported percent is within 5 points of the measured
  typical percent, and the median reported wait within max(12 h, 50%) of the
  Kaplan-Meier median; null when neither can be compared. When most reports say
  no discount came (only reminders, or nothing), they agree exactly when mail
  with cart sequences measured no offer; reports of an offer disagree with mail
  that measured none.

Exposure score (0-100), for businesses auditing how far their abandoned-cart
discount has become common knowledge::

    likely      = discount rate (else: share of mail sequences with an offer)
    deep        = percent: min(1, max% / 30); amount: min(1, (amount / median
                  cart value) / 0.30); free shipping or gift: 0.2; none seen: 0
    predictable = 1 / (1 + IQR / max(median, 1 h)) of hours to the first
                  discount over carts that got one (needs >= 2)
    known       = 0.5 * min(1, reports / 10) + 0.5 * min(1, contributors / 10)
    exposure    = round(100 * sum(w * part) / sum(w)) over the parts that are not
                  null, with w = 0.35, 0.25, 0.20, 0.20; null when `likely` is null.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy.orm import Session

from tracker.analysis.exposure import (
    DEPTH_FLAT,
    DEPTH_FULL_PERCENT,
    KNOWN_FULL,
    exposure_score,
)
from tracker.analysis.journeys import (
    DEFAULT_GAP_HOURS,
    DEFAULT_WINDOW_HOURS,
    JourneyData,
    Journeys,
    build_journeys,
    contributor_identity,
    to_hours,
)
from tracker.analysis.load import load_journey_data, load_report_frame
from tracker.analysis.measures import (
    code_table,
    escalation_table,
    first_and_max_offers,
    ladder_table,
    quantile_table,
    report_table,
    snapshot_frames,
)
from tracker.analysis.release import release_data, release_horizons
from tracker.analysis.rows import (
    ExposureParts,
    Quantiles,
    ReportSummary,
    RetailerStats,
    SurvivalQuantiles,
)
from tracker.analysis.survival import KMResult, coarsen_curves, kaplan_meier_by_group
from tracker.labels import rounded

Z95 = 1.959963984540054


@dataclass
class StatsResult:
    """One JSON-ready dict per retailer, and the frames the snapshot needs."""

    rows: list[RetailerStats]
    survival: pd.DataFrame = field(default_factory=pd.DataFrame)  # domain, hours, survival, ...
    offers: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # domain, type, value, currency, messages
    codes: pd.DataFrame = field(default_factory=pd.DataFrame)  # domain, code, contributors, kind
    monthly: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # domain, month, cart_emails, discounts
    reports: pd.DataFrame = field(default_factory=pd.DataFrame)  # load.REPORT_COLUMNS + domain
    contributors: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # domain, contributor (private)


def wilson_interval(k: npt.ArrayLike, n: npt.ArrayLike, z: float = Z95) -> tuple[np.ndarray, ...]:
    """Point estimate and Wilson score interval of k/n (NaN where n == 0)."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return p, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def run_stats(session: Session, now: datetime, retailer: str | None = None) -> StatsResult:
    """Load the store and compute every retailer's statistics (the CLI's one call).

    Reports are read before the journey data, whose retailers are read last:
    see `tracker.analysis.load.load_journey_data`.
    """
    reports = load_report_frame(session, retailer)
    return compute_stats(load_journey_data(session, retailer), reports, now)


def run_public_stats(session: Session, now: datetime, min_contributors: int) -> StatsResult:
    """The statistics a snapshot may publish: released months only, K per figure.

    Each retailer's data is cut at its release horizon (`tracker.analysis.release`)
    and measured as of then; every figure then needs K contributors
    (`compute_stats`' `min_contributors`).
    """
    reports = load_report_frame(session)
    data = load_journey_data(session)
    horizons = release_horizons(data, float(to_hours([now])[0]), min_contributors)
    return compute_stats(
        release_data(data, horizons), reports, now,
        min_contributors=min_contributors, horizons=horizons, also=set(horizons),
    )  # fmt: skip


def compute_stats(
    data: JourneyData,
    reports: pd.DataFrame,
    now: datetime,
    window_hours: float = DEFAULT_WINDOW_HOURS,
    gap_hours: float = DEFAULT_GAP_HOURS,
    min_contributors: int = 1,
    horizons: dict[int, float] | None = None,
    also: set[int] | None = None,
) -> StatsResult:
    """Statistics for every retailer that has carts, cart mail or reports.

    With `min_contributors` K > 1 (the published view) no figure rests on fewer
    than K contributor identities: a retailer's logged carts count only when they
    come from K contributors (otherwise its mail is read as cartless sequences),
    and each measure, offer, ladder step and survival step needs K (see
    `tracker.analysis.measures` and `survival.coarsen_curves`). `horizons` gives
    per retailer the time its figures are measured at instead of `now`; `also`
    names retailers to give a row even when none of their data is left (all held
    back), so a snapshot can count them as withheld.
    """
    now_h = float(to_hours([now])[0])
    carts = data.carts
    if min_contributors > 1 and not carts.empty:
        who = contributor_identity(carts["contributor"])
        enough = who.groupby(carts["retailer_id"]).transform("nunique") >= min_contributors
        carts = carts[enough].reset_index(drop=True)
    j = build_journeys(carts, data.messages, window_hours, gap_hours)
    tables = _tables(j, reports, now_h, min_contributors, horizons or {})
    domains = data.retailers.set_index("retailer_id")
    seen = set(j.carts["retailer_id"]) | set(j.steps["retailer_id"]) | set(reports["retailer_id"])
    seen |= also or set()
    # pandas-stubs type a cell as any scalar; the domain column holds str
    ids = sorted(seen & set(domains.index), key=lambda rid: cast(str, domains.at[rid, "domain"]))
    rows = [_row(int(rid), domains.loc[rid], tables) for rid in ids]
    return StatsResult(rows=rows, **snapshot_frames(j, reports, tables["survival_curves"], domains))


def _tables(
    j: Journeys, reports: pd.DataFrame, now_h: float, k: int, horizons: dict[int, float]
) -> dict[str, Any]:
    """Every per-retailer measure, each keyed by retailer id."""
    carts, steps = j.carts, j.steps
    pairs = pd.concat([carts[["retailer_id", "who"]], steps[["retailer_id", "who"]]])
    rate_k, rate_n, km, curves = _discount_outcomes(carts, now_h, k, horizons)
    offered = carts[carts["first_discount_h"].notna()]
    first_max = first_and_max_offers(steps, k)
    tables = {
        "contributors": pairs.drop_duplicates().groupby("retailer_id").size(),
        "carts": carts.groupby("retailer_id").size(),
        "cart_emails": steps.groupby("retailer_id").size(),
        "sequences": steps.groupby("retailer_id")["seq"].nunique(),
        "offer_sequences": steps[steps["offer_type"].notna()]
        .groupby("retailer_id")["seq"]
        .nunique(),
        "rate_k": rate_k,
        "rate_n": rate_n,
        "first_email": quantile_table(carts, "first_email_h", k),
        "km": km,
        "survival_curves": curves,
        "discount_delay": quantile_table(offered, "first_discount_h", k),
        "first_max": first_max,
        "cart_value": carts.groupby(["retailer_id", "currency"])["value"].median(),
        "ladder": ladder_table(steps, k),
        "escalation": escalation_table(steps, k),
        "codes": code_table(steps, k),
        "expiry": quantile_table(
            steps.assign(expiry=steps["expires_h"] - steps["sent_h"]).query("expiry > 0"),
            "expiry",
            k,
        ),
        "reports": report_table(reports),
        "seen": _seen(carts, steps),
    }
    # plain dicts: 5,000 retailers x a dozen lookups through .loc would cost seconds
    return {name: _as_dict(table) for name, table in tables.items()}


def _as_dict(table: Any) -> Any:
    if isinstance(table, pd.Series):
        return table.to_dict()
    if isinstance(table, pd.DataFrame) and table.index.name == "retailer_id":
        return table.to_dict("index")
    return table


def _discount_outcomes(carts: pd.DataFrame, now_h: float, k: int, horizons: dict[int, float]):
    """Wilson counts and a Kaplan-Meier fit per retailer, from carts logged before `now`
    (each retailer's horizon, when given); with K > 1 the curves are coarsened."""
    clock: Any = now_h
    if horizons:
        clock = np.fmin(carts["retailer_id"].map(horizons).fillna(now_h), now_h)
    c = carts[carts["left_h"] <= clock]
    if horizons:
        clock = clock[c.index]
    got = c["first_discount_h"].notna() & (c["left_h"] + c["first_discount_h"] <= clock)
    known = got | (c["window_end_h"] <= clock)
    censor = np.fmin(c["window_end_h"], clock) - c["left_h"]
    duration = np.where(got, c["first_discount_h"], censor)
    km, curves = kaplan_meier_by_group(c["retailer_id"].to_numpy(), duration, got.to_numpy())
    if k > 1 and not c.empty:
        frame = pd.DataFrame({"g": c["retailer_id"], "t": duration, "e": got, "who": c["who"]})
        km, curves = coarsen_curves(curves, frame, k)
    curves = curves.rename(columns={"g": "retailer_id"})
    events = got.groupby(c["retailer_id"]).sum()
    outcomes = known.groupby(c["retailer_id"]).sum()
    return events, outcomes, km, curves


def _seen(carts: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    times = pd.concat(
        [
            carts[["retailer_id", "left_h"]].rename(columns={"left_h": "t"}),
            steps[["retailer_id", "sent_h"]].rename(columns={"sent_h": "t"}),
        ]
    )
    return times.groupby("retailer_id")["t"].agg(["min", "max"])


def _get(table: dict, rid: int, default: Any = None) -> Any:
    return table.get(rid, default)


def _quant_json(table: dict[int, Any], rid: int) -> Quantiles:
    row = _get(table, rid)
    if row is None:
        return {"median": None, "p25": None, "p75": None, "n": 0}
    return {
        "median": rounded(row["median"]),
        "p25": rounded(row["p25"]),
        "p75": rounded(row["p75"]),
        "n": int(row["n"]),
    }


def _row(rid: int, retailer: pd.Series, t: dict[str, Any]) -> RetailerStats:
    """One retailer's line of `stats --jsonl`."""
    k, n = int(_get(t["rate_k"], rid, 0)), int(_get(t["rate_n"], rid, 0))
    p, low, high = (float(x) for x in wilson_interval(k, n))
    km: KMResult | None = t["km"].get(rid)
    first, biggest = t["first_max"].get(rid, (None, None))
    reports = t["reports"].get(rid)
    contributors = int(_get(t["contributors"], rid, 0))
    n_reports = 0 if reports is None else int(reports["reports"])
    sequences = int(_get(t["sequences"], rid, 0))
    likely = p if n else None
    if likely is None and sequences:
        likely = int(_get(t["offer_sequences"], rid, 0)) / sequences
    parts: ExposureParts = {
        "likely": rounded(likely, 4),
        "deep": rounded(_depth(biggest, rid, t["cart_value"], sequences or n), 4),
        "predictable": rounded(_predictability(_get(t["discount_delay"], rid)), 4),
        "known": rounded(
            0.5 * min(1, n_reports / KNOWN_FULL) + 0.5 * min(1, contributors / KNOWN_FULL), 4
        ),
    }
    seen = _get(t["seen"], rid)
    return {
        "retailer": {"domain": retailer["domain"], "name": retailer["name"]},
        "contributors": contributors,
        "carts": int(_get(t["carts"], rid, 0)),
        "cart_emails": int(_get(t["cart_emails"], rid, 0)),
        "discount_rate": {
            "value": rounded(p, 4) if n else None,
            "low": rounded(low, 4) if n else None,
            "high": rounded(high, 4) if n else None,
            "n": n,
        },
        "hours_to_first_email": _quant_json(t["first_email"], rid),
        "hours_to_discount": _km_json(km),
        "first_discount": first,
        "max_discount": biggest,
        "ladder": t["ladder"].get(rid, []),
        "reports": n_reports,
        "exposure": exposure_score(**parts),
        "sequences": sequences,
        "escalates": t["escalation"].get(rid),
        "shared_vs_single_use": t["codes"].get(rid),
        "expiry_hours": _quant_json(t["expiry"], rid),
        "report_summary": _report_json(reports),
        "reports_agree": _agree(reports, first, km, sequences > 0),
        "exposure_parts": parts,
        "first_seen": None if seen is None else _day(seen["min"]),
        "last_seen": None if seen is None else _day(seen["max"]),
    }


def _km_json(km: KMResult | None) -> SurvivalQuantiles:
    if km is None:
        return {"median": None, "p25": None, "p75": None, "n": 0, "censored": 0}
    return {
        "median": rounded(km.median),
        "p25": rounded(km.p25),
        "p75": rounded(km.p75),
        "n": km.n,
        "censored": km.censored,
    }


def _depth(offer: dict | None, rid: int, cart_value: pd.Series, observed: int) -> float | None:
    """How deep the largest typical offer goes, 0..1 (see the module docstring)."""
    if offer is None:
        return 0.0 if observed else None
    if offer["type"] == "percent" and offer["value"] is not None:
        return min(1.0, offer["value"] / DEPTH_FULL_PERCENT)
    if offer["type"] == "amount" and offer["value"] is not None:
        median = cart_value.get((rid, offer["currency"]))
        if median is None or not np.isfinite(median) or median <= 0:
            return None
        return min(1.0, offer["value"] / median / (DEPTH_FULL_PERCENT / 100))
    if offer["type"] in ("free_shipping", "gift"):
        return DEPTH_FLAT
    return None


def _predictability(delay: pd.Series | None) -> float | None:
    if delay is None or int(delay["n"]) < 2:
        return None
    iqr = float(delay["p75"]) - float(delay["p25"])
    return 1.0 / (1.0 + iqr / max(float(delay["median"]), 1.0))


def _report_json(reports: pd.Series | None) -> ReportSummary | None:
    if reports is None:
        return None
    return {
        "value_median": rounded(reports["value_median"]),
        "wait_median_hours": rounded(reports["wait_median"]),
    }


def _agree(
    reports: pd.Series | None, first: dict | None, km: KMResult | None, mail_seen: bool
) -> bool | None:
    """Do the public reports match what mail measured? Null when nothing compares.

    `mail_seen`: cart mail was measured, so `first` None means "no offer came"."""
    if reports is None:
        return None
    said_none = int(reports.get("no_discount", 0) or 0)
    said_offer = int(reports.get("with_offer", reports["reports"]) or 0)
    if said_none > said_offer:
        return (first is None) if mail_seen else None
    if mail_seen and first is None and said_offer:
        return False
    checks = []
    value = reports["value_median"]
    if first and first["type"] == "percent" and first["value"] is not None and np.isfinite(value):
        checks.append(abs(value - first["value"]) <= 5.0)
    wait = reports["wait_median"]
    if km is not None and km.median is not None and np.isfinite(wait):
        checks.append(abs(wait - km.median) <= max(12.0, 0.5 * km.median))
    return all(checks) if checks else None


def _day(hours: float) -> str | None:
    if hours is None or not math.isfinite(hours):
        return None
    return pd.Timestamp(hours * 3.6e12, unit="ns", tz="UTC").date().isoformat()
