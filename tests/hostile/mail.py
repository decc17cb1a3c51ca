"""Hostile and broken mail, built in memory: a mutation corpus and a few giants.

Every case is `Case(name, data, expect)` where `expect` is True when the
message must come out with `error` set, False when it must come out clean
(and understood), and None when either is fine (a bit flip may or may not
break a message). Randomness comes from the seeded `random.Random` passed in,
so a failing case can be rebuilt from its name and seed.
"""

from __future__ import annotations

import base64
import random
import re
from dataclasses import dataclass

from paths import FIXTURES

MAIL = FIXTURES / "mail"
_CHARSET = re.compile(rb'(?i)charset="?[A-Za-z0-9_.:-]*"?')


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: bool | None  # True: error required; False: no error; None: either


def cart_mail(body_type: str = "text/plain", body: str | None = None, extra: str = "") -> bytes:
    """A well-formed abandoned-cart reminder with a 15% code (the clean baseline)."""
    body = body or (
        "Hi, you left something in your cart. Come back within 48 hours and use "
        "code COMEBACK15 for 15% off your order."
    )
    return (
        "From: Levi's <hello@e.levi.com>\r\nTo: shopper@example.org\r\n"
        "Subject: You left something in your cart\r\n"
        "Message-ID: <hostile-base@e.levi.com>\r\n"
        "Date: Thu, 20 Nov 2026 14:03:00 +0000\r\nMIME-Version: 1.0\r\n"
        f"{extra}Content-Type: {body_type}; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def fixtures(limit: int | None = None) -> list[tuple[str, bytes]]:
    """(name, bytes) of the labelled corpus, sorted, the base of the mutations."""
    files = sorted(MAIL.glob("*.eml"))[:limit]
    return [(f.stem, f.read_bytes()) for f in files]


# -- mutations of one message -------------------------------------------------
def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, max(2, len(data)))]


def bit_flip(rng: random.Random, data: bytes, flips: int = 8) -> bytes:
    out = bytearray(data)
    for _ in range(flips):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


WRONG_CHARSETS = ["utf-16", "base64", "zlib", "x-unknown", "shift_jis", "utf-8lias", "", "us-ascii"]


def wrong_charset(rng: random.Random, data: bytes) -> bytes:
    """Relabel every charset with a wrong or impossible one; add 8-bit text."""
    label = rng.choice(WRONG_CHARSETS).encode()
    data = _CHARSET.sub(b"charset=" + label, data)
    return data.replace(b"\n\n", "\n\nPr\u00e9f\u00e9rences \u2013 \u00a9 ".encode(), 1)


def nul_bytes(rng: random.Random, data: bytes) -> bytes:
    """NULs in the body, and one inside the Subject value."""
    cut = rng.randrange(len(data))
    data = data[:cut] + b"\x00" * rng.randrange(1, 64) + data[cut:]
    return data.replace(b"Subject: ", b"Subject: \x00", 1)


def header_injection(rng: random.Random, data: bytes) -> bytes:
    """CR/LF smuggled into headers: encoded in words, and as bare CRs."""
    word = base64.b64encode(b"Cart\r\nBcc: victim@example.com\r\n\r\n<script>").decode()
    injected = (
        f"Subject: =?utf-8?b?{word}?=\r\n"
        "From: =?utf-8?q?Shop=0D=0AReply-To=3A_evil=40example.com?= <hello@e.levi.com>\r\n"
        "X-Bare: one\rBcc: two@example.com\r\n"
        "Message-ID: <inj\r\n ected@e.levi.com>\r\n"
    ).encode()
    head, sep, body = data.partition(b"\n\n")
    lines = [ln for ln in head.split(b"\n") if not ln.lower().startswith((b"subject:", b"from:"))]
    return injected + b"\n".join(lines) + sep + body


MUTATIONS = {
    "truncated": truncate,
    "bitflip": bit_flip,
    "charset": wrong_charset,
    "nul": nul_bytes,
    "inject": header_injection,
}


def mutation_corpus(rng: random.Random, bases: list[tuple[str, bytes]]) -> list[Case]:
    """Each mutation applied to each base message (the expectation is `None`)."""
    return [
        Case(f"{stem}-{name}", mutate(rng, data), None)
        for stem, data in bases
        for name, mutate in MUTATIONS.items()
    ]


# -- hand-made hostile messages -------------------------------------------------
def nested_multipart(depth: int) -> bytes:
    head = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    tail = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    lines = cart_mail().split(b"Content-Type:", 1)[0].decode()
    return (lines + head + "Content-Type: text/plain\r\n\r\n15% off\r\n" + tail).encode()


def big_attachment(megabytes: int) -> bytes:
    """A cart reminder with a text part first and a base64 attachment of `megabytes`."""
    blob = base64.encodebytes(random.Random(7).randbytes(megabytes << 20)).decode()
    body = (
        "--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "You left something in your cart. Use code COMEBACK15 for 15% off.\r\n"
        "--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="cart.pdf"\r\n\r\n{blob}--B--\r\n'
    )
    return cart_mail('multipart/mixed; boundary="B"', body)


def single_line_html(megabytes: int) -> bytes:
    cell = "<td><a href='https://levi.com/p'><b>Jeans</b></a> 15% off</td>"
    html = "<html><body><table><tr>" + cell * ((megabytes << 20) // len(cell)) + "</tr></table>"
    return cart_mail("text/html", html)


def special_cases() -> list[Case]:
    """Small hostile messages with a known right answer."""
    clean = cart_mail()
    return [
        Case("empty", b"", True),
        Case("blank", b"\r\n \r\n", True),
        Case("binary", random.Random(1).randbytes(4096), True),
        Case("nul-head", b"\x00" * 10 + clean, True),
        Case("no-headers", b"just some text\nwithout any header\n", True),
        Case("nested-1000", nested_multipart(1000), True),
        Case("nested-5", nested_multipart(5), False),
        Case("clean", clean, False),
        Case("inject-clean", header_injection(random.Random(2), clean), False),
        Case("only-headers", clean.split(b"\r\n\r\n")[0], False),
        Case(
            "bad-base64", clean.replace(b"MIME", b"Content-Transfer-Encoding: base64\r\nMIME"), None
        ),
        Case("crlf-mix", clean.replace(b"\r\n", b"\r").replace(b"Subject", b"\nSubject"), None),
        Case("huge-header", clean.replace(b"Subject: ", b"Subject: " + b"A" * 300_000), False),
        Case("many-headers", b"X-H: v\r\n" * 50_000 + clean, False),
        Case("deep-html", cart_mail("text/html", "<div>" * 100_000 + "15% off"), False),
    ]
