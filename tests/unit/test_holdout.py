"""Accuracy of the mail pipeline on a second labelled set (tests/fixtures/mail_holdout).

The 60 messages were written blind: new retailers, new wording, same labelling
rules as tests/fixtures/mail/README.md, without reading the classifier or the
offer parser. The first run's figures were recorded; afterwards the set was
used to find and fix general weaknesses (phrasings, patterns, languages), so
it is no longer a true holdout. It stays as a regression guard: it prints kind
accuracy, abandoned-cart precision/recall, offer exact match, retailer-domain
accuracy and every miss, and asserts floors just below what was reached.

First (blind) run: kind 0.967, cart precision 1.000 / recall 0.950, offer
0.950, retailer domain 0.983. After the general fixes: 1.000 on all five.
The short cases below are phrasings found while probing after the fixes
(also not blind); each one failed before its rule was added.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from paths import FIXTURES
from scoring import cart_precision_recall, got_domain, got_offer, print_misses, want_offer

from tracker.mail.files import iter_raw_mail
from tracker.mail.pipeline import process_mail
from tracker.records import MessageRecord, RawMail
from tracker.text.offers import extract_offer_from_text

HOLDOUT = FIXTURES / "mail_holdout"
FLOORS = {"kind": 0.95, "precision": 0.95, "recall": 0.95, "offer": 0.95, "domain": 0.95}


@pytest.fixture(scope="module")
def results() -> list[tuple[str, dict, MessageRecord]]:
    labels = json.loads((HOLDOUT / "labels.json").read_text("utf-8"))
    out = []
    for raw in iter_raw_mail([HOLDOUT]):
        name = Path(raw.source.split("#")[0]).name
        if name in labels:
            out.append((name, labels[name], process_mail(raw)))
    assert sorted(n for n, _, _ in out) == sorted(labels), "every labelled message is read once"
    return out


def test_holdout_accuracy(results) -> None:
    n = len(results)
    kind_ok = sum(rec.kind == lab["kind"] for _, lab, rec in results)
    offer_ok = sum(got_offer(rec) == want_offer(lab) for _, lab, rec in results)
    domain_ok = sum(got_domain(rec) == lab["retailer"] for _, lab, rec in results)
    precision, recall = cart_precision_recall(results)
    figures = {
        "kind": kind_ok / n,
        "precision": precision,
        "recall": recall,
        "offer": offer_ok / n,
        "domain": domain_ok / n,
    }
    print(f"\nholdout mail set: {n} messages")
    print(f"kind accuracy        {figures['kind']:.3f} ({kind_ok}/{n})")
    print(f"cart precision       {figures['precision']:.3f}   recall {figures['recall']:.3f}")
    print(f"offer exact match    {figures['offer']:.3f} ({offer_ok}/{n})")
    print(f"retailer domain      {figures['domain']:.3f} ({domain_ok}/{n})")
    print_misses(results)
    for key, floor in FLOORS.items():
        assert figures[key] >= floor, (key, figures[key])


def test_no_offer_outside_offer_kinds(results) -> None:
    for name, _, rec in results:
        if rec.kind in ("transactional", "other"):
            assert rec.offer is None, name


PROBES = [
    (
        "Don't let these slip away",
        "You added these to your bag but didn't check out.",
        "abandoned_cart",
    ),
    (
        "Your return is approved",
        "We've approved your return. Drop it off within 14 days.",
        "transactional",
    ),
    ("We've updated our privacy policy", "Some changes to how we handle your data.", "other"),
    ("Your verification code", "Your one-time code is 482913. It expires in 10 minutes.", "other"),
    ("Passwort vergessen?", "Klicke auf den Link, um ein neues Passwort festzulegen.", "other"),
    ("Réinitialisation de votre mot de passe", "Cliquez ici pour le changer.", "other"),
    ("Reimposta la tua password", "Clicca sul link qui sotto.", "other"),
    ("Tu pedido está en reparto", "Tu pedido se entregará hoy.", "transactional"),
    ("Ihre Auswahl", "Hallo Sam,\nIhre Artikel warten im Warenkorb.", "abandoned_cart"),
    (
        "Your next box",
        "Your subscription renews on May 3; we'll charge your card.",
        "transactional",
    ),
]


def _mail(subject: str, body: str) -> RawMail:
    data = (
        f"From: Shop <shop@e.acme-store.com>\nTo: sam@example.net\nSubject: {subject}\n"
        "Date: Mon, 10 May 2027 10:00:00 +0200\nMessage-ID: <probe@acme-store.com>\n"
        "List-Unsubscribe: <https://u.example.net/x>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body + "\n"
    )
    return RawMail(source="probe", data=data.encode())


@pytest.mark.parametrize(("subject", "body", "kind"), PROBES)
def test_probe_kinds(subject: str, body: str, kind: str) -> None:
    assert process_mail(_mail(subject, body)).kind == kind


CET = timezone(timedelta(hours=1))
SENT = datetime(2027, 3, 10, 9, 0, tzinfo=CET)


@pytest.mark.parametrize(
    ("subject", "body", "want"),
    [
        (
            "Dein Warenkorb",
            "Spare 5 € mit dem Code FUENF – gültig bis einschließlich 14. März.",
            ("amount", 5.0, "FUENF", datetime(2027, 3, 14, 23, 59, 59, tzinfo=CET)),
        ),
        (
            "Your cart",
            "Get 12% off orders of $200+ with code HEAR12, ends at midnight on 3/14.",
            ("percent", 12.0, "HEAR12", datetime(2027, 3, 14, 23, 59, 59, tzinfo=CET)),
        ),
        (
            "Your cart",
            "Psst, use FREESHIP for free standard shipping on this order.",
            ("free_shipping", None, "FREESHIP", None),
        ),
        (
            "Votre panier",
            "Un cadeau vous attend : une trousse offerte avant le 14 mars.",
            ("gift", None, None, datetime(2027, 3, 14, 23, 59, 59, tzinfo=CET)),
        ),
        (
            "Pâques",
            "Pour toute commande, nous vous offrons un ballotin de pralinés.",
            ("gift", None, None, None),
        ),
    ],
)
def test_probe_offers(subject: str, body: str, want: tuple) -> None:
    offer = extract_offer_from_text(subject, body, SENT, tz=CET, month_first=True)
    assert offer is not None
    expires = offer.expires_at.astimezone(UTC) if offer.expires_at else None
    want_expires = want[3].astimezone(UTC) if want[3] else None
    assert (offer.type, offer.value, offer.code, expires) == (*want[:3], want_expires)
