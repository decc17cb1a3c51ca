"""Typed SQLAlchemy 2.0 models of the private store.

Every table has a natural key with a unique constraint, so every write can be an
upsert and every import is idempotent. Times are stored as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import ClassVar

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no timezone type, so values are normalised to UTC and stored
    naive; reading them back re-attaches UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused by the store: {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # every model maps a Table (DeclarativeBase only promises a FromClause)
    __table__: ClassVar[Table]


class Retailer(Base):
    __tablename__ = "retailers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(8))


class Message(Base):
    """One mail message; `key` is the Message-ID, else a hash of the content."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(998))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(Text)
    contributor: Mapped[str] = mapped_column(String(255), index=True)
    retailer_id: Mapped[int | None] = mapped_column(ForeignKey("retailers.id"), index=True)
    sender_domain: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str | None] = mapped_column(String(32), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    retailer: Mapped[Retailer | None] = relationship()
    offer: Mapped[Offer | None] = relationship(back_populates="message", uselist=False)


class Offer(Base):
    """The discount one message made to its shopper (at most one per message)."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    min_spend: Mapped[float | None] = mapped_column(Float)
    code: Mapped[str | None] = mapped_column(String(128))
    code_kind: Mapped[str | None] = mapped_column(String(16))  # shared | single_use
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[Message] = relationship(back_populates="offer")


class Cart(Base):
    """A cart the shopper logged as left (`darkpool cart add`)."""

    __tablename__ = "carts"
    __table_args__ = (UniqueConstraint("contributor", "retailer_id", "left_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contributor: Mapped[str] = mapped_column(String(255), index=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    left_at: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    retailer: Mapped[Retailer] = relationship()


class ImapAccount(Base):
    """A remembered IMAP account; never holds a password."""

    __tablename__ = "imap_accounts"
    __table_args__ = (UniqueConstraint("host", "port", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(255))
    security: Mapped[str] = mapped_column(String(16))  # tls | starttls | plain
    folders: Mapped[str] = mapped_column(Text, default="INBOX")  # newline-separated
    contributor: Mapped[str] = mapped_column(String(255))
    cafile: Mapped[str | None] = mapped_column(Text)  # absolute path of a trusted CA (PEM)
    since: Mapped[date | None] = mapped_column(Date)  # mail received before it is never fetched


class SyncState(Base):
    """How far one folder of one account has been synced."""

    __tablename__ = "sync_state"
    __table_args__ = (UniqueConstraint("account_id", "folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("imap_accounts.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(512))
    uidvalidity: Mapped[int | None] = mapped_column(Integer)
    last_uid: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncProblem(Base):
    """A message the server refused or that failed during sync, kept for review."""

    __tablename__ = "sync_problems"
    __table_args__ = (UniqueConstraint("account_id", "folder", "uidvalidity", "uid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("imap_accounts.id", ondelete="CASCADE"))
    folder: Mapped[str] = mapped_column(String(512))
    uidvalidity: Mapped[int] = mapped_column(Integer)
    uid: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CrawlSource(Base):
    """A start URL `darkpool crawl` visits by default."""

    __tablename__ = "crawl_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Page(Base):
    """A page the spiders read; its reports are replaced on every re-crawl."""

    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    status: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)


class Report(Base):
    """One shopper's public claim about a retailer's abandoned-cart discount."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("page_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))  # hash of the report within its page
    retailer_id: Mapped[int | None] = mapped_column(ForeignKey("retailers.id"), index=True)
    retailer_name: Mapped[str | None] = mapped_column(String(255))
    offer_type: Mapped[str | None] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    value_max: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    wait_min: Mapped[float | None] = mapped_column(Float)
    wait_max: Mapped[float | None] = mapped_column(Float)
    # discount | reminder_only | nothing_sent | unspecified (spiders.items.OUTCOMES)
    outcome: Mapped[str] = mapped_column(
        String(16), default="unspecified", server_default="unspecified"
    )
    snippet: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    retailer: Mapped[Retailer | None] = relationship()
    page: Mapped[Page] = relationship()
