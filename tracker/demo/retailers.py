"""Fictional retailers for the demo: names, domains and abandoned-cart policies.

Every shop is invented from word lists; the policy (the ladder of mails after a
cart, how often a discount comes, shared or single-use codes) is drawn from a
seeded random generator, so the same seed gives the same shops.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

FIRST_WORDS = [
    "Larkspur",
    "Cobalt",
    "Mossgrove",
    "Quillby",
    "Fernwick",
    "Tidewell",
    "Brambleton",
    "Harrowgate",
    "Saltmarsh",
    "Juniper",
    "Wrenfield",
    "Copperleaf",
    "Oakhollow",
    "Bluefinch",
    "Marigold",
    "Stonebridge",
    "Willowmere",
    "Ashcombe",
    "Kestrel",
    "Driftwood",
    "Heatherly",
    "Pebblestone",
    "Thistledown",
    "Larchmont",
    "Ravensworth",
    "Sundial",
    "Amberley",
    "Glenmoor",
    "Hollyhock",
    "Nettlebed",
    "Foxglove",
    "Birchwood",
    "Calloway",
    "Dunmore",
    "Everly",
    "Galloway",
    "Hawthorne",
    "Ivybridge",
    "Kingsmere",
    "Lindenhall",
    "Merriweather",
    "Northcliff",
]

CATEGORIES = {
    "fashion": ["Outfitters", "Apparel", "Clothing", "Knitwear"],
    "beauty": ["Beauty", "Apothecary", "Skincare"],
    "home": ["Home", "Living", "Interiors"],
    "outdoor": ["Outdoor", "Trail Supply"],
    "electronics": ["Electronics", "Audio"],
}

PRODUCTS = {
    "fashion": ["Merino Crew Sweater", "Linen Shirt", "Selvedge Jeans", "Wool Overcoat"],
    "beauty": ["Rosehip Face Oil", "Clay Mask", "Vitamin C Serum", "Lip Balm Trio"],
    "home": ["Linen Duvet Cover", "Stoneware Mug Set", "Oak Side Table", "Wool Throw"],
    "outdoor": ["Trail Running Shoes", "Down Jacket", "35L Daypack", "Insulated Bottle"],
    "electronics": ["Wireless Earbuds", "Desk Lamp", "Bluetooth Speaker", "USB-C Hub"],
}

# (country, top-level domain, currency)
MARKETS = (("US", "com", "USD"), ("GB", "co.uk", "GBP"), ("US", "com", "USD"), ("IE", "ie", "EUR"))

# Ladders: (hours after the cart, offer) per step; offer = (type, value) or None.
LADDERS = (
    ((1.0, None), (24.0, ("percent", 10.0)), (72.0, ("percent", 15.0))),
    ((1.0, None), (24.0, ("percent", 15.0))),
    ((2.0, None), (48.0, ("percent", 20.0))),
    ((0.5, None), (24.0, ("free_shipping", None)), (96.0, ("percent", 10.0))),
    ((1.0, None), (24.0, ("amount", 10.0))),
    ((3.0, None), (24.0, None)),  # reminders only: never a discount
    ((1.0, None),),  # one reminder only
)


@dataclass(frozen=True)
class Shop:
    """A fictional retailer and how it chases a left cart."""

    name: str
    domain: str
    category: str
    country: str
    currency: str
    ladder: tuple[tuple[float, tuple[str, float | None] | None], ...]
    discount_chance: float  # chance a cart that stays abandoned reaches the offer steps
    shared_code: bool  # one code for everyone (COMEBACK10) or single-use codes
    expiry_hours: float
    sender: str  # the From address

    @property
    def discounts(self) -> bool:
        return any(offer for _, offer in self.ladder)

    @property
    def products(self) -> list[str]:
        return PRODUCTS[self.category]


def make_shops(count: int, rng: random.Random) -> list[Shop]:
    """`count` distinct fictional shops (names repeat with a numeral past the word list)."""
    shops: list[Shop] = []
    firsts = FIRST_WORDS[:]
    rng.shuffle(firsts)
    categories = list(CATEGORIES)
    for i in range(count):
        first = firsts[i % len(firsts)] + ("" if i < len(firsts) else f" {i // len(firsts) + 1}")
        category = categories[i % len(categories)]
        name = f"{first} {rng.choice(CATEGORIES[category])}"
        country, tld, currency = MARKETS[i % len(MARKETS)]
        domain = re.sub(r"[^a-z0-9]", "", name.lower()) + "." + tld
        ladder = LADDERS[i % len(LADDERS)]
        local = rng.choice(["hello", "shop", "news", "care"])
        sender_host = rng.choice([domain, f"mail.{domain}", f"e.{domain}"])
        shops.append(
            Shop(
                name=name,
                domain=domain,
                category=category,
                country=country,
                currency=currency,
                ladder=ladder,
                discount_chance=round(rng.uniform(0.55, 0.95), 2),
                shared_code=rng.random() < 0.6,
                expiry_hours=rng.choice([48.0, 72.0, 168.0]),
                sender=f"{local}@{sender_host}",
            )
        )
    return shops
