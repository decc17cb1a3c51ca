"""Header triage: which mail IMAP sync downloads (tracker.mail.imap.triage)."""

from __future__ import annotations

import email

import pytest

from tracker.mail.imap.triage import ESP_HEADERS, FETCH_FIELDS, LIST_HEADERS, looks_commercial

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
        "X-SG-EID: abc",
        "X-MC-User: 123",
        "X-Mailgun-Sid: WyI",
        "X-Mailgun-Variables: {}",
        "X-SFMC-Stack: 7",
        "Feedback-ID: 1:2:3:esp",
        "X-Kmail-Relay: x",
        "X-Campaign-Id: 42",
        "X-Mailer: Klaviyo Mailer 2.0",
    ],
)
def test_list_bulk_and_esp_headers_look_commercial(line):
    assert looks_commercial(headers(line), set())


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
