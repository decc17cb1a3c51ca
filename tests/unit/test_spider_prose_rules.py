"""What real pages say and how it is read (issue 18): ladders in one sentence,
no-offer phrases, stores the curated list does not know, cheat-sheet groups,
tables with step columns, page furniture. Each case is a general rule, seen on
pages rebuilt from real public sources (tests/fixtures/site_real)."""

from __future__ import annotations

import lxml.html

from spiders.extract.page import extract_reports

URL = "https://blog.example.org/posts/carts"


def found(body: str) -> list[tuple]:
    root = lxml.html.fromstring(
        f"<html><head><title>Abandoned cart emails</title></head><body>{body}</body></html>"
    )
    out = []
    for r in extract_reports(root, URL):
        offer = None if r.offer is None else (r.offer.type, r.offer.value, r.offer.value_max)
        wait = None if r.wait is None else (r.wait.min_hours, r.wait.max_hours)
        out.append((r.retailer_domain or r.retailer_name, offer, wait, r.outcome))
    return out


def test_several_steps_in_one_sentence_are_several_reports():
    body = "<p>I left my cart at Ulta: they sent 10% the next day and 15% on day three.</p>"
    assert found(body) == [
        ("ulta.com", ("percent", 10.0, None), (24.0, 48.0), "discount"),
        ("ulta.com", ("percent", 15.0, None), (48.0, 72.0), "discount"),
    ]


def test_zero_percent_thresholds_and_ceilings():
    body = """<p>I left my cart at Gap and they emailed "Get 0% off" with no code.</p>
      <p>I abandoned a basket at Boots and got up to 20% off after 3 days.</p>
      <p>Left a cart at Nike: free delivery over £40 as always, nothing else.</p>"""
    assert found(body) == [
        ("gap.com", None, None, "reminder_only"),
        ("boots.com", ("percent", None, 20.0), (72.0, 72.0), "discount"),
        ("nike.com", None, None, "nothing_sent"),
    ]


def test_a_reminder_alone_is_reminder_only_and_before_a_discount_is_no_report():
    body = """<p>I left carts at two shops. Target sent a reminder after 3 hours.</p>
      <p>Ulta reminded me after an hour. Ulta then sent 20% off after 2 days.</p>"""
    assert found(body) == [
        ("target.com", None, (3.0, 3.0), "reminder_only"),
        ("ulta.com", ("percent", 20.0, None), (48.0, 48.0), "discount"),
    ]


def test_stores_listed_after_a_colon_share_what_the_sentence_says():
    body = """<p>We abandoned carts at twelve shops. 3 of 12 shops sent nothing:
      Foxglove Florals, Norden Watches and Urban Crate.</p>"""
    assert found(body) == [
        ("Foxglove Florals", None, None, "nothing_sent"),
        ("Norden Watches", None, None, "nothing_sent"),
        ("Urban Crate", None, None, "nothing_sent"),
    ]


def test_a_store_after_the_dash_of_a_heading_and_cheat_sheet_groups():
    body = """<h2>20% off – Ember Coffee Roasters</h2>
      <p>A favourite: <a href="https://embercoffee.com/">Ember</a> sends 20% off on day two.</p>
      <p><strong>10% off within 24 hours:</strong><br>Halden Home<br>Birch &amp; Pine</p>
      <p><strong>Reminder only (no code):</strong><br>Crestline Tools (after 4 hours)</p>"""
    assert found(body) == [
        ("embercoffee.com", ("percent", 20.0, None), (24.0, 48.0), "discount"),
        ("Halden Home", ("percent", 10.0, None), (None, 24.0), "discount"),
        ("Birch & Pine", ("percent", 10.0, None), (None, 24.0), "discount"),
        ("Crestline Tools", None, (4.0, 4.0), "reminder_only"),
    ]


def test_step_columns_and_two_step_rows_in_tables():
    body = """<table><thead><tr><th>Shop</th><th>First offer arrived</th><th>Offer</th></tr></thead>
      <tr><td>Moss &amp; Stone</td><td>24 h, then 72 h</td><td>10% → 15%</td></tr>
      <tr><td>Quill Paper</td><td>6 h</td><td>0% – just a reminder</td></tr>
      <tr><td>Coastline Cycles</td><td>2–3 days</td><td>$25 off – orders over $200</td></tr></table>"""
    assert found(body) == [
        ("Moss & Stone", ("percent", 10.0, None), (24.0, 24.0), "discount"),
        ("Moss & Stone", ("percent", 15.0, None), (72.0, 72.0), "discount"),
        ("Quill Paper", None, (6.0, 6.0), "reminder_only"),
        ("Coastline Cycles", ("amount", 25.0, None), (48.0, 72.0), "discount"),
    ]


