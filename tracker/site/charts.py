"""Altair charts for the site. Each takes snapshot rows and returns a chart.

Text from mail or pages only reaches Vega as data values (axis labels,
tooltips), which Vega renders as text, never as HTML.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from tracker.site.figures import offer_label

ACCENT = "#c2410c"
MUTED = "#64748b"


def ladder_chart(ladder: pd.DataFrame) -> alt.Chart:
    """The sequence of mails after a cart as a timeline: one mark per step, labelled."""
    frame = ladder.dropna(subset=["median_hours"]).copy()
    frame["offer"] = [
        offer_label(t, v, c) or "reminder"
        for t, v, c in zip(frame.offer_type, frame.offer_value, frame.offer_currency, strict=True)
    ]
    frame["has_offer"] = frame["offer_type"].notna()
    frame["label"] = [f"step {s}: {o}" for s, o in zip(frame.step, frame.offer, strict=True)]
    frame["lane"] = "after the cart"
    x = alt.X("median_hours:Q", title="hours after the cart was left (median)")
    base = alt.Chart(frame).encode(
        x=x,
        y=alt.Y("lane:N", title=None, axis=None),
        tooltip=[
            alt.Tooltip("step:Q"),
            alt.Tooltip("offer:N"),
            alt.Tooltip("median_hours:Q", format=".1f", title="median hours"),
            alt.Tooltip("n:Q", title="carts"),
        ],
    )
    line = (
        alt.Chart(frame)
        .mark_rule(color=MUTED)
        .encode(x="min(median_hours):Q", x2=alt.X2("max(median_hours):Q"), y="lane:N")
    )
    dots = base.mark_circle(size=260, opacity=1).encode(
        color=alt.Color(
            "has_offer:N",
            scale=alt.Scale(domain=[True, False], range=[ACCENT, MUTED]),
            legend=alt.Legend(title="discount", labelExpr="datum.value ? 'yes' : 'no'"),
        )
    )
    text = base.mark_text(dy=-18, fontSize=12).encode(text="label:N")
    return (line + dots + text).properties(height=120)


def survival_chart(survival: pd.DataFrame, mark_hours: float = 48.0) -> alt.Chart:
    """Kaplan–Meier curve of carts still without a discount, with its confidence band."""
    frame = survival.sort_values("hours")
    x = alt.X("hours:Q", title="hours after the cart was left")
    band = (
        alt.Chart(frame)
        .mark_area(interpolate="step-after", opacity=0.2, color=ACCENT)
        .encode(x=x, y="low:Q", y2="high:Q")
    )
    curve = (
        alt.Chart(frame)
        .mark_line(interpolate="step-after", color=ACCENT, strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y(
                "survival:Q",
                title="share of carts still without a discount",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("hours:Q", format=".1f"),
                alt.Tooltip("survival:Q", format=".0%"),
                alt.Tooltip("at_risk:Q", title="carts still waiting"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"hours": [mark_hours]}))
        .mark_rule(strokeDash=[4, 4], color=MUTED)
        .encode(x="hours:Q")
    )
    return (band + curve + rule).properties(height=300)


def offer_distribution_chart(offers: pd.DataFrame) -> alt.Chart:
    """How many offer mails carried each offer (e.g. 10%, 15%, free shipping)."""
    frame = offers.copy()
    frame["offer"] = [
        offer_label(t, v, c) or "—"
        for t, v, c in zip(frame.type, frame.value, frame.currency, strict=True)
    ]
    frame = frame.groupby(["offer", "type"], as_index=False)["messages"].sum()
    return (
        alt.Chart(frame)
        .mark_bar(color=ACCENT)
        .encode(
            x=alt.X("offer:N", sort="-y", title="offer"),
            y=alt.Y("messages:Q", title="messages"),
            tooltip=["offer:N", "type:N", "messages:Q"],
        )
        .properties(height=260)
    )


def compare_chart(retailers: pd.DataFrame, metric: str, title: str) -> alt.Chart:
    """One horizontal bar per retailer for `metric`."""
    frame = retailers[["name", "domain", metric]].dropna()
    return (
        alt.Chart(frame)
        .mark_bar(color=ACCENT)
        .encode(
            y=alt.Y("name:N", sort="-x", title=None),
            x=alt.X(f"{metric}:Q", title=title),
            tooltip=["name:N", "domain:N", alt.Tooltip(f"{metric}:Q", format=".2f")],
        )
        .properties(height=max(120, 32 * len(frame)))
    )


def monthly_chart(monthly: pd.DataFrame) -> alt.Chart:
    """Cart emails and discounts per month across the selected retailers."""
    frame = monthly.groupby("month", as_index=False)[["cart_emails", "discounts"]].sum()
    long = frame.melt("month", var_name="series", value_name="messages")
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="month"),
            y=alt.Y("messages:Q", title="messages"),
            color=alt.Color(
                "series:N", scale=alt.Scale(range=[MUTED, ACCENT]), legend=alt.Legend(title=None)
            ),
            tooltip=["month:O", "series:N", "messages:Q"],
        )
        .properties(height=260)
    )
