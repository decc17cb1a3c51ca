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
        "https://shop.example/restore-ba\u017fket?id=1",  # the long s: re.I reads it as s
        "https://shop.example/restore-carr\u0131to",  # the dotless i
        "https://shop.example/\u0130nvoice/123",  # the dotted capital I
    ],
)
def test_link_prefilter_keeps_what_the_regex_kept(href: str) -> None:
    from tracker.text.prefilter import fold

    kept = links._MAYBE.occurs_in(fold(href))
    assert kept or not _OLD_MAYBE.search(href)  # never rules out what the regex kept
    assert links.link_signals([href]) == _old_signals(href)


def _old_signals(href: str) -> frozenset[str]:
    """link_signals with the regex pre-filter it had before."""
    import unittest.mock

    class Regex:
        def occurs_in(self, _folded: str) -> bool:
            return bool(_OLD_MAYBE.search(href))

    with unittest.mock.patch.object(links, "_MAYBE", Regex()):
        return links.link_signals([href])


def _from_line_by_dateutil(line: bytes):
    """What parse_from_line did before the asctime fast path: dateutil on every line."""
    import warnings
    from datetime import UTC

    from dateutil import parser

    from tracker.mail.files import FROM_LINE

    match = FROM_LINE.match(line)
    if not match:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = parser.parse(match.group(1).decode("ascii", "replace"), fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@pytest.mark.parametrize(
    "line",
    [
        b"From MAILER-DAEMON Thu Nov 20 14:03:00 2026\n",
        b"From a@b.example  Mon Feb  3 04:05:06 2025",
        b"From x Sat, 21 Nov 2026 10:00:00 +0100",  # not asctime: dateutil reads the zone
        b"From x Fri Feb 30 10:00:00 2026",  # impossible day
        b"From a@b Tue Dec  1 23:59:59 2026 +0000",
        b"From x Wed Jan 07 1:02:03 2026",
        b"From x wed jan 07 01:02:03 2026",
    ],
)
def test_from_line_dates_read_as_dateutil_reads_them(line: bytes) -> None:
    from tracker.mail.files import parse_from_line

    assert parse_from_line(line) == _from_line_by_dateutil(line)


def test_html_padding_does_not_hide_the_text_after_it():
    from tracker.mail.html import html_to_text

    padded = "<p>" + " " * 250_000 + "Your cart is waiting</p>"
    assert html_to_text(padded).text == "Your cart is waiting"


def test_to_hours_is_in_hours_whatever_resolution_pandas_picks():
    """pandas 3 parses datetimes at microsecond resolution (pandas 2: nanoseconds); the
    hours must not depend on it (a snapshot published nothing on pandas 3)."""
    from datetime import UTC, datetime

    import pandas as pd

    from tracker.analysis.journeys import to_hours

    when = datetime(2026, 11, 15, 12, tzinfo=UTC)
    expected = when.timestamp() / 3600
    assert to_hours([when])[0] == expected
    as_micro = pd.Series(pd.DatetimeIndex([when]).as_unit("us"))
    assert to_hours(as_micro)[0] == expected
    assert to_hours([when.isoformat(), None])[0] == expected
