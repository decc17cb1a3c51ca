"""Generate the demo corpus: contributors' mbox files, their logged carts, report pages.

Deterministic: the same `DemoSize` and seed write the same bytes. bench/
reuses `generate_corpus` (or `iter_mail` without touching the disk) with larger
sizes.

    corpus = generate_corpus(Path("demo"), DemoSize(retailers=36, contributors=6))
    corpus.mboxes      # [demo/mail/ana.mbox, ...]
    corpus.carts_file  # demo/carts.json: what each contributor logged
    corpus.pages_dir   # demo/pages/: HTML report pages about the same shops
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from tracker.demo.mail import (
    Shopper,
    browse_mail,
    cart_mail,
    order_mail,
    personal_mail,
    promotion_mail,
)
from tracker.demo.pages import write_pages
from tracker.demo.retailers import Shop, make_shops

CORPUS_END = datetime(2026, 11, 15, tzinfo=UTC)
SHOPPERS = (
    ("ana", "Ana Moreau"),
    ("ben", "Ben Whitlock"),
    ("chloe", "Chloe Adeyemi"),
    ("dev", "Dev Malhotra"),
    ("eva", "Eva Lindqvist"),
    ("finn", "Finn O'Rourke"),
    ("grace", "Grace Tanaka"),
    ("hugo", "Hugo Brandt"),
)


@dataclass(frozen=True)
class DemoSize:
    """How big a corpus to make. The defaults give about 3,000 messages."""

    retailers: int = 36
    contributors: int = 8
    carts: int = 100  # per contributor
    days: int = 120  # the period the corpus covers, ending at CORPUS_END
    shops_per_contributor: int = 22  # each contributor shops at this many retailers
    logged_share: float = 0.85  # share of carts the contributor logs


@dataclass(frozen=True)
class LoggedCart:
    contributor: str
    domain: str
    name: str
    left_at: str  # ISO 8601, UTC
    value: float
    currency: str


@dataclass
class DemoCorpus:
    root: Path
    shops: list[Shop]
    shoppers: list[Shopper]
    mboxes: list[Path] = field(default_factory=list)
    carts: list[LoggedCart] = field(default_factory=list)
    messages: int = 0

    @property
    def carts_file(self) -> Path:
        return self.root / "carts.json"

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"


def make_shoppers(count: int) -> list[Shopper]:
    """Fictional contributors; past the named ones they are numbered."""
    people = []
    for i in range(count):
        key, name = SHOPPERS[i % len(SHOPPERS)]
        if i >= len(SHOPPERS):
            key, name = f"{key}{i // len(SHOPPERS) + 1}", f"{name} {i // len(SHOPPERS) + 1}"
        people.append(Shopper(key, name, f"{key}.{name.split()[-1].lower()}@example.net"))
    return people


def iter_mail(
    size: DemoSize, seed: int = 2026
) -> Iterator[tuple[Shopper, Message | None, LoggedCart | None]]:
    """(shopper, message, None) for each message and (shopper, None, cart) for each logged cart."""
    rng = random.Random(seed)
    shops = make_shops(size.retailers, rng)
    for shopper in make_shoppers(size.contributors):
        items = list(_shopper_mail(random.Random(rng.random()), size, shops, shopper))
        items.sort(key=_when)  # a mailbox reads oldest first; stable for equal times
        for msg, cart in items:
            yield shopper, msg, cart


def _when(item: tuple[Message | None, LoggedCart | None]) -> datetime:
    msg, cart = item
    if cart is not None:
        return datetime.fromisoformat(cart.left_at)
    assert msg is not None  # every item is a message or a cart
    return parsedate_to_datetime(msg["Date"])


def _shopper_mail(
    rng: random.Random, size: DemoSize, shops: list[Shop], who: Shopper
) -> Iterator[tuple[Message | None, LoggedCart | None]]:
    # the first few shops are everyone's favourites, so most reach K contributors;
    # the last shops are visited by one or two people only and stay unpublished
    popular = shops[: max(1, len(shops) - 4)]
    mine = rng.sample(popular, min(size.shops_per_contributor, len(popular)))
    if rng.random() < 0.5:
        mine.append(rng.choice(shops[len(popular) :] or shops))
    start = CORPUS_END - timedelta(days=size.days)
    for _ in range(size.carts):
        shop = rng.choice(mine)
        left = start + timedelta(minutes=rng.randrange(size.days * 24 * 60))
        product = rng.choice(shop.products)
        if rng.random() < size.logged_share:
            value = round(rng.uniform(25, 240), 2)
            yield (
                None,
                LoggedCart(who.key, shop.domain, shop.name, _iso(left), value, shop.currency),
            )
        for msg in _journey(rng, shop, who, left, product):
            yield msg, None
    for shop in mine:  # browse mails and newsletters
        for _ in range(rng.randint(1, 3)):
            at = start + timedelta(minutes=rng.randrange(size.days * 24 * 60))
            yield browse_mail(rng, shop, who, at, rng.choice(shop.products)), None
        for _ in range(rng.randint(2, 5)):
            at = start + timedelta(minutes=rng.randrange(size.days * 24 * 60))
            yield promotion_mail(rng, shop, who, at), None
    for _ in range(rng.randint(3, 6)):
        at = start + timedelta(minutes=rng.randrange(size.days * 24 * 60))
        yield personal_mail(rng, who, at), None


def _journey(
    rng: random.Random, shop: Shop, who: Shopper, left: datetime, product: str
) -> Iterator[Message]:
    """The mails one left cart triggers, up to CORPUS_END (later steps are not sent yet)."""
    gets_offer = rng.random() < shop.discount_chance
    buys_after = rng.randrange(1, len(shop.ladder) + 2)  # the shopper may buy mid-way
    for step, (hours, offer) in enumerate(shop.ladder):
        if step >= buys_after or (offer and not gets_offer):
            break
        sent = left + timedelta(hours=hours * rng.uniform(0.85, 1.2), minutes=rng.randrange(30))
        if sent > CORPUS_END:
            return
        code = _code(rng, shop, offer) if offer else None
        yield cart_mail(rng, shop, who, sent, product, offer, code)
    if buys_after <= len(shop.ladder) and rng.random() < 0.5:
        bought = left + timedelta(hours=rng.uniform(2, 90))
        if bought < CORPUS_END:
            yield order_mail(rng, shop, who, bought, product, shipped=False)
            yield order_mail(rng, shop, who, bought + timedelta(days=2), product, shipped=True)


def _code(rng: random.Random, shop: Shop, offer: tuple[str, float | None]) -> str:
    kind, value = offer
    tag = "SHIP" if kind == "free_shipping" else f"{value:g}" + ("OFF" if kind == "amount" else "")
    if shop.shared_code:
        return f"COMEBACK{tag}"
    prefix = "".join(w[0] for w in shop.name.split()).upper()
    return f"{prefix}-{''.join(rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ23456789') for _ in range(8))}"


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="minutes")


def generate_corpus(root: Path, size: DemoSize | None = None, seed: int = 2026) -> DemoCorpus:
    """Write mail/<contributor>.mbox, carts.json and pages/ under `root`; returns what was written.

    Existing demo files under `root` are replaced.
    """

    size = size or DemoSize()
    root = Path(root)
    (root / "mail").mkdir(parents=True, exist_ok=True)
    shops = make_shops(size.retailers, random.Random(seed))
    corpus = DemoCorpus(root, shops, make_shoppers(size.contributors))
    boxes: dict[str, BinaryIO] = {}
    try:
        for shopper, msg, cart in iter_mail(size, seed):
            if cart is not None:
                corpus.carts.append(cart)
                continue
            assert msg is not None  # every item is a message or a cart
            if shopper.key not in boxes:
                path = root / "mail" / f"{shopper.key}.mbox"
                boxes[shopper.key] = path.open("wb")
                corpus.mboxes.append(path)
            boxes[shopper.key].write(mbox_entry(msg))
            corpus.messages += 1
    finally:
        for box in boxes.values():
            box.close()
    corpus.carts_file.write_text(json.dumps([asdict(c) for c in corpus.carts], indent=1))
    write_pages(corpus.pages_dir, shops, random.Random(seed + 1))
    return corpus


def mbox_entry(msg: Message) -> bytes:
    """One mbox entry: the From_ line (the Date, in UTC), the message, From-quoting, a blank line."""
    when = parsedate_to_datetime(msg["Date"]).astimezone(UTC)
    data = msg.as_bytes().replace(b"\r\n", b"\n")
    data = re.sub(rb"^(>*From )", rb">\1", data, flags=re.MULTILINE)
    return (
        b"From MAILER-DAEMON "
        + when.strftime("%a %b %d %H:%M:%S %Y").encode()
        + b"\n"
        + data.rstrip(b"\n")
        + b"\n\n"
    )
