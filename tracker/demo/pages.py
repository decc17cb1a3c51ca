"""Sample report pages for the demo: a roundup table, a tips list and forum threads.

They talk about the same fictional shops as the demo mail, mostly truthfully
(the first offer and its delay) and sometimes not (an inflated offer), so the
site can show where public reports agree with what mail measured. Each store
name links to the store's site, as real roundups do.
"""

from __future__ import annotations

import random
from html import escape
from pathlib import Path

from tracker.demo.mail import offer_phrase
from tracker.demo.retailers import Shop

STYLE = "body{font-family:Georgia,serif;max-width:760px;margin:2em auto;line-height:1.5}"


def _first_offer(shop: Shop) -> tuple[float, tuple[str, float | None]] | None:
    return next(((h, o) for h, o in shop.ladder if o), None)


def _when(hours: float) -> str:
    if hours < 24:
        return f"after {hours:g} hours"
    days = hours / 24
    return "after a day" if days == 1 else f"after {days:g} days"


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title><style>{STYLE}</style></head><body><header><nav><a href="/">Home</a> · '
        f'<a href="/about.html">About</a></nav></header><main><h1>{escape(title)}</h1>{body}'
        "</main><footer><p>© 2026 Cart Notes. Affiliate links may earn us a commission.</p>"
        "</footer></body></html>"
    )


def _link(shop: Shop) -> str:
    return f'<a href="https://www.{shop.domain}/">{escape(shop.name)}</a>'


def roundup(shops: list[Shop], rng: random.Random) -> str:
    """A table of stores, their abandoned-cart discount and the wait."""
    rows = []
    for shop in shops:
        first = _first_offer(shop)
        if first is None:
            offer, wait = "No discount, reminders only", "—"
        else:
            hours, (kind, value) = first
            if kind == "percent" and value is not None and rng.random() < 0.25:  # an inflated claim
                value = value + 10
            offer, wait = offer_phrase((kind, value), shop.currency), _when(hours)
        rows.append(
            f"<tr><td>{_link(shop)}</td><td>{escape(offer)}</td><td>{escape(wait)}</td></tr>"
        )
    intro = (
        "<p>Leave something in your cart, wait, and many stores email you a discount code. "
        "We abandoned carts at dozens of shops this autumn; here is what came back.</p>"
    )
    table = (
        "<table><thead><tr><th>Store</th><th>Discount</th><th>Wait</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    return _page("Abandoned cart discounts: which stores pay you to wait", intro + table)


def tips(shops: list[Shop]) -> str:
    """A list article: one store per item, with the offer and the delay in prose."""
    items = []
    for shop in shops:
        first = _first_offer(shop)
        if first is None:
            text = "only reminder emails, never a code."
        else:
            hours, offer = first
            text = f"{offer_phrase(offer, shop.currency)} {_when(hours)}."
        items.append(f"<li><strong>{_link(shop)}</strong>: {escape(text)}</li>")
    intro = "<p>Our readers' favourite cart abandonment trick, store by store:</p>"
    return _page(
        "Cart abandonment hacks that still work", intro + "<ul>" + "".join(items) + "</ul>"
    )


def thread(shop: Shop, rng: random.Random, number: int) -> str:
    """A forum thread where shoppers report what this store sent after a left cart."""
    first = _first_offer(shop)
    posts = [f"<p>Has anyone left a cart at {_link(shop)} lately? Did they send a code?</p>"]
    for _ in range(rng.randint(1, 3)):
        if first is None:
            posts.append(
                f"<p>I left a basket at {_link(shop)} twice: nothing, just a reminder.</p>"
            )
        else:
            hours, offer = first
            posts.append(
                f"<p>Left my cart at {_link(shop)} on Sunday and got "
                f"{escape(offer_phrase(offer, shop.currency))} {escape(_when(hours))}.</p>"
            )
    body = "".join(f'<article class="post"><div class="body">{p}</div></article>' for p in posts)
    return _page(f"Thread #{number}: {shop.name} abandoned cart code?", body)


def write_pages(root: Path, shops: list[Shop], rng: random.Random) -> list[str]:
    """Write the pages (and a permissive robots.txt) under `root`; returns their paths."""
    root.mkdir(parents=True, exist_ok=True)
    pages = {
        "roundup.html": roundup([s for s in shops if rng.random() < 0.6], rng),
        "tips.html": tips([s for s in shops if rng.random() < 0.4]),
    }
    for number, shop in enumerate(shops, start=1):
        if rng.random() < 0.5:
            pages[f"threads/{number}.html"] = thread(shop, rng, number)
    links = "".join(f'<li><a href="/{escape(p)}">{escape(p)}</a></li>' for p in sorted(pages))
    pages["index.html"] = _page("Cart Notes", f"<ul>{links}</ul>")
    pages["about.html"] = _page(
        "About Cart Notes", "<p>A fictional blog for the darkpool demo.</p>"
    )
    for rel, html in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return sorted(p for p in pages if p not in ("index.html", "about.html"))
