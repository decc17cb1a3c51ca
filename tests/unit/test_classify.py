"""classify_message: small messages in five languages, and the look-alikes."""

from __future__ import annotations

import pytest

from tracker.mail.classify import classify_message
from tracker.mail.message import ParsedMail
from tracker.records import RetailerRef
from tracker.text import detect_language, segment_body

SHOP = RetailerRef("shop.example", "Shop")
BULK = {"list-unsubscribe": "<mailto:u@shop.example>"}


def mail(subject: str, text: str, headers: dict | None = None) -> ParsedMail:
    return ParsedMail(
        source="t",
        message_id=None,
        sent_at=None,
        subject=subject,
        from_name="Shop",
        from_addr="news@shop.example",
        headers=headers if headers is not None else dict(BULK),
        text=text,
    )


CASES = [
    # abandoned cart
    ("You left something behind", "Hi Ann,\nThe items in your cart are waiting.", "abandoned_cart"),
    (
        "Still thinking it over?",
        "Your bag is saved. Return to your bag to check out.",
        "abandoned_cart",
    ),
    (
        "Noch da: dein Warenkorb",
        "Hallo Max,\ndu hast etwas im Warenkorb vergessen.",
        "abandoned_cart",
    ),
    (
        "Votre panier vous attend",
        "Bonjour,\nvous avez laissé des articles dans votre panier.",
        "abandoned_cart",
    ),
    (
        "Hai dimenticato qualcosa?",
        "Ciao,\ni tuoi articoli sono ancora nel carrello.",
        "abandoned_cart",
    ),
    ("¿Olvidaste algo?", "Hola,\ntus artículos siguen en tu carrito.", "abandoned_cart"),
    (
        "10% off your bag",
        "Hi,\nStill in your bag: Runner Shoe. Use code BAG10 at checkout.",
        "abandoned_cart",
    ),
    # browse abandonment
    (
        "Still interested?",
        "Hi,\nWe noticed you were looking at the Oak Chair.",
        "browse_abandonment",
    ),
    ("Recently viewed", "Take another look at the items you viewed.", "browse_abandonment"),
    (
        "Schon gesehen?",
        "Hallo,\ndu hast dir diese Jacke angesehen. Zuletzt angesehen:",
        "browse_abandonment",
    ),
    (
        "Toujours intéressé ?",
        "Bonjour,\nvous avez consulté cette lampe récemment.",
        "browse_abandonment",
    ),
    (
        "Ti ha colpito?",
        "Ciao,\nhai guardato questa borsa. Dai un'altra occhiata.",
        "browse_abandonment",
    ),
    (
        "¿Te llamó la atención?",
        "Hola,\nhas visto estas zapatillas recientemente.",
        "browse_abandonment",
    ),
    (
        "Price drop on something you viewed",
        "The sofa you viewed is now cheaper.",
        "browse_abandonment",
    ),
    # promotion
    ("Black Friday: up to 50% off", "Shop the sale now. New arrivals too.", "promotion"),
    ("Back in stock", "The Classic Tee is back in stock. Shop now.", "promotion"),
    ("Your wishlist is on sale", "Items on your wishlist are now reduced.", "promotion"),
    ("Preis gesenkt", "Ein Artikel auf deiner Wunschliste ist jetzt reduziert.", "promotion"),
    (
        "New in: the winter collection",
        "Women | Men | Kids | View bag\nDiscover new arrivals.",
        "promotion",
    ),
    ("Sommer-Sale: bis zu 40 %", "Jetzt shoppen: neue Angebote im Sale.", "promotion"),
    ("Soldes : jusqu'à -50 %", "Découvrez nos nouveautés et les soldes d'hiver.", "promotion"),
    ("Saldi fino al 50%", "Scopri le offerte e la nuova collezione.", "promotion"),
    ("Rebajas: hasta el 40%", "Descubre las novedades y ofertas de temporada.", "promotion"),
    # transactional
    (
        "Order confirmation #A12345",
        "Thank you for your order!\nOrder number: A12345\nEnjoy 15% off your next order with NEXT15.",
        "transactional",
    ),
    ("Your order has shipped", "Tracking number: 1Z999AA10123456784", "transactional"),
    ("Complete your purchase", "Invoice INV-2231 for your draft order. Pay now.", "transactional"),
    (
        "Bestellbestätigung",
        "Vielen Dank für deine Bestellung. Bestellnummer: 4711-0815",
        "transactional",
    ),
    ("Confirmation de commande", "Merci pour votre commande n° 778812.", "transactional"),
    ("Il tuo ordine è stato spedito", "Numero di tracking: BRT12345678", "transactional"),
    ("Confirmación de pedido", "Gracias por tu pedido. Número de pedido: 55123", "transactional"),
    ("Your subscription renewed", "Your coffee subscription has been renewed.", "transactional"),
    # other
    ("Reset your password", "Click the link to reset your password.", "other"),
    ("Bestätige deine E-Mail-Adresse", "Bitte bestätige deine Anmeldung.", "other"),
    ("How did we do?", "Please take our short survey about your visit.", "other"),
]


