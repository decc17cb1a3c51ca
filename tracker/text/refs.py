"""Order and tracking references ("Order #A1234", "Sendungsnummer: 00340…").

A reference is strong evidence of transactional mail, and its characters
must never be read as a promo code.
"""

from __future__ import annotations

import re

from tracker.text.rules import Rules, load_rules

# UPS tracking numbers are recognisable without a label.
_CARRIER_TRACKING_RE = re.compile(r"\b1Z[0-9A-Z]{16}\b")


def has_order_reference(text: str, rules: Rules | None = None) -> bool:
    """True when `text` names an order by its number."""
    return bool((rules or load_rules()).order_number.search(text))


def has_tracking_reference(text: str, rules: Rules | None = None) -> bool:
    """True when `text` carries a parcel tracking number."""
    rules = rules or load_rules()
    return bool(rules.tracking_number.search(text) or _CARRIER_TRACKING_RE.search(text))


def reference_spans(text: str, rules: Rules | None = None) -> list[tuple[int, int]]:
    """(start, end) of every labelled order or tracking reference in `text`."""
    rules = rules or load_rules()
    spans = [m.span() for m in rules.order_number.finditer(text)]
    return spans + [m.span() for m in rules.tracking_number.finditer(text)]
