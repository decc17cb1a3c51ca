"""Methodology & privacy: how the figures are made and what is never published."""

import streamlit as st

from tracker.analysis.exposure import EXPOSURE_FORMULA_MD
from tracker.site import data, ui

st.title("Methodology & privacy")
state = data.current()
meta = data.load_meta(state) if state.status in ("ok", "empty") else {}
k = meta.get("min_contributors", "K")

st.header("How the data is collected")
st.markdown(
    """
- **Mail.** Contributors import their own mailbox (IMAP, mbox, Maildir or .eml files).
  Each message is attributed to a retailer, classified (abandoned cart, browse
  abandonment, promotion, transactional, other) and searched for an offer made to
  the shopper: percent, amount, free shipping or a gift, with its code and expiry.
- **Carts.** Contributors log when they left a cart (`darkpool cart add`), so the
  mails that follow become measured delays: a *journey* of reminder, first offer,
  bigger offer.
- **The web.** Polite spiders (robots.txt, throttled, identified) read public pages
  where shoppers report what a store sends and after how long. Only the host of a
  page is published, never its full address.
"""
)

st.header("What the figures mean")
st.markdown(
    """
- **Discount rate**: the share of logged carts that received a discount, with a
  95% Wilson interval (honest for small numbers of carts).
- **Time to discount**: a Kaplan–Meier estimate. Carts still waiting when the data
  was published are *censored*, not counted as "no discount", so the curve and the
  sentence "if nothing came by 48 h, X% still get one" use everything known so far.
- **Ladder**: the median delay of each step of the sequence after a cart and the
  offer it carried; offers *escalate* when a later step offers more.
- **Public reports agree** when what the web claims (offer size and wait) matches
  what contributors' mail measured. Reports that no discount came (only
  reminders, or nothing at all) agree when the mail measured no offer either.
"""
)

st.header("The exposure score")
st.markdown(EXPOSURE_FORMULA_MD)

st.header("Privacy: what K means")
st.markdown(
    f"""
The site reads only a published snapshot written by `darkpool publish`; it never
sees anyone's mailbox. The snapshot holds **aggregates only**: no message, no
address, no name of a person, no personal link or token.

- A retailer appears only when at least **K = {ui.escape_md(k)}** different
  contributors saw its mail, so no figure describes a single shopper.
- A discount code is published only when at least K contributors received the
  same code (a shared, public code); single-use codes never leave the store.
- Dates are published by day or month, never by the minute.
"""
)
if meta:
    st.subheader("This snapshot")
    st.dataframe(
        [{"key": key, "value": value} for key, value in sorted(meta.items())],
        hide_index=True,
        key="methodology_meta",
    )
