"""Kaplan-Meier curves of time-to-discount, one per retailer, in one pass.

The product-limit estimate with an exponential Greenwood 95% band, evaluated
for all retailers at once with grouped cumulative sums: a per-retailer fitter
costs ~8 ms of overhead whatever its size, so 5,000 retailers would spend most
of a minute there. The formulas are lifelines' (`_additive_f`/`_additive_var`
terms, its `_bounds` band and the zero-time row its timeline starts with);
tests/unit/test_stats.py holds the curves and quantiles equal to lifelines'
`KaplanMeierFitter` on random data with ties and censoring, so lifelines is a
test-only oracle, not a dependency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
CURVE_COLUMNS = ["hours", "survival", "low", "high", "at_risk"]


@dataclass
class KMResult:
    """Quantiles of time-to-discount (null when the curve never gets there) and the curve.

    `p25` is the time by which 25% of carts got a discount (survival 0.75).
    """

    median: float | None
    p25: float | None
    p75: float | None
    n: int
    censored: int
    curve: pd.DataFrame | None  # CURVE_COLUMNS; None from kaplan_meier_by_group (see its curves)


def kaplan_meier(durations: np.ndarray, events: np.ndarray) -> KMResult:
    """One retailer's time-to-discount curve and quantiles (`events`: a discount came)."""
    fits, curves = kaplan_meier_by_group(np.zeros(len(durations), dtype=int), durations, events)
    if not fits:
        return KMResult(None, None, None, 0, 0, pd.DataFrame(columns=CURVE_COLUMNS))
    curve = curves.drop(columns="g").reset_index(drop=True)
    fit = fits[0]
    return KMResult(fit.median, fit.p25, fit.p75, fit.n, fit.censored, curve)


def kaplan_meier_by_group(
    group: np.ndarray, durations: np.ndarray, events: np.ndarray
) -> tuple[dict, pd.DataFrame]:
    """({group: KMResult}, all curves with a `g` column) for every group at once."""
    frame = pd.DataFrame(
        {"g": group, "t": np.asarray(durations, float), "e": np.asarray(events, bool)}
    )
    if frame.empty:
        return {}, pd.DataFrame(columns=[*CURVE_COLUMNS, "g"])
    return _batch(frame)


