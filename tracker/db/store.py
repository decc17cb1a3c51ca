"""Idempotent writes (`save_*`) and reads (`load_*`) of the private store.

Writes are upserts on natural keys through the dialect's ON CONFLICT, which
SQLite and PostgreSQL share, so two importers racing on one store cannot
duplicate a retailer or a message. Callers own the transaction: a batch of
messages and the sync cursor covering it are committed together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Select, Table, func, select
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    ProgrammingError,
    StatementError,
)
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.db.bounds import fit_row, outside_window
from tracker.db.engine import describe_db_error, savepoint
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


@dataclass(frozen=True)
class Refused:
    """A record the store refused even after `fit_row`; the batch goes on without it.

    `recorded`: the store holds an error row for it instead (key, source and
    "not stored: ..." only), so `messages` shows it and a rerun counts it as
    a duplicate; False when even that row was refused.
    """

    source: str
    key: str
    error: str  # one line, no SQL and no values (see describe_db_error)
    recorded: bool = False


@dataclass
class SaveCounts:
    new: int = 0
    duplicate: int = 0
    errors: int = 0
    refused: list[Refused] = field(default_factory=list)

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.duplicate += other.duplicate
        self.errors += other.errors
        self.refused.extend(other.refused)


def save_retailers(session: Session, refs: Iterable[RetailerRef]) -> dict[str, int]:
    """Upsert retailers by domain; returns {domain: id}. Existing names are kept.

    The keys are the domains as given, even when one had to be shortened to fit
    the store (`fit_row`).
    """
    table = Retailer.__table__
    stored: dict[str, str] = {}  # given domain -> domain as stored
    rows: dict[str, dict] = {}
    for ref in refs:
        row = fit_row(table, {"domain": ref.domain, "name": ref.name})
        stored[ref.domain] = row["domain"]
        rows.setdefault(row["domain"], row)
    if not rows:
        return {}
    stmt = dialect_insert(session, table).on_conflict_do_nothing(index_elements=["domain"])
    session.execute(stmt, list(rows.values()))
    found = session.execute(
        select(Retailer.domain, Retailer.id).where(Retailer.domain.in_(list(rows)))
    )
    ids = {domain: pk for domain, pk in found}
    return {given: ids[domain] for given, domain in stored.items() if domain in ids}


def save_records(session: Session, records: list[MessageRecord], contributor: str) -> SaveCounts:
    """Store a batch of records; a key already stored (or repeated) counts as duplicate.

    Values are bounded first (`fit_row`), so every backend stores the same rows.
    Should the store still refuse the batch, each record is tried on its own;
    one it refuses is stored as an error row (key, source, error) if it can be,
    and returned in `SaveCounts.refused` with one line of error, so one message
    never blocks the rest of the batch, nor the sync cursor committed with it.
    Errors no row causes (full disk, lost connection) are raised. Runs in the
    caller's transaction.
    """
    counts = SaveCounts()
    unique: dict[str, MessageRecord] = {}
    for rec in records:
        if rec.key in unique:
            counts.duplicate += 1
        else:
            unique[rec.key] = rec
    if not unique:
        return counts
    try:
        with savepoint(session):
            inserted = _insert_records(session, list(unique.values()), contributor)
    except StatementError as exc:
        _raise_unless_about_a_row(exc)
        inserted = {}
        for rec in unique.values():
            try:
                with savepoint(session):
                    inserted.update(_insert_records(session, [rec], contributor))
            except StatementError as row_exc:
                _raise_unless_about_a_row(row_exc)
                refused, pk = _record_refusal(session, rec, contributor, describe_db_error(row_exc))
                counts.refused.append(refused)
                if pk is not None:
                    inserted[rec.key] = pk
    refused_keys = {r.key for r in counts.refused}
    counts.new += len(inserted)
    counts.duplicate += len(unique) - len(inserted) - sum(not r.recorded for r in counts.refused)
    counts.errors += len(refused_keys)
    counts.errors += sum(1 for key in inserted if unique[key].error and key not in refused_keys)
    return counts


def _record_refusal(
    session: Session, rec: MessageRecord, contributor: str, error: str
) -> tuple[Refused, int | None]:
    """Store `rec` as an error row with none of its content.

    Returns the Refused and the new row's id (None when the error row was
    already there from an earlier run, or could not be stored either).
    """
    table = Message.__table__
    row = {
        "key": rec.key,
        "content_hash": rec.content_hash,
        "source": rec.source,
        "contributor": contributor,
        "error": f"not stored: {error}",
        "imported_at": datetime.now().astimezone(),
    }
    stmt = (
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    try:
        with savepoint(session):
            pk = session.execute(stmt, fit_row(table, row)).scalar()
    except StatementError as exc:
        _raise_unless_about_a_row(exc)
        return Refused(rec.source, rec.key, error), None
    return Refused(rec.source, rec.key, error, recorded=True), pk


def _raise_unless_about_a_row(exc: StatementError) -> None:
    """Re-raise what no single row causes: a full disk, a read-only or locked
    store, a lost connection stop the run (one line from the CLI) instead of
    being recorded against every message of the batch."""
    if isinstance(exc, DBAPIError) and not isinstance(exc, _ROW_ERRORS):
        raise exc


# What the store says about one row's values (too long, constraint, trigger).
_ROW_ERRORS = (DataError, IntegrityError, ProgrammingError)


def _insert_records(
    session: Session, records: list[MessageRecord], contributor: str
) -> dict[str, int]:
    """Insert the messages and their offers; returns {record key: id} of the new ones."""
    retailer_ids = save_retailers(session, (r.retailer for r in records if r.retailer))
    table = Message.__table__
    rows = [fit_row(table, _message_row(rec, contributor, retailer_ids)) for rec in records]
    stored_key = {row["key"]: rec.key for row, rec in zip(rows, records, strict=True)}
    stmt = (
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id, table.c.key)
    )
    inserted: dict[str, int] = {}
    if session.get_bind().dialect.insert_executemany_returning:
        # One statement per batch (SQLAlchemy's "insertmanyvalues"); rows that hit
        # the conflict return nothing, so what comes back is what this call stored.
        for got in session.execute(stmt, rows):
            inserted[stored_key[got.key]] = got.id
    else:  # a driver without executemany RETURNING: one row at a time
        for row in rows:
            one = session.execute(stmt, row).first()
            if one is not None:
                inserted[stored_key[one.key]] = one.id
    by_key = {rec.key: rec for rec in records}
    offers = [
        fit_row(Offer.__table__, _offer_row(offer, pk))
        for key, pk in inserted.items()
        if (offer := by_key[key].offer)
    ]
    if offers:
        session.execute(Offer.__table__.insert(), offers)
    return inserted


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
    """Log a left cart; returns (cart id, created). The same cart twice is one cart.

    Raises OutOfWindow (a StoreError) for a `left_at` outside `bounds.EARLIEST`
    to `bounds.LATEST`.
    """
    retailer_id = save_retailers(session, [retailer])[retailer.domain]
    stmt = (
        dialect_insert(session, Cart.__table__)
        .on_conflict_do_nothing(index_elements=["contributor", "retailer_id", "left_at"])
        .returning(Cart.__table__.c.id)
    )
    row = fit_row(
        Cart.__table__,
        {
            "contributor": contributor,
            "retailer_id": retailer_id,
            "left_at": left_at,
            "value": value,
            "currency": currency,
            "created_at": datetime.now().astimezone(),
        },
    )
    created = session.execute(stmt, row).scalar()
    if created is not None:
        return created, True
    cart_id = session.execute(
        select(Cart.id).where(
            Cart.contributor == row["contributor"],
            Cart.retailer_id == retailer_id,
            Cart.left_at == left_at,
        )
    ).scalar_one()
    return cart_id, False


def count_out_of_window(session: Session) -> dict[str, int]:
    """Stored carts and messages dated outside the window, which the analysis skips.

    Entry bounds every time now (`fit_row`), but a store written before, or by
    another tool, may hold a year 3026; {"carts": 1, "messages": 0} lets a
    command say what it left out instead of failing on it.
    """
    carts = session.scalar(
        select(func.count()).select_from(Cart).where(outside_window(Cart.left_at))
    )
    messages = session.scalar(
        select(func.count()).select_from(Message).where(outside_window(Message.sent_at))
    )
    return {"carts": carts or 0, "messages": messages or 0}


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
