"""Logging a left cart: what `darkpool cart add` calls.

Turns the user's words ("levi.com", "https://www.levi.com/cart",
"2026-11-20 14:03") into a RetailerRef and an aware UTC time, and stores the
cart idempotently.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from tracker.db.bounds import in_window, window_text
from tracker.db.engine import session_factory
from tracker.db.store import save_cart
from tracker.errors import CartError
from tracker.records import RetailerRef
from tracker.text import registrable_domain, retailer_for_domain, retailer_name


@dataclass(frozen=True)
class CartResult:
    id: int
    created: bool
    retailer: RetailerRef
    left_at: datetime


# A cart is logged when (or after) it is left; a little slack covers a clock
# that runs ahead, a typo of a day or a year (2062 for 2026) does not pass.
FUTURE_SLACK = timedelta(days=1)


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """An aware UTC time for "now", "2026-11-20 14:03" (local time) or ISO 8601 with an offset.

    Raises CartError for text that is not a date and time, and for a time the
    store cannot hold (outside 1980-2100) or more than a day after `now`.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if text.strip().lower() == "now":
        # to the minute, as the cart is shown: the same command run twice is one cart
        return now.replace(second=0, microsecond=0)
    value = _parse_datetime(text)
    if not in_window(value):
        raise CartError(f"{text!r} is outside {window_text()}: not a time a cart was left")
    if value > now + FUTURE_SLACK:
        raise CartError(f"{text!r} is in the future: log a cart when it was left")
    return value


def _parse_datetime(text: str) -> datetime:
    from dateutil import parser

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = parser.parse(text.strip())
    except (ValueError, OverflowError) as exc:
        raise CartError(f"not a date and time: {text!r} (try '2026-11-20 14:03')") from exc
    try:
        if value.tzinfo is None:
            value = value.astimezone()  # the user's local time, as --help says
        return value.astimezone(UTC)
    except (ValueError, OverflowError) as exc:  # year 1 or 9999 shifted past the calendar
        raise CartError(f"{text!r} is outside {window_text()}: not a time a cart was left") from exc


def resolve_retailer(text: str) -> RetailerRef:
    """A RetailerRef for a domain or URL ("https://www.levi.com/cart" -> levi.com)."""
    domain = registrable_domain(text.strip())
    if domain is None or not re.fullmatch(r"[a-z0-9.-]+\.[a-z0-9-]+", domain):
        raise CartError(f"not a retailer domain or URL: {text!r} (try 'levi.com')")
    known = retailer_for_domain(domain)
    return RetailerRef(domain, known.name if known else retailer_name(None, domain))


def log_cart(
    engine: Engine,
    retailer: str,
    when: str,
    contributor: str,
    value: float | None = None,
    currency: str | None = None,
    now: datetime | None = None,
) -> CartResult:
    """Store one left cart; the same cart twice is one cart (created=False).

    `when` is "now" or a date and time (see `parse_when`); `now` defaults to the clock.
    """
    ref = resolve_retailer(retailer)
    left_at = parse_when(when, now)
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise CartError(f"not a cart value: {value!r} (try 80 or 79.99)")
    if currency is not None and not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise CartError(f"not an ISO 4217 currency code: {currency!r} (try 'USD')")
    with session_factory(engine).begin() as session:
        cart_id, created = save_cart(
            session, ref, left_at, contributor, value, currency.upper() if currency else None
        )
    return CartResult(cart_id, created, ref, left_at)
