"""Kaplan-Meier curves of time-to-discount, one per retailer.

`kaplan_meier` fits lifelines' `KaplanMeierFitter` (product-limit estimate,
exponential Greenwood 95% band). A fit costs ~8 ms of pandas overhead whatever
its size, so 5,000 retailers would spend most of a minute there; above
`LIFELINES_MAX_GROUPS` retailers, `kaplan_meier_by_group` therefore evaluates
the same formulas (lifelines' `_additive_f`/`_additive_var` terms and its
`_bounds` band, with the zero-time row its timeline starts with) for all
retailers at once with grouped cumulative sums. tests/test_stats.py checks the
two paths give the same curves and quantiles on random data with ties and
censoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

Z95 = 1.959963984540054
LIFELINES_MAX_GROUPS = 200
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
    curve: pd.DataFrame | None  # CURVE_COLUMNS (None from the grouped path: see its curves)


def _first_time_at_or_below(hours: np.ndarray, survival: np.ndarray, q: float) -> float | None:
    # lifelines multiplies in log space: 3/4 comes back as 0.7500000000000001, which
    # would push "the first time survival reaches 0.75" one event too late.
    hit = np.flatnonzero(np.round(survival, 12) <= q)
    return float(hours[hit[0]]) if hit.size else None


def _result(curve: pd.DataFrame, n: int, events: int) -> KMResult:
    hours, surv = curve["hours"].to_numpy(), curve["survival"].to_numpy()
    return KMResult(
        median=_first_time_at_or_below(hours, surv, 0.5),
        p25=_first_time_at_or_below(hours, surv, 0.75),
        p75=_first_time_at_or_below(hours, surv, 0.25),
        n=n,
        censored=n - events,
        curve=curve.reset_index(drop=True),
    )


def kaplan_meier(durations: np.ndarray, events: np.ndarray) -> KMResult:
    """Fit lifelines' Kaplan-Meier to one retailer's time-to-discount."""
    from lifelines import KaplanMeierFitter

    events = np.asarray(events, dtype=bool)
    kmf = KaplanMeierFitter().fit(np.asarray(durations, dtype=float), events)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    curve = pd.DataFrame(
        {
            "hours": sf.index.to_numpy(dtype=float),
            "survival": sf.to_numpy(),
            "low": ci.iloc[:, 0].to_numpy(),
            "high": ci.iloc[:, 1].to_numpy(),
            "at_risk": kmf.event_table["at_risk"].reindex(sf.index).to_numpy(),
        }
    )
    return _result(curve, len(events), int(events.sum()))


def kaplan_meier_by_group(
    group: np.ndarray, durations: np.ndarray, events: np.ndarray
) -> tuple[dict, pd.DataFrame]:
    """({group: KMResult}, all curves with a `g` column); lifelines per group when few."""
    frame = pd.DataFrame(
        {"g": group, "t": np.asarray(durations, float), "e": np.asarray(events, bool)}
    )
    if frame["g"].nunique() > LIFELINES_MAX_GROUPS:
        return _batch(frame)
    fits = {
        g: kaplan_meier(sub["t"].to_numpy(), sub["e"].to_numpy())
        for g, sub in frame.groupby("g", sort=True)
    }
    curves = [fit.curve.assign(g=g) for g, fit in fits.items()]
    empty = pd.DataFrame(columns=[*CURVE_COLUMNS, "g"])
    return fits, pd.concat(curves, ignore_index=True) if curves else empty


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
    rounded = np.round(survival, 12)  # see _first_time_at_or_below

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
