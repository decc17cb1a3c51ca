"""Compare & audit: retailers side by side, and one retailer against its peers."""

import streamlit as st

from tracker.site import charts, data, downloads, figures, ui

st.title("Compare & audit")
state = data.current()
if not ui.show_state(state):
    st.stop()

retailers = data.load_table(state, "retailers")
ordered = figures.search(retailers, "")
names = dict(zip(ordered.domain, ordered.name, strict=True))
default = list(retailers.sort_values("exposure", ascending=False).domain[:3])
picked = st.multiselect(
    "Retailers to compare",
    list(names),
    default=default,
    format_func=lambda d: f"{names[d]} ({d})",
    key="compare_pick",
)
if not picked:
    st.info("Pick at least one retailer to compare.")
else:
    st.dataframe(figures.comparison(retailers, picked), key="compare_table")
    chosen = retailers[retailers.domain.isin(picked)]
    left, right = st.columns(2)
    left.altair_chart(charts.compare_chart(chosen, "exposure", "exposure (0–100)"), width="stretch")
    right.altair_chart(
        charts.compare_chart(chosen, "discount_rate", "discount rate"), width="stretch"
    )

st.subheader("Audit one retailer against its peers")
st.caption("Peers are the retailers of the same category (all others when it has none).")
target = st.selectbox(
    "Retailer to audit", list(names), format_func=lambda d: f"{names[d]} ({d})", key="audit_pick"
)
table = figures.audit_table(retailers, target)
st.dataframe(table, hide_index=True, key="audit_table")
created = data.load_meta(state).get("created_at", "")
report = figures.audit_markdown(retailers, target, created, ui.escape_md)
left, right = st.columns(2)
left.download_button(
    "Download the audit (Markdown)",
    report.encode(),
    file_name=f"darkpool-audit-{target}.md",
    mime="text/markdown",
    key="audit_download_md",
)
right.download_button(
    "Download the audit (CSV)",
    downloads.csv_bytes(table),
    file_name=f"darkpool-audit-{target}.csv",
    mime="text/csv",
    key="audit_download_csv",
)
with st.expander("Preview the report"):
    st.text(report)
