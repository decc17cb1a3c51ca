"""sync commands (see tracker/cli.py for the shared group and error handling)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.commands.support import pass_app
from tracker.config import ENV_IMAP_PASSWORD, contributor_default
from tracker.errors import DarkpoolError, SyncError

if TYPE_CHECKING:
    from tracker.mail.imap.accounts import Account
    from tracker.mail.imap.sync import SyncOptions

PLAIN_WARNING = (
    "Warning: --plain sends your password and mail unencrypted; "
    "use it only on loopback or a network you trust."
)


@click.command()
@click.option("--host", metavar="HOST", help="IMAP server, e.g. imap.gmail.com.")
@click.option("--port", type=int, metavar="PORT", help="Default: 993 (TLS) or 143.")
@click.option("--user", metavar="USER", help="Login name, usually your email address.")
@click.option(
    "--folder",
    "folders",
    multiple=True,
    metavar="F",
    help="Folder (repeatable). Default: INBOX, or the remembered folders.",
)
@click.option("--tls", "security", flag_value="tls", help="Implicit TLS (default).")
@click.option(
    "--starttls", "security", flag_value="starttls", help="Plain connection upgraded with STARTTLS."
)
@click.option(
    "--plain", "security", flag_value="plain", help="No encryption (loopback testing only)."
)
@click.option(
    "--cafile",
    type=click.Path(exists=True, dir_okay=False),
    help="Trust this CA (PEM) instead of the system's.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="Only mail received on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--all",
    "download_all",
    is_flag=True,
    help="Download personal mail too (default: only mail that looks commercial).",
)
@click.option(
    "--contributor",
    metavar="NAME",
    help="Whose mail this is. Default: $DARKPOOL_CONTRIBUTOR or 'me'.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=250,
    show_default=True,
    help="Messages downloaded and committed per transaction.",
)
@pass_app
def sync(
    app,
    host: str | None,
    port: int | None,
    user: str | None,
    folders: tuple[str, ...],
    security: str | None,
    cafile: str | None,
    since: datetime | None,
    download_all: bool,
    contributor: str | None,
    batch_size: int,
) -> None:
    """Import new retailer mail from IMAP servers, incrementally and read-only.

    The first run remembers the account (never the password), with its
    folders, --cafile and --since; `darkpool sync` with no arguments then
    re-syncs every remembered account, fetching only what arrived since.
    Headers are read first and only mail that looks commercial is downloaded.
    Nothing on the server is changed or marked read.

    The password comes from $DARKPOOL_IMAP_PASSWORD, else ~/.netrc
    ("machine HOST login USER password ..."), else a prompt.

    \b
    Examples:
      # Gmail: an app password (Google Account > Security > App passwords)
      darkpool sync --host imap.gmail.com --user you@gmail.com \\
          --folder "[Gmail]/All Mail"
      # Fastmail: an app password with IMAP access
      darkpool sync --host imap.fastmail.com --user you@fastmail.com
      # Self-hosted Dovecot with STARTTLS and its own CA, from a date on
      darkpool sync --host mail.example.org --starttls --cafile ca.pem \\
          --user you --since 2026-01-01
      # Later (cron): re-sync every remembered account
      darkpool sync
    """
    from tracker.mail.imap.sync import SyncOptions

    if bool(host) != bool(user):
        raise click.UsageError("give --host and --user together, or neither to re-sync all")
    options = SyncOptions(download_all=download_all, progress=None, batch_count=batch_size)
    given = {
        "cafile": str(Path(cafile).resolve()) if cafile else None,  # cron runs elsewhere
        "since": since.date() if since else None,
    }
    accounts = _accounts(app, host, port, user, folders, security, contributor, given)
    failed = 0
    for account in accounts:
        try:
            _sync_one(app, account, options)
        except DarkpoolError as exc:
            if len(accounts) == 1:
                raise
            failed += 1
            click.echo(f"Error: {account.user}@{account.host}: {exc}", err=True)
    if failed:
        sys.exit(1)


def _accounts(
    app,
    host: str | None,
    port: int | None,
    user: str | None,
    folders: tuple[str, ...],
    security: str | None,
    contributor: str | None,
    given: dict[str, Any],
) -> list[Account]:
    from tracker.db.engine import session_factory
    from tracker.mail.imap.accounts import resolve_accounts

    with session_factory(app.engine()).begin() as session:
        return resolve_accounts(
            session, host, user, port=port, folders=tuple(folders), security=security,
            contributor=contributor, default_contributor=contributor_default(), given=given,
        )  # fmt: skip


def _sync_one(app, account: Account, options: SyncOptions) -> None:
    from tracker.db.engine import session_factory
    from tracker.mail.imap.accounts import find_password
    from tracker.mail.imap.sync import sync_account

    if account.security == "plain":
        click.echo(PLAIN_WARNING, err=True)
    password = find_password(account.host, account.user)
    if password is None:
        if not sys.stdin.isatty():
            raise SyncError(
                f"no password for {account.user}@{account.host}: set ${ENV_IMAP_PASSWORD} "
                f"or add it to ~/.netrc (machine {account.host})"
            )
        password = click.prompt(f"IMAP password for {account.user}@{account.host}", hide_input=True)
    s = sync_account(session_factory(app.engine()), account, password, options)
    extra = f", reconnects {s.reconnects}" if s.reconnects else ""
    click.echo(
        f"{account.user}@{account.host}: {s.folders} folder(s), fetched {s.fetched}, "
        f"new {s.new}, duplicate {s.duplicate}, skipped {s.skipped} (personal), "
        f"errors {s.errors}{extra}"
    )
    if s.failures:  # synced, but the server's answers cannot be trusted: say so, exit 1
        raise SyncError(f"{account.user}@{account.host}: " + "; ".join(s.failures))


COMMANDS: list = [sync]
