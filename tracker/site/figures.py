"""Pure figures derived from snapshot tables for the pages (no Streamlit, no I/O).

Kept apart from the page scripts so they can be tested with plain DataFrames:
the leaderboard, the retailer search, the "if nothing came by 48 h" sentence
from the survival table, and the peer audit report.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from tracker.labels import number, offer_label, percent_label, plain_number

LEADERBOARD_COLUMNS = {
    "name": "Retailer",
    "exposure": "Exposure",
    "discount_pct": "Discount rate %",
    "typical_offer": "Typical offer",
    "median_wait_h": "Median wait to discount (h)",
    "contributors": "Contributors",
    "carts": "Carts",
    "category": "Category",
    "country": "Country",
    "domain": "Domain",
}


REPORT_TABLE_COLUMNS = ["Offer", "Wait", "Site", "Seen"]


def report_table(reports: pd.DataFrame) -> pd.DataFrame:
    """The public reports as a reader takes them in: '15%', '24–48 h', site, month.

    No grey 'None' cells: an unknown wait is blank, an unknown site or month '—'.
    """
    rows = []
    for r in reports.itertuples(index=False):
        value, top = number(r.value), number(r.value_max)
        offer = offer_label(r.offer_type, r.value, r.currency) or ""
        if top is not None and top != value:
            up_to = f"up to {offer_label(r.offer_type, top, r.currency)}"
            offer = up_to if value is None else f"{offer} ({up_to})"
        rows.append((offer, _wait_range(r.wait_min_h, r.wait_max_h), plain_number(r.source_host),
                     plain_number(r.seen_month)))  # fmt: skip
    return pd.DataFrame(rows, columns=REPORT_TABLE_COLUMNS)


def _wait_range(low: object, high: object) -> str:
    low, high = number(low), number(high)
    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return f"{low if low is not None else high:g} h"
    return f"{low:g}–{high:g} h"


def leaderboard(retailers: pd.DataFrame) -> pd.DataFrame:
    """One row per retailer with the columns the overview shows, exposure first."""
    frame = retailers.copy()
    frame["discount_pct"] = (frame["discount_rate"] * 100).round(0)
    frame["typical_offer"] = [
        offer_label(t, v, c)
        for t, v, c in zip(
            frame["first_offer_type"],
            frame["first_offer_value"],
            frame["first_offer_currency"],
            strict=True,
        )
    ]
    frame["median_wait_h"] = frame["discount_median_h"].round(1)
    frame = frame.sort_values(["exposure", "name"], ascending=[False, True], na_position="last")
    return frame[list(LEADERBOARD_COLUMNS)].rename(columns=LEADERBOARD_COLUMNS)


def search(retailers: pd.DataFrame, query: str | None) -> pd.DataFrame:
    """Retailers whose name or domain contains `query` (case-insensitive), by name."""
    frame = retailers.sort_values("name", key=lambda s: s.str.lower())
    text = (query or "").strip().lower()
    if not text:
        return frame.reset_index(drop=True)
    hit = frame["name"].str.lower().str.contains(text, regex=False) | frame[
        "domain"
    ].str.lower().str.contains(text, regex=False)
    return frame[hit].reset_index(drop=True)


def survival_at(survival: pd.DataFrame, hours: float) -> float:
    """S(hours) of a Kaplan–Meier step function (1.0 before the first step)."""
    before = survival[survival["hours"] <= hours].sort_values("hours")
    return 1.0 if before.empty else float(before["survival"].iloc[-1])


def still_get_one(survival: pd.DataFrame, hours: float = 48.0) -> float | None:
    """Share of carts with no discount by `hours` that still got one later.

    With S the survival (share still without a discount), that is
    (S(h) - S(end)) / S(h), where S(end) is the curve's last value. None when
    the curve says nothing past `hours` or every cart had a discount by then.
    """
    if survival.empty or float(survival["hours"].max()) <= hours:
        return None
    s_h = survival_at(survival, hours)
    if s_h <= 0:
        return None
    s_end = float(survival.sort_values("hours")["survival"].iloc[-1])
    return max(0.0, (s_h - s_end) / s_h)


def survival_sentence(survival: pd.DataFrame, hours: float = 48.0) -> str:
    """The retailer page's sentence about late discounts, from the survival table."""
    if survival.empty:
        return "No cart has been followed long enough to draw the survival curve."
    share = still_get_one(survival, hours)
    if share is not None:
        return f"If nothing came by {hours:g} h, {share * 100:.0f}% still get one."
    if survival_at(survival, hours) <= 0:
        return f"Every followed cart had a discount by {hours:g} h."
    return f"No cart was followed beyond {hours:g} h, so late discounts cannot be told yet."