@pytest.mark.parametrize(("subject", "text", "kind"), CASES)
def test_kind(subject: str, text: str, kind: str) -> None:
    got, confidence = classify_message(mail(subject, text), SHOP)
    assert got == kind
    assert 0.0 <= confidence <= 1.0


def test_personal_mail_is_other() -> None:
    m = mail("Lunch tomorrow?", "Hi Ann, shall we meet at noon?", headers={})
    assert classify_message(m, None)[0] == "other"


def test_forwarded_cart_mail_is_other() -> None:
    text = "---------- Forwarded message ----------\nYou left items in your cart."
    m = mail("Fwd: 10% off your cart", text, headers={})
    assert classify_message(m, None)[0] == "other"


def test_navigation_bag_link_does_not_make_a_cart_mail() -> None:
    text = "Women | Men | Sale | View bag\nOur new autumn collection is here.\nShop now"
    assert classify_message(mail("Autumn is here", text), SHOP)[0] == "promotion"


def test_footer_counts_less_than_body() -> None:
    text = "Our biggest sale of the year starts today. Shop the sale.\n" + "\n" * 3
    text += "Unsubscribe | Items in your cart are saved for 30 days."
    assert classify_message(mail("The sale is on", text), SHOP)[0] == "promotion"


def test_confidence_higher_when_clear() -> None:
    clear = mail("Your cart is waiting", "You left items in your cart. Return to your cart.")
    vague = mail("Hello", "Still thinking about it?")
    assert classify_message(clear, SHOP)[1] > classify_message(vague, SHOP)[1]


def test_segments_mark_footer_and_navigation() -> None:
    body = "Women | Men | Sale\nA long line of real text here.\nOK\nmore\nUnsubscribe here"
    labels = [label for label, _ in segment_body(body)]
    assert labels == ["nav_line", "main", "short_line", "short_line", "footer"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("You left this in your cart and we saved it for you", "en"),
        ("Du hast noch etwas in deinem Warenkorb und wir haben es für dich", "de"),
        ("Vous avez laissé des articles dans votre panier pour vous", "fr"),
        ("Hai lasciato degli articoli nel tuo carrello che sono ancora", "it"),
        ("Tus artículos siguen en tu carrito y te esperan para que", "es"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


LOOK_ALIKES = [
    (
        "Deine Bestellung bei Shop",
        "Vielen Dank für deinen Einkauf! Bestellnummer: 12-3456\n10 % Rabatt auf deine nächste Bestellung",
        "transactional",
    ),
    (
        "Neu im Shop",
        "Damen | Herren | Warenkorb\nEntdecke die neue Kollektion. Jetzt shoppen",
        "promotion",
    ),
    ("Les nouveautés", "Femme | Homme | Panier\nDécouvrez la nouvelle collection.", "promotion"),
    ("Nuovi arrivi", "Donna | Uomo | Carrello\nScopri la nuova collezione autunno.", "promotion"),
    ("Novedades", "Mujer | Hombre | Mi cesta\nDescubre la nueva colección.", "promotion"),
    (
        "Hemos recibido tu pedido",
        "Gracias por tu compra. Número de pedido: 889912.",
        "transactional",
    ),
    (
        "Back in stock: the one you wanted",
        "The Linen Shirt you looked at is back in stock.",
        "browse_abandonment",
    ),
    (
        "Don't miss out",
        "You showed interest in the Trail Runner. Still available.",
        "browse_abandonment",
    ),
    (
        "We got your order",
        "Order #100234\nTake 15% off your next order with code NEXT15.",
        "transactional",
    ),
]


@pytest.mark.parametrize(("subject", "text", "kind"), LOOK_ALIKES)
def test_look_alikes(subject: str, text: str, kind: str) -> None:
    assert classify_message(mail(subject, text), SHOP)[0] == kind
