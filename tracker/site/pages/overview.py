"""Overview: headline figures and the sortable leaderboard of retailers."""

import streamlit as st

from tracker.labels import percent_label
from tracker.site import charts, data, downloads, figures, ui

st.title("Abandoned-cart discounts, measured")
st.caption(
    "Which online shops pay you to wait, how much, and after how long: measured from "
    "contributors' own mail and compared with what shoppers report on the web."
)
state = data.current()
if not ui.show_state(state):
    st.stop()

meta = data.load_meta(state)
retailers = data.load_table(state, "retailers")
cols = st.columns(5)
cols[0].metric("Retailers", meta.get("retailers", len(retailers)))
cols[1].metric("Contributors", meta.get("contributors", "—"))
cols[2].metric("Logged carts", meta.get("carts", "—"))
cols[3].metric("Messages measured", meta.get("messages", "—"))
cols[4].metric("Median discount rate", percent_label(retailers["discount_rate"].median()))
st.caption(
    f"Snapshot of {ui.escape_md(meta.get('created_at', '?'))} · darkpool "
    f"{ui.escape_md(meta.get('darkpool_version', '?'))} · each retailer seen by at least "
    f"{ui.escape_md(meta.get('min_contributors', '?'))} contributors"
)

st.subheader("Leaderboard")
st.caption("Click a column header to sort. Exposure is explained under Methodology.")
board = figures.leaderboard(retailers)
st.dataframe(
    board,
    key="overview_leaderboard",
    hide_index=True,
    column_config={
        "Exposure": st.column_config.ProgressColumn(
            "Exposure", min_value=0, max_value=100, format="%d"
        ),
        "Discount rate %": st.column_config.NumberColumn(format="%d%%"),
    },
)
st.download_button(
    "Download the leaderboard (CSV)",
    downloads.csv_bytes(board),
    file_name="darkpool-leaderboard.csv",
    mime="text/csv",
    key="overview_download",
)

st.subheader("Most exposed")
top = retailers.sort_values("exposure", ascending=False).head(15)
st.altair_chart(charts.compare_chart(top, "exposure", "exposure (0–100)"), width="stretch")
