"""Journeys: a logged cart plus the cart mail that followed it.

A *journey* starts at a cart the shopper logged (`darkpool cart add`) and holds
the `abandoned_cart` and `browse_abandonment` messages from the same retailer
to the same contributor sent within a window after it (14 days by default).
A later cart of the same retailer and contributor closes the earlier one's
window, so one message never belongs to two carts. Each step carries its delay
in hours from the cart and the offer it made.

Cart mail without a logged cart still tells us the gaps between steps: such
messages are grouped into *cartless sequences* per retailer and contributor,
a new sequence starting after a silence longer than `gap_hours` (5 days by
default). Their steps have no delay from a cart (`hours` is NaN) but do have
`gap_hours` from the previous step.

Everything here is a pure function over plain data frames; the store is read
by `tracker.analysis.load`, one set-based query per table, so a million
messages cost one scan, not one query per retailer. Times inside the
frames are float hours since the Unix epoch (UTC), which keeps the arithmetic
vectorised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
import pandas as pd

from tracker.labels import missing, number, offer_of, rounded
from tracker.text.scripts import strip_controls

CART_KINDS = ("abandoned_cart", "browse_abandonment")
DEFAULT_WINDOW_HOURS = 14 * 24.0
DEFAULT_GAP_HOURS = 5 * 24.0

RETAILER_COLUMNS = ["retailer_id", "domain", "name", "category", "country"]
CART_COLUMNS = ["cart_id", "contributor", "retailer_id", "left_h", "value", "currency"]
MESSAGE_COLUMNS = [
    "message_pk",
    "contributor",
    "retailer_id",
    "sent_h",
    "kind",
    "offer_type",
    "offer_value",
    "offer_currency",
    "code",
    "code_kind",
    "expires_h",
]
_GROUP = ["who", "retailer_id"]  # who: the contributor as an integer code


@dataclass
class JourneyData:
    """What journeys and statistics are computed from (frames of plain columns)."""

    retailers: pd.DataFrame  # RETAILER_COLUMNS
    carts: pd.DataFrame  # CART_COLUMNS
    messages: pd.DataFrame  # MESSAGE_COLUMNS (cart kinds only)


@dataclass
class Journeys:
    """Annotated frames.

    `carts`: CART_COLUMNS plus `window_end_h`, `emails`, `first_email_h` and
    `first_discount_h` (delays in hours from the cart, NaN when none came).
    `steps`: MESSAGE_COLUMNS plus `seq` (cart id for a journey, a negative
    number for a cartless sequence), `cart_id`, `left_h`, `step` (1-based),
    `hours` (from the cart, NaN when cartless) and `gap_hours` (from the
    previous step, NaN for step 1). Sorted by seq and step.
    """

    carts: pd.DataFrame
    steps: pd.DataFrame


def to_hours(values: Iterable[datetime | None] | pd.Series) -> np.ndarray:
    """Aware datetimes (or ISO strings) to float hours since the epoch; None to NaN."""
    stamps = pd.to_datetime(pd.Series(list(values), dtype=object), utc=True, format="ISO8601")
    # in nanoseconds whatever resolution pandas chose (pandas 3 infers microseconds)
    out = stamps.dt.as_unit("ns").astype("int64").to_numpy(dtype=float) / 3.6e12
    out[stamps.isna().to_numpy()] = np.nan
    return out


def from_hours(hours: float) -> datetime | None:
    """The inverse of `to_hours` for one value (NaN gives None)."""
    if missing(hours):
        return None
    return datetime.fromtimestamp(round(hours * 3600.0, 6), tz=UTC)


def carts_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Carts from plain mappings with `left_at` as an aware datetime."""
    rows = list(rows)
    frame = pd.DataFrame(rows, columns=[c for c in CART_COLUMNS if c != "left_h"] + ["left_at"])
    frame["left_h"] = to_hours(frame.pop("left_at"))
    return typed_frame(frame[CART_COLUMNS], ["cart_id", "retailer_id"])


