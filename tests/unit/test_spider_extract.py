"""Pure extraction helpers: blocks, names, reports, pagination links, item keys."""

from __future__ import annotations

import lxml.html

from spiders.extract.blocks import iter_blocks
from spiders.extract.links import find_next_links
from spiders.extract.names import related, resolve_label
from spiders.extract.page import extract_reports, page_is_about_carts
from spiders.extract.sentences import pick_offer, pick_wait
from spiders.items import ReportItem
from spiders.spiders.reports import number_repeats
from tracker.text import lookup_retailer, registrable_domain

URL = "https://blog.example.org/posts/carts"


def page(body: str, title: str = "Abandoned cart discounts") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    )


def summary(body: str, title: str = "Abandoned cart discounts") -> list[tuple]:
    out = []
    for r in extract_reports(page(body, title), URL):
        offer = None if r.offer is None else (r.offer.type, r.offer.value, r.offer.currency)
        wait = None if r.wait is None else (r.wait.min_hours, r.wait.max_hours)
        out.append((r.retailer_domain or r.retailer_name, offer, wait))
    return out


def test_boilerplate_yields_nothing():
    body = """
    <nav><a href="/">Home</a> Ulta: 20% off after 2 days</nav>
    <div class="cookie-banner">Accept cookies and get 10% off within 24 hours</div>
    <div class="ad-slot">ASOS 50% off today! Shop after 1 day</div>
    <aside>Boohoo 25% off after 2 days</aside>
    <div class="related-posts"><p>Nike sent 30% after 3 days</p></div>
    <main><p>We left carts at many stores; results soon.</p></main>
    <footer>Levi's 15% off after 24 hours</footer>"""
    assert summary(body) == []


def test_pages_not_about_leaving_a_cart_yield_nothing():
    body = "<ul><li>Linen shirt — 30% off — ends in 48 hours</li></ul><p>Add to cart now.</p>"
    assert summary(body, title="Summer sale") == []
    assert not page_is_about_carts(page(body, title="Summer sale"))


def test_list_items_with_links_curated_and_unknown_stores():
    body = """<ul>
      <li><a href="https://www.asos.com/women/">ASOS</a> — 10–15% — within 24 hours</li>
      <li><b>M&amp;S</b>: free delivery, next day</li>
      <li><a href="https://shop.quietfox.io/">Quiet Fox Socks</a> – $5 off – after 3 days</li>
      <li>Pebble &amp; Pine – 12% – 2 days later</li>
    </ul>"""
    assert summary(body) == [
        ("asos.com", ("percent", 10.0, None), (None, 24.0)),
        ("marksandspencer.com", ("free_shipping", None, None), (24.0, 48.0)),
        ("quietfox.io", ("amount", 5.0, "USD"), (72.0, 72.0)),
        ("Pebble & Pine", ("percent", 12.0, None), (48.0, 48.0)),
    ]


def test_table_with_french_headers_and_a_store_that_sent_nothing():
    body = """<table><thead><tr><th>Date</th><th>Boutique</th><th>Réduction</th><th>Délai</th></tr></thead>
      <tr><td>mars</td><td>Fnac</td><td>10 %</td><td>le lendemain</td></tr>
      <tr><td>avril</td><td>Darty</td><td>aucune</td><td>—</td></tr></table>"""
    assert summary(body) == [
        ("fnac.com", ("percent", 10.0, None), (24.0, 48.0)),
        ("darty.com", None, None),
    ]


def test_store_headings_own_their_paragraphs_other_headings_do_not():
    body = """<h2>1. Glossier</h2><p>A reminder after an hour, then 10% off the next day.</p>
      <h2>What we learned</h2><p>Most stores wait about 24 hours before sending anything.</p>
      <h3>Allbirds</h3><p>Nothing at all.</p>"""
    assert summary(body) == [
        ("glossier.com", ("percent", 10.0, None), (24.0, 48.0)),
        ("allbirds.com", None, None),
    ]


def test_prose_follows_the_store_across_sentences_and_splits_clauses():
    body = """<p>I left a jacket in my cart at Patagonia. Three days later they emailed 15% off.</p>
      <p>Sephora sent 10% after a day, Ulta 20% after 2 days.</p>
      <p>Both Everlane and Madewell sent 15% off within 24 hours.</p>"""
    assert summary(body) == [
        ("patagonia.com", ("percent", 15.0, None), (72.0, 72.0)),
        ("sephora.com", ("percent", 10.0, None), (24.0, 24.0)),
        ("ulta.com", ("percent", 20.0, None), (48.0, 48.0)),
        ("everlane.com", ("percent", 15.0, None), (None, 24.0)),
        ("madewell.com", ("percent", 15.0, None), (None, 24.0)),
    ]


