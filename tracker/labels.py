"""How figures read, everywhere: offers, hours, rates and missing values.

The CLI, journeys, stats and the site all print offers and waits; they do it
through these few functions so "15%", "10 EUR", "1.5 h" and "—" mean the same
thing on every screen. Stdlib only: the site imports it without pandas'
weight, and a missing value may be None, a float NaN or pandas' NA.

>>> offer_label("amount", 10.0, "EUR"), hours_label(72), percent_label(0.421)
('10 EUR', '3.0 d', '42%')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

DASH = "—"  # an unknown figure on the site; say why beside it


def missing(value: object) -> bool:
    """True for None, NaN (float or numpy) and pandas' NA/NaT."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is the one value unequal to itself
    except TypeError:  # pandas.NA refuses to be a bool: it is missing
        return True


def number(value: object) -> float | None:
    """`value` as a finite float, or None when missing or not a number."""
    if missing(value):
        return None
    try:
        result = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return result if math.isfinite(result) else None


def offer_label(
    kind: object, value: object = None, currency: object = None, default: str | None = None
) -> str | None:
    """'15%', '10 EUR', 'free shipping'; `default` when there is no offer."""
    if not isinstance(kind, str) or not kind:
        return default
    amount = number(value)
    if amount is None or kind not in ("percent", "amount"):
        return kind.replace("_", " ")
    if kind == "percent":
        return f"{amount:g}%"
    return f"{amount:g} {currency}" if isinstance(currency, str) and currency else f"{amount:g}"


def offer_of(offer: Mapping[str, Any] | None, default: str | None = None) -> str | None:
    """`offer_label` of an offer dict ({"type", "value", "currency"}) or None."""
    if not offer:
        return default
    return offer_label(offer.get("type"), offer.get("value"), offer.get("currency"), default)


def hours_label(hours: object, default: str | None = DASH) -> str | None:
    """Hours as '1.5 h' or, from two days on, '3.0 d'."""
    value = number(hours)
    if value is None:
        return default
    return f"{value / 24:.1f} d" if value >= 48 else f"{value:.1f} h"


def percent_label(rate: object, digits: int = 0, default: str | None = DASH) -> str | None:
    """A 0..1 rate as a percent: 0.42 -> '42%'."""
    value = number(rate)
    return default if value is None else f"{value * 100:.{digits}f}%"


def plain_number(value: object, default: str = DASH) -> str:
    """A figure as short text: 0.50 -> '0.5', 3 -> '3', text as is, missing as `default`."""
    if missing(value):
        return default
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def rounded(value: object, digits: int = 2) -> float | None:
    """`number(value)` rounded for JSON output: hours to 0.01, rates to 0.0001."""
    result = number(value)
    return None if result is None else round(result, digits)


def progress_bar(
    desc: str, unit: str, total: int | None = None, enabled: bool | None = None
) -> Any:
    """The one progress bar: tqdm on stderr, shown only when stderr is a terminal.

    `enabled` None means "if stderr is a TTY"; False hides it (pipes, CI logs,
    tests), True forces it. The bar is a context manager with `update(n)`.
    """
    import sys

    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not show, leave=True)
