"""Grouped measures behind `tracker/analysis/stats.py`, one function per measure.

Each takes the journey steps (or carts, or reports) of every retailer at once
and returns a table keyed by retailer id, computed with pandas group-bys, so
the cost grows with the rows, not with the number of retailers.

`min_contributors` (K) is the published view's rule per figure: a figure is
left out (null) when fewer than K contributor identities (`who`) gave the rows
it is computed from, and an offer is a retailer's typical, largest or ladder
offer only when at least K contributors received it. The private `stats` view
uses K = 1, which changes nothing.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from tracker.analysis.journeys import Journeys
from tracker.analysis.rows import CodeShares, RetailerStats
from tracker.labels import missing, number, offer_of, rounded

LADDER_MIN_SHARE = 0.25  # a step reached by fewer sequences than this is noise
LADDER_MAX_STEPS = 12
_OFFER = ["offer_type", "offer_value", "offer_currency"]


def supported(
    frame: pd.DataFrame, min_contributors: int, keys: list[str] | None = None
) -> pd.DataFrame:
    """Rows of `frame` whose `keys` group (default: retailer) has >= K contributors."""
    if min_contributors <= 1 or frame.empty:
        return frame
    who = frame.groupby(keys or ["retailer_id"], dropna=False)["who"].transform("nunique")
    return frame[who >= min_contributors]


def quantile_table(frame: pd.DataFrame, column: str, min_contributors: int = 1) -> pd.DataFrame:
    """median, p25, p75 (linear interpolation) and n of `column` per retailer."""
    values = supported(frame.loc[frame[column].notna()], min_contributors)
    values = values[["retailer_id", column]]
    if values.empty:
        return pd.DataFrame(columns=["median", "p25", "p75", "n"])
    grouped = values.groupby("retailer_id")[column]
    # pandas takes a list of quantiles; pandas-stubs only admits a float or an array
    out = grouped.quantile([0.25, 0.5, 0.75]).unstack()  # type: ignore[arg-type]
    out.columns = ["p25", "median", "p75"]
    out["n"] = grouped.size()
    return out


def offer_dict(kind: Any, value: Any, currency: Any) -> dict[str, Any] | None:
    """{"type", "value", "currency"} of an offer, or None for "no offer"."""
    if missing(kind) or kind == "":
        return None
    return {
        "type": kind,
        "value": number(value),
        "currency": None if missing(currency) or currency == "" else currency,
    }


def _keyed(steps: pd.DataFrame) -> pd.DataFrame:
    """Offer columns with nulls made groupable: no offer is type "", no currency is ""."""
    out = steps.copy()
    out["offer_type"] = out["offer_type"].fillna("")
    out["offer_currency"] = out["offer_currency"].fillna("")
    return out


def _mode(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The most common offer per `keys` group; ties go to the smaller value."""
    # number the distinct offers once, then count small integers instead of strings
    oid = frame.groupby(_OFFER, dropna=False, sort=False).ngroup().to_numpy()
    ids = pd.DataFrame({k: frame[k].to_numpy() for k in keys} | {"oid": oid})
    counts = ids.groupby([*keys, "oid"]).size().rename("count").reset_index()
    lookup = frame[_OFFER].assign(oid=oid).drop_duplicates("oid").set_index("oid")
    counts = counts.join(lookup, on="oid")
    counts = counts.sort_values(
        [*keys, "count", "offer_value"], ascending=[True] * len(keys) + [False, True]
    )
    return counts.drop_duplicates(keys).set_index(keys)


def first_and_max_offers(
    steps: pd.DataFrame, min_contributors: int = 1
) -> dict[int, tuple[dict | None, dict | None]]:
    """Per retailer: the most common first offer of a sequence, and the largest offer
    of that type and currency, among the offers at least K contributors received."""
    offered = _keyed(steps[steps["offer_type"].notna()])
    offered = supported(offered, min_contributors, ["retailer_id", *_OFFER])
    if offered.empty:
        return {}
    typical = _mode(offered.drop_duplicates("seq"), ["retailer_id"])
    same = offered.merge(
        typical[["offer_type", "offer_currency"]].reset_index(),
        on=["retailer_id", "offer_type", "offer_currency"],
    )
    biggest = same.groupby("retailer_id")["offer_value"].max()
    out = {}
    for rid, row in typical.iterrows():
        first = offer_dict(row["offer_type"], row["offer_value"], row["offer_currency"])
        top = biggest.get(rid, np.nan)
        big = first if missing(top) else offer_dict(row["offer_type"], top, row["offer_currency"])
        out[int(rid)] = (first, big)  # type: ignore[call-overload]  # stubs: labels are Hashable
    return out


