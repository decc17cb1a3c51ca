"""Which of the store's data a published snapshot may use: released months only.

Two snapshots published a day apart must not differ by one new cart, or the
difference is that cart (its delay, its day, its offer). So the published view
does not use everything the store holds: per retailer, its months are released
in blocks, and a month is used only once it is over (the current month is always
held back) and its block holds:

- cart mail or carts from at least K contributor identities, and
- either no logged cart that is shown, or at least K carts from at least K
  contributors (carts are shown once K people have logged carts at the retailer;
  until then they are not used at all, and do not hold a block back).

Blocks are built oldest month first: consecutive months are merged until they
pass, so quiet months wait for later ones and each release adds at least K
contributors' data (and at least K carts) to that retailer. Everything from the
retailer's first unreleased month on is held back, and its figures are computed
as of the end of the released months (carts still waiting then are censored
there), so a snapshot changes only when a whole block is released.

What this cannot hide: data added later to months already released (a backfilled
mailbox, a cart logged for an old date) changes those months' figures by what it
adds; publish after a backfill is complete.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.analysis.journeys import JourneyData, contributor_identity


def _month_numbers(hours: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of epoch hours (NaN hours give a very old month)."""
    seconds = np.nan_to_num(np.asarray(hours, dtype=float) * 3600.0, nan=0.0)
    return seconds.astype("int64").astype("datetime64[s]").astype("datetime64[M]").astype("int64")


def _month_start_hours(month: int) -> float:
    return float(np.datetime64(int(month), "M").astype("datetime64[s]").astype("int64")) / 3600.0


def release_horizons(data: JourneyData, now_h: float, min_contributors: int) -> dict[int, float]:
    """{retailer id: epoch hours before which its data is released} (module docstring)."""
    carts = pd.DataFrame(
        {
            "retailer_id": data.carts["retailer_id"],
            "who": contributor_identity(data.carts["contributor"]),
            "month": _month_numbers(data.carts["left_h"].to_numpy()),
            "cart": True,
        }
    )
    mail = pd.DataFrame(
        {
            "retailer_id": data.messages["retailer_id"],
            "who": contributor_identity(data.messages["contributor"]),
            "month": _month_numbers(data.messages["sent_h"].to_numpy()),
            "cart": False,
        }
    )
    events = pd.concat([carts, mail], ignore_index=True)
    current = int(_month_numbers(np.array([now_h]))[0])
    # one pass over the distinct (retailer, month, person, is-cart) rows, months in order
    cart_count = events.groupby(["retailer_id", "month", "cart"]).size()
    distinct = events.drop_duplicates().sort_values(["retailer_id", "month"], kind="stable")
    horizons: dict[int, float] = {}
    first = distinct.groupby("retailer_id")["month"].min()
    for rid, month in zip(first.index.to_numpy(), first.to_numpy(), strict=True):
        horizons[int(rid)] = _month_start_hours(int(month))
    state: _Block | None = None
    rows = zip(distinct["retailer_id"], distinct["month"], distinct["who"], distinct["cart"],
               strict=True)  # fmt: skip
    for rid, month, who, cart in rows:
        if state is None or state.rid != rid:
            if state is not None:
                state.close(horizons, min_contributors)
            state = _Block(int(rid))
        if month >= current:
            continue
        if month != state.month:
            state.close(horizons, min_contributors)
            state.month = int(month)
        state.add(who, bool(cart), int(cart_count.get((rid, month, cart), 0)) if cart else 0)
    if state is not None:
        state.close(horizons, min_contributors)
    return horizons


class _Block:
    """The months of one retailer being merged into a block (see the module docstring).

    While the carts seen so far come from fewer than K people they are never shown
    (`compute_stats` drops them), so they do not hold a block back.
    """

    def __init__(self, rid: int) -> None:
        self.rid, self.month = rid, -(10**9)
        self.who: set = set()
        self.cart_who: set = set()
        self.ever_cart_who: set = set()
        self.carts = 0
        self._counted: set = set()

    def add(self, who: object, cart: bool, month_carts: int) -> None:
        self.who.add(who)
        if cart:
            self.cart_who.add(who)
            self.ever_cart_who.add(who)
            if self.month not in self._counted:
                self._counted.add(self.month)
                self.carts += month_carts

    def close(self, horizons: dict[int, float], k: int) -> None:
        """At the end of a month: release the block when it passes."""
        if self.month < 0:
            return
        shown = self.carts if len(self.ever_cart_who) >= k else 0
        if len(self.who) >= k and (shown == 0 or (shown >= k and len(self.cart_who) >= k)):
            horizons[self.rid] = _month_start_hours(self.month + 1)
            self.who, self.cart_who, self.carts = set(), set(), 0


def release_data(data: JourneyData, horizons: dict[int, float]) -> JourneyData:
    """The carts and cart mail of each retailer from before its horizon."""
    cart_end = data.carts["retailer_id"].map(horizons).fillna(-np.inf)
    mail_end = data.messages["retailer_id"].map(horizons).fillna(-np.inf)
    return JourneyData(
        data.retailers,
        data.carts[data.carts["left_h"] < cart_end].reset_index(drop=True),
        data.messages[data.messages["sent_h"] < mail_end].reset_index(drop=True),
    )
