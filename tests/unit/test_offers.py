"""find_discounts / extract_offer: many small cases in five languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracker.mail.message import ParsedMail
from tracker.mail.offer import extract_offer
from tracker.text import Discount, extract_offer_from_text, find_discounts, parse_number
from tracker.text.codes import code_kind, find_codes
from tracker.text.expiry import find_expiries


def first(text: str) -> Discount:
    found = find_discounts(text)
    assert found, text
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "value_max"),
    [
        ("15%", 15.0, None),
        ("15 %", 15.0, None),
        ("10–15%", 10.0, 15.0),
        ("10-15% off", 10.0, 15.0),
        ("10 to 15%", 10.0, 15.0),
        ("10% to 15% off", 10.0, 15.0),
        ("-20%", 20.0, None),
        ("20% Rabatt", 20.0, None),
        ("10 bis 15 % Rabatt", 10.0, 15.0),
        ("20 % de réduction", 20.0, None),
        ("de 10 à 15 %", 10.0, 15.0),
        ("sconto del 20%", 20.0, None),
        ("dal 10 al 15%", 10.0, 15.0),
        ("20% de descuento", 20.0, None),
        ("entre 10 y 15 %", 10.0, 15.0),
        ("20 Prozent", 20.0, None),
    ],
)
def test_percent(text: str, value: float, value_max: float | None) -> None:
    d = first(text)
    assert (d.type, d.value, d.value_max, d.currency) == ("percent", value, value_max, None)


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$10 off", 10.0, "USD"),
        ("£5", 5.0, "GBP"),
        ("10 €", 10.0, "EUR"),
        ("10,00 €", 10.0, "EUR"),
        ("€10", 10.0, "EUR"),
        ("USD 10", 10.0, "USD"),
        ("CHF 20", 20.0, "CHF"),
        ("10 EUR", 10.0, "EUR"),
        ("C$15 off", 15.0, "CAD"),
        ("1.000,50 €", 1000.5, "EUR"),
        ("$1,299.99", 1299.99, "USD"),
        ("10€ di sconto", 10.0, "EUR"),
    ],
)
def test_amount(text: str, value: float, currency: str) -> None:
    d = first(text)
    assert (d.type, d.value, d.currency) == ("amount", value, currency)


@pytest.mark.parametrize(
    "text",
    [
        "free shipping",
        "Free standard delivery",
        "livraison gratuite",
        "frais de port offerts",
        "kostenloser Versand",
        "versandkostenfrei",
        "spedizione gratuita",
        "envío gratis",
    ],
)
def test_free_shipping(text: str) -> None:
    assert first(text).type == "free_shipping"


@pytest.mark.parametrize(
    "text", ["a free gift", "un cadeau offert", "ein Geschenk", "un omaggio", "un regalo"]
)
def test_gift(text: str) -> None:
    assert first(text).type == "gift"


@pytest.mark.parametrize("text", ["gift card", "carte cadeau", "buy a gift card today"])
def test_gift_card_is_not_a_gift(text: str) -> None:
    assert [d for d in find_discounts(text) if d.type == "gift"] == []


@pytest.mark.parametrize(
    ("text", "type_", "min_spend"),
    [
        ("Free shipping on orders over $50", "free_shipping", 50.0),
        ("Livraison gratuite dès 50 €", "free_shipping", 50.0),
        ("kostenloser Versand ab 50 €", "free_shipping", 50.0),
        ("spedizione gratuita per ordini superiori a 49 €", "free_shipping", 49.0),
        ("envío gratis en pedidos superiores a 30 €", "free_shipping", 30.0),
        ("15% off orders of $75+", "percent", 75.0),
        ("Spend $100, get $20 off", "amount", 100.0),
    ],
)
def test_min_spend_is_attached_not_listed(text: str, type_: str, min_spend: float) -> None:
    found = find_discounts(text)
    assert len(found) == 1
    assert (found[0].type, found[0].min_spend) == (type_, min_spend)


def test_min_spend_stays_in_its_sentence() -> None:
    d = first("Take 10% off today. Orders over $50 ship quickly.")
    assert d.min_spend is None


def test_up_to_and_cue_flags() -> None:
    assert first("up to 60% off").up_to
    assert first("bis zu 50 % Rabatt").up_to
    assert first("jusqu'à -40%").up_to
    assert first("$10 off").cue
    assert not first("100% cotton").cue


def test_span_points_into_text() -> None:
    text = "Hello! Use code SAVE15 for 15% off."
    d = first(text)
    assert text[d.start : d.end] == "15%"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("10,00", 10.0),
        ("1.000,50", 1000.5),
        ("1,299.99", 1299.99),
        ("10.5", 10.5),
        ("1 000", 1000.0),
    ],
)
def test_parse_number(raw: str, value: float) -> None:
    assert parse_number(raw) == value


# --- codes, expiry and the offer of a message -------------------------------

SENT = datetime(2026, 11, 20, 13, 3, tzinfo=UTC)
CET = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Use code COMEBACK15 at checkout", "COMEBACK15"),
        ("Your code: X7K2-PQ9M-ZZ31", "X7K2-PQ9M-ZZ31"),
        ("mit dem Gutscheincode WARENKORB10", "WARENKORB10"),
        ("avec le code promo : PANIER10", "PANIER10"),
        ("con il codice FERRI10", "FERRI10"),
        ("con el código OLMO10", "OLMO10"),
        ("Gutscheincode: FRISCH", "FRISCH"),
        ("Use SHIPFREE at checkout.", "SHIPFREE"),
        ("Your code is below\n\n  RIDE10\n", "RIDE10"),
    ],
)
def test_find_codes(text: str, code: str) -> None:
    assert [c.code for c in find_codes(text)] == [code]


@pytest.mark.parametrize(
    "text",
    [
        "Order #A12345 confirmed",
        "SALE ends today, FREE delivery",
        "Enter the code at checkout",
        "Tracking number: 1Z999AA10123456784",
        "Call 0800 123 456",
    ],
)
def test_not_codes(text: str) -> None:
    codes = find_codes(text)
    assert all(c.code not in ("A12345", "SALE", "FREE", "1Z999AA10123456784") for c in codes)
    assert [c for c in codes if c.code.isdigit()] == []


@pytest.mark.parametrize(
    ("code", "kind"),
    [("COMEBACK15", "shared"), ("BAG10", "shared"), ("X7K2-PQ9M-ZZ31", "single_use"),
     ("A8F3K2Q9ZP", "single_use"), ("SUMMER-SALE", "shared")],
)  # fmt: skip
def test_code_kind(code: str, kind: str) -> None:
    assert code_kind(code) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("until 30 November", datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)),
        ("bis 30.11.", datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)),
        ("jusqu'au 30 novembre inclus", datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)),
        ("entro il 30 novembre", datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)),
        ("hasta el 30 de noviembre", datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC)),
        ("valid until 2 January", datetime(2027, 1, 2, 22, 59, 59, tzinfo=UTC)),
        ("until 5 November", datetime(2027, 11, 5, 22, 59, 59, tzinfo=UTC)),
        ("expires in 48 hours", SENT + timedelta(hours=48)),
        ("valid for 7 days", SENT + timedelta(days=7)),
        ("Der Code ist 48 Stunden gültig.", SENT + timedelta(hours=48)),
        ("valable pendant 72 h", SENT + timedelta(hours=72)),
        ("nelle prossime 48 ore", SENT + timedelta(hours=48)),
        ("durante 24 horas", SENT + timedelta(hours=24)),
        ("today only", datetime(2026, 11, 20, 22, 59, 59, tzinfo=UTC)),
        ("nur noch heute", datetime(2026, 11, 20, 22, 59, 59, tzinfo=UTC)),
        ("solo oggi", datetime(2026, 11, 20, 22, 59, 59, tzinfo=UTC)),
        ("solo hoy", datetime(2026, 11, 20, 22, 59, 59, tzinfo=UTC)),
        ("aujourd'hui seulement", datetime(2026, 11, 20, 22, 59, 59, tzinfo=UTC)),
        ("gültig bis heute, 23:59 Uhr", datetime(2026, 11, 20, 22, 59, tzinfo=UTC)),
        ("ends Sunday at midnight", datetime(2026, 11, 22, 22, 59, 59, tzinfo=UTC)),
        ("Order by 11:59pm on Sunday 22 November", datetime(2026, 11, 22, 22, 59, tzinfo=UTC)),
        ("ends 30 November at 11:59 PM PT", datetime(2026, 12, 1, 7, 59, tzinfo=UTC)),
        ("bis zum 30. November um 18 Uhr", datetime(2026, 11, 30, 17, 0, tzinfo=UTC)),
    ],
)
def test_expiry(text: str, expected: datetime) -> None:
    found = find_expiries(text, SENT, CET)
    assert [e.at for e in found] == [expected]


@pytest.mark.parametrize(
    "text",
    ["Delivery in 3 days", "Returns within 30 days", "Open 24 hours", "Order placed 30 November"],
)
def test_not_expiry(text: str) -> None:
    assert find_expiries(text, SENT, CET) == []


def test_month_first_for_us_dates() -> None:
    found = find_expiries("Expires 11/23/2026", SENT, UTC, month_first=True)
    assert found[0].at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC)


def offer(subject: str, text: str):
    return extract_offer_from_text(subject, text, SENT, tz=CET)


@pytest.mark.parametrize(
    ("subject", "text", "want"),
    [
        (
            "Still thinking it over?",
            "Here's 15% off your bag with code COMEBACK15. It expires in 48 hours.",
            ("percent", 15.0, None, None, "COMEBACK15", SENT + timedelta(hours=48)),
        ),
        (
            "10 € geschenkt",
            "Mit dem Gutscheincode BERG10 erhalten Sie 10 € Rabatt ab einem Einkaufswert von 50 €.",
            ("amount", 10.0, "EUR", 50.0, "BERG10", None),
        ),
        (
            "Votre panier vous attend",
            "Profitez de -15 % sur votre panier avec le code PANIER15, jusqu'au 30 novembre.",
            (
                "percent",
                15.0,
                None,
                None,
                "PANIER15",
                datetime(2026, 11, 30, 22, 59, 59, tzinfo=UTC),
            ),
        ),
        (
            "Il tuo carrello",
            "Ti regaliamo la spedizione gratuita sul tuo carrello con il codice SPEDIZIONE.",
            ("free_shipping", None, None, None, "SPEDIZIONE", None),
        ),
        (
            "Tu cesta te espera",
            "Completa tu compra y llévate un regalo para ti.",
            ("gift", None, None, None, None, None),
        ),
        (
            "Your cart",
            "Take $20 off your order of $100 or more: code CART20.",
            ("amount", 20.0, "USD", 100.0, "CART20", None),
        ),
        (
            "A little something",
            "Use X7K2-PQ9M-ZZ31 at checkout for 20% off your cart.",
            ("percent", 20.0, None, None, "X7K2-PQ9M-ZZ31", None),
        ),
    ],
)
def test_extract_offer_from_text(subject: str, text: str, want: tuple) -> None:
    got = offer(subject, text)
    assert got is not None
    assert (got.type, got.value, got.currency, got.min_spend, got.code, got.expires_at) == want


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Black Friday", "Up to 60% off everything. Shop now."),
        ("Sale", "Bis zu 50 % Rabatt auf ausgewählte Artikel."),
        ("Soldes", "Jusqu'à -40 % sur une sélection."),
        ("Your bag", "You left items in your bag.\nFree shipping on orders over $50."),
        ("Price drop", "The Oak Chair is now $59, was $79."),
        ("Il tuo carrello", "Sérum Niacinamide 10 % 30 ml 12,90 €"),
        ("Hola", "Envío gratis en pedidos superiores a 40 €. Devoluciones gratis."),
        ("Newsletter", "Sign up and get 10% off your first order."),
    ],
)
def test_not_an_offer(subject: str, text: str) -> None:
    assert offer(subject, text) is None


def test_footer_standing_condition_is_not_the_offer() -> None:
    text = "Your cart misses you. Use code RIDE10 for 10% off.\n\n" + "More text.\n" * 4
    text += "Unsubscribe\nFree shipping on all orders over $50"
    got = offer("Your cart", text)
    assert (got.type, got.value, got.code) == ("percent", 10.0, "RIDE10")


def _mail(subject: str, text: str, date: str) -> ParsedMail:
    return ParsedMail(
        source="t",
        message_id=None,
        sent_at=SENT,
        subject=subject,
        from_name="Shop",
        from_addr="news@shop.example",
        headers={"date": date},
        text=text,
    )


def test_transactional_mail_has_no_offer() -> None:
    m = _mail("Order confirmed", "Enjoy 15% off your next order with NEXT15.", "x")
    assert extract_offer(m, "transactional") is None
    assert extract_offer(m, "other") is None


def test_end_of_day_in_the_senders_timezone() -> None:
    m = _mail(
        "Your cart",
        "20% off your cart with code BAG20, today only.",
        "Fri, 20 Nov 2026 08:03:00 -0500",
    )
    got = extract_offer(m, "abandoned_cart")
    assert got.expires_at == datetime(2026, 11, 21, 4, 59, 59, tzinfo=UTC)
    assert got.code_kind == "shared"