def ladder_table(steps: pd.DataFrame, min_contributors: int = 1) -> dict[int, list[dict[str, Any]]]:
    """Per retailer, the steps most sequences reach: delays, gaps and the usual offer.

    With K > 1 a step needs K contributors, its delay from the cart K contributors
    with a logged cart, and its offer is the most common one K contributors got.
    """
    if steps.empty:
        return {}
    k = min_contributors
    sequences = steps.groupby("retailer_id")["seq"].nunique()
    per_step = steps.groupby(["retailer_id", "step"]).agg(
        n=("seq", "size"),
        contributors=("who", "nunique"),
        median_hours=("hours", "median"),
        n_hours=("hours", "count"),
        gap_hours=("gap_hours", "median"),
    )
    timed = steps[steps["hours"].notna()].groupby(["retailer_id", "step"])["who"].nunique()
    per_step["hour_contributors"] = timed.reindex(per_step.index).fillna(0)
    keyed = supported(
        _keyed(steps[["retailer_id", "step", "who", *_OFFER]]), k, ["retailer_id", "step", *_OFFER]
    )
    offers = _mode(keyed, ["retailer_id", "step"])
    per_step = per_step.join(offers[_OFFER]).reset_index()
    # a ufunc of a Series is a Series; numpy's stubs say ndarray, which has no clip(lower=)
    ceil = cast(pd.Series, np.ceil(per_step["retailer_id"].map(sequences) * LADDER_MIN_SHARE))
    floor = ceil.clip(lower=1)
    per_step = per_step[(per_step["n"] >= floor) & (per_step["step"] <= LADDER_MAX_STEPS)]
    per_step = per_step[per_step["contributors"] >= k]
    out: dict[int, list[dict[str, Any]]] = {}
    for row in per_step.to_dict("records"):
        out.setdefault(int(row["retailer_id"]), []).append(
            {
                "step": int(row["step"]),
                "median_hours": rounded(row["median_hours"])
                if row["hour_contributors"] >= k
                else None,
                "gap_hours": rounded(row["gap_hours"]),
                "n": int(row["n"]),
                "n_from_cart": int(row["n_hours"]),
                "contributors": int(row["contributors"]),
                "offer": offer_dict(row["offer_type"], row["offer_value"], row["offer_currency"]),
            }
        )
    return out


def escalation_table(steps: pd.DataFrame, min_contributors: int = 1) -> dict[int, bool]:
    """Per retailer: do most sequences with two offers of one kind end higher than they began?

    Only percent and amount offers compare; within a sequence, offers of another type
    or currency than its first valued offer are ignored. Retailers with no such
    sequence, or with such sequences from fewer than K contributors, are absent (null).
    """
    valued = _keyed(
        steps[steps["offer_type"].isin(["percent", "amount"]) & steps["offer_value"].notna()]
    )
    if valued.empty:
        return {}
    head = valued.drop_duplicates("seq").set_index("seq")[["offer_type", "offer_currency"]]
    valued = valued.join(head, on="seq", rsuffix="_first")
    valued = valued[
        (valued["offer_type"] == valued["offer_type_first"])
        & (valued["offer_currency"] == valued["offer_currency_first"])
    ]
    per_seq = valued.groupby("seq").agg(
        retailer_id=("retailer_id", "first"),
        n=("offer_value", "size"),
        first=("offer_value", "first"),
        last=("offer_value", "last"),
        who=("who", "first"),
    )
    per_seq = supported(per_seq[per_seq["n"] >= 2], min_contributors)
    share = (per_seq["last"] > per_seq["first"]).groupby(per_seq["retailer_id"]).mean()
    # pandas-stubs types index labels as Hashable; these are retailer ids
    return {int(rid): bool(value >= 0.5) for rid, value in share.items()}  # type: ignore[call-overload]


def code_table(steps: pd.DataFrame, min_contributors: int = 1) -> dict[int, CodeShares]:
    """Per retailer: coded offers whose code is shared, single-use or of unknown kind.

    A code declared single-use (by its wording or its machine-made shape) is
    single-use; a code is shared only when two or more contributor identities got
    it, whatever its shape ("JOHNSMITH10" looks like "COMEBACK15" but is one
    person's); otherwise unknown. With K > 1 a retailer's shares need coded offers
    from K contributors.
    """
    coded = supported(steps[steps["code"].notna()], min_contributors)
    if coded.empty:
        return {}
    per_code = coded.groupby(["retailer_id", "code"]).agg(
        contributors=("who", "nunique"),
        declared=("code_kind", "first"),
        offers=("seq", "size"),
    )
    kind = pd.Series(
        np.where(
            per_code["declared"] == "single_use",
            "single_use",
            np.where(per_code["contributors"] >= 2, "shared", "unknown"),
        ),
        index=per_code.index,
    )
    counts = per_code["offers"].groupby([per_code.index.get_level_values(0), kind]).sum()
    out: dict[int, CodeShares] = {}
    for rid, by_kind in counts.groupby(level=0):
        # pandas-stubs types labels as Hashable and group keys as any scalar: here the
        # labels are (retailer id, kind) pairs and the keys retailer ids
        kinds = {k: int(v) for (_, k), v in by_kind.items()}  # type: ignore[misc, has-type]
        shared, single = kinds.get("shared", 0), kinds.get("single_use", 0)
        out[int(rid)] = {  # type: ignore[arg-type]
            "shared": shared,
            "single_use": single,
            "unknown": kinds.get("unknown", 0),
            "shared_share": round(shared / (shared + single), 4) if shared + single else None,
        }
    return out


