"""Scoring a labelled mail set: the one definition of "right" for every accuracy test.

A label is the JSON of tests/fixtures/mail/README.md: kind, retailer domain,
offer (type, value, currency, min_spend, code, expires_at) or null. An offer
is exactly right only when all six fields are.
"""

from __future__ import annotations

from tracker.records import MessageRecord

OFFER_FIELDS = ("type", "value", "currency", "min_spend", "code", "expires_at")
Scored = list[tuple[str, dict, MessageRecord]]


def got_offer(record: MessageRecord) -> dict | None:
    """The record's offer as the label's six fields, or None."""
    if record.offer is None:
        return None
    data = record.offer.to_json()
    return {k: data[k] for k in OFFER_FIELDS}


def want_offer(label: dict) -> dict | None:
    """The labelled offer's six fields, or None."""
    offer = label["offer"]
    return None if offer is None else {k: offer.get(k) for k in OFFER_FIELDS}


def got_domain(record: MessageRecord) -> str | None:
    return record.retailer.domain if record.retailer else None


def misses(label: dict, record: MessageRecord) -> list[str]:
    """What the record got wrong against its label, one phrase per field."""
    out = []
    if record.kind != label["kind"]:
        out.append(f"kind {label['kind']} -> {record.kind} ({record.confidence})")
    if got_offer(record) != want_offer(label):
        out.append(f"offer {want_offer(label)} -> {got_offer(record)}")
    if got_domain(record) != label["retailer"]:
        out.append(f"retailer {label['retailer']} -> {got_domain(record)}")
    return out


def cart_precision_recall(rows: Scored) -> tuple[float, float]:
    """Precision and recall of `abandoned_cart` (0.0 where nothing to divide)."""
    tp = sum(rec.kind == lab["kind"] == "abandoned_cart" for _, lab, rec in rows)
    predicted = sum(rec.kind == "abandoned_cart" for _, _, rec in rows)
    actual = sum(lab["kind"] == "abandoned_cart" for _, lab, _ in rows)
    return (tp / predicted if predicted else 0.0, tp / actual if actual else 0.0)


def print_misses(rows: Scored, tag: str = "") -> None:
    for name, lab, rec in rows:
        found = misses(lab, rec)
        if found:
            where = f" [{lab[tag]}]" if tag and tag in lab else ""
            print(f"  MISS {name}{where}: " + "; ".join(found))
