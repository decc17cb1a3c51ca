"""Accuracy of the whole mail pipeline on the labelled corpus (tests/fixtures/mail).

Prints kind accuracy, abandoned-cart precision/recall, offer exact-match rate
and retailer-domain accuracy, with a list of every miss, and asserts floors.
The corpus is labelled by the rules in its README; nothing here is tuned to a
single message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import FIXTURES
from scoring import cart_precision_recall, got_domain, got_offer, print_misses, want_offer

from tracker.records import MessageRecord, RawMail

CORPUS = FIXTURES / "mail"
FLOOR = 0.90


def _raw_mails() -> list[RawMail]:
    try:
        from tracker.mail.files import iter_raw_mail
    except ImportError:
        return [RawMail(source=str(p), data=p.read_bytes()) for p in sorted(CORPUS.glob("*.eml"))]
    return list(iter_raw_mail([CORPUS]))


def _process(raw: RawMail) -> MessageRecord:
    """The real pipeline when mail-core's is there, else parse + understanding."""
    try:
        from tracker.mail.pipeline import process_mail
    except ImportError:
        process_mail = None
    if process_mail is not None:
        return process_mail(raw)
    parse = pytest.importorskip("tracker.mail.parse")
    from tracker.mail.classify import classify_message
    from tracker.mail.offer import extract_offer
    from tracker.mail.retailer import extract_retailer

    mail = parse.parse_mail(raw)
    retailer = extract_retailer(mail)
    kind, confidence = classify_message(mail, retailer)
    return MessageRecord(
        source=raw.source,
        key=raw.source,
        content_hash="",
        sent_at=mail.sent_at,
        retailer=retailer,
        kind=kind,
        confidence=confidence,
        offer=extract_offer(mail, kind),
    )


@pytest.fixture(scope="module")
def results() -> list[tuple[str, dict, MessageRecord]]:
    labels = json.loads((CORPUS / "labels.json").read_text("utf-8"))
    out = []
    for raw in _raw_mails():
        name = Path(raw.source.split("#")[0]).name
        if name in labels:
            out.append((name, labels[name], _process(raw)))
    assert len(out) == len(labels), "every labelled message is read"
    return out


def test_accuracy(results) -> None:
    n = len(results)
    kind_ok = sum(rec.kind == lab["kind"] for _, lab, rec in results)
    offer_ok = sum(got_offer(rec) == want_offer(lab) for _, lab, rec in results)
    domain_ok = sum(got_domain(rec) == lab["retailer"] for _, lab, rec in results)
    precision, recall = cart_precision_recall(results)

    print(f"\nmail corpus: {n} messages")
    print(f"kind accuracy        {kind_ok / n:.3f} ({kind_ok}/{n})")
    print(f"cart precision       {precision:.3f}   recall {recall:.3f}")
    print(f"offer exact match    {offer_ok / n:.3f} ({offer_ok}/{n})")
    print(f"retailer domain      {domain_ok / n:.3f} ({domain_ok}/{n})")
    print_misses(results)

    assert kind_ok / n >= FLOOR
    assert precision >= FLOOR and recall >= FLOOR
    assert offer_ok / n >= FLOOR
    assert domain_ok / n >= FLOOR


def test_confidence_in_range(results) -> None:
    assert all(0.0 <= rec.confidence <= 1.0 for _, _, rec in results if rec.confidence is not None)


def test_no_offer_outside_offer_kinds(results) -> None:
    for name, _, rec in results:
        if rec.kind in ("transactional", "other"):
            assert rec.offer is None, name
