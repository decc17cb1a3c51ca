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

Everything here is a pure function over plain data frames; `load_journey_data`
is the only reader of the store and issues one set-based query per table, so
a million messages cost one scan, not one query per retailer. Times inside the
frames are float hours since the Unix epoch (UTC), which keeps the arithmetic
vectorised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Float, Integer, String, cast, func, select
from sqlalchemy.orm import Session

from tracker.db.models import Cart, Message, Offer, Retailer

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
    out = stamps.astype("int64").to_numpy(dtype=float) / 3.6e12
    out[stamps.isna().to_numpy()] = np.nan
    return out


def from_hours(hours: float) -> datetime | None:
    """The inverse of `to_hours` for one value (NaN gives None)."""
    if hours is None or np.isnan(hours):
        return None
    return datetime.fromtimestamp(round(hours * 3600.0, 6), tz=UTC)


def carts_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Carts from plain mappings with `left_at` as an aware datetime."""
    rows = list(rows)
    frame = pd.DataFrame(rows, columns=[c for c in CART_COLUMNS if c != "left_h"] + ["left_at"])
    frame["left_h"] = to_hours(frame.pop("left_at"))
    return _typed(frame[CART_COLUMNS], ["cart_id", "retailer_id"])


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
    return _typed(frame[MESSAGE_COLUMNS], ["message_pk", "retailer_id"])


def _typed(frame: pd.DataFrame, int_cols: list[str]) -> pd.DataFrame:
    for col in int_cols:
        frame[col] = frame[col].astype("int64")
    frame["contributor"] = frame["contributor"].astype(str)
    return frame.reset_index(drop=True)


def load_journey_data(session: Session, retailer: str | None = None) -> JourneyData:
    """Retailers, carts and cart-kind messages with their offers: three queries.

    Retailers are read last. Each query may see a newer store than the one
    before (importers keep writing), and rows only ever gain retailers, so
    reading them last means every cart and message read names a known one.
    """
    dialect = session.get_bind().dialect.name
    hours = _epoch_expression(dialect)
    r = Retailer.__table__
    rid = select(r.c.id).where(r.c.domain == retailer).scalar_subquery() if retailer else None

    c = Cart.__table__
    cstmt = select(
        c.c.id, c.c.contributor, c.c.retailer_id, hours(c.c.left_at), c.c.value, c.c.currency
    )
    if rid is not None:
        cstmt = cstmt.where(c.c.retailer_id == rid)
    carts = pd.DataFrame(session.execute(cstmt).all(), columns=CART_COLUMNS)
    carts["left_h"] = _hours_column(carts["left_h"], dialect)

    m, o = Message.__table__, Offer.__table__
    columns = [m.c.id, m.c.contributor, m.c.retailer_id, hours(m.c.sent_at), m.c.kind, o.c.type]
    columns += [o.c.value, o.c.currency, o.c.code, o.c.code_kind, hours(o.c.expires_at)]
    mstmt = (
        select(*columns)
        .select_from(m.outerjoin(o, o.c.message_pk == m.c.id))
        .where(m.c.kind.in_(CART_KINDS), m.c.retailer_id.is_not(None), m.c.sent_at.is_not(None))
    )
    if rid is not None:
        mstmt = mstmt.where(m.c.retailer_id == rid)
    messages = pd.DataFrame(session.execute(mstmt).all(), columns=MESSAGE_COLUMNS)
    messages["sent_h"] = _hours_column(messages["sent_h"], dialect)
    messages["expires_h"] = _hours_column(messages["expires_h"], dialect)
    messages["offer_value"] = messages["offer_value"].astype(float)
    rstmt = select(r.c.id, r.c.domain, r.c.name, r.c.category, r.c.country)
    if retailer:
        rstmt = rstmt.where(r.c.domain == retailer)
    retailers = pd.DataFrame(session.execute(rstmt).all(), columns=RETAILER_COLUMNS)
    return JourneyData(
        retailers,
        _typed(carts, ["cart_id", "retailer_id"]),
        _typed(messages, ["message_pk", "retailer_id"]),
    )


def _epoch_expression(dialect: str):
    """SQL turning a stored UTC time into epoch seconds, so no row is parsed in Python."""
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' text
        return lambda col: cast(func.strftime("%s", col), Integer)
    if dialect == "postgresql":  # timestamp without time zone, holding UTC
        return lambda col: cast(func.extract("epoch", col), Float)
    return lambda col: cast(col, String)  # pragma: no cover - parsed by to_hours


def _hours_column(values: pd.Series, dialect: str) -> np.ndarray:
    if dialect in ("sqlite", "postgresql"):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float) / 3600.0
    return to_hours(values)  # pragma: no cover


def _with_who(carts: pd.DataFrame, messages: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add `who`, one integer per contributor: sorting and grouping ints beats strings."""
    codes, _ = pd.factorize(pd.concat([carts["contributor"], messages["contributor"]]))
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
    joined.loc[free.index, "seq"] = -(~same).cumsum().to_numpy()
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
    if _missing(row["offer_type"]):
        return None
    value = row["offer_value"]
    out: dict[str, Any] = {
        "type": row["offer_type"],
        "value": None if pd.isna(value) else float(value),
        "currency": row["offer_currency"],
    }
    if private:
        out["code"] = row["code"]
        out["expires_at"] = _iso(row["expires_h"])
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _iso(hours: float) -> str | None:
    stamp = from_hours(hours)
    return stamp.isoformat() if stamp else None


