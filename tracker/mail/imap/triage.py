"""Decide from headers alone whether a message is worth downloading.

IMAP sync fetches headers first and downloads the body only of mail that
looks commercial, so a shopper's personal mail never leaves the server. The
test is deliberately generous (a retailer's receipt is downloaded too; the
classifier sorts it out later): bulk headers and the headers email service
providers stamp on every campaign; the headers shop systems set when they send
mail themselves (PHPMailer on a WooCommerce host, Odoo, PrestaShop, Shopware,
a transactional stream on Postmark), which carry no list headers at all; a
sender at a retailer the store already knows; and, from a sender that is not
a webmail mailbox and not replying, a shop-like address (shop@, orders@,
noreply@) over a shop-like subject, or a subject about a cart.

Discussion lists (List-Post, Mailman, Google Groups) are people writing to
people: their list headers alone do not make them commercial.
"""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses

from tracker.mail.charsets import decode_header_value
from tracker.mail.headers import is_discussion_list
from tracker.mail.retailer import personal_domains
from tracker.text import address_domain, registrable_domain

# Headers whose mere presence marks list/bulk/campaign mail.
LIST_HEADERS = ("list-unsubscribe", "list-unsubscribe-post", "list-id")
ESP_HEADERS = (
    "x-sg-eid",  # SendGrid
    "x-sg-id",
    "x-mc-user",  # Mailchimp / Mandrill
    "x-mandrill-user",
    "x-sfmc-stack",  # Salesforce Marketing Cloud
    "feedback-id",  # Gmail feedback loop, set by most ESPs
    "x-feedback-id",
    "x-csa-complaints",  # Certified Senders Alliance members
    "x-ses-outgoing",  # Amazon SES
    "x-mailjet-campaign",
    "x-mj-mid",
    "x-emarsys-identify",
    "x-listmonk-campaign",
    "x-marketoid",
)
ESP_PREFIXES = ("x-mailgun-", "x-kmail-", "x-klaviyo-", "x-campaign", "x-braze-", "x-iterable-")
BULK_PRECEDENCE = {"bulk", "list", "junk"}
BULK_MAILERS = (
    "mailchimp",
    "klaviyo",
    "salesforce",
    "exacttarget",
    "braze",
    "iterable",
    "sendinblue",
    "brevo",
    "mailjet",
    "campaign monitor",
    "omnisend",
    "emarsys",
    "responsys",
    "sailthru",
    "cheetahmail",
)
# Shop systems that send their own mail: in X-Mailer, or by a header of their own.
PLATFORM_MAILERS = (
    "phpmailer",
    "woocommerce",
    "prestashop",
    "shopware",
    "magento",
    "odoo",
    "opencart",
    "sylius",
    "oxid",
    "jtl",
    "gambio",
    "plentymarkets",
    "shopify",
    "bigcommerce",
    "ecwid",
    "wix",
    "squarespace",
    "lightspeed",
)
PLATFORM_HEADERS = ("x-odoo-objects",)
# Transactional relays: shops use them, and so do banks, doctors and schools.
RELAY_HEADERS = frozenset(
    {"x-ses-outgoing", "x-sg-eid", "x-sg-id", "feedback-id", "x-feedback-id", "x-csa-complaints"}
)
RELAY_PREFIXES = ("x-mailgun-", "x-pm-")
PLATFORM_PREFIXES = ("x-shopify-", "x-wc-", "x-woocommerce-", "x-prestashop-", "x-shopware-")
# Local parts a shop sends from (and a friend does not).
_ROLE_LOCAL = re.compile(
    r"^(?:shop|store|orders?|sales|boutique|tienda|negozio|laden|info|hello|hallo|service"
    r"|support|customer[-_.]?(?:service|care)|kundenservice|no[-_.]?reply|do[-_.]?not[-_.]?reply"
    r"|mailer|newsletters?|news|contact|team|marketing|offers|deals|notifications?|bestellung(?:en)?"
    r"|commandes?|ordini|pedidos|reminders?|cart|checkout)(?:[-_.+].*)?$",
    re.I,
)
# Subjects a shop writes: carts, orders, discounts, in the five languages.
_SHOP_SUBJECT = re.compile(
    r"\b(?:cart|basket|bag|checkout|order|shipped|delivered|discount|coupon|voucher|sale|off\b"
    r"|warenkorb|bestellung|versand|rabatt|gutschein|angebot"
    r"|panier|commande|expédi|réduction|remise|code promo|bon d'achat|soldes"
    r"|carrello|ordine|spedi|sconto|buono|saldi"
    r"|carrito|cesta|pedido|enviado|descuento|cupón|rebajas)"
    r"|\d+\s?%|[€$£]\s?\d|\d\s?[€$£]",
    re.I,
)
# Subjects only a shop writes about a left cart or checkout.
_CART_SUBJECT = re.compile(
    r"\byour\s+(?:shopping\s+)?(?:cart|basket|bag)\b|\bleft\s+(?:something|\w+\s+)?(?:behind|in)\b"
    r"|\bcomplete\s+your\s+(?:order|purchase|checkout)|\bcheckout\b"
    r"|warenkorb|\bpanier\b|\bcarrello\b|\bcarrito\b|\btu\s+cesta\b",
    re.I,
)
# What a shop's reminder asks, from a shop's address: still waiting, still
# thinking, already decided, you looked at this.
_REMINDER_SUBJECT = re.compile(
    r"\b(?:waiting|still\s+(?:thinking|interested|deciding)|decided|viewed|looked\s+at|caught\s+your\s+eye"
    r"|wartet|warten|entschieden|angesehen|noch\s+interessiert"
    r"|attend|attendent|décidé|consulté|regardé|toujours\s+intéressé"
    r"|aspetta|aspettano|deciso|visto|guardato|ancora\s+interessat"
    r"|espera|esperan|decidido|interesad)",
    re.I,
)
_REPLY_SUBJECT = re.compile(r"^\s*(?:re|aw|sv|vs|fw|fwd|wg|tr|rv|r|i|enc)\s*(?:\[\d+\])?\s*:", re.I)

