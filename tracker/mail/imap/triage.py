"""Decide from headers alone whether a message is worth downloading.

IMAP sync fetches headers first and downloads the body only of mail that
looks commercial, so a shopper's personal mail never leaves the server. The
test is deliberately generous (a retailer's receipt is downloaded too; the
classifier sorts it out later): mailing-list and bulk headers, the headers
email service providers stamp on every campaign, or a sender at a retailer the
store already knows.
"""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses

from tracker.text import address_domain

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
    if not fields.keys().isdisjoint(LIST_HEADERS) or not fields.keys().isdisjoint(ESP_HEADERS):
        return True
    if any(name.startswith(ESP_PREFIXES) for name in fields):
        return True
    if any(v.strip().lower() in BULK_PRECEDENCE for v in fields.get("precedence", ())):
        return True
    mailers = " ".join(fields.get("x-mailer", ())).lower()
    if mailers and any(name in mailers for name in BULK_MAILERS):
        return True
    return bool(known_domains) and any(
        _is_known(domain, known_domains) for domain in sender_domains(fields)
    )


def sender_domains(fields: dict[str, list[str]]) -> set[str]:
    """Lower-cased domains of the From/Sender/Reply-To/Return-Path addresses."""
    values = [v for name in ADDRESS_HEADERS for v in fields.get(name, ())]
    return {d for _name, addr in getaddresses(values) if (d := address_domain(addr))}


def _is_known(domain: str, known: set[str] | frozenset[str]) -> bool:
    """`e.levi.com` is levi.com's; `notlevi.com` is not."""
    labels = domain.split(".")
    return any(".".join(labels[i:]) in known for i in range(len(labels) - 1))
