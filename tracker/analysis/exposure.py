"""The exposure score: how far a retailer's cart discount is common knowledge.

Stdlib only, so the site can show the formula it publishes without importing
pandas or SQLAlchemy. `tracker.analysis.stats` measures the four parts; the
weights, caps and the wording the site shows live here, in one place.
"""

from __future__ import annotations

WEIGHTS = {"likely": 0.35, "deep": 0.25, "predictable": 0.20, "known": 0.20}
DEPTH_FULL_PERCENT = 30.0
DEPTH_FLAT = 0.2
KNOWN_FULL = 10

EXPOSURE_FORMULA_MD = """\
**Exposure** (0–100) says how far a retailer's abandoned-cart discount has become
something shoppers can count on. It combines four parts, each between 0 and 1:

| part | weight | measured as |
|---|---|---|
| how **likely** | 0.35 | the discount rate: carts that got a discount within 14 days ÷ carts whose outcome is known (without logged carts: the share of mail sequences that carried an offer) |
| how **deep** | 0.25 | the largest offer of the typical kind: percent ÷ 30 (capped at 1); an amount ÷ the median cart value ÷ 0.30 (capped at 1); free shipping or a gift 0.2; no offer ever seen 0 |
| how **predictable** | 0.20 | 1 ÷ (1 + IQR ÷ median) of the hours from cart to first discount, over carts that got one (median floored at 1 h; needs two such carts) |
| how **widely known** | 0.20 | ½ · min(1, public reports ÷ 10) + ½ · min(1, contributors ÷ 10) |

exposure = round(100 × Σ weight × part ÷ Σ weight), summed over the parts that
could be measured. When the likelihood cannot be measured, there is no score.
"""


def exposure_score(
    likely: float | None, deep: float | None, predictable: float | None, known: float | None
) -> int | None:
    """The weighted mean of the parts that are not null, 0..100; null without `likely`."""
    if likely is None:
        return None
    parts = {"likely": likely, "deep": deep, "predictable": predictable, "known": known}
    used = {k: v for k, v in parts.items() if v is not None}
    total = sum(WEIGHTS[k] for k in used)
    return int(round(100 * sum(WEIGHTS[k] * v for k, v in used.items()) / total))
