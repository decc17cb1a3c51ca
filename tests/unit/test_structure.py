"""Structure before words: links, headers and sentence shape that do not change with language.

Each case here failed before its rule existed (found on the blind platform
set, tests/fixtures/mail_platforms, and rewritten here in short).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.mail.classify import classify_message
from tracker.mail.message import ParsedMail
from tracker.mail.retailer import extract_retailer
from tracker.records import RetailerRef
from tracker.text import extract_offer_from_text, find_codes, find_discounts, find_expiries
from tracker.text.links import is_order_link, is_recovery_link, link_signals, utm_family

SHOP = RetailerRef("shop.example", "Shop")
SENT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def mail(subject: str, text: str, links=(), headers: dict | None = None) -> ParsedMail:
    return ParsedMail(
        source="t",
        message_id=None,
        sent_at=SENT,
        subject=subject,
        from_name="Shop",
        from_addr="hello@shop.example",
        headers=headers or {},
        text=text,
        links=[(href, "link") for href in links],
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/60673655038/checkouts/ac/abcdef123456/recover?key=196a",  # hosted checkout
        "https://shop.example/checkouts/cn/Z2NwLWV1cm9wZS13ZXN0NDo",
        "https://shop.example/checkout/?wcf_ac_token=abc123xyz",  # a WooCommerce plugin's token
        "https://shop.example/index.php?controller=order&step=1&recover_cart=42&token_cart=ab12cd",
        "https://shop.example/cart.php?action=load&id=55&token=abcdef12",  # load a stored cart
        "https://shop.example/shop/cart?access_token=8f7a6b5c4d",
        "https://shop.example/abandoned-cart/restore/aa11",
        "https://shop.example/warenkorb?token=abcdefgh",
    ],
)
def test_recovery_links_of_every_shape(url):
    assert is_recovery_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/cart",  # the shop's cart page, in every newsletter's menu
        "https://shop.example/women/bags?id=1234567",
        "https://shop.example/checkout/order-pay/123/?pay_for_order=true&key=wc_order_ab",  # an invoice
        "https://shop.example/account/orders/abc123456789",
    ],
)
def test_ordinary_links_are_not_recovery_links(url):
    assert not is_recovery_link(url)


def test_order_pages_need_the_order_number():
    assert is_order_link("https://shop.example/my/orders/231?access_token=ce0d")
    assert not is_order_link("https://shop.example/account/orders")


@pytest.mark.parametrize(
    ("value", "family"),
    [
        ("Abandoned%20Cart%20Flow", "utm_cart"),
        ("browse_abandonment", "utm_browse"),  # browse before "abandon"
        ("winback-2026", "utm_winback"),
        ("back-in-stock", "utm_alert"),
        ("birthday", "utm_loyalty"),
        ("order_confirmation", "utm_order"),
        ("summer-sale", None),
    ],
)
def test_utm_flow_names(value, family):
    assert utm_family(f"https://shop.example/p?utm_campaign={value}") == family


def test_a_click_tracker_is_read_through():
    tracked = "https://ctrk.klclick.com/l/01?url=https%3A%2F%2Fshop.example%2Fcart%3Futm_campaign%3Dabandoned-cart"
    assert link_signals([tracked]) == {"utm_cart"}


def test_a_recovery_link_makes_a_wordless_reminder_a_cart_mail():
    plain = mail("Haben Sie sich schon entschieden?", "Guten Tag,\nwir haben Ihre Auswahl notiert.")
    assert classify_message(plain, SHOP)[0] != "abandoned_cart"
    linked = mail(
        plain.subject,
        plain.text,
        links=["https://shop.example/cart.php?action=load&id=5&token=ab12cd34"],
    )
    assert classify_message(linked, SHOP)[0] == "abandoned_cart"


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "Merci de votre fidélité",
            "Nous vous offrons 15 % de réduction. Code : MERCI15\nSaisissez ce code dans votre panier lors de votre prochaine commande.",
        ),
        (
            "Alles Gute zum Geburtstag",
            "Wir schenken dir 5 € mit dem Code GEBURTSTAG5. Gib den Code einfach im Warenkorb ein.",
        ),
        (
            "Grazie!",
            "Ecco il 10% di sconto con il codice GRAZIE10. Inseriscilo nel carrello al prossimo ordine.",
        ),
        (
            "¡Feliz cumpleaños!",
            "Te regalamos un 10 % con el código CUMPLE10. Introdúcelo en tu carrito al pagar.",
        ),
    ],
)
def test_using_a_code_in_the_cart_is_not_a_left_cart(subject, text):
    assert classify_message(mail(subject, text), SHOP)[0] == "promotion"


def test_quoted_subject_lines_are_not_the_mail_speaking():
    digest = mail(
        "Insights #41",
        "Hallo Lena,\ndiese Woche: „Dein Warenkorb wartet noch“ schlägt „Letzte Chance“ bei Stammkunden.",
    )
    assert classify_message(digest, SHOP)[0] != "abandoned_cart"


def test_mail_failing_its_own_authentication_is_other():
    phish = mail(
        "Your cart expires today - claim 70% OFF",
        "Your saved cart will be deleted in 2 hours. Items in your cart are waiting.",
        headers={
            "authentication-results": "mx.example; dkim=none; spf=softfail smtp.mailfrom=x.top"
        },
    )
    assert classify_message(phish, SHOP)[0] == "other"
    signed = mail(
        phish.subject,
        phish.text,
        headers={"authentication-results": "mx.example; dkim=pass; spf=pass"},
    )
    assert classify_message(signed, SHOP)[0] == "abandoned_cart"


def test_a_discussion_list_is_other():
    post = mail(
        "[PATCH] fix the order parser",
        "Your order number parser drops the leading zero; patch attached.",
        headers={"list-id": "<dev.lists.example>", "list-post": "<mailto:dev@lists.example>"},
    )
    assert classify_message(post, SHOP)[0] == "other"


@pytest.mark.parametrize(
    ("text", "value", "min_spend"),
    [
        ("Take 15% off with code X15.\nValid on orders over $80 for 48 hours.", 15.0, 80.0),
        (
            "Here's £5 towards your next read.\nYour code: NEXT5\nUse it on orders over £25.",
            5.0,
            25.0,
        ),
        (
            "Mit dem Code WB75 erhalten Sie 7,5 % Rabatt.\nDer Gutschein gilt ab einem Warenwert von 100 €.",
            7.5,
            100.0,
        ),
        (
            "Take 10% off today. Orders over $50 ship quickly.",
            10.0,
            None,
        ),  # a fact, not a condition
    ],
)
def test_a_minimum_in_the_next_sentence(text, value, min_spend):
    offer = extract_offer_from_text("Your cart", text, SENT)
    assert offer is not None and (offer.value, offer.min_spend) == (value, min_spend)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hemos añadido un cupón exclusivo del 15 %: SIERRA15-LU7Q.", "SIERRA15-LU7Q"),
        ("Use this coupon code at checkout to save $20: ACS-20-7JKM", "ACS-20-7JKM"),
        ("Ihr Gutschein\nCode: FLW-1-TPWKXMZQRA", "FLW-1-TPWKXMZQRA"),  # one label after another
        (
            "einen persönlichen Gutschein über 10 % hinzugefügt – bk7q2xmf.",
            "BK7Q2XMF",
        ),  # one spelling
    ],
)
def test_codes_after_a_colon_a_dash_or_a_second_label(text, code):
    assert [c.code for c in find_codes(text)] == [code]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("el envío te sale gratis con el código ENVIO", "free_shipping"),
        ("la livraison est offerte ce week-end", "free_shipping"),
        ("nous ajoutons 12 fils en cadeau", "gift"),
    ],
)
def test_free_shipping_and_gifts_with_words_between(text, kind):
    assert [d.type for d in find_discounts(text)] == [kind]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Das Angebot gilt 3 Tage.", 5),
        ("Der Code ist ab heute 14 Tage lang einlösbar.", 16),
        ("Tienes 15 días para usarlo.", 17),
        ("It expires on 30 November.", 30),
    ],
)
def test_expiry_wording(text, day):
    (found,) = find_expiries(text, SENT, None, False)
    assert found.at.day == day


def sender(from_addr: str, **fields) -> ParsedMail:
    """A message known by its sender headers only (what retailer resolution reads)."""
    base = dict(source="t", message_id=None, sent_at=SENT, subject="Your cart", from_name="Shop")
    return ParsedMail(**{**base, "from_addr": from_addr, **fields})


def test_a_platform_shared_sender_is_not_the_retailer():
    sent = sender("no-reply@crm.wix.com", reply_to="hello@littlefernceramics.com")
    assert extract_retailer(sent).domain == "littlefernceramics.com"


def test_the_signing_domain_names_the_shop_behind_a_shared_sender():
    dkim = "v=1; a=rsa-sha256; d=papeterie-onde.fr; s=s1; h=from"
    sent = sender("no-reply@squarespace.info", headers={"dkim-signature": dkim})
    assert extract_retailer(sent).domain == "papeterie-onde.fr"


@pytest.mark.parametrize(
    "headers",
    [
        {"list-id": "<dev.lists.example>", "list-post": "<mailto:dev@lists.example>"},
        {"authentication-results": "mx.example; dkim=fail; spf=fail smtp.mailfrom=shop.example"},
    ],
)
def test_no_retailer_for_list_posts_and_unauthenticated_mail(headers):
    assert extract_retailer(sender("dev@driftwoodsupply.com", headers=headers)) is None
    assert extract_retailer(sender("dev@driftwoodsupply.com")).domain == "driftwoodsupply.com"
