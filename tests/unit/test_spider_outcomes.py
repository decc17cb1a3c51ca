"""Reports that no discount came are reports: their outcome, and the wait they keep."""

from __future__ import annotations

import lxml.html

from spiders.extract.page import extract_reports

URL = "https://blog.example.org/posts/carts"


def outcomes(body: str) -> list[tuple]:
    root = lxml.html.fromstring(
        f"<html><head><title>Abandoned cart emails</title></head><body>{body}</body></html>"
    )
    out = []
    for r in extract_reports(root, URL):
        offer = None if r.offer is None else (r.offer.type, r.offer.value)
        wait = None if r.wait is None else (r.wait.min_hours, r.wait.max_hours)
        out.append((r.retailer_domain or r.retailer_name, offer, wait, r.outcome))
    return out


def test_reminder_only_keeps_its_wait_and_nothing_sent_is_said():
    body = """<p>I left my cart at Gap and got only a reminder after 3 hours.</p>
      <p>Nike never followed up at all.</p>
      <p>Ulta sent 20% off after 2 days.</p>"""
    assert outcomes(body) == [
        ("gap.com", None, (3.0, 3.0), "reminder_only"),
        ("nike.com", None, None, "nothing_sent"),
        ("ulta.com", ("percent", 20.0), (48.0, 48.0), "discount"),
    ]


def test_table_rows_say_reminder_only_too():
    body = """<table><tr><th>Store</th><th>Discount</th><th>Wait</th></tr>
      <tr><td>Gap</td><td>none, just a reminder</td><td>3 hours</td></tr>
      <tr><td>Nike</td><td>nothing</td><td>-</td></tr></table>"""
    assert outcomes(body) == [
        ("gap.com", None, (3.0, 3.0), "reminder_only"),
        ("nike.com", None, None, "nothing_sent"),
    ]
