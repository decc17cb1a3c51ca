"""Idempotent writes (`save_*`) and reads (`load_*`) of the private store.

Writes are upserts on natural keys through the dialect's ON CONFLICT, which
SQLite and PostgreSQL share, so two importers racing on one store cannot
duplicate a retailer or a message. Callers own the transaction: a batch of
messages and the sync cursor covering it are committed together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.db.models import Cart, Message, Offer, Retailer
from tracker.records import MessageRecord, OfferInfo, RetailerRef

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite


def dialect_insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT that knows ON CONFLICT (SQLite or PostgreSQL)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    # other backends need their own upsert
    raise NotImplementedError(f"no upsert for the {name} dialect")  # pragma: no cover


@dataclass
class SaveCounts:
    new: int = 0
    duplicate: int = 0
    errors: int = 0

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.duplicate += other.duplicate
        self.errors += other.errors


def save_retailers(session: Session, refs: Iterable[RetailerRef]) -> dict[str, int]:
    """Upsert retailers by domain; returns {domain: id}. Existing names are kept."""
    by_domain = {ref.domain: ref for ref in refs}
    if not by_domain:
        return {}
    stmt = dialect_insert(session, Retailer.__table__).on_conflict_do_nothing(
        index_elements=["domain"]
    )
    session.execute(stmt, [{"domain": d, "name": r.name} for d, r in by_domain.items()])
    rows = session.execute(
        select(Retailer.domain, Retailer.id).where(Retailer.domain.in_(list(by_domain)))
    )
    return {domain: pk for domain, pk in rows}


def save_records(session: Session, records: list[MessageRecord], contributor: str) -> SaveCounts:
    """Store a batch of records; a key already stored (or repeated) counts as duplicate."""
    counts = SaveCounts()
    unique: dict[str, MessageRecord] = {}
    for rec in records:
        if rec.key in unique:
            counts.duplicate += 1
        else:
            unique[rec.key] = rec
    if not unique:
        return counts
    retailer_ids = save_retailers(session, (r.retailer for r in unique.values() if r.retailer))
    rows = [_message_row(rec, contributor, retailer_ids) for rec in unique.values()]
    stmt = (
        dialect_insert(session, Message.__table__)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Message.__table__.c.id, Message.__table__.c.key)
    )
    inserted: dict[str, int] = {}
    if session.get_bind().dialect.insert_executemany_returning:
        # One statement per batch (SQLAlchemy's "insertmanyvalues"); rows that hit
        # the conflict return nothing, so what comes back is what this call stored.
        for got in session.execute(stmt, rows):
            inserted[got.key] = got.id
    else:  # a driver without executemany RETURNING: one row at a time
        for row in rows:
            one = session.execute(stmt, row).first()
            if one is not None:
                inserted[one.key] = one.id
    offers = [_offer_row(offer, pk) for key, pk in inserted.items() if (offer := unique[key].offer)]
    if offers:
        session.execute(Offer.__table__.insert(), offers)
    counts.new += len(inserted)
    counts.duplicate += len(unique) - len(inserted)
    counts.errors += sum(1 for key in inserted if unique[key].error)
    return counts


def _message_row(rec: MessageRecord, contributor: str, retailer_ids: dict[str, int]) -> dict:
    return {
        "key": rec.key,
        "message_id": rec.message_id,
        "content_hash": rec.content_hash,
        "source": rec.source,
        "contributor": contributor,
        "retailer_id": retailer_ids.get(rec.retailer.domain) if rec.retailer else None,
        "sender_domain": rec.sender_domain,
        "subject": rec.subject,
        "sent_at": rec.sent_at,
        "kind": rec.kind,
        "confidence": rec.confidence,
        "error": rec.error,
        "imported_at": datetime.now().astimezone(),
    }


def _offer_row(offer: OfferInfo, message_pk: int) -> dict:
    return {
        "message_pk": message_pk,
        "type": offer.type,
        "value": offer.value,
        "currency": offer.currency,
        "min_spend": offer.min_spend,
        "code": offer.code,
        "code_kind": offer.code_kind,
        "expires_at": offer.expires_at,
    }


def save_cart(
    session: Session,
    retailer: RetailerRef,
    left_at: datetime,
    contributor: str,
    value: float | None = None,
    currency: str | None = None,
) -> tuple[int, bool]:
    """Log a left cart; returns (cart id, created). The same cart twice is one cart."""
    retailer_id = save_retailers(session, [retailer])[retailer.domain]
    stmt = (
        dialect_insert(session, Cart.__table__)
        .on_conflict_do_nothing(index_elements=["contributor", "retailer_id", "left_at"])
        .returning(Cart.__table__.c.id)
    )
    created = session.execute(
        stmt,
        {
            "contributor": contributor,
            "retailer_id": retailer_id,
            "left_at": left_at,
            "value": value,
            "currency": currency,
            "created_at": datetime.now().astimezone(),
        },
    ).scalar()
    if created is not None:
        return created, True
    cart_id = session.execute(
        select(Cart.id).where(
            Cart.contributor == contributor,
            Cart.retailer_id == retailer_id,
            Cart.left_at == left_at,
        )
    ).scalar_one()
    return cart_id, False


def messages_query(retailer: str | None = None, kind: str | None = None) -> Select:
    stmt = select(Message).options(joinedload(Message.retailer), selectinload(Message.offer))
    if retailer:
        stmt = stmt.join(Message.retailer).where(Retailer.domain == retailer)
    if kind:
        stmt = stmt.where(Message.kind == kind)
    return stmt.order_by(Message.sent_at, Message.id)


def load_records(
    session: Session, retailer: str | None = None, kind: str | None = None
) -> Iterator[MessageRecord]:
    """Stored messages as records, oldest first, streamed in chunks."""
    stmt = messages_query(retailer, kind).execution_options(yield_per=500)
    for msg in session.scalars(stmt):
        yield _record_from_row(msg)


def _record_from_row(msg: Message) -> MessageRecord:
    offer = None
    if msg.offer is not None:
        o = msg.offer
        offer = OfferInfo(
            o.type, o.value, o.currency, o.min_spend, o.code, o.expires_at, o.code_kind
        )
    return MessageRecord(
        source=msg.source,
        key=msg.key,
        content_hash=msg.content_hash,
        message_id=msg.message_id,
        sent_at=msg.sent_at,
        subject=msg.subject,
        sender_domain=msg.sender_domain,
        retailer=RetailerRef(msg.retailer.domain, msg.retailer.name) if msg.retailer else None,
        kind=msg.kind,
        confidence=msg.confidence,
        offer=offer,
        error=msg.error,
    )
