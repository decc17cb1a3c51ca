"""Realistic MIME messages for the demo: cart reminders, offers, browse mails, the rest.

Each builder returns an compat32 `Message` (multipart/alternative, plain + HTML)
with headers a marketing platform would set. Boundaries and Message-IDs come
from the caller's seeded generator, so the bytes are reproducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import charset as _charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from html import escape

from tracker.demo.retailers import Shop

SYMBOLS = {"USD": "$", "GBP": "£", "EUR": "€"}

# compat32 messages build ten times faster than EmailMessage, which matters for
# bench corpora; quoted-printable keeps the bodies readable like real mail.
UTF8 = _charset.Charset("utf-8")
UTF8.body_encoding = _charset.QP
UTF8.header_encoding = _charset.QP


@dataclass(frozen=True)
class Shopper:
    """A contributor's identity inside the demo (fictional, example.net addresses)."""

    key: str  # contributor name given to `darkpool import`
    name: str
    address: str


def offer_short(offer: tuple[str, float | None], currency: str) -> str:
    """'10% off', '$10 off' or 'free shipping'."""
    kind, value = offer
    if kind == "percent":
        return f"{value:g}% off"
    if kind == "amount":
        return f"{SYMBOLS.get(currency, '')}{value:g} off"
    return "free shipping"


def offer_phrase(offer: tuple[str, float | None], currency: str) -> str:
    """'10% off your order', 'free shipping on your order'."""
    short = offer_short(offer, currency)
    return f"{short} {'on' if short == 'free shipping' else ''} your order".replace("  ", " ")


def _token(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice("abcdef0123456789") for _ in range(n))


def _headers(msg: Message, sender: tuple[str, str], to: Shopper, subject: str) -> None:
    msg["From"] = formataddr(sender, charset=UTF8)
    msg["To"] = formataddr((to.name, to.address), charset=UTF8)
    # compat32 messages take Header values; typeshed's Message[str, str] says str only
    msg["Subject"] = Header(subject, UTF8) if not subject.isascii() else subject  # type: ignore[assignment]


def _base(rng: random.Random, shop: Shop, to: Shopper, subject: str, sent_at: datetime) -> Message:
    msg = MIMEMultipart("alternative", boundary=f"----=_Part_{_token(rng, 16)}")
    _headers(msg, (shop.name, shop.sender), to, subject)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = f"<{_token(rng, 16)}.{_token(rng, 6)}@{shop.sender.split('@')[1]}>"
    msg["List-Unsubscribe"] = f"<https://{shop.domain}/unsubscribe/{_token(rng, 24)}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Precedence"] = "bulk"
    return msg


def _body(
    rng: random.Random, msg: Message, shop: Shop, paragraphs: list[str], link: tuple[str, str]
) -> None:
    """Plain and HTML parts with the same text, a button and the shop's footer."""
    label, url = link
    footer = f"{shop.name} · {shop.domain} · Unsubscribe: https://{shop.domain}/unsubscribe"
    plain = "\n\n".join([*paragraphs, f"{label}: {url}", footer])
    cells = "".join(
        f'<tr><td style="padding:8px 24px;font-size:15px">{escape(p)}</td></tr>' for p in paragraphs
    )
    html = (
        '<!DOCTYPE html><html><body style="margin:0;background:#f4f4f4">'
        '<table role="presentation" width="600" align="center" style="background:#fff">'
        f'<tr><td style="padding:18px"><img src="https://{shop.domain}/email/logo.png" '
        f'alt="{escape(shop.name)}" width="140"></td></tr>{cells}'
        f'<tr><td align="center" style="padding:16px"><a href="{escape(url)}" '
        f'style="background:#222;color:#fff;padding:12px 28px">{escape(label)}</a></td></tr>'
        f'<tr><td style="font-size:11px;color:#777;padding:20px">{escape(footer)}</td></tr>'
        "</table></body></html>"
    )
    msg.attach(_text(plain, "plain"))
    msg.attach(_text(html, "html"))


def _text(text: str, subtype: str) -> MIMEText:
    """A text part in UTF8, the quoted-printable Charset above."""
    # MIMEText hands _charset to set_payload, which takes a Charset; typeshed says str only
    return MIMEText(text, subtype, UTF8)  # type: ignore[arg-type]


