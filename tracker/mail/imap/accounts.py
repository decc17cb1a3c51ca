"""Remembered IMAP accounts: what `darkpool sync` with no arguments re-syncs.

An account is a (host, user): stored without its password (`imap_accounts`),
whatever its port or security, so switching --starttls to --tls keeps its
cursors. The secret comes at each run from `tracker.mail.imap.credentials`.
`resolve_accounts` merges what the command line gives with what was
remembered; `forget_account` removes one with its cursors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracker.db.models import ImapAccount, SyncProblem, SyncState
from tracker.errors import SyncError
from tracker.mail.imap.client import AUTH_METHODS, ServerConfig

# The login method rides in the security column ("tls+oauth2"), so an OAuth2
# account re-syncs as one without a schema change.
_AUTH_SEP = "+"


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
    auth: str = "password"  # or "oauth2"

    @property
    def name(self) -> str:
        return f"{self.user}@{self.host}"

    def server(self, timeout: float = 60.0) -> ServerConfig:
        return ServerConfig(
            self.host, self.user, self.port, self.security, self.cafile, timeout, self.auth
        )


def remember_account(session: Session, account: Account) -> int:
    """Insert or update the account on (host, user), whatever port it used before; its id."""
    values = {
        "host": account.host,
        "port": account.server().effective_port,
        "username": account.user,
        "security": _security_column(account),
        "folders": "\n".join(account.folders),
        "contributor": account.contributor,
        "cafile": account.cafile,
        "since": account.since,
    }
    row = _find_row(session, account.host, account.user)
    if row is None:
        row = ImapAccount(**values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return row.id


def forget_account(session: Session, name: str) -> Account:
    """Remove the account `user@host` (or `host` alone, when it has one account) and
    its sync cursors and problems; SyncError when it is not remembered."""
    user, _, host = name.rpartition("@")
    rows = [
        r
        for r in session.scalars(select(ImapAccount).where(ImapAccount.host == host))
        if not user or r.username == user
    ]
    if len(rows) != 1:
        known = ", ".join(a.name for a in load_accounts(session)) or "none"
        what = "several accounts match" if rows else "no remembered account"
        raise SyncError(f"{what} {name}; remembered: {known}")
    (row,) = rows
    forgotten = _account(row)
    for table in (SyncState, SyncProblem):
        session.execute(delete(table).where(table.account_id == row.id))
    session.delete(row)
    return forgotten


def _find_row(session: Session, host: str, user: str) -> ImapAccount | None:
    query = select(ImapAccount).where(ImapAccount.host == host, ImapAccount.username == user)
    return session.scalars(query.order_by(ImapAccount.id)).first()


def _security_column(account: Account) -> str:
    if account.auth == "password":
        return account.security
    return f"{account.security}{_AUTH_SEP}{account.auth}"


def _account(r: ImapAccount) -> Account:
    security, _, auth = r.security.partition(_AUTH_SEP)
    return Account(
        r.host,
        r.username,
        r.port,
        security,
        _folders(r.folders),
        r.contributor,
        r.cafile,
        r.since,
        auth if auth in AUTH_METHODS else "password",
    )


def load_accounts(session: Session) -> list[Account]:
    """Every remembered account, in the order they were added."""
    return [_account(r) for r in session.scalars(select(ImapAccount).order_by(ImapAccount.id))]


def find_account(session: Session, host: str, user: str) -> Account | None:
    """The remembered account for user@host, if any."""
    row = _find_row(session, host, user)
    return _account(row) if row is not None else None


def _folders(text: str) -> tuple[str, ...]:
    return tuple(f for f in text.split("\n") if f) or ("INBOX",)


def resolve_accounts(
    session: Session,
    host: str | None,
    user: str | None,
    *,
    port: int | None = None,
    folders: tuple[str, ...] = (),
    security: str | None = None,
    auth: str | None = None,
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
    known = find_account(session, host, user)
    same_security = known is not None and security in (None, known.security)
    account = Account(
        host=host,
        user=user,
        # a new --tls/--starttls without --port means that security's default port
        port=port or (known.port if known and same_security else None),
        security=security or (known.security if known else "tls"),
        auth=auth or (known.auth if known else "password"),
        folders=tuple(folders) or (known.folders if known else ("INBOX",)),
        contributor=contributor or (known.contributor if known else default_contributor),
        cafile=known.cafile if known else None,
        since=known.since if known else None,
    )
    return [replace(account, **given)]
