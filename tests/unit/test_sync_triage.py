"""Header triage: which mail IMAP sync downloads (tracker.mail.imap.triage)."""

from __future__ import annotations

import email

import pytest

from tracker.mail.headers import DISCUSSION_HEADERS
from tracker.mail.imap.triage import (
    ESP_HEADERS,
    FETCH_FIELDS,
    LIST_HEADERS,
    PLATFORM_HEADERS,
    RELAY_HEADERS,
    looks_commercial,
)

KNOWN = {"levi.com", "ulta.com"}
PERSONAL = b"From: Mum <mum@example.net>\r\nTo: me@example.org\r\nSubject: lunch\r\n\r\n"


def headers(*lines: str, sender: str = "Deals <deals@shop.example>") -> bytes:
    return ("\r\n".join([f"From: {sender}", "Subject: hi", *lines]) + "\r\n\r\n").encode()


@pytest.mark.parametrize(
    "line",
    [
        "List-Unsubscribe: <mailto:unsub@shop.example>",
        "List-Id: Deals <deals.shop.example>",
        "Precedence: bulk",
        "Precedence: List",
        "X-MC-User: 123",
        "X-SFMC-Stack: 7",
        "X-Kmail-Relay: x",
        "X-Campaign-Id: 42",
        "X-Mailer: Klaviyo Mailer 2.0",
    ],
)
def test_list_bulk_and_esp_headers_look_commercial(line):
    assert looks_commercial(headers(line), set())


RELAYS = ["X-SG-EID: abc", "X-Mailgun-Sid: WyI", "X-Mailgun-Variables: {}",
          "Feedback-ID: 1:2:3:esp", "X-SES-Outgoing: 2026.11.02", "X-PM-Message-Stream: outbound"]  # fmt: skip


@pytest.mark.parametrize("line", RELAYS)
def test_transactional_relays_count_only_over_a_shop_subject(line):
    """Banks and doctors send through SES or SendGrid too: the subject decides."""
    bank = "Harbor Credit Union <alerts@harbor-cu.example>"
    assert not looks_commercial(headers(line, sender=bank), set())
    shop = (
        "\r\n".join([f"From: {bank}", "Subject: Your order #1042 has shipped", line]) + "\r\n\r\n"
    )
    assert looks_commercial(shop.encode(), set())
    reply = "\r\n".join([f"From: {bank}", "Subject: Re: your order", line]) + "\r\n\r\n"
    assert not looks_commercial(reply.encode(), set())


@pytest.mark.parametrize(
    ("raw", "commercial"),
    [
        # A shop system sending its own mail: no list or ESP headers at all.
        (b"From: Shop <shop@wolle.example>\r\nX-Mailer: PHPMailer 6.9.1\r\nSubject: Hallo\r\n\r\n", True),
        (b"From: Shop <n@x.example>\r\nX-Odoo-Objects: sale.order-7\r\nSubject: S00007\r\n\r\n", True),
        # A cart subject, even RFC 2047-encoded, from a shop's own domain.
        (b"From: Lumbre <tienda@lumbre.example>\r\nSubject: =?utf-8?q?Tu_carrito_te_espera?=\r\n\r\n", True),
        # A role address with a discount subject.
        (b"From: Team <info@teehaus.example>\r\nSubject: 10 % auf Ihren Einkauf\r\n\r\n", True),
        # The same words from a webmail friend, or as a reply, stay on the server.
        (b"From: Ann <ann@gmail.com>\r\nSubject: your cart is in my garage\r\n\r\n", False),
        (b"From: Bo <bo@bo-family.example>\r\nSubject: Re: your cart is in my garage\r\n\r\n", False),
        # A discussion list is people writing to people.
        (b"From: Dev <dev@shop.example>\r\nList-Id: <dev.lists.example>\r\nList-Post: <mailto:dev@lists.example>\r\nSubject: [PATCH] fix\r\n\r\n", False),
    ],
)  # fmt: skip
def test_platform_senders_and_shop_subjects(raw, commercial):
    assert looks_commercial(raw, set()) is commercial


@pytest.mark.parametrize(
    "sender",
    ["Levi's <hello@levi.com>", "Levi's <hello@e.levi.com>", "ULTA <Beauty@Mail.ULTA.com>"],
)
def test_a_known_retailer_sender_looks_commercial(sender):
    assert looks_commercial(headers(sender=sender), KNOWN)


def test_reply_to_or_return_path_at_a_retailer_counts():
    assert looks_commercial(headers("Return-Path: <bounce@bounce.levi.com>"), KNOWN)
    assert looks_commercial(headers("Reply-To: care@ulta.com"), KNOWN)


@pytest.mark.parametrize(
    "raw",
    [
        PERSONAL,
        headers(sender="Someone <a@notlevi.com>"),
        headers("Precedence: first-class"),
        headers("X-Mailer: Apple Mail (2.3774)"),
        b"",
        b"garbage without colon\r\n\r\n",
    ],
)
def test_personal_or_unknown_mail_does_not(raw):
    assert not looks_commercial(raw, KNOWN)


def test_accepts_a_parsed_message_too():
    msg = email.message_from_bytes(headers("List-Id: x"))
    assert looks_commercial(msg, set())
    assert not looks_commercial(email.message_from_bytes(PERSONAL), KNOWN)


def test_the_header_pass_asks_for_every_exact_header_triage_reads():
    fetched = {name.lower() for name in FETCH_FIELDS}
    assert set(LIST_HEADERS) <= fetched
    assert set(ESP_HEADERS) <= fetched
    assert {"from", "sender", "reply-to", "return-path", "precedence", "x-mailer"} <= fetched
    assert {"subject", *PLATFORM_HEADERS, *RELAY_HEADERS, *DISCUSSION_HEADERS} <= fetched
