"""Retailer resolution: registrable domains offline, ESP fallbacks, readable names."""

from __future__ import annotations

import pytest

from tracker.mail.message import ParsedMail
from tracker.mail.retailer import esp_domains, extract_retailer, personal_domains
from tracker.text import registrable_domain, retailer_name


def mail(**kw) -> ParsedMail:
    base = dict(source="t", message_id=None, sent_at=None, subject="Hi", from_name=None)
    base.update(kw)
    base.setdefault("from_addr", None)
    return ParsedMail(**base)


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("e.brand.com", "brand.com"),
        ("mail.brand.co.uk", "brand.co.uk"),
        ("levis@e.levi.com", "levi.com"),
        ("<News@Mail.Zalando.DE>", "zalando.de"),
        ("https://click.e.nike.com/path?x=1", "nike.com"),
        ("mailto:unsub@news.fnac.com?subject=unsubscribe", "fnac.com"),
        ("shop.example.com.au", "example.com.au"),
        ("www.elcorteingles.es", "elcorteingles.es"),
        ("127.0.0.1", None),
        ("localhost", None),
        ("", None),
    ],
)
def test_registrable_domain(value: str, domain: str | None) -> None:
    assert registrable_domain(value) == domain


def test_data_lists_loaded() -> None:
    assert {"klaviyomail.com", "mcsv.net", "sendgrid.net", "exct.net"} <= esp_domains()
    assert {"gmail.com", "web.de", "orange.fr", "libero.it"} <= personal_domains()


def test_from_domain_is_the_retailer() -> None:
    ref = extract_retailer(mail(from_name="Levi's", from_addr="levis@e.levi.com"))
    assert (ref.domain, ref.name) == ("levi.com", "Levi's")


def test_esp_from_falls_back_to_reply_to() -> None:
    m = mail(from_name="Glossier", from_addr="bounce@klaviyomail.com", reply_to="hi@glossier.com")
    assert extract_retailer(m).domain == "glossier.com"


def test_esp_from_falls_back_to_sender_then_unsubscribe() -> None:
    m = mail(
        from_addr="x@mcsv.net",
        sender="y@mandrillapp.com",
        headers={
            "list-unsubscribe": "<mailto:u@list-manage.com>, <https://e.boutique.fr/unsub?u=1>"
        },
    )
    assert extract_retailer(m).domain == "boutique.fr"


def test_esp_from_falls_back_to_most_frequent_link_host() -> None:
    links = [
        ("https://ct.sendgrid.net/ls/click?u=1", "Shop"),
        ("https://www.facebook.com/x", "Facebook"),
        ("https://www.tienda.es/carrito", "Carrito"),
        ("https://www.tienda.es/ofertas", "Ofertas"),
        ("https://other.com/", "x"),
    ]
    m = mail(from_name="Tienda", from_addr="noreply@sendgrid.net", links=links)
    assert extract_retailer(m) is not None
    assert extract_retailer(m).domain == "tienda.es"


@pytest.mark.parametrize("addr", ["anna@gmail.com", "max@web.de", "jean@orange.fr", "x@libero.it"])
def test_personal_mail_has_no_retailer(addr: str) -> None:
    assert extract_retailer(mail(from_name="Anna", from_addr=addr)) is None


def test_nothing_usable_gives_none() -> None:
    assert extract_retailer(mail(from_addr="x@sendgrid.net")) is None


@pytest.mark.parametrize(
    ("display", "domain", "name"),
    [
        ('"Levi\'s"', "levi.com", "Levi's"),
        ("Levi's®", "levi.com", "Levi's"),
        ("Jane at Glossier", "glossier.com", "Glossier"),
        ("Hannah from Glossier", "glossier.com", "Glossier"),
        ("The Glossier Team", "glossier.com", "Glossier"),
        ("Zalando Team", "zalando.de", "Zalando"),
        ("L'équipe Sézane", "sezane.com", "Sézane"),
        ("Il team di Yoox", "yoox.com", "Yoox"),
        ("Mario di Eataly", "eataly.net", "Eataly"),
        ("ASOS | Sale", "asos.com", "ASOS"),
        ("Glossier via Klaviyo", "glossier.com", "Glossier"),
        ("Emily", "glossier.com", "Glossier"),
        ("Jane Smith", "brand.com", "Brand"),
        ("Ted Baker", "tedbaker.com", "Ted Baker"),
        ("Customer Service", "brand.com", "Brand"),
        ("Kundenservice", "otto.de", "Otto"),
        (None, "marks-and-spencer.com", "Marks And Spencer"),
    ],
)
def test_retailer_name(display: str | None, domain: str, name: str) -> None:
    assert retailer_name(display, domain) == name