def _round(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 2)


def iter_journeys(data: JourneyData, journeys: Journeys) -> Iterator[dict[str, Any]]:
    """Journeys as JSON-ready dicts (the shopper's private view), retailer by retailer.

    Example line: {"retailer": {...}, "contributor": "me", "cart": {"left_at": ...},
    "window_end": ..., "steps": [{"step": 1, "sent_at": ..., "hours": 1.0,
    "gap_hours": null, "kind": "abandoned_cart", "offer": null}, ...]}
    """
    names = data.retailers.set_index("retailer_id")[["domain", "name"]].to_dict("index")
    carts = journeys.carts.set_index("cart_id")
    steps_by_seq = {seq: grp for seq, grp in journeys.steps.groupby("seq", sort=False)}
    heads = [
        (int(cid), row.retailer_id, row.contributor, row.left_h) for cid, row in carts.iterrows()
    ]
    heads += [
        (int(seq), int(grp["retailer_id"].iat[0]), grp["contributor"].iat[0], grp["sent_h"].iat[0])
        for seq, grp in steps_by_seq.items()
        if seq < 0
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
                "value": None if pd.isna(cart["value"]) else float(cart["value"]),
                "currency": cart["currency"],
            },
            "window_end": None if cart is None else _iso(cart["window_end_h"]),
            "steps": [] if grp is None else [_step_json(row) for row in grp.to_dict("records")],
        }


def _step_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "step": int(row["step"]),
        "sent_at": _iso(row["sent_h"]),
        "hours": _round(row["hours"]),
        "gap_hours": _round(row["gap_hours"]),
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
        parts.append(f"{when} {_offer_text(step['offer'])}")
    trail = " · ".join(parts) if parts else "no cart mail"
    return f"{journey['retailer']['domain']}  [{journey['contributor']}] {start}  {trail}"


def _offer_text(offer: Mapping[str, Any] | None) -> str:
    if not offer:
        return "reminder"
    if offer["type"] == "percent":
        return f"{offer['value']:g}%"
    if offer["type"] == "amount":
        return f"{offer['value']:g} {offer['currency'] or ''}".strip()
    return offer["type"].replace("_", " ")


def load_journeys(
    session: Session,
    retailer: str | None = None,
    window_hours: float = DEFAULT_WINDOW_HOURS,
    gap_hours: float = DEFAULT_GAP_HOURS,
) -> list[dict[str, Any]]:
    """Every journey in the store (or of one retailer) as JSON-ready dicts."""
    data = load_journey_data(session, retailer)
    journeys = build_journeys(data.carts, data.messages, window_hours, gap_hours)
    return list(iter_journeys(data, journeys))
