"""parse_mail on real MIME bytes: charsets, RFC 2047, HTML, transfer encodings, dates."""

from __future__ import annotations

import base64
import quopri
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mailmaker import message

from tracker.errors import ParseError
from tracker.mail.html import MAX_TEXT, html_to_text
from tracker.mail.parse import normalise_message_id, parse_mail
from tracker.mail.pipeline import content_hash, process_mail
from tracker.records import RawMail

FALLBACK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def raw(data: bytes) -> RawMail:
    return RawMail("test.eml", data, FALLBACK)


def single_part(body: bytes, ctype: str = "text/plain", charset: str | None = None,
                cte: str = "8bit", headers: str = "") -> bytes:  # fmt: skip
    params = f'; charset="{charset}"' if charset else ""
    head = (
        "From: Shop <news@shop.example>\nTo: me@example.org\nSubject: Hello\n"
        "Date: Thu, 20 Nov 2026 14:03:00 +0000\nMessage-ID: <p@shop.example>\n"
        f"MIME-Version: 1.0\nContent-Type: {ctype}{params}\n"
        f"Content-Transfer-Encoding: {cte}\n{headers}"
    )
    return head.encode() + b"\n" + body


@pytest.mark.parametrize(
    "body, charset, expected",
    [
        ("Grüße, café".encode("iso-8859-1"), "iso-8859-1", "Grüße, café"),
        ("10 € – “deal”".encode("cp1252"), "windows-1252", "10 € – “deal”"),
        ("15 € Rabatt".encode("cp1252"), "utf-8", "15 € Rabatt"),  # wrong label
        ("Ça coûte 10 €".encode(), "iso-8859-1", "Ça coûte 10 €"),  # UTF-8 mislabelled
        ("Déjà vu".encode(), "x-no-such-charset", "Déjà vu"),  # unknown label
        ("Déjà vu".encode("cp1252"), "x-no-such-charset", "Déjà vu"),
        (b"plain ascii", "base64", "plain ascii"),  # a codec, not a charset
        ("Größe".encode("cp1252"), "us-ascii", "Größe"),
        ("ありがとう".encode("shift_jis"), "shift_jis", "ありがとう"),
        ("Скидка 15%".encode("koi8-r"), "koi8-r", "Скидка 15%"),
        (b"caf\xe9 \x81", None, "café \x81"),  # cp1252 hole: latin-1 as last resort
    ],
)
def test_body_charsets_decode_with_fallbacks(body, charset, expected):
    parsed = parse_mail(raw(single_part(body, charset=charset)))
    assert parsed.text == expected