def report_table(reports: pd.DataFrame) -> pd.DataFrame:
    """Per retailer: number of reports, median reported percent and median reported
    wait of the discounts, reports with an offer and reports that no discount came.

    A range counts as its midpoint; a wait given only as "within N hours" counts as
    N, one given only as "after N hours" as N. A reminder-only report's wait is
    when the reminder came, so only reports with an offer give the wait.
    """
    columns = ["reports", "value_median", "wait_median", "with_offer", "no_discount"]
    if reports.empty:
        return pd.DataFrame(columns=columns)
    r = reports.copy()
    percent = r["offer_type"] == "percent"
    r["value_mid"] = ((r["value"] + r["value_max"].fillna(r["value"])) / 2).where(percent)
    wait = r[["wait_min", "wait_max"]].mean(axis=1, skipna=True)
    r["wait"] = wait.where(r["offer_type"].notna())
    outcome = r["outcome"] if "outcome" in r else pd.Series(None, index=r.index)
    r["no_discount"] = outcome.isin(["reminder_only", "nothing_sent"])
    return r.groupby("retailer_id").agg(
        reports=("offer_type", "size"),
        value_median=("value_mid", "median"),
        wait_median=("wait", "median"),
        with_offer=("offer_type", "count"),
        no_discount=("no_discount", "sum"),
    )


def snapshot_frames(
    j: Journeys, reports: pd.DataFrame, curves: pd.DataFrame, domains: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """Frames for the snapshot, keyed by domain instead of the private retailer id."""
    steps = j.steps
    offered = steps[steps["offer_type"].notna()]
    offers = (
        offered.groupby(
            ["retailer_id", "offer_type", "offer_value", "offer_currency"], dropna=False
        )
        .agg(messages=("seq", "size"), contributors=("who", "nunique"))
        .reset_index()
        .rename(
            columns={"offer_type": "type", "offer_value": "value", "offer_currency": "currency"}
        )
    )
    coded = offered[offered["code"].notna()]
    codes = (
        coded.groupby(["retailer_id", "code"])
        .agg(contributors=("who", "nunique"), kind=("code_kind", "first"))
        .reset_index()
    )
    # months without formatting a million dates: datetime64[M], then one string per month
    stamps = (steps["sent_h"].to_numpy() * 3600).astype("int64").astype("datetime64[s]")
    month_no = stamps.astype("datetime64[M]").astype("int64")
    names = {int(m): str(np.datetime64(int(m), "M")) for m in np.unique(month_no)}
    month = pd.Series(month_no, index=steps.index).map(names)
    monthly = (
        steps.assign(month=month, discount=steps["offer_type"].notna())
        .groupby(["retailer_id", "month"])
        .agg(
            cart_emails=("seq", "size"),
            discounts=("discount", "sum"),
            contributors=("who", "nunique"),
        )
        .reset_index()
    )
    pairs = pd.concat([j.carts[["retailer_id", "who"]], steps[["retailer_id", "who"]]])
    frames = {
        "survival": curves,
        "offers": offers,
        "codes": codes,
        "monthly": monthly,
        "reports": reports.copy(),
        "contributors": pairs.drop_duplicates(),
    }
    domain_of = domains["domain"]
    for name, frame in frames.items():
        if "retailer_id" in frame:
            frame.insert(0, "domain", frame["retailer_id"].map(domain_of))
            frames[name] = frame.drop(columns="retailer_id")
    return frames


def describe_stats(rows: list[RetailerStats]) -> list[str]:
    """A fixed-width table for people (the JSON lines are for programs)."""
    head = f"{'retailer':<28} {'contrib':>7} {'carts':>5} {'emails':>6} {'rate':>11} "
    head += f"{'wait(h)':>7} {'typical':>9} {'max':>9} {'exposure':>8}"
    lines = [head]
    for r in rows:
        rate = r["discount_rate"]
        rate_text = "-" if rate["value"] is None else f"{rate['value']:.0%} of {rate['n']}"
        wait = r["hours_to_discount"]["median"]
        lines.append(
            f"{r['retailer']['domain'][:28]:<28} {r['contributors']:>7} {r['carts']:>5} "
            f"{r['cart_emails']:>6} {rate_text:>11} {'-' if wait is None else f'{wait:g}':>7} "
            f"{offer_of(r['first_discount'], '-'):>9} {offer_of(r['max_discount'], '-'):>9} "
            f"{'-' if r['exposure'] is None else r['exposure']:>8}"
        )
    if not rows:
        lines.append("(no retailers yet: import mail and log carts first)")
    return lines