def messages_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Messages from plain mappings with `sent_at`/`expires_at` as aware datetimes."""
    rows = list(rows)
    names = [c for c in MESSAGE_COLUMNS if c not in ("sent_h", "expires_h")]
    frame = pd.DataFrame(rows, columns=[*names, "sent_at", "expires_at"])
    frame["sent_h"] = to_hours(frame.pop("sent_at"))
    frame["expires_h"] = to_hours(frame.pop("expires_at"))
    for col in ("offer_type", "offer_currency", "code", "code_kind"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["offer_value"] = pd.to_numeric(frame["offer_value"], errors="coerce").astype(float)
    return typed_frame(frame[MESSAGE_COLUMNS], ["message_pk", "retailer_id"])


def typed_frame(frame: pd.DataFrame, int_cols: list[str]) -> pd.DataFrame:
    for col in int_cols:
        frame[col] = frame[col].astype("int64")
    frame["contributor"] = frame["contributor"].astype(str)
    return frame.reset_index(drop=True)


def contributor_identity(labels: pd.Series) -> pd.Series:
    """The person a contributor label names: "alice", "Alice" and " alice " are one.

    NFKC, invisible characters dropped, whitespace runs made one space and trimmed,
    case folded. K counts these identities, never the raw labels.
    """
    folded = {label: strip_controls(str(label)).casefold() for label in labels.unique()}
    return labels.map(folded)


def _with_who(carts: pd.DataFrame, messages: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add `who`, one integer per contributor identity: grouping ints beats strings."""
    labels = pd.concat([carts["contributor"], messages["contributor"]], ignore_index=True)
    codes, _ = pd.factorize(contributor_identity(labels))
    return carts.assign(who=codes[: len(carts)]), messages.assign(who=codes[len(carts) :])


def build_journeys(
    carts: pd.DataFrame,
    messages: pd.DataFrame,
    window_hours: float = DEFAULT_WINDOW_HOURS,
    gap_hours: float = DEFAULT_GAP_HOURS,
) -> Journeys:
    """Join each cart to the cart mail that followed it; group the rest by gaps."""
    carts, messages = _with_who(carts, messages)
    windows = _windows(carts, window_hours)
    steps = _assign(messages, windows, gap_hours)
    return Journeys(_summarise(windows, steps), steps)


def _windows(carts: pd.DataFrame, window_hours: float) -> pd.DataFrame:
    """Each cart's window ends after `window_hours` or at the next cart, whichever is first."""
    out = carts.sort_values([*_GROUP, "left_h"], kind="stable").reset_index(drop=True)
    nxt = out.groupby(_GROUP, sort=False)["left_h"].shift(-1)
    out["window_end_h"] = np.fmin(out["left_h"].to_numpy() + window_hours, nxt.to_numpy())
    return out


def _assign(messages: pd.DataFrame, windows: pd.DataFrame, gap_hours: float) -> pd.DataFrame:
    """Messages with their journey (`seq`), step number, delay and gap."""
    msgs = messages.sort_values(["sent_h", "message_pk"], kind="stable")
    right = windows[[*_GROUP, "left_h", "cart_id", "window_end_h"]].sort_values("left_h")
    joined = pd.merge_asof(
        msgs, right, left_on="sent_h", right_on="left_h", by=_GROUP, direction="backward"
    )
    inside = (joined["sent_h"] < joined["window_end_h"]).to_numpy()
    joined.loc[~inside, ["cart_id", "left_h", "window_end_h"]] = np.nan
    joined = joined.drop(columns="window_end_h")

    free = joined[~inside].sort_values([*_GROUP, "sent_h", "message_pk"], kind="stable")
    same = (
        (free["who"] == free["who"].shift())
        & (free["retailer_id"] == free["retailer_id"].shift())
        & (free["sent_h"] - free["sent_h"].shift() <= gap_hours)
    )
    joined["seq"] = joined["cart_id"]
    # pandas-stubs reject an Index in .loc and keep bool through cumsum (it counts)
    joined.loc[free.index, "seq"] = -(~same).cumsum().to_numpy()  # type: ignore[index, misc]
    joined["seq"] = joined["seq"].astype("int64")

    steps = joined.sort_values(["seq", "sent_h", "message_pk"], kind="stable").reset_index(
        drop=True
    )
    by_seq = steps.groupby("seq", sort=False)["sent_h"]
    steps["step"] = steps.groupby("seq", sort=False).cumcount() + 1
    steps["hours"] = steps["sent_h"] - steps["left_h"]
    steps["gap_hours"] = by_seq.diff()
    return steps


