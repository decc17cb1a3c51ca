"""Plain dataclasses passed between the layers; no DB, no I/O.

`MessageRecord.to_json()` is the `parse --jsonl` / `messages --jsonl` schema of
docs/design.md. The store converts records to rows and back; parsing never sees a
row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("abandoned_cart", "browse_abandonment", "promotion", "transactional", "other")
OFFER_TYPES = ("percent", "amount", "free_shipping", "gift")


@dataclass(frozen=True)
class RetailerRef:
    domain: str
    name: str

    def to_json(self) -> dict[str, Any]:
        return {"domain": self.domain, "name": self.name}


@dataclass(frozen=True)
class OfferInfo:
    """A discount made to one shopper. `value` is a percent or an amount."""

    type: str
    value: float | None = None
    currency: str | None = None
    min_spend: float | None = None
    code: str | None = None
    expires_at: datetime | None = None
    code_kind: str | None = None  # "shared" | "single_use" | None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "value": self.value,
            "currency": self.currency,
            "min_spend": self.min_spend,
            "code": self.code,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


@dataclass(frozen=True)
class RawMail:
    """Bytes of one message plus where it came from.

    `fallback_time` is the source's own time (mbox From_ line, Maildir/.eml
    mtime, IMAP INTERNALDATE) used when the Date header is missing or broken.
    """

    source: str
    data: bytes
    fallback_time: datetime | None = None
    # Set by a source that knows the bytes are damaged (e.g. the last message
    # of a truncated mbox); the pipeline records it as the message's error.
    error: str | None = None


@dataclass
class MessageRecord:
    """Everything darkpool learns from one message."""

    source: str
    key: str
    content_hash: str
    message_id: str | None = None
    sent_at: datetime | None = None
    subject: str | None = None
    sender_domain: str | None = None
    retailer: RetailerRef | None = None
    kind: str | None = None
    confidence: float | None = None
    offer: OfferInfo | None = None
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "message_id": self.message_id,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "retailer": self.retailer.to_json() if self.retailer else None,
            "kind": self.kind,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "offer": self.offer.to_json() if self.offer else None,
            "error": self.error,
        }
