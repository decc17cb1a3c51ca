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
  contributors saw its mail, so no figure describes a single shopper. Contributors
  are counted as people: "alice", "Alice" and "alice " are one.
- **Every figure needs K.** Cart figures (discount rate, waits, the survival curve)
  appear only when K contributors logged carts at the retailer; the typical,
  largest and ladder offers are chosen among offers that K contributors received;
  each ladder step, month and offer row needs K contributors; the survival curve
  is drawn only at fixed times (hourly for two days, every 6 hours to 14 days,
  then daily) and each of its steps rests on discounts to K contributors.
- A discount code is published only when at least K contributors received the
  same code (a shared, public code); single-use codes never leave the store, and
  a code counts as shared only when several people got it, never by its look.
- **Snapshots cannot be differenced down to one cart.** Each retailer's months are
  released in blocks: never the current month, and a block only once it adds K
  contributors' data (and, once carts are shown, K carts from K contributors).
  Figures are measured as of the end of the released months, so a snapshot
  published a day later differs only when a whole block is released.
- **Who shopped where.** Contributor counts are shown rounded down to a multiple
  of K ("at least"), and per retailer always below the total; the total number of
  contributors is shown only from 2K on. With exactly K contributors every
  published retailer was necessarily seen by all of them, so the snapshot then
  does not say how many there are.
- Retailer names are the curated name or the letters of the sender's own domain:
  a name in any script that the domain does not spell (a person's name, a phone
  number), a lookalike of another shop's name, or invisible direction marks never
  appear. A person forwarding a shop's mail is not a retailer.
- Dates are published by month (first and last seen, public reports), never by
  the minute. CSV downloads mark text that a spreadsheet would run as a formula.
"""
)
if meta:
    st.subheader("This snapshot")
    st.dataframe(
        [{"key": key, "value": value} for key, value in sorted(meta.items())],
        hide_index=True,
        key="methodology_meta",
    )
