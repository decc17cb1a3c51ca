"""A synthetic published snapshot, written straight through `create_snapshot`.

For site tests and previews that must not depend on the whole pipeline: the
figures are invented (deterministically, from a seed) but consistent with the
snapshot schema's units. `darkpool demo` does not use it; it runs the real
import, crawl and publish.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from tracker import __version__
from tracker.snapshot.schema import SCHEMA_VERSION, create_snapshot, insert_rows

CATEGORIES = ("fashion", "beauty", "home", "outdoor", "electronics")
COUNTRIES = ("US", "GB", "DE", "FR")


def write_sample_snapshot(
    path: Path, names: list[str] | None = None, retailers: int = 8, seed: int = 5
) -> list[str]:
    """Write a snapshot with `retailers` invented shops (or `names`); returns their domains.

    An existing file at `path` is replaced.
    """
    path = Path(path)
    path.unlink(missing_ok=True)
    rng = random.Random(seed)
    names = names or [f"Sample Shop {i + 1}" for i in range(retailers)]
    conn = create_snapshot(path)
    domains = []
    with conn:
        for i, name in enumerate(names):
            domain = f"shop{i + 1}.example.com"
            domains.append(domain)
            _write_retailer(conn, rng, domain, name, i)
        _write_meta(conn, len(names))
    conn.close()
    return domains


def _write_meta(conn, count: int) -> None:
    meta = {
        "created_at": "2026-11-20T12:00:00+00:00",
        "darkpool_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "min_contributors": "3",
        "retailers": str(count),
        "contributors": str(3 + count),
        "carts": str(12 * count),
        "messages": str(60 * count),
    }
    conn.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())


def _write_retailer(conn, rng: random.Random, domain: str, name: str, i: int) -> None:
    discounts = i % 4 != 3  # every fourth shop never discounts
    carts = rng.randint(6, 20)
    rate = rng.uniform(0.4, 0.9) if discounts else 0.0
    first, top = (10.0, 15.0) if i % 2 else (15.0, 20.0)
    wait = rng.uniform(20, 30)
    offer = "percent" if discounts else None
    reported = i % 3
    row = {
        "domain": domain,
        "name": name,
        "category": CATEGORIES[i % len(CATEGORIES)],
        "country": COUNTRIES[i % len(COUNTRIES)],
        "contributors": rng.randint(3, 7),
        "carts": carts,
        "cart_emails": carts * 3,
        "discount_rate": rate,
        "discount_rate_low": max(0.0, rate - 0.25),
        "discount_rate_high": min(1.0, rate + 0.2),
        "first_email_median_h": rng.uniform(0.8, 2.0),
        "first_email_p25_h": 0.7,
        "first_email_p75_h": 3.0,
        "first_email_n": carts,
        "discount_median_h": wait if discounts else None,
        "discount_p25_h": wait - 3 if discounts else None,
        "discount_p75_h": 70.0 if discounts else None,
        "discount_n": carts,
        "discount_censored": carts - round(carts * rate),
        "first_offer_type": offer,
        "first_offer_value": first if discounts else None,
        "first_offer_currency": None,
        "max_offer_type": offer,
        "max_offer_value": top if discounts else None,
        "max_offer_currency": None,
        "escalates": 1 if discounts else 0,
        "shared_code_share": 0.5 if discounts else None,
        "expiry_median_h": 48.0 if discounts else None,
        "reports": reported,
        "report_value_median": first if reported else None,
        "report_wait_median_h": 24.0 if reported else None,
        "reports_agree": (1 if i % 2 else 0) if reported else None,
        "exposure": rng.randint(40, 90) if discounts else rng.randint(0, 20),
        "first_seen": "2026-08-01",
        "last_seen": "2026-11-15",
    }
    insert_rows(conn, "retailers", [row])
    steps = [(1, 1.0, None), (2, wait, first), (3, 72.0, top)] if discounts else [(1, 1.5, None)]
    for step, hours, value in steps:
        conn.execute(
            "INSERT INTO ladder VALUES (?, ?, ?, ?, ?, ?, ?)",
            (domain, step, hours, carts, "percent" if value else None, value, None),
        )
    _write_survival(conn, domain, carts, rate, wait, discounts)
    if discounts:
        conn.executemany(
            "INSERT INTO offer_distribution VALUES (?, 'percent', ?, NULL, ?)",
            [(domain, first, carts), (domain, top, carts // 2)],
        )
        conn.execute("INSERT INTO codes VALUES (?, ?, 3)", (domain, f"COMEBACK{int(first)}"))
    for r in range(i % 3):
        conn.execute(
            "INSERT INTO reports VALUES (?, 'percent', ?, NULL, NULL, 24.0, 48.0, ?, '2026-10')",
            (domain, first, f"deals{r}.example.org"),
        )
    start = date(2026, 8, 1)
    for m in range(4):
        month = (start + timedelta(days=31 * m)).strftime("%Y-%m")
        conn.execute(
            "INSERT INTO monthly VALUES (?, ?, ?, ?)",
            (domain, month, carts + m, round((carts + m) * rate)),
        )


def _write_survival(conn, domain: str, carts: int, rate: float, wait: float, discounts: bool):
    points = [(0.0, 1.0, carts)]
    if discounts:  # most discounts around `wait`, the rest around three days
        early = 1.0 - rate * 0.7
        points += [(wait, early, carts), (72.0, 1.0 - rate, carts // 2)]
    points.append((120.0, points[-1][1], max(1, carts // 4)))
    for hours, s, at_risk in points:
        conn.execute(
            "INSERT INTO survival VALUES (?, ?, ?, ?, ?, ?)",
            (domain, hours, s, max(0.0, s - 0.15), min(1.0, s + 0.15), at_risk),
        )
