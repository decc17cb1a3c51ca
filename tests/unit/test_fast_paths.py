"""Speed-ups that must decide exactly as the plain code they replaced (issue 14)."""

from __future__ import annotations

import re

import pytest

from tracker.mail.limits import count_multipart
from tracker.text import links

# what the two functions did before: a case-insensitive regex over the input
_OLD_MULTIPART = re.compile(rb"(?i)content-type:\s*multipart/")
_OLD_MAYBE = re.compile(
    rf"{links._CART}|order|bestell|commande|pedido|ordini|invoice|track|utm_|http%3a|=http", re.I
)


@pytest.mark.parametrize(
    "data",
    [
        b"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: MULTIPART/alternative",
        b"CONTENT-TYPE:\n multipart/related",
        b"content-type: text/plain\n\nnot multipart/ at all",
        b"Content-Type:multipart/mixed" * 50,
        b"",
    ],
)
def test_count_multipart_counts_as_the_case_insensitive_regex(data: bytes) -> None:
    assert count_multipart(data) == len(_OLD_MULTIPART.findall(data))


@pytest.mark.parametrize(
    "href",
    [
        "https://shop.example/CART/recover?token=abc123",
        "https://click.esp.example/ls/click?upn=AbCdEf0123&t=shop.example/products/tote",
        "https://shop.example/Warenkorb",
        "https://t.example/r?u=https%3A%2F%2Fshop.example%2Fcheckouts%2Fac%2Fabc",
        "https://shop.example/p/1?UTM_CAMPAIGN=winback",
        "https://shop.example/account/Orders/123",
        "https://cdn.shop.example/images/hero.jpg",
        "https://shop.example/BASKET",
        "https://shop.example/pedidos/55",
    ],
)
def test_link_prefilter_keeps_what_the_regex_kept(href: str) -> None:
    assert links._MAYBE.occurs_in(href.lower()) == bool(_OLD_MAYBE.search(href))