@pytest.mark.parametrize(
    "header, expected",
    [
        ("=?utf-8?q?15=25_off_?= =?utf-8?b?w6AgdG91cw==?=", "15% off à tous"),
        ("=?ISO-8859-1?Q?Vous_avez_oubli=E9?= quelque chose", "Vous avez oublié quelque chose"),
        ("=?utf-8?b?4oKs?==?utf-8?b?MTAg?= de remise", "€10 de remise"),  # no space between
        ("=?utf-8?B?w6A=?= =?utf-8?B?IGJpZW50w7R0?=", "à bientôt"),
        ("=?utf-8?b?8J+b?= =?utf-8?b?kiBjYXJ0?=", "🛒 cart"),  # a character split in two words
        ("=?utf-8?B?w6AgdG91c?=", "à tou"),  # bad base64 padding
        ("=?x-unknown?Q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
        ("=?utf-8*en?q?Hello?=", "Hello"),  # RFC 2231 language
        ("Plain =?broken", "Plain =?broken"),
    ],
)
def test_rfc2047_subjects(header, expected):
    data = message(subject=header)
    assert parse_mail(raw(data)).subject == expected


def test_raw_8bit_headers_and_encoded_display_names():
    data = message(sender="=?utf-8?q?Levi=27s=2C_Inc?= <News@E.Levi.com>")
    data = data.replace(b"Subject: Your cart is waiting", "Subject: Grüße".encode())
    parsed = parse_mail(raw(data))
    assert (parsed.from_name, parsed.from_addr) == ("Levi's, Inc", "news@e.levi.com")
    assert parsed.subject == "Grüße"
    assert parsed.headers["from"] == "Levi's, Inc <News@E.Levi.com>"


def test_multipart_alternative_with_related_html_base64_and_qp_text():
    html = '<html lang="de"><head><style>p{color:red}</style></head><body><p>Dein <b>Warenkorb</b></p><a href="https://shop.example/cart"><img src="cid:logo" alt="Zum Warenkorb"></a><script>track()</script></body></html>'
    text = "Dein Warenkorb wartet: 15 % Rabatt mit Code ZURUECK15 – bis Sonntag."
    body = (
        "--outer\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        + quopri.encodestring(text.encode()).decode()
        + "\n--outer\nContent-Type: multipart/related; boundary=inner\n\n"
        "--inner\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(html.encode()).decode()
        + "\n--inner\nContent-Type: image/png\nContent-ID: <logo>\n"
        "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--inner--\n--outer--\n"
    )
    data = single_part(body.encode(), 'multipart/alternative; boundary="outer"')
    parsed = parse_mail(raw(data))
    assert parsed.text == text
    assert parsed.html_text == "Dein Warenkorb"
    assert parsed.links == [("https://shop.example/cart", "Zum Warenkorb")]
    assert parsed.alt_texts == ["Zum Warenkorb"]
    assert parsed.language == "de"


def test_html_only_mail_gives_text_from_the_html():
    html = b"<table><tr><td>Your cart</td><td>is waiting</td></tr></table><p>Use&nbsp;code&zwnj; <b>SAVE10</b><br>Today only</p>"
    parsed = parse_mail(raw(single_part(html, "text/html", "utf-8")))
    assert parsed.text == parsed.html_text == "Your cart is waiting\n\nUse code SAVE10\nToday only"
    assert parsed.body == parsed.text


def test_html_labelled_as_plain_text_is_converted():
    parsed = parse_mail(raw(single_part(b"<!DOCTYPE html><html><body><p>Hi</p></body></html>")))
    assert parsed.text == "Hi"


def test_attachments_are_not_body_text():
    body = (
        "--b\nContent-Type: text/plain\n\nReal body\n--b\nContent-Type: text/plain\n"
        'Content-Disposition: attachment; filename="terms.txt"\n\nTerms and conditions\n--b--\n'
    )
    parsed = parse_mail(raw(single_part(body.encode(), "multipart/mixed; boundary=b")))
    assert parsed.text == "Real body"


def test_broken_base64_and_missing_close_boundary_still_parse():
    body = (
        b"--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nWW91ciBjYXJ0!!!IGlz\n"
    )
    parsed = parse_mail(raw(single_part(body, "multipart/alternative; boundary=b")))
    assert parsed.text.startswith("Your cart")
    assert parsed.defects


@pytest.mark.parametrize(
    "date, expected",
    [
        ("Thu, 20 Nov 2026 19:33:00 +0530", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("Thu, 20 Nov 2026 06:03:00 -0800", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("Thu, 20 Nov 2026 19:33:00 +05:30", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("Fri, 21 Nov 2026 00:03:00 +1000 (AEST)", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("Thu, 20 Nov 2026 15:03:00 CET", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("Thu, 20 Nov 2026 09:03:00 EST", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("2026-11-20T16:03:00+02:00", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("Thu, 20 Nov 2026 14:03:00 -0000", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        ("Thu, 20 Nov 2026 14:03:00", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
        (None, FALLBACK),
        ("", FALLBACK),
        ("not a date", FALLBACK),
        ("Thu, 20 Nov 99999 14:03:00 +0000", FALLBACK),
        ("Thu, 20 Nov 2026 14:03:00 +9999", datetime(2026, 11, 20, 14, 3, tzinfo=UTC)),
    ],
)
def test_dates_become_aware_utc_with_fallback(date, expected):
    parsed = parse_mail(raw(message(date=date)))
    assert parsed.sent_at == expected
    assert parsed.sent_at.utcoffset().total_seconds() == 0


def test_missing_date_without_fallback_is_none():
    assert parse_mail(RawMail("x", message(date=None))).sent_at is None


@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "empty"),
        (b"   \r\n\n", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"Just some text\nwithout any headers at all\n", "no mail headers"),
        (b"Note: this is a file\nTodo: not mail\n\nbody\n", "no mail headers"),
    ],
)
def test_nothing_usable_raises_parse_error(data, match):
    with pytest.raises(ParseError, match=match):
        parse_mail(raw(data))


def test_headers_only_mail_is_usable():
    parsed = parse_mail(raw(b"From: a@b.example\nSubject: Hi"))
    assert (parsed.from_addr, parsed.subject, parsed.text) == ("a@b.example", "Hi", "")


@pytest.mark.parametrize(
    "value, expected",
    [
        (" <ABC@host.example> ", "<ABC@host.example>"),
        ("ABC@host.example", "<ABC@host.example>"),
        ("<a@b> <c@d>", "<a@b>"),
        ("<ABC@\n host.example>", "<ABC@host.example>"),
        ("<>", None),
        (None, None),
    ],
)
def test_message_ids_are_normalised(value, expected):
    assert normalise_message_id(value) == expected


def test_ten_megabyte_single_line_html_is_bounded():
    html = (
        "<html><body><div>" + "<span>Your cart <a href='https://s.example/c'>x</a></span>" * 200_000
    )
    html += "</div></body></html>"
    assert len(html) > 10_000_000 and "\n" not in html
    result = html_to_text(html)
    assert 0 < len(result.text) <= MAX_TEXT
    assert len(result.links) == 2000  # capped


def test_pathologically_deep_html_still_gives_text():
    html = (
        "<div>" * 20_000
        + "Your cart <a href='https://s.example/c'>Checkout</a>"
        + "</div>" * 20_000
    )
    result = html_to_text(html)
    assert result.text == "Your cart Checkout"
    assert result.links == [("https://s.example/c", "Checkout")]


def test_content_hash_ignores_headers_and_line_endings():
    a = message(1, extra_headers="Received: from a by b; Thu, 20 Nov 2026 14:03:00 +0000")
    b = message(2).replace(b"\n", b"\r\n")
    assert content_hash(a) == content_hash(b)
    assert content_hash(message(1, body="other")) != content_hash(a)


def test_process_mail_never_raises_and_keys_errors_by_content():
    record = process_mail(RawMail("junk.eml", b"\x00\x01\x02junk", FALLBACK))
    assert record.error == "binary data, not a mail message"
    assert record.key == "sha256:" + record.content_hash
    assert record.sent_at == FALLBACK


def test_process_mail_keys_by_message_id_else_content():
    with_id = process_mail(raw(message(7)))
    assert with_id.key == "<7@example.com>" and with_id.error is None
    no_id = process_mail(raw(message(7, message_id=None)))
    assert no_id.key.startswith("sha256:") and len(no_id.key) == 71
    later = process_mail(raw(message(7, message_id=None, date="Fri, 21 Nov 2026 14:03:00 +0000")))
    assert later.key != no_id.key  # same template body, another day: another message


def test_source_error_on_raw_mail_becomes_the_record_error():
    record = process_mail(RawMail("a.mbox#3", message(3), None, "truncated mbox: cut short"))
    assert record.error == "truncated mbox: cut short"
    assert record.key == "sha256:" + record.content_hash
    assert record.message_id == "<3@example.com>"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_process_mail_never_raises_on_any_bytes(data):
    record = process_mail(RawMail("fuzz", data))
    assert record.key and len(record.content_hash) == 64
    assert record.error is None or isinstance(record.error, str)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_process_mail_never_raises_on_mangled_mime(data):
    base = bytearray(TEMPLATE)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(base)))
        junk = data.draw(st.sampled_from([b"=?", b"?=", b"\n", b"--b", b"=?utf-8?b?", b"\x00",
                                          b"charset=", b"=\n", b"\r", b"\xff\xfe"]))  # fmt: skip
        base[at:at] = junk
    record = process_mail(RawMail("fuzz", bytes(base)))
    assert record.error is None or isinstance(record.error, str)


TEMPLATE = (
    b"From: =?utf-8?q?Shop?= <a@shop.example>\nSubject: =?utf-8?b?w6A=?=\nDate: Thu, 20 Nov 2026"
    b' 14:03:00 +0100\nMessage-ID: <t@x>\nContent-Type: multipart/alternative; boundary="b"\n\n'
    b"--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
    b"15=25 off=\n today\n--b\nContent-Type: text/html; charset=latin-1\n"
    b"Content-Transfer-Encoding: base64\n\nPHA+SGk8L3A+\n--b--\n"
)
