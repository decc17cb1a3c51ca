"""The analysis layer's only reader of the store: set-based queries into frames.

One query per table whatever the number of retailers (a million messages cost
one scan). Times come back as float hours since the Unix epoch (UTC), computed
in SQL so no row is parsed in Python. The frames' columns are those of
`tracker.analysis.journeys` and `tracker.analysis.stats.REPORT_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Float, Integer, String, case, cast, func, null, select
from sqlalchemy.orm import Session

from tracker.analysis.journeys import (
    CART_COLUMNS,
    CART_KINDS,
    DEFAULT_GAP_HOURS,
    DEFAULT_WINDOW_HOURS,
    MESSAGE_COLUMNS,
    RETAILER_COLUMNS,
    JourneyData,
    build_journeys,
    iter_journeys,
    to_hours,
    typed_frame,
)
from tracker.db.bounds import outside_window
from tracker.db.models import Cart, Message, Offer, Page, Report, Retailer

REPORT_COLUMNS = [
    "retailer_id", "offer_type", "value", "value_max", "currency",
    "wait_min", "wait_max", "url", "seen_h", "outcome",
]  # fmt: skip


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
    # Rows dated outside the store's window (a year 3026 typed before entry was
    # bounded) are left out, not fatal; `store.count_out_of_window` counts them.
    cstmt = select(
        c.c.id, c.c.contributor, c.c.retailer_id, hours(c.c.left_at), c.c.value, c.c.currency
    ).where(~outside_window(c.c.left_at))
    if rid is not None:
        cstmt = cstmt.where(c.c.retailer_id == rid)
    carts = pd.DataFrame(session.execute(cstmt).all(), columns=CART_COLUMNS)
    carts["left_h"] = _hours_column(carts["left_h"], dialect)

    m, o = Message.__table__, Offer.__table__
    columns = [m.c.id, m.c.contributor, m.c.retailer_id, hours(m.c.sent_at), m.c.kind, o.c.type]
    expires = case((outside_window(o.c.expires_at), null()), else_=o.c.expires_at)
    columns += [o.c.value, o.c.currency, o.c.code, o.c.code_kind, hours(expires)]
    mstmt = (
        select(*columns)
        .select_from(m.outerjoin(o, o.c.message_pk == m.c.id))
        .where(m.c.kind.in_(CART_KINDS), m.c.retailer_id.is_not(None), m.c.sent_at.is_not(None))
        .where(~outside_window(m.c.sent_at))
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
        typed_frame(carts, ["cart_id", "retailer_id"]),
        typed_frame(messages, ["message_pk", "retailer_id"]),
    )


def _epoch_expression(dialect: str) -> Callable[[Any], Any]:
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


def load_report_frame(session: Session, retailer: str | None = None) -> pd.DataFrame:
    """Every report tied to a retailer, with its page URL: one query."""
    r, p = Report.__table__, Page.__table__
    stmt = (
        select(
            r.c.retailer_id,
            r.c.offer_type,
            r.c.value,
            r.c.value_max,
            r.c.currency,
            r.c.wait_min,
            r.c.wait_max,
            p.c.url,
            cast(r.c.seen_at, String),
            r.c.outcome,
        )  # fmt: skip
        .select_from(r.join(p, p.c.id == r.c.page_id))
        .where(r.c.retailer_id.is_not(None))
    )
    if retailer:
        rt = Retailer.__table__
        stmt = stmt.where(
            r.c.retailer_id == select(rt.c.id).where(rt.c.domain == retailer).scalar_subquery()
        )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=REPORT_COLUMNS)
    frame["seen_h"] = to_hours(frame["seen_h"])
    for col in ("value", "value_max", "wait_min", "wait_max"):
        frame[col] = frame[col].astype(float)
    return frame


def load_retailer_meta(session: Session) -> dict[str, tuple[str | None, str | None]]:
    """{domain: (category, country)} for every retailer: one query."""
    rows = session.execute(select(Retailer.domain, Retailer.category, Retailer.country))
    return {domain: (category, country) for domain, category, country in rows}


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
