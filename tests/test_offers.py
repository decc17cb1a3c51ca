"""find_discounts / extract_offer: many small cases in five languages."""

from __future__ import annotations

import pytest

from tracker.offers import Discount, find_discounts, parse_number


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