def test_furniture_and_topic_headings_make_no_reports():
    body = """<p>I left my cart at Ulta and got 20% off after 2 days.</p>
      <div class="adslot leaderboard">Advertisement · Currys — up to 40% off laptops</div>
      <div class="similar-threads"><ul><li><a href="/t/1">Best Buy open box 10% extra?</a></li></ul></div>
      <div class="encart-code">Code promo du jour : -30 % chez Cdiscount</div>
      <h2>Caution</h2><p>Some shops never send anything after you abandon a cart.</p>
      <h2>Abandoned Cart Emails</h2><p>Email 2 — 24 hours: consider 10% off.</p>"""
    assert found(body) == [("ulta.com", ("percent", 20.0, None), (48.0, 48.0), "discount")]


def test_forum_replies_take_the_store_their_quote_names():
    body = """<div class="post"><p>Has anyone tried this with Denby Home? I want a dinner set.</p></div>
      <div class="post"><blockquote>Has anyone tried this with Denby Home?</blockquote>
        <p>Yes! Three days after I left my basket they sent 12% off.</p></div>
      <div class="post"><p>I got 15% off! Put a jacket in my basket at Northpeak and the code came the next day.</p></div>
      <div class="post"><p>Sage Goods: $5 off orders $25+ within 12 hours.</p></div>"""
    assert found(body) == [
        ("Denby Home", ("percent", 12.0, None), (72.0, 72.0), "discount"),
        ("Northpeak", ("percent", 15.0, None), (24.0, 48.0), "discount"),
        ("Sage Goods", ("amount", 5.0, None), (None, 12.0), "discount"),
    ]


def test_what_a_remark_after_a_report_does_not_add():
    body = """<p>Tried with 10 shops and 2 of 10 sent nothing: Gap and Etsy. The rest at least sent a reminder.</p>
      <p>Ulta sent 15% off after 2 days. Better than nothing.</p>
      <p>Boden gave me £10 off after 2 days. Very's free delivery only kicks in over £100, that's no deal.</p>
      <p>Atelier Durand: rien du tout. Ni relance, ni code.</p>"""
    assert found(body) == [
        ("gap.com", None, None, "nothing_sent"),
        ("etsy.com", None, None, "nothing_sent"),
        ("ulta.com", ("percent", 15.0, None), (48.0, 48.0), "discount"),
        ("boden.co.uk", ("amount", 10.0, None), (48.0, 48.0), "discount"),
        ("Atelier Durand", None, None, "nothing_sent"),
    ]


def test_a_three_step_ladder_gives_each_step_its_own_wait():
    body = """<p>We left carts at twelve shops. Copper Kettle Kitchen: 10% after 24 hours,
      15% after 72 hours, and finally a free gift (a spatula set) on day 6.</p>"""
    assert found(body) == [
        ("Copper Kettle Kitchen", ("percent", 10.0, None), (24.0, 24.0), "discount"),
        ("Copper Kettle Kitchen", ("percent", 15.0, None), (72.0, 72.0), "discount"),
        ("Copper Kettle Kitchen", ("gift", None, None), (120.0, 144.0), "discount"),
    ]


def test_a_page_about_one_store_and_a_timeline_of_its_emails():
    body = """<h1>Fable &amp; Fern's 5-Touch Basket Recovery Flow</h1>
      <p><a href="https://www.fableandfern.co.uk/">Fable &amp; Fern</a> sells linen. We left a basket.</p>
      <h2>The flow</h2>
      <ul><li>Email 1 – after 3 hours: a plain reminder.</li>
      <li>Email 2 – at 24 hours: £5 off the basket.</li>
      <li>Email 3 – day 4: the offer steps up to 15% off.</li></ul>"""
    assert found(body) == [
        ("fableandfern.co.uk", ("amount", 5.0, None), (24.0, 24.0), "discount"),
        ("fableandfern.co.uk", ("percent", 15.0, None), (72.0, 96.0), "discount"),
    ]