COMPARE_ROWS = {
    "contributors": "Contributors",
    "carts": "Carts",
    "discount_rate": "Discount rate",
    "first_email_median_h": "Median hours to first email",
    "discount_median_h": "Median hours to discount",
    "first_offer": "Typical (first) offer",
    "max_offer": "Maximum offer",
    "escalates": "Offers escalate",
    "shared_code_share": "Share of shared codes",
    "expiry_median_h": "Median hours until expiry",
    "reports": "Public reports",
    "reports_agree": "Reports agree with mail",
    "exposure": "Exposure (0–100)",
}


def comparison(retailers: pd.DataFrame, domains: list[str]) -> pd.DataFrame:
    """Retailers side by side: one column per retailer, one row per figure (as text)."""
    rows = retailers.set_index("domain").loc[domains].copy()
    rows["first_offer"] = [
        offer_label(t, v, c)
        for t, v, c in zip(
            rows.first_offer_type, rows.first_offer_value, rows.first_offer_currency, strict=True
        )
    ]
    rows["max_offer"] = [
        offer_label(t, v, c)
        for t, v, c in zip(
            rows.max_offer_type, rows.max_offer_value, rows.max_offer_currency, strict=True
        )
    ]
    for flag in ("escalates", "reports_agree"):
        rows[flag] = [_yes_no(v) for v in rows[flag]]
    rows["discount_rate"] = [percent_label(v, default=None) for v in rows["discount_rate"]]
    rows["shared_code_share"] = [percent_label(v, default=None) for v in rows["shared_code_share"]]
    table = rows[list(COMPARE_ROWS)].astype(object).rename(columns=COMPARE_ROWS).T
    table.columns = [f"{rows.loc[d, 'name']!s} ({d})" for d in domains]
    return table.map(plain_number)


def peers_of(retailers: pd.DataFrame, domain: str) -> pd.DataFrame:
    """The retailers an audit compares against: same category, else everyone else."""
    me = retailers[retailers["domain"] == domain].iloc[0]
    others = retailers[retailers["domain"] != domain]
    if not isinstance(me["category"], str):
        return others
    same = others[others["category"] == me["category"]]
    return same if len(same) else others


AUDIT_FIGURES = (
    ("discount_rate", "Discount rate", "rate"),
    ("first_email_median_h", "Median hours to first email", "hours"),
    ("discount_median_h", "Median hours to discount", "hours"),
    ("first_offer_value", "Typical offer value", "value"),
    ("max_offer_value", "Maximum offer value", "value"),
    ("reports", "Public reports", "count"),
    ("exposure", "Exposure (0–100)", "count"),
)


def audit_table(retailers: pd.DataFrame, domain: str) -> pd.DataFrame:
    """For one retailer: each figure, its value, the peers' median and its rank among them."""
    me = retailers[retailers["domain"] == domain].iloc[0]
    peers = peers_of(retailers, domain)
    rows = []
    for column, label, _unit in AUDIT_FIGURES:
        pool = pd.concat([peers[column], pd.Series([me[column]])]).dropna()
        value = number(me[column])
        rank = None if value is None else int((pool > value).sum()) + 1
        rows.append(
            {
                "figure": label,
                "retailer": None if value is None else round(value, 2),
                "peer_median": _round(number(peers[column].median())) if len(peers) else None,
                "rank": f"{rank} of {len(pool)}" if rank else None,
            }
        )
    return pd.DataFrame(rows)


def audit_markdown(
    retailers: pd.DataFrame, domain: str, created_at: str, escape: Callable[[object], str]
) -> str:
    """The downloadable audit: a markdown report of one retailer against its peers.

    `escape` makes untrusted names literal markdown (the site's `escape_md`).
    """
    me = retailers[retailers["domain"] == domain].iloc[0]
    peers = peers_of(retailers, domain)
    table = audit_table(retailers, domain)
    lines = [
        f"# Abandoned-cart exposure audit: {escape(me['name'])}",
        "",
        f"Domain: {escape(domain)}. Snapshot of {escape(created_at)}. "
        f"Peers: {len(peers)} retailer(s)"
        + (f" in {escape(me['category'])}." if isinstance(me["category"], str) else "."),
        "",
        "| Figure | This retailer | Peer median | Rank (1 = highest) |",
        "|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.figure!s} | {plain_number(row.retailer)} | {plain_number(row.peer_median)} "
            f"| {row.rank or '—'!s} |"
        )
    lines += ["", "Peers: " + ", ".join(escape(n) for n in sorted(peers["name"])), ""]
    return "\n".join(lines)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _yes_no(value: object) -> str | None:
    flag = number(value)
    return None if flag is None else ("yes" if flag else "no")
