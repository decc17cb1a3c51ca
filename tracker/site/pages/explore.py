"""Explore & download: filter the published tables and take them away as CSV."""

import streamlit as st

from tracker.site import charts, data, downloads, ui

st.title("Explore & download")
state = data.current()
if not ui.show_state(state):
    st.stop()

retailers = data.load_table(state, "retailers")
monthly = data.load_table(state, "monthly")


def _choices(column):
    return sorted(v for v in retailers[column].dropna().unique() if v)


cols = st.columns(3)
categories = cols[0].multiselect("Category", _choices("category"), key="explore_category")
countries = cols[1].multiselect("Country", _choices("country"), key="explore_country")
offer_types = cols[2].multiselect(
    "Offer type (typical or maximum)",
    sorted(set(_choices("first_offer_type")) | set(_choices("max_offer_type"))),
    key="explore_offer_type",
)
months = sorted(monthly["month"].unique())
period = None
if len(months) > 1:
    period = st.select_slider(
        "Period", options=months, value=(months[0], months[-1]), key="explore_period"
    )

chosen = retailers
if categories:
    chosen = chosen[chosen.category.isin(categories)]
if countries:
    chosen = chosen[chosen.country.isin(countries)]
if offer_types:
    chosen = chosen[
        chosen.first_offer_type.isin(offer_types) | chosen.max_offer_type.isin(offer_types)
    ]
domains = set(chosen.domain)
if period:
    monthly = monthly[(monthly.month >= period[0]) & (monthly.month <= period[1])]
    domains &= set(monthly.domain)
    chosen = chosen[chosen.domain.isin(domains)]
st.caption(f"{len(chosen)} of {len(retailers)} retailers match.")
if chosen.empty:
    st.info("No retailer matches these filters.")
    st.stop()

monthly = monthly[monthly.domain.isin(domains)]
if not monthly.empty:
    st.altair_chart(charts.monthly_chart(monthly), width="stretch")

TABLES = (
    ("retailers", "Retailers", chosen),
    ("monthly", "Per month", monthly),
    ("ladder", "Ladders", None),
    ("offer_distribution", "Offers in mail", None),
    ("reports", "Public reports", None),
    ("codes", "Shared codes", None),
    ("survival", "Survival curves", None),
)
st.caption(
    "Public reports keep the host of their page only; codes appear only when at least K "
    "contributors received the same one."
)
for (name, _title, frame), tab in zip(TABLES, st.tabs([t for _, t, _ in TABLES]), strict=True):
    if frame is None:
        frame = data.load_table(state, name)
        frame = frame[frame.domain.isin(domains)]
    with tab:
        if frame.empty:
            st.caption("Nothing here for this selection.")
            continue
        st.dataframe(frame, hide_index=True, key=f"explore_table_{name}")
        st.download_button(
            f"Download {name}.csv",
            downloads.csv_bytes(frame),
            file_name=f"darkpool-{name}.csv",
            mime="text/csv",
            key=f"explore_download_{name}",
        )
