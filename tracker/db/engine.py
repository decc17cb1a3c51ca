"""Engines, sessions and migrations for any SQLAlchemy URL.

SQLite gets WAL, a busy timeout and foreign keys; other backends get their
defaults. `init_store` runs the Alembic migrations, so tests and users build
the schema the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_MS = 30_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; raises StoreError for a malformed URL or missing driver."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, ArgumentError) as exc:
        raise StoreError(f"cannot use database {parsed.render_as_string()}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine) -> Config:
    """An Alembic Config bound to `engine` (used by init and by the drift test)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def init_store(engine: Engine) -> str:
    """Create or upgrade the schema to the newest migration; returns the revision."""
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), "head")
        return schema_revision(engine) or ""
    except OperationalError as exc:
        raise StoreError(f"cannot open the store: {exc.orig}") from exc


# The newest migration's revision. Checking it with one SELECT spares every
# command Alembic's import and script loading (a third of a re-sync's start-up);
# tests/integration/test_store.py holds it equal to Alembic's own head.
SCHEMA_HEAD = "0003"


def ensure_store(engine: Engine) -> None:
    """Migrate a store that is missing or out of date, so every command just works."""
    try:
        current = schema_revision(engine)
    except OperationalError as exc:
        raise StoreError(f"cannot open the store: {exc.orig}") from exc
    if current != SCHEMA_HEAD:
        init_store(engine)


def schema_revision(engine: Engine) -> str | None:
    """The store's migration revision, or None for a store never initialised."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for `engine`; `with factory.begin() as session:` is one transaction."""
    return sessionmaker(engine, expire_on_commit=False)