def _batch(frame: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """The product-limit estimate and its band for all groups in one pass."""
    table = (
        frame.groupby(["g", "t"]).agg(removed=("e", "size"), observed=("e", "sum")).reset_index()
    )
    starts = pd.DataFrame({"g": frame["g"].unique(), "t": 0.0, "removed": 0, "observed": 0})
    table = pd.concat([starts, table]).drop_duplicates(["g", "t"], keep="last")
    table = table.sort_values(["g", "t"], kind="stable").reset_index(drop=True)
    by_g = table.groupby("g", sort=False)
    at_risk = by_g["removed"].transform("sum") - by_g["removed"].cumsum() + table["removed"]
    pop = at_risk.to_numpy(dtype=float)
    deaths = table["observed"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_step = np.log(pop - deaths) - np.log(pop)  # lifelines' _additive_f
        var_step = deaths / (pop * (pop - deaths))  # lifelines' _additive_var
    var_step[np.isinf(var_step)] = 0.0
    keys = table["g"].to_numpy()
    log_s = pd.Series(log_step).groupby(keys, sort=False).cumsum().to_numpy()
    var = pd.Series(var_step).groupby(keys, sort=False).cumsum().to_numpy()
    survival = np.exp(log_s)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.log(survival)
        spread = Z95 * np.sqrt(var) / v
        low = np.exp(-np.exp(np.log(-v) - spread))  # lifelines' exponential Greenwood band
        high = np.exp(-np.exp(np.log(-v) + spread))
    hours = table["t"].to_numpy(dtype=float)
    curves = pd.DataFrame(
        {
            "hours": hours,
            "survival": survival,
            "low": np.where(np.isnan(low), 1.0, low),  # lifelines fills NaN with 1
            "high": np.where(np.isnan(high), 1.0, high),
            "at_risk": at_risk.to_numpy(),
            "g": keys,
        }
    )
    # lifelines multiplies in log space: 3/4 comes back as 0.7500000000000001, which
    # would push "the first time survival reaches 0.75" one event too late.
    rounded = np.round(survival, 12)

    def first_at(q: float) -> dict:
        hit = rounded <= q
        return pd.Series(hours[hit]).groupby(keys[hit], sort=False).first().to_dict()

    median, p25, p75 = first_at(0.5), first_at(0.75), first_at(0.25)
    counts = frame.groupby("g")["e"].agg(["size", "sum"])
    fits = {
        g: KMResult(median.get(g), p25.get(g), p75.get(g), int(n), int(n - ev), None)
        for g, n, ev in counts.itertuples()
    }
    return fits, curves


# The published curve's clock: hourly for two days, every 6 h to 14 days, daily after.
GRID_HOURS = np.concatenate(
    [np.arange(0.0, 48.0), np.arange(48.0, 336.0, 6.0), np.arange(336.0, 24.0 * 731, 24.0)]
)


def coarsen_curves(
    curves: pd.DataFrame, frame: pd.DataFrame, min_contributors: int
) -> tuple[dict, pd.DataFrame]:
    """Curves whose every step rests on discounts to at least K contributors.

    `curves` are `kaplan_meier_by_group`'s; `frame` has the group `g`, the duration
    `t`, the event flag `e` and the contributor `who` of each cart. Events are put
    in bins of GRID_HOURS; consecutive bins are merged until their events come from
    K contributors, and the curve is shown only at the end of each merged bin (a
    grid time, never one cart's time), with the survival reached there. Events
    after the last full bin are not shown as a step. Quantiles are read off the
    coarse curve, so the row and the curve say the same thing.
    """
    events = frame[frame["e"].to_numpy(dtype=bool)]
    # a discount at 0 h falls in the first hour: the curve starts at 1 before any event
    slot = np.clip(np.searchsorted(GRID_HOURS, events["t"]), 1, len(GRID_HOURS) - 1)
    bins = pd.DataFrame({"g": events["g"].to_numpy(), "end": GRID_HOURS[slot],
                         "who": events["who"].to_numpy()})  # fmt: skip
    bins = bins.drop_duplicates().sort_values(["g", "end"], kind="stable")
    points: list[tuple] = []
    group, end = None, None
    seen: set = set()
    for g, bin_end, who in zip(bins["g"], bins["end"], bins["who"], strict=True):
        if (g, bin_end) != (group, end):
            if len(seen) >= min_contributors:
                points.append((group, end))
                seen = set()
            if g != group:
                seen = set()
            group, end = g, bin_end
        seen.add(who)
    if len(seen) >= min_contributors:
        points.append((group, end))
    return _coarse_rows(curves, frame, pd.DataFrame(points, columns=["g", "hours"]))


def _coarse_rows(curves: pd.DataFrame, frame: pd.DataFrame, points: pd.DataFrame):
    """The exact curve read at each shown point, plus the start at 1; fits read off it."""
    exact = curves.sort_values("hours", kind="stable")
    shown = pd.merge_asof(
        points.astype({"hours": float}).sort_values("hours", kind="stable"),
        exact[["g", "hours", "survival", "low", "high"]],
        on="hours", by="g", direction="backward",
    )  # fmt: skip
    sizes = frame.groupby("g").size()
    starts = pd.DataFrame({"g": sizes.index, "hours": 0.0, "survival": 1.0, "low": 1.0,
                           "high": 1.0})  # fmt: skip
    rows = pd.concat([starts, shown], ignore_index=True).sort_values(["g", "hours"])
    # carts still waiting after each shown time: durations above it, per group
    ordered = frame.sort_values(["g", "t"], kind="stable")
    offsets = ordered.groupby("g", sort=False).size().cumsum()
    t = ordered["t"].to_numpy(dtype=float)
    ends = offsets.to_dict()
    sizes_d = sizes.to_dict()
    still = [
        sizes_d[g] - int(np.searchsorted(t[ends[g] - sizes_d[g] : ends[g]], h, side="right"))
        for g, h in zip(rows["g"], rows["hours"], strict=True)
    ]
    rows["at_risk"] = still
    rows = rows[[*CURVE_COLUMNS, "g"]].reset_index(drop=True)
    rounded = rows["survival"].round(12)

    def first_at(q: float) -> dict:
        return rows[rounded <= q].groupby("g", sort=False)["hours"].first().to_dict()

    median, p25, p75 = first_at(0.5), first_at(0.75), first_at(0.25)
    events = frame.groupby("g")["e"].sum().to_dict()
    fits = {
        g: KMResult(median.get(g), p25.get(g), p75.get(g), int(n), int(n - events[g]), None)
        for g, n in sizes_d.items()
    }
    return fits, rows
