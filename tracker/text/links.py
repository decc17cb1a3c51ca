"""What a message's links say about it, whatever language its words are in.

Cart-recovery mail carries a link that restores the cart: each platform
builds it its own way (a checkout token and a `recover` action on hosted
shops, a `recover_cart`/`token_cart` pair on PrestaShop-style carts, a
plugin's token parameter on WooCommerce, `cart.php?action=load` with a
token on BigCommerce-style carts, an access token on a cart page). Marketing
automation also names its flows in UTM values (`utm_campaign=abandoned-cart`,
`browse_abandonment`, `winback`, `back-in-stock`). Neither changes with the
language of the mail, so they are read before, and weigh more than, any phrase.

`link_signals(hrefs)` returns the set of signal names; their weights per kind
live in `data/classify_rules.json` under "structural".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

from tracker.text.prefilter import PrefixScan, fold

# Words for a cart or a checkout in URLs (paths are rarely translated, but
# some shops do: Warenkorb, panier, carrello, carrito, cesta, Kasse).
_CART_WORDS = (
    *("carts", "cart", "basket", "bag", "checkouts", "checkout", "warenkorb", "panier"),
    *("carrello", "carrito", "cesta", "kasse", "winkelwagen"),
)
_CART = "(?:" + "|".join(_CART_WORDS) + ")"
_RECOVER = r"(?:recover\w*|restore\w*|reload|abandon\w*|relance\w*|reminder)"
# A recovery action joined to a cart word in a path or a parameter name.
_RECOVERY_RE = re.compile(rf"{_RECOVER}[-_/]?{_CART}|{_CART}[-_/]?{_RECOVER}", re.I)
# A hosted checkout resumed by token: /checkouts/<token>/recover, /checkouts/ac/<token>, /checkouts/cn/<token>.
_HOSTED_CHECKOUT_RE = re.compile(r"/checkouts/(?:(?:ac|cn|c)/[\w-]{8,}|[\w-]{8,}/recover)", re.I)
# A cart page opened with a token or a stored cart's id: the cart is being restored.
_CART_PATH_RE = re.compile(rf"(?:^|/){_CART}(?:\.php|\.html?|/|$)", re.I)
_TOKEN_KEYS = re.compile(
    r"^(?:token|key|hash|access_token|cart_token|cart_key|cart_id|cartid|id_cart|session|sid|ac_token)$"
    r"|(?:_token|token_)",
    re.I,
)
# Paying for or looking at a placed order also passes a token through the
# checkout (WooCommerce's order-pay, an order-received page): not a left cart.
_ORDER_PATH_RE = re.compile(r"order[-_]?(?:pay|received|status)|/orders?/|invoice", re.I)
# A placed order's own page, with its number or token: order and shipping mail.
_ORDER_PAGE_RE = re.compile(
    r"/(?:orders?|bestellungen?|commandes?|pedidos?|ordini|invoices?|view[-_]order|order[-_]received"
    r"|sales/order/view(?:/order_id)?|order[-_]status|track(?:ing)?)/[\w-]*\d",
    re.I,
)
_ORDER_ACTION_RE = re.compile(r"order[-_]?(?:pay|received)", re.I)
_LOAD_ACTIONS = frozenset({"load", "restore", "recover", "reload", "recreate"})

# UTM and flow names, in order: the first family that matches a value wins, so
# "browse_abandonment" is browse before it could be read as an abandonment.
_UTM_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("utm_browse", re.compile(r"brows\w*|viewed|product[-_ ]?views?|site[-_ ]?abandon\w*", re.I)),
    (
        "utm_alert",
        re.compile(r"back[-_ ]?in[-_ ]?stock|restock\w*|price[-_ ]?(?:drop|alert)", re.I),
    ),
    (
        "utm_winback",
        re.compile(
            r"win[-_ ]?back|re[-_ ]?engage\w*|lapsed|we[-_ ]?miss[-_ ]?you|reactivat\w*", re.I
        ),
    ),
    ("utm_loyalty", re.compile(r"birthday|loyalty|anniversary|rewards?|vip|referr\w*", re.I)),
    (
        "utm_cart",
        re.compile(rf"abandon\w*|{_CART}[-_ ]?(?:recovery|reminder)|recover\w*|relance\w*", re.I),
    ),
    (
        "utm_order",
        re.compile(
            r"order[-_ ]?(?:confirm\w*|update|status|shipped)|shipping|shipment|transactional"
            r"|receipt|invoice|post[-_ ]?purchase|review[-_ ]?request",
            re.I,
        ),
    ),
)
_UTM_KEYS = ("utm_campaign", "utm_content", "utm_term", "utm_source", "utm_medium")
# Redirectors of click trackers carry the destination in a parameter.
_NESTED_KEYS = ("url", "u", "redirect", "redirect_url", "target", "dest", "destination", "link")
MAX_LINKS = 200
# Every signal needs one of these substrings: most links (product pages,
# images, social profiles) are ruled out without parsing them. Plain substring
# tests on the lower-cased link, not one regex: `re` tries every alternative at
# every position of a 400-character click-tracking URL (~140 µs a link); one
# Aho–Corasick pass over the lower-cased link instead (~4 µs).
_MAYBE_WORDS = (
    *_CART_WORDS,
    *("order", "bestell", "commande", "pedido", "ordini", "invoice", "track", "utm_"),
    *("http%3a", "=http"),
)
_MAYBE = PrefixScan([frozenset(_MAYBE_WORDS)])


class _Url:
    """One link split once: its decoded path, raw query and query pairs."""

    __slots__ = ("path", "query", "pairs")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)  # raises ValueError on a malformed host
        self.path = unquote(parts.path)
        self.query = parts.query
        self.pairs = parse_qsl(parts.query, keep_blank_values=True)


def _split(url: str) -> _Url | None:
    try:
        return _Url(url)
    except ValueError:
        return None


def _destinations(href: str, first: _Url) -> list[tuple[str, _Url]]:
    """`href` and, for a click tracker, the URL it redirects to, each split once."""
    out = [(href, first)]
    low = href.lower()
    if "http%3a" not in low and "=http" not in low:
        return out
    for key, value in first.pairs:
        if key.lower() in _NESTED_KEYS and value.lower().startswith(("http://", "https://")):
            nested = unquote(value)
            split = _split(nested)
            if split is not None:
                out.append((nested, split))
    return out


def is_recovery_link(url: str) -> bool:
    """True for a link that restores a left cart or checkout.

    >>> is_recovery_link("https://shop.example/index.php?controller=order&step=1&recover_cart=42&token_cart=ab12")
    True
    >>> is_recovery_link("https://shop.example/cart")
    False
    """
    split = _split(url)
    return split is not None and _recovers(split)


def _recovers(url: _Url) -> bool:
    path, query = url.path, url.pairs
    if _ORDER_PATH_RE.search(path) or "pay_for_order" in url.query:
        return False
    if _HOSTED_CHECKOUT_RE.search(path) or _RECOVERY_RE.search(path):
        return True
    if any(_RECOVERY_RE.search(key) for key, _ in query):
        return True
    if not _CART_PATH_RE.search(path) and not any(
        _CART_PATH_RE.search("/" + v)
        for k, v in query
        if k.lower() in ("controller", "route", "page")
    ):
        return False
    has_token = any(_TOKEN_KEYS.search(key) and len(value) >= 6 for key, value in query)
    loads = any(k.lower() == "action" and v.lower() in _LOAD_ACTIONS for k, v in query)
    return has_token or loads


def is_order_link(url: str) -> bool:
    """True for a link to one placed order's page (its number or token in the URL).

    >>> is_order_link("https://shop.example/my/orders/231?access_token=ce0d"), is_order_link("https://shop.example/account/orders")
    (True, False)
    """
    split = _split(url)
    return split is not None and _orders(split)


def _orders(url: _Url) -> bool:
    if _ORDER_PAGE_RE.search(url.path):
        return True
    return bool(_ORDER_ACTION_RE.search(url.path)) or "view-order" in url.path


def utm_family(url: str) -> str | None:
    """The flow a link's UTM values name ("utm_cart", "utm_browse", ...), or None."""
    split = _split(url)
    return None if split is None else _family(split)


def _family(url: _Url) -> str | None:
    values = [v for k, v in url.pairs if k.lower() in _UTM_KEYS and v]
    for name, pattern in _UTM_FAMILIES:
        if any(pattern.search(value) for value in values):
            return name
    return None


def link_signals(hrefs: Iterable[str]) -> frozenset[str]:
    """Structural signals of a message's links: "cart_link", "order_link", UTM families.

    >>> sorted(link_signals(["https://x.example/p/1?utm_campaign=Browse%20Abandonment"]))
    ['utm_browse']
    """
    found: set[str] = set()
    for i, href in enumerate(hrefs):
        if i >= MAX_LINKS:
            break
        low = href.lower()
        # folded as re.I compares (ſ is s, ı and İ are i): the scan may only rule out
        if not low.startswith(("http://", "https://")) or not _MAYBE.occurs_in(fold(href)):
            continue
        first = _split(href)
        if first is None:
            continue
        for url, split in _destinations(href, first):
            if "cart_link" not in found and _recovers(split):
                found.add("cart_link")
            elif "order_link" not in found and _orders(split):
                found.add("order_link")
            family = _family(split) if "utm_" in url.lower() else None
            if family:
                found.add(family)
    return frozenset(found)