# Where the sender's domain can show: the retailer may send through an ESP.
ADDRESS_HEADERS = ("from", "sender", "reply-to", "return-path")

# What IMAP sync asks for in its header pass (HEADER.FIELDS needs exact names;
# the prefixed ESP headers above are caught when full headers are available).
FETCH_FIELDS = (
    "From",
    "Sender",
    "Reply-To",
    "Return-Path",
    "Message-ID",
    "Date",
    "Subject",
    "Precedence",
    "X-Mailer",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Id",
    "X-SG-EID",
    "X-SG-ID",
    "X-MC-User",
    "X-Mandrill-User",
    "X-Mailgun-Sid",
    "X-Mailgun-Tag",
    "X-Mailgun-Variables",
    "X-SFMC-Stack",
    "Feedback-ID",
    "X-Feedback-ID",
    "X-Kmail-Relay",
    "X-Kmail-Account",
    "X-Klaviyo-Message",
    "X-Campaign",
    "X-Campaign-ID",
    "X-CampaignID",
    "X-Campaign-Name",
    "X-CSA-Complaints",
    "X-SES-Outgoing",
    "X-Mailjet-Campaign",
    "X-MJ-Mid",
    "X-Emarsys-Identify",
    "X-Listmonk-Campaign",
    "X-MarketoID",
    "X-Odoo-Objects",
    "X-PM-Message-Stream",
    "X-PM-Tag",
    "X-PM-Message-Id",
    "List-Post",
    "X-Mailman-Version",
    "X-Google-Group-Id",
    "Mailing-List",
)

# One header field per match: the name, then the value with its folded lines.
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.M)
_FOLD = re.compile(rb"\r?\n[ \t]+")
_END_OF_HEADERS = re.compile(rb"\r?\n\r?\n")


def header_fields(headers: bytes | Message) -> dict[str, list[str]]:
    """{lower-cased name: [decoded values]}; lenient, and much faster than email.parser.

    Sync triages every new message, so this is on the hot path; broken lines
    are ignored rather than fatal.
    """
    if isinstance(headers, Message):
        fields: dict[str, list[str]] = {}
        for name, value in headers.items():
            fields.setdefault(name.lower(), []).append(str(value))
        return fields
    end = _END_OF_HEADERS.search(headers)
    block = headers[: end.start()] if end else headers
    fields = {}
    for m in _FIELD.finditer(block):
        value = _FOLD.sub(b" ", m.group(2)).strip().decode("utf-8", "replace")
        fields.setdefault(m.group(1).decode("ascii").lower(), []).append(value)
    return fields