def _summarise(windows: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """Per cart: how many emails came, and the delays to the first email and discount."""
    in_journey = steps[steps["cart_id"].notna()]
    per_cart = in_journey.groupby("cart_id").agg(
        emails=("hours", "size"), first_email_h=("hours", "min")
    )
    offered = in_journey[in_journey["offer_type"].notna()]
    per_cart["first_discount_h"] = offered.groupby("cart_id")["hours"].min()
    per_cart.index = per_cart.index.astype("int64")
    out = windows.join(per_cart, on="cart_id")
    out["emails"] = out["emails"].fillna(0).astype("int64")
    return out


def offer_json(row: Mapping[str, Any], private: bool = False) -> dict[str, Any] | None:
    """The offer of one step row; the code and expiry only in private views."""
    if missing(row["offer_type"]):
        return None
    value = row["offer_value"]
    out: dict[str, Any] = {
        "type": row["offer_type"],
        "value": number(value),
        "currency": row["offer_currency"],
    }
    if private:
        out["code"] = row["code"]
        out["expires_at"] = _iso(row["expires_h"])
    return out


def _iso(hours: float) -> str | None:
    stamp = from_hours(hours)
    return stamp.isoformat() if stamp else None


def iter_journeys(data: JourneyData, journeys: Journeys) -> Iterator[dict[str, Any]]:
    """Journeys as JSON-ready dicts (the shopper's private view), retailer by retailer.

    Example line: {"retailer": {...}, "contributor": "me", "cart": {"left_at": ...},
    "window_end": ..., "steps": [{"step": 1, "sent_at": ..., "hours": 1.0,
    "gap_hours": null, "kind": "abandoned_cart", "offer": null}, ...]}
    """
    names = data.retailers.set_index("retailer_id")[["domain", "name"]].to_dict("index")
    carts = journeys.carts.set_index("cart_id")
    steps_by_seq = {seq: grp for seq, grp in journeys.steps.groupby("seq", sort=False)}
    # pandas-stubs type labels as Hashable and cells as any scalar: cart ids and seq are
    # ints, and so is retailer_id
    heads = [
        (int(cid), row.retailer_id, row.contributor, row.left_h)  # type: ignore[call-overload]
        for cid, row in carts.iterrows()
    ]
    heads += [
        (int(seq), int(grp["retailer_id"].iat[0]), grp["contributor"].iat[0], grp["sent_h"].iat[0])  # type: ignore[arg-type]
        for seq, grp in steps_by_seq.items()
        if seq < 0  # type: ignore[operator]
    ]
    heads.sort(key=lambda h: (names.get(h[1], {}).get("domain", ""), h[2], h[3]))
    for seq, retailer_id, contributor, _start in heads:
        cart = carts.loc[seq] if seq > 0 else None
        grp = steps_by_seq.get(seq)
        yield {
            "retailer": names.get(retailer_id, {"domain": None, "name": None}),
            "contributor": contributor,
            "cart": None
            if cart is None
            else {
                "left_at": _iso(cart["left_h"]),
                "value": number(cart["value"]),
                "currency": cart["currency"],
            },
            "window_end": None if cart is None else _iso(cart["window_end_h"]),
            "steps": []
            if grp is None
            # records are keyed by column name, which pandas-stubs can only call Hashable
            else [_step_json(row) for row in cast(list[dict[str, Any]], grp.to_dict("records"))],
        }


def _step_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "step": int(row["step"]),
        "sent_at": _iso(row["sent_h"]),
        "hours": rounded(row["hours"]),
        "gap_hours": rounded(row["gap_hours"]),
        "kind": row["kind"],
        "offer": offer_json(row, private=True),
    }


def describe_journey(journey: Mapping[str, Any]) -> str:
    """One human line: `levi.com  [me] cart 2026-11-20 14:03  1h reminder · 24h 10%`."""
    if journey["cart"]:
        start = "cart " + journey["cart"]["left_at"][:16].replace("T", " ")
    else:
        start = "no cart, mail from " + journey["steps"][0]["sent_at"][:16].replace("T", " ")
    parts = []
    for step in journey["steps"]:
        if step["hours"] is not None:
            when = f"{step['hours']:g}h"
        else:
            when = "start" if step["gap_hours"] is None else f"+{step['gap_hours']:g}h"
        parts.append(f"{when} {offer_of(step['offer'], default='reminder')}")
    trail = " · ".join(parts) if parts else "no cart mail"
    return f"{journey['retailer']['domain']}  [{journey['contributor']}] {start}  {trail}"


# END
