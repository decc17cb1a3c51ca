"""Retailer: one shop's ladder, time to discount, offers and what the web says."""

from typing import cast

import streamlit as st

from tracker.labels import DASH, hours_label, missing, offer_label, percent_label
from tracker.site import charts, data, figures, ui

st.title("Retailer")
state = data.current()
if not ui.show_state(state):
    st.stop()

retailers = data.load_table(state, "retailers")
query = st.text_input("Search retailers", key="retailer_search", placeholder="name or domain")
matches = figures.search(retailers, query)
if matches.empty:
    st.info("No retailer matches this search.")
    st.stop()
names = dict(zip(matches.domain, matches.name, strict=True))
# search() resets the index, so a label is also a position (pandas-stubs: any Hashable)
top = cast(int, matches.exposure.idxmax()) if matches.exposure.notna().any() else 0
domain = st.selectbox(
    "Retailer",
    list(names),
    index=int(top),
    format_func=lambda d: f"{names[d]} ({d})",
    key="retailer_pick",
)
if domain is None:  # not with these options and index; selectbox's type allows it
    st.stop()
row = matches[matches.domain == domain].iloc[0]

st.header(ui.escape_md(row["name"]))
where = " · ".join(
    ui.escape_md(v) for v in (domain, row["category"], row["country"]) if isinstance(v, str) and v
)
st.caption(
    f"{where} · at least {int(row['contributors'])} contributors · {int(row['carts'])} logged carts"
)
cols = st.columns(4)
rate_help = f"95% interval {percent_label(row['discount_rate_low'])}–{percent_label(row['discount_rate_high'])}"
cols[0].metric("Discount rate", percent_label(row["discount_rate"]), help=rate_help)
cols[1].metric(
    "Typical offer",
    offer_label(
        row["first_offer_type"], row["first_offer_value"], row["first_offer_currency"], default=DASH
    ),
)
cols[2].metric("Median wait to discount", hours_label(row["discount_median_h"]))
cols[3].metric("Exposure", "—" if missing(row["exposure"]) else int(row["exposure"]))

st.subheader("The ladder")
ladder = data.load_retailer(state, "ladder", domain)
if ladder.dropna(subset=["median_hours"]).empty:
    st.info("No sequence of cart mails measured for this retailer.")
else:
    st.altair_chart(charts.ladder_chart(ladder), width="stretch")
    if row["escalates"] == 1:
        st.caption("Offers escalate: later mails offer more than earlier ones.")

st.subheader("Time to discount")
survival = data.load_retailer(state, "survival", domain)
st.markdown(f"**{figures.survival_sentence(survival)}**")
if not survival.empty:
    st.altair_chart(charts.survival_chart(survival), width="stretch")
    censored = row["discount_censored"]
    st.caption(
        "Kaplan–Meier estimate; carts still waiting for a discount are censored "
        f"({0 if missing(censored) else int(censored)} of them), not counted as failures."
    )

st.subheader("Offer distribution")
offers = data.load_retailer(state, "offer_distribution", domain)
if offers.empty:
    st.info("No offer seen in this retailer's mail.")
else:
    st.altair_chart(charts.offer_distribution_chart(offers), width="stretch")

st.subheader("Public reports beside the measurements")
reports = data.load_retailer(state, "reports", domain)
left, right = st.columns(2)
left.markdown("**Measured from mail**")
left.text(
    f"typical offer: {offer_label(row['first_offer_type'], row['first_offer_value'], row['first_offer_currency'], default=DASH)}\n"
    f"median wait:   {hours_label(row['discount_median_h'])}"
)
right.markdown(f"**Reported on the web** ({int(row['reports'])} reports)")
right.text(
    f"median offer:  {'—' if missing(row['report_value_median']) else f'{row.report_value_median:g}'}\n"
    f"median wait:   {hours_label(row['report_wait_median_h'])}"
)
agree: dict[int | None, str] = {
    1: "The public reports agree with what mail measured.",
    0: "The public reports disagree with what mail measured.",
}
st.caption(
    agree.get(
        None if missing(row["reports_agree"]) else int(row["reports_agree"]),
        "Not enough to tell whether the reports agree.",
    )
)
if not reports.empty:
    st.dataframe(figures.report_table(reports), hide_index=True, key="retailer_reports")

codes = data.load_retailer(state, "codes", domain)
if not codes.empty:
    st.subheader("Codes shared by several contributors")
    st.dataframe(codes.drop(columns=["domain"]), hide_index=True, key="retailer_codes")
