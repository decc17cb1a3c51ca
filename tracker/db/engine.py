"""Engines, sessions and migrations for any SQLAlchemy URL.

SQLite gets WAL, a busy timeout and foreign keys; other backends get their
defaults. `init_store` runs the Alembic migrations, so tests and users build
the schema the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, StatementError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from tracker.config import PRIVATE_FILE_MODE, safe_url
from tracker.errors import StoreError, one_line

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
        raise StoreError(f"not a database URL: {safe_url(url)!r}") from exc
    kwargs: dict = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not parsed.query.get("mode"):
            _create_private(Path(database).expanduser())
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_MS / 1000}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, ArgumentError) as exc:
        raise StoreError(f"cannot use database {safe_url(url)}: {one_line(exc)}") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _create_private(path: Path) -> None:
    """Create a missing SQLite store as 0600, whatever the umask; tighten an existing one.

    SQLite gives its -wal and -shm files the mode of the database file, so
    they are private too. A store its owner's older darkpool left readable by
    others (0644) is made 0600 with its -wal and -shm; a file of another
    user's is left alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            _tighten(each)
        return
    except OSError:  # a read-only or full disk, no permission: SQLite's error says it
        return
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)  # the umask only ever removes bits; be exact
    finally:
        os.close(fd)


def _tighten(path: Path) -> None:
    try:
        info = path.stat()
        if info.st_uid == os.geteuid() and info.st_mode & 0o077 and path.is_file():
            path.chmod(info.st_mode & 0o700)
    except OSError:  # gone, or on a filesystem that keeps its own modes
        pass


def savepoint(session: Session) -> SessionTransaction:
    """`session.begin_nested()` that stays inside the caller's transaction on SQLite too.

    The sqlite3 module opens its transaction lazily, at the first INSERT; a
    SAVEPOINT sent before that opens one itself, and releasing it commits,
    so a batch would be committed apart from the sync cursor meant to go
    with it. Opening the transaction first keeps the savepoint nested.
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not getattr(dbapi, "in_transaction", True):
            conn.exec_driver_sql("BEGIN")
    return session.begin_nested()


# What the SQLite and PostgreSQL drivers say -> what it means for the user.
_HINTS = (
    ("database is locked", "the database is locked by another process; try again"),
    ("database or disk is full", "the disk is full"),
    ("no space left", "the disk is full"),
    ("readonly database", "the database is read-only"),
    ("read-only", "the database is read-only"),
    ("file is not a database", "the file is corrupt or not a database"),
    ("malformed", "the database file is corrupt"),
    ("unable to open database file", "cannot open the database file"),
    ("disk i/o error", "the disk failed to read or write"),
    ("connection", "cannot reach the database server"),
    ("could not translate host name", "cannot reach the database server"),
    ("password authentication failed", "the database server refused the login"),
)


def describe_db_error(exc: BaseException) -> str:
    """One line for a database error: the driver's first line, never SQL or values.

    SQLAlchemy's own message quotes the statement and its parameters (subjects,
    sources, the contributor) and PostgreSQL's adds DETAIL lines with the
    offending values, so only the first line of the driver's message is kept.

    >>> describe_db_error(Exception("database is locked"))
    'the database is locked by another process; try again (database is locked)'
    """
    orig = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    first = one_line(orig) or type(orig).__name__
    lower = first.lower()
    for needle, hint in _HINTS:
        if needle in lower:
            return f"{hint} ({first})"
    return first


def store_error(engine: Engine, exc: BaseException) -> StoreError:
    """'cannot open the store URL: reason', the URL with its password masked."""
    url = engine.url.render_as_string(hide_password=True)
    return StoreError(f"cannot open the store {url}: {describe_db_error(exc)}{_where(engine)}")


def _where(engine: Engine) -> str:
    """'; its filesystem is read-only' when that is why SQLite cannot open the file.

    A WAL store needs its -shm beside it even to be read, so SQLite only says
    "unable to open database file" there.
    """
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database.startswith("file:"):
        return ""
    try:
        flags = os.statvfs(Path(database).expanduser().parent).f_flag
    except OSError:
        return ""
    return "; its filesystem is read-only" if flags & os.ST_RDONLY else ""


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
    except DBAPIError as exc:
        raise store_error(engine, exc) from exc


# The newest migration's revision. Checking it with one SELECT spares every
# command Alembic's import and script loading (a third of a re-sync's start-up);
# tests/integration/test_store.py holds it equal to Alembic's own head.
SCHEMA_HEAD = "0003"


def ensure_store(engine: Engine) -> None:
    """Migrate a store that is missing or out of date, so every command just works."""
    try:
        current = schema_revision(engine)
    except DBAPIError as exc:
        raise store_error(engine, exc) from exc
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
