"""Remembered IMAP accounts: what `darkpool sync` with no arguments re-syncs.

An account is stored without its password (`imap_accounts`); the password
comes from $DARKPOOL_IMAP_PASSWORD or ~/.netrc at each run (or a prompt, in
the CLI). `resolve_accounts` merges what the command line gives with what was
remembered.
"""

from __future__ import annotations

import netrc
import os
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.config import ENV_IMAP_PASSWORD
from tracker.db.models import ImapAccount
from tracker.db.store import dialect_insert
from tracker.errors import SyncError
from tracker.mail.imap.client import ServerConfig


@dataclass(frozen=True)
class Account:
    """A mailbox to sync (remembered in `imap_accounts`, without password)."""

    host: str
    user: str
    port: int | None = None
    security: str = "tls"
    folders: tuple[str, ...] = ("INBOX",)
    contributor: str = "me"
    cafile: str | None = None  # trust this CA (PEM) instead of the system's
    since: date | None = None  # never fetch mail received before this day

    def server(self, timeout: float = 60.0) -> ServerConfig:
        return ServerConfig(self.host, self.user, self.port, self.security, self.cafile, timeout)


def remember_account(session: Session, account: Account) -> int:
    """Upsert the account on (host, port, user); returns its id."""
    port = account.server().effective_port
    values = {
        "host": account.host,
        "port": port,
        "username": account.user,
        "security": account.security,
        "folders": "\n".join(account.folders),
        "contributor": account.contributor,
        "cafile": account.cafile,
        "since": account.since,
    }
    stmt = dialect_insert(session, ImapAccount.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["host", "port", "username"],
        set_={
            k: stmt.excluded[k] for k in ("security", "folders", "contributor", "cafile", "since")
        },
    )
    session.execute(stmt, values)
    return session.execute(
        select(ImapAccount.id).where(
            ImapAccount.host == account.host,
            ImapAccount.port == port,
            ImapAccount.username == account.user,
        )
    ).scalar_one()


def load_accounts(session: Session) -> list[Account]:
    """Every remembered account, in the order they were added."""
    rows = session.scalars(select(ImapAccount).order_by(ImapAccount.id))
    return [
        Account(
            r.host,
            r.username,
            r.port,
            r.security,
            _folders(r.folders),
            r.contributor,
            r.cafile,
            r.since,
        )
        for r in rows
    ]


def find_account(session: Session, host: str, user: str, port: int | None = None) -> Account | None:
    """The remembered account for host/user (and port, when given), if any."""
    return next(
        (
            a
            for a in load_accounts(session)
            if a.host == host and a.user == user and (port is None or a.port == port)
        ),
        None,
    )


def _folders(text: str) -> tuple[str, ...]:
    return tuple(f for f in text.split("\n") if f) or ("INBOX",)


def find_password(host: str, user: str) -> str | None:
    """$DARKPOOL_IMAP_PASSWORD, else the ~/.netrc entry for `host`, else None."""
    value = os.environ.get(ENV_IMAP_PASSWORD)
    if value:
        return value
    path = os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.exists(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except netrc.NetrcParseError as exc:  # its message may quote a token: keep it out
        raise SyncError(
            f"cannot use {exc.filename} (line {exc.lineno}); fix or remove it"
        ) from None
    except OSError as exc:
        raise SyncError(f"cannot read {path}: {exc.strerror}") from None
    if entry and entry[2] and entry[0] in (None, "", user):
        return entry[2]
    return None


def resolve_accounts(
    session: Session,
    host: str | None,
    user: str | None,
    *,
    port: int | None = None,
    folders: tuple[str, ...] = (),
    security: str | None = None,
    contributor: str | None = None,
    default_contributor: str = "me",
    given: dict[str, Any] | None = None,
) -> list[Account]:
    """The accounts to sync: the one named, or every remembered one.

    What is `given` on the command line (CA file, since) replaces what was
    remembered; what is not given keeps the remembered value. Raises SyncError
    when nothing is named and nothing is remembered.
    """
    given = {k: v for k, v in (given or {}).items() if v is not None}
    if host is None or user is None:
        accounts = load_accounts(session)
        if not accounts:
            raise SyncError(
                "no remembered IMAP account; run once with --host and --user "
                "(see darkpool sync --help)"
            )
        return [replace(account, **given) for account in accounts]
    known = find_account(session, host, user, port)
    account = Account(
        host=host,
        user=user,
        port=port or (known.port if known else None),
        security=security or (known.security if known else "tls"),
        folders=tuple(folders) or (known.folders if known else ("INBOX",)),
        contributor=contributor or (known.contributor if known else default_contributor),
        cafile=known.cafile if known else None,
        since=known.since if known else None,
    )
    return [replace(account, **given)]