def cart_mail(
    rng: random.Random,
    shop: Shop,
    to: Shopper,
    sent_at: datetime,
    product: str,
    offer: tuple[str, float | None] | None,
    code: str | None,
) -> Message:
    """An abandoned-cart mail: a reminder, or an offer with its code and expiry."""
    cart_url = f"https://{shop.domain}/cart/recover/{_token(rng, 12)}?utm_source=email"
    if offer is None:
        subject = rng.choice(
            ["You left something in your cart", "Your cart is waiting", "Forgot something?"]
        )
        text = [
            f"Hi {to.name.split()[0]},",
            f"You left the {product} in your cart. We saved it for you, but stock is limited.",
        ]
        msg = _base(rng, shop, to, subject, sent_at)
        _body(rng, msg, shop, text, ("Return to your cart", cart_url))
        return msg
    phrase, short = offer_phrase(offer, shop.currency), offer_short(offer, shop.currency)
    expires = sent_at + timedelta(hours=shop.expiry_hours)
    subject = rng.choice(
        [
            f"Still thinking it over? Here's {short}",
            f"Your cart is waiting, with {short}",
            f"A little something to complete your order: {short}",
        ]
    )
    text = [
        f"Hi {to.name.split()[0]},",
        f"The {product} is still in your cart. Complete your order today and get {phrase}.",
        f"Use code {code} at checkout. Offer expires {expires:%B %d, %Y at %H:%M} UTC.",
    ]
    msg = _base(rng, shop, to, subject, sent_at)
    _body(rng, msg, shop, text, ("Complete your order", cart_url))
    return msg


def browse_mail(
    rng: random.Random, shop: Shop, to: Shopper, sent_at: datetime, product: str
) -> Message:
    """A browse-abandonment mail: the shopper looked at a product, no cart."""
    subject = rng.choice(
        [f"Still looking at the {product}?", "We saw you looking", "Take another look"]
    )
    msg = _base(rng, shop, to, subject, sent_at)
    text = [
        f"Hi {to.name.split()[0]},",
        f"We noticed you were browsing the {product}. It is still available in your size.",
    ]
    _body(rng, msg, shop, text, ("View product", f"https://{shop.domain}/p/{_token(rng, 8)}"))
    return msg


def promotion_mail(rng: random.Random, shop: Shop, to: Shopper, sent_at: datetime) -> Message:
    """A newsletter to everyone: a site-wide sale with the usual footer banner."""
    pct = rng.choice([20, 25, 30, 40])
    season = rng.choice(["Autumn", "Weekend", "Mid-season", "Members'"])
    subject = f"The {season} Sale is on: up to {pct}% off"
    msg = _base(rng, shop, to, subject, sent_at)
    text = [
        f"Our {season} Sale starts now, with up to {pct}% off selected styles across the store.",
        "New arrivals are in too: have a look before they are gone.",
        f"Free shipping on orders over {SYMBOLS.get(shop.currency, '')}75.",
    ]
    _body(rng, msg, shop, text, ("Shop the sale", f"https://{shop.domain}/sale"))
    return msg


def order_mail(
    rng: random.Random, shop: Shop, to: Shopper, sent_at: datetime, product: str, shipped: bool
) -> Message:
    """Transactional: an order confirmation or a shipping notice."""
    number = rng.randint(100000, 999999)
    if shipped:
        subject = f"Your order #{number} has shipped"
        text = [
            f"Good news: your {product} is on its way. Tracking number 1Z{_token(rng, 12).upper()}."
        ]
    else:
        subject = f"Order confirmation #{number}"
        text = [f"Thank you for your order! We have received your order for the {product}."]
    msg = _base(rng, shop, to, subject, sent_at)
    del msg["List-Unsubscribe"], msg["List-Unsubscribe-Post"], msg["Precedence"]
    _body(rng, msg, shop, text, ("View your order", f"https://{shop.domain}/orders/{number}"))
    return msg


FRIENDS = (
    ("Jonas Berg", "jonas.berg@example.org"),
    ("Priya Raman", "priya.r@example.org"),
    ("Tom Okafor", "tom.okafor@example.org"),
)


def personal_mail(rng: random.Random, to: Shopper, sent_at: datetime) -> Message:
    """Plain text from a friend: must never reach the snapshot."""
    name, address = rng.choice(FRIENDS)
    text = f"Hi {to.name.split()[0]},\n\nAre you free this week? Call me on 0161 496 0{rng.randint(100, 999)}.\n\n{name.split()[0]}\n"
    msg = _text(text, "plain")
    subject = rng.choice(["Dinner on Friday?", "Re: photos from the trip", "Quick question"])
    _headers(msg, (name, address), to, subject)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = f"<{_token(rng, 20)}@example.org>"
    return msg