def looks_commercial(headers: bytes | Message, known_domains: set[str] | frozenset[str]) -> bool:
    """True when the headers show list, bulk or ESP mail, or a known retailer sender.

    >>> looks_commercial(b"From: Levi's <hello@e.levi.com>\\r\\n\\r\\n", {"levi.com"})
    True
    >>> looks_commercial(b"From: Mum <mum@example.org>\\r\\n\\r\\n", {"levi.com"})
    False
    """
    fields = header_fields(headers)
    if _bulk(fields) or _platform_sent(fields):
        return True
    if bool(known_domains) and any(
        _is_known(domain, known_domains) for domain in sender_domains(fields)
    ):
        return True
    return _shop_like(fields)


def _bulk(fields: dict[str, list[str]]) -> bool:
    """List, bulk or marketing-ESP headers, unless they belong to a discussion list.

    Relays that also carry banks' and doctors' notices (SES, SendGrid,
    Postmark, Mailgun) count only over a shop-like subject.
    """
    if is_discussion_list(fields):
        return False
    if not fields.keys().isdisjoint(LIST_HEADERS):
        return True
    esp = {name for name in fields if name in ESP_HEADERS or name.startswith(ESP_PREFIXES)}
    relay = {name for name in fields if name in RELAY_HEADERS or name.startswith(RELAY_PREFIXES)}
    if esp - relay:
        return True
    if relay and _shop_subject(fields):
        return True
    if any(v.strip().lower() in BULK_PRECEDENCE for v in fields.get("precedence", ())):
        return True
    mailers = " ".join(fields.get("x-mailer", ())).lower()
    return bool(mailers) and any(name in mailers for name in BULK_MAILERS)


def _platform_sent(fields: dict[str, list[str]]) -> bool:
    """Headers a shop system sets when it sends its own mail (no list headers)."""
    if not fields.keys().isdisjoint(PLATFORM_HEADERS):
        return True
    if any(name.startswith(PLATFORM_PREFIXES) for name in fields):
        return True
    mailers = " ".join(fields.get("x-mailer", ())).lower()
    return bool(mailers) and any(name in mailers for name in PLATFORM_MAILERS)


def _own_subject(fields: dict[str, list[str]]) -> str | None:
    """The decoded subject, or None for a reply or a forward (a person writing)."""
    subject = decode_header_value(" ".join(fields.get("subject", ())))
    return None if _REPLY_SUBJECT.match(subject) else subject


def _shop_subject(fields: dict[str, list[str]]) -> bool:
    """A subject about a cart, an order or a discount, and not a reply or forward."""
    subject = _own_subject(fields)
    return subject is not None and bool(
        _CART_SUBJECT.search(subject) or _SHOP_SUBJECT.search(subject)
    )


def _shop_like(fields: dict[str, list[str]]) -> bool:
    """A shop-like sender and subject, from a non-webmail domain, not a reply."""
    subject = _own_subject(fields)
    if subject is None:
        return False
    addresses = [a for _n, a in getaddresses(fields.get("from", ())) if "@" in a]
    if not addresses:
        return False
    local, _, host = addresses[0].rpartition("@")
    if registrable_domain(host) in personal_domains():
        return False
    if _CART_SUBJECT.search(subject):
        return True
    if not _ROLE_LOCAL.match(local):
        return False
    return bool(_SHOP_SUBJECT.search(subject) or _REMINDER_SUBJECT.search(subject))


def sender_domains(fields: dict[str, list[str]]) -> set[str]:
    """Lower-cased domains of the From/Sender/Reply-To/Return-Path addresses."""
    values = [v for name in ADDRESS_HEADERS for v in fields.get(name, ())]
    return {d for _name, addr in getaddresses(values) if (d := address_domain(addr))}


def _is_known(domain: str, known: set[str] | frozenset[str]) -> bool:
    """`e.levi.com` is levi.com's; `notlevi.com` is not."""
    labels = domain.split(".")
    return any(".".join(labels[i:]) in known for i in range(len(labels) - 1))
