"""Altair charts for the site. Each takes snapshot rows and returns a chart.

Text from mail or pages only reaches Vega as data values (axis labels,
tooltips), which Vega renders as text, never as HTML.
"""

from __future__ import annotations

from typing import cast

import altair as alt
import pandas as pd

from tracker.labels import offer_label

ACCENT = "#c2410c"
MUTED = "#64748b"


def ladder_chart(ladder: pd.DataFrame) -> alt.LayerChart:
    """The sequence of mails after a cart as a timeline: one mark per step, labelled."""
    frame = ladder.dropna(subset=["median_hours"]).sort_values("step").copy()
    frame["offer"] = [
        offer_label(t, v, c) or "reminder"
        for t, v, c in zip(frame.offer_type, frame.offer_value, frame.offer_currency, strict=True)
    ]
    frame["mail"] = ["discount" if isinstance(t, str) else "reminder" for t in frame.offer_type]
    frame["label"] = [
        f"{o} at {h:.0f} h" for o, h in zip(frame.offer, frame.median_hours, strict=True)
    ]
    frame["lane"] = 0
    x = alt.X(
        "median_hours:Q",
        title="hours after the cart was left (median)",
        scale=alt.Scale(domain=[0, float(frame.median_hours.max()) * 1.08 + 1]),
    )
    y = alt.Y("lane:Q", axis=None, scale=alt.Scale(domain=[-1, 1]))
    base = alt.Chart(frame).encode(x=x, y=y)
    line = base.mark_line(color=MUTED, strokeWidth=2)
    dots = base.mark_circle(size=300, opacity=1).encode(
        color=alt.Color(
            "mail:N",
            scale=alt.Scale(domain=["reminder", "discount"], range=[MUTED, ACCENT]),
            legend=alt.Legend(title=None, orient="top"),
        ),
        tooltip=[
            alt.Tooltip("step:Q"),
            alt.Tooltip("offer:N"),
            alt.Tooltip("median_hours:Q", format=".1f", title="median hours"),
            alt.Tooltip("n:Q", title="carts"),
        ],
    )
    text = base.mark_text(dy=-22, fontSize=13, fontWeight="bold").encode(text="label:N")
    return (line + dots + text).properties(height=140)


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
    # as_index=False makes the sum a DataFrame; pandas-stubs say Series
    frame = cast(pd.DataFrame, frame.groupby(["offer", "type"], as_index=False)["messages"].sum())
    return (
        alt.Chart(frame)
        .mark_bar(color=ACCENT, size=22)
        .encode(
            y=alt.Y("offer:N", sort="-x", title=None),
            x=alt.X("messages:Q", title="offer mails", axis=alt.Axis(tickMinStep=1)),
            tooltip=["offer:N", "type:N", "messages:Q"],
        )
        .properties(height=max(100, 36 * len(frame)))
    )


def compare_chart(retailers: pd.DataFrame, metric: str, title: str) -> alt.Chart:
    """One horizontal bar per retailer for `metric`."""
    frame = retailers[["name", "domain", metric]].dropna()
    return (
        alt.Chart(frame)
        .mark_bar(color=ACCENT, size=18)
        .encode(
            y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X(f"{metric}:Q", title=title),
            tooltip=["name:N", "domain:N", alt.Tooltip(f"{metric}:Q", format=".2f")],
        )
        .properties(height=max(90, 28 * len(frame)))
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
