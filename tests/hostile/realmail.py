"""Real mail that breaks the rules, built in memory the way real mailers write it.

Each builder returns the bytes of one message, one mbox or one header value
that the stdlib parser (or darkpool before issue 12) refused or garbled: a
folded line without its whitespace, no blank line after the headers, a UTF-8
byte order mark, dateless mbox separators, a UTF-16 body, raw 8-bit display
names and encoded words, a character split across encoded words, address
headers nested past the recursion limit, a message with only Received stamps,
a date with a broken zone, a header of hundreds of thousands of encoded words.

`REAL_WORLD` lists them as `Case`s (tests/hostile/mail.py), each expected to
come out of the pipeline clean and understood; the unit tests in
tests/unit/test_mime_real.py check what each must decode to.
"""

from __future__ import annotations

from hostile.mail import Case

SHOP = "Boutique Élégance"
SUBJECT = "Vous avez oublié votre panier"
BODY = "You left something in your cart. Use code COMEBACK15 for 15% off within 48 hours."
DATE = "Thu, 20 Nov 2026 14:03:00 +0000"
BASE_FIELDS = [
    b"From: Boutique <hello@e.boutique-elegance.fr>",
    b"To: shopper@example.org",
    b"Subject: You left something in your cart",
    b"Message-ID: <real-world@e.boutique-elegance.fr>",
    b"Date: " + DATE.encode(),
    b"MIME-Version: 1.0",
    b"Content-Type: text/plain; charset=utf-8",
]


def mail(
    fields: list[bytes] | None = None,
    body: bytes = BODY.encode(),
    *,
    replace: dict[bytes, bytes] | None = None,
    blank_line: bool = True,
) -> bytes:
    """A CRLF message from header lines; `replace` swaps whole fields by name."""
    lines = list(BASE_FIELDS if fields is None else fields)
    for name, line in (replace or {}).items():
        lines = [line if old.split(b":", 1)[0] == name else old for old in lines]
        lines = [ln for ln in lines if ln]  # b"" drops a field
    separator = b"\r\n\r\n" if blank_line else b"\r\n"
    return b"\r\n".join(lines) + separator + body + b"\r\n"


def unfolded_subject() -> bytes:
    """A long Subject folded by a mailer that forgot the leading whitespace."""
    return mail(replace={b"Subject": b"Subject: You left something\r\nin your cart"})


def unfolded_recipients() -> bytes:
    """A To list broken over three lines, none indented, more fields after it."""
    return mail(replace={b"To": b"To: a@example.org,\r\nb@example.org,\r\nshopper@example.org"})


def no_blank_line() -> bytes:
    """The body follows the last header directly (seen from old PHP mailers)."""
    return mail(blank_line=False)


def byte_order_mark() -> bytes:
    """A UTF-8 byte order mark before the first header (Windows editors save .eml so)."""
    return b"\xef\xbb\xbf" + mail()


def utf16_body(label: str = "utf-16", codec: str = "utf-16") -> bytes:
    """A body in UTF-16 (with its byte order mark for "utf-16"), labelled `label`."""
    return mail(
        replace={b"Content-Type": f"Content-Type: text/plain; charset={label}".encode()},
        body=BODY.encode(codec),
    )


def raw_8bit_name(codec: str = "latin-1") -> bytes:
    """A display name sent as raw 8-bit bytes, not as an encoded word."""
    return mail(replace={b"From": f"From: {SHOP} <hello@e.boutique-elegance.fr>".encode(codec)})


def raw_byte_in_encoded_word() -> bytes:
    """An RFC 2047 word whose payload carries a raw 8-bit byte instead of =E9."""
    return mail(replace={b"Subject": b"Subject: =?iso-8859-1?q?Vous_avez_oubli\xe9_votre_panier?="})


def split_character() -> bytes:
    """'é' split across two encoded words whose labels differ in case and encoding."""
    words = b"=?UTF-8?Q?Vous_avez_oubli=C3?= =?utf-8?B?qSB2b3RyZSBwYW5pZXI=?="
    return mail(replace={b"Subject": b"Subject: " + words})


def deep_to(depth: int = 5000) -> bytes:
    """A To with comments and groups nested past Python's recursion limit."""
    nested = b"(" * depth + b"x" + b")" * depth + b" shopper@example.org, " + b"g:" * depth
    return mail(replace={b"To": b"To: " + nested + b"other@example.org;"})


def received_only() -> bytes:
    """No Date header, only the Received stamps of the two hops (newest first)."""
    return mail(
        replace={
            b"Date": b"Received: from mx1.example.org by mail.example.org; "
            b"Thu, 20 Nov 2026 14:05:09 +0000\r\n"
            b"Received: from out.e.boutique-elegance.fr by mx1.example.org; "
            b"Thu, 20 Nov 2026 15:04:30 +0100"
        }
    )


def broken_zone(zone: str = "+99") -> bytes:
    """A readable date whose zone is not one (a hand-written or buggy mailer)."""
    return mail(replace={b"Date": f"Date: Thu, 20 Nov 2026 14:03:00 {zone}".encode()})


def encoded_subject(words: int) -> bytes:
    """A Subject of `words` adjacent encoded words (4 MB at 160,000)."""
    return mail(
        replace={b"Subject": b"Subject: " + b" ".join([b"=?utf-8?b?w6AgdG91cw==?="] * words)}
    )


def dateless_mbox(messages: list[bytes]) -> bytes:
    """An mbox whose separators carry no date ("From sender", or a bare "From ")."""
    separators = [b"From MAILER-DAEMON", b"From ", b"From hello@e.boutique-elegance.fr"]
    out = []
    for i, data in enumerate(messages):
        out.append(separators[i % len(separators)] + b"\n" + data.replace(b"\r\n", b"\n") + b"\n")
    return b"".join(out)


REAL_WORLD = [
    Case("unfolded-subject", unfolded_subject(), False),
    Case("unfolded-recipients", unfolded_recipients(), False),
    Case("no-blank-line", no_blank_line(), False),
    Case("byte-order-mark", byte_order_mark(), False),
    Case("utf16-body", utf16_body(), False),
    Case("utf16le-unmarked", utf16_body("utf-16le", "utf-16-le"), False),
    Case("utf16-labelled-utf8", utf16_body("utf-8"), False),
    Case("raw-8bit-name-latin1", raw_8bit_name("latin-1"), False),
    Case("raw-8bit-name-utf8", raw_8bit_name("utf-8"), False),
    Case("raw-byte-in-encoded-word", raw_byte_in_encoded_word(), False),
    Case("split-character", split_character(), False),
    Case("deep-to", deep_to(), False),
    Case("received-only", received_only(), False),
    Case("broken-zone", broken_zone(), False),
    Case("encoded-subject-1mb", encoded_subject(40_000), False),
]