def test_forum_quotes_are_not_new_reports_and_nothing_replies_are():
    body = """<div class="post"><p>Ulta sent me 20% off after two days.</p></div>
      <div class="post"><blockquote>Ulta sent me 20% off after two days.</blockquote>
        <div class="quote">Ulta sent me 20% off after two days.</div>
        <p>Tried Nike: nothing after a week.</p></div>"""
    assert summary(body) == [
        ("ulta.com", ("percent", 20.0, None), (48.0, 48.0)),
        ("nike.com", None, None),
    ]


def test_definition_lists_and_german_prose():
    body = """<dl><dt>Zalando</dt><dd>10 % Rabatt nach 2 Tagen</dd></dl>
      <p>Bei Douglas kam der Gutschein über 15 % erst nach einer Woche, den Warenkorb hatte ich vergessen.</p>"""
    assert summary(body) == [
        ("zalando.de", ("percent", 10.0, None), (48.0, 48.0)),
        ("douglas.de", ("percent", 15.0, None), (168.0, 168.0)),
    ]


def test_blocks_skip_hidden_and_keep_text_after_a_quote():
    root = page(
        '<div class="post"><blockquote>old</blockquote>new text<p style="display: none">x</p></div>'
    )
    blocks = list(iter_blocks(root))
    assert [b.text for b in blocks if b.kind != "quote"] == ["new text"]
    assert [b.kind for b in blocks] == ["quote", "text"]  # read for its store only


def test_pick_offer_prefers_cued_discounts_and_skips_bare_cart_totals():
    offer = pick_offer("I left a $120 cart and got $15 off")
    assert offer is not None and offer.value == 15.0
    assert pick_offer("I left a $120 cart") is None
    assert pick_offer("$10", structured=True).value == 10.0


def test_pick_wait_ignores_reminder_timing():
    text = "First a reminder after an hour, then 10% off two days later."
    wait = pick_wait(text, pick_offer(text))
    assert (wait.min_hours, wait.max_hours) == (48, 48)


def test_pagination_links_stay_on_site():
    root = page("""<link rel="next" href="/p/2">
      <div class="pagination"><a href="?page=2">2</a><a href="/posts/carts?page=3">Page 3</a>
      <a href="https://other.example.net/next">Next</a><a href="/archive">Archive</a>
      <a href="/posts/older">Weiter »</a><a href="#comments">Next</a></div>""")
    assert find_next_links(root, URL) == [
        "https://blog.example.org/p/2",
        "https://blog.example.org/posts/carts?page=2",
        "https://blog.example.org/posts/carts?page=3",
        "https://blog.example.org/posts/older",
    ]


def test_names_resolve_through_links_then_the_curated_list():
    assert related("Birch & Bloom", "birchandbloom.com")
    assert not related("Click here", "skimlinks.com")
    assert lookup_retailer("Marks and Spencer").domain == "marksandspencer.com"
    assert lookup_retailer("levis").domain == "levi.com"
    assert registrable_domain("https://www.shop.example.co.uk/x") == "example.co.uk"
    ref = resolve_label("Ulta", [], URL, {})
    assert (ref.name, ref.domain) == ("Ulta Beauty", "ulta.com")
    assert resolve_label("How it works?", [], URL, {}) is None
    kept = resolve_label("Tiny Candle Co", [], URL, {})
    assert (kept.name, kept.domain) == ("Tiny Candle Co", None)


def test_report_keys_are_stable_and_repeats_are_numbered():
    a = ReportItem("Ulta", "ulta.com", "percent", 20.0, snippet="Ulta 20%")
    b = ReportItem("Ulta", "ulta.com", "percent", 20.0, snippet="Ulta  20%")
    c = ReportItem("Ulta", "ulta.com", "percent", 15.0, snippet="Ulta 15%")
    assert a.key == b.key != c.key
    numbered = number_repeats([a, b, c])
    assert len({r.key for r in numbered}) == 3


def test_cards_under_store_headings_read_as_one_report_and_titles_are_not_stores():
    body = """<h1>PSA: leave stuff in your cart and these stores will email you</h1>
      <p>Posted by u/someone 3 days ago</p>
      <div class="card"><h3>Sweaty Betty</h3><p>Discount: 15% off</p><p>Wait: 24 hours</p></div>
      <h2>Fazit</h2><p>Most shops send 10% or more.</p>"""
    assert summary(body) == [("sweatybetty.com", ("percent", 15.0, None), (24.0, 24.0))]


def test_rows_with_a_name_slot_and_coupon_amounts():
    body = """<div class="row"><span class="name">Fenwick Candle Bar</span> <span>£5 off</span>
      <span>48h</span></div>
      <p>Bei Flaconi gab es nach wenigen Stunden einen Gutschein über 5 Euro für den Warenkorb.</p>"""
    assert summary(body) == [
        ("Fenwick Candle Bar", ("amount", 5.0, "GBP"), (48.0, 48.0)),
        ("flaconi.de", ("amount", 5.0, "EUR"), (2.0, 6.0)),
    ]
