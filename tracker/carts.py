"""Logging a left cart: what `darkpool cart add` calls.

Turns the user's words ("levi.com", "https://www.levi.com/cart",
"2026-11-20 14:03") into a RetailerRef and an aware UTC time, and stores the
cart idempotently.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

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


def parse_when(text: str) -> datetime:
    """An aware UTC time for "2026-11-20 14:03" (local time) or ISO 8601 with an offset.

    Raises CartError for text that is not a date and time.
    """
    from dateutil import parser

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = parser.parse(text.strip())
    except (ValueError, OverflowError) as exc:
        raise CartError(f"not a date and time: {text!r} (try '2026-11-20 14:03')") from exc
    if value.tzinfo is None:
        value = value.astimezone()  # the user's local time, as --help says
    return value.astimezone(UTC)


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
) -> CartResult:
    """Store one left cart; the same cart twice is one cart (created=False)."""
    ref = resolve_retailer(retailer)
    left_at = parse_when(when)
    if currency is not None and not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise CartError(f"not an ISO 4217 currency code: {currency!r} (try 'USD')")
    with session_factory(engine).begin() as session:
        cart_id, created = save_cart(
            session, ref, left_at, contributor, value, currency.upper() if currency else None
        )
    return CartResult(cart_id, created, ref, left_at)
