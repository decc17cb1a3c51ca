"""sync commands (see tracker/cli.py for the shared group and error handling)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.commands.support import pass_app
from tracker.config import ENV_IMAP_PASSWORD, ENV_IMAP_TOKEN, contributor_default
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
    "--auth",
    type=click.Choice(["password", "oauth2"]),
    help="Login with a password (default) or an OAuth2 access token (XOAUTH2/OAUTHBEARER).",
)
@click.option(
    "--password-command",
    metavar="CMD",
    help="Run CMD (a shell command) at each sync; its first line of output is the password.",
)
@click.option(
    "--token-command",
    metavar="CMD",
    help="With --auth oauth2: run CMD at each sync; its output is the access token.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds one IMAP command may take, plus 10 ms per message of the folder.",
)
@click.option(
    "--list-folders",
    is_flag=True,
    help="Show the server's folders (and their :roles) instead of syncing.",
)
@click.option(
    "--forget",
    metavar="ACCOUNT",
    help="Remove a remembered account (USER@HOST) and its sync state, then exit.",
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
    auth: str | None,
    password_command: str | None,
    token_command: str | None,
    timeout: float,
    list_folders: bool,
    forget: str | None,
    batch_size: int,
) -> None:
    """Import new retailer mail from IMAP servers, incrementally and read-only.

    The first run remembers the account (never the password), with its
    folders, --cafile and --since; `darkpool sync` with no arguments then
    re-syncs every remembered account, fetching only what arrived since.
    Headers are read first and only mail that looks commercial is downloaded.
    Nothing on the server is changed or marked read.

    The password comes from --password-command, else $DARKPOOL_IMAP_PASSWORD
    (for the account named on the command line only), else ~/.netrc ("machine
    HOST login USER password ...", which must be yours and mode 600), else a
    prompt. With --auth oauth2 the access token comes from --token-command or
    $DARKPOOL_IMAP_TOKEN. Folders may be typed with / whatever the server's
    separator, or by role: :all, :archive, :junk (see --list-folders).

    \b
    Examples:
      # Gmail: an app password (Google Account > Security > App passwords)
      darkpool sync --host imap.gmail.com --user you@gmail.com --folder :all
      # Outlook.com / Microsoft 365: OAuth2 only, the token from a helper
      darkpool sync --host outlook.office365.com --user you@outlook.com \\
          --auth oauth2 --token-command "oama access you@outlook.com"
      # Fastmail: an app password with IMAP access
      darkpool sync --host imap.fastmail.com --user you@fastmail.com
      # Self-hosted Dovecot with STARTTLS and its own CA, from a date on
      darkpool sync --host mail.example.org --starttls --cafile ca.pem \\
          --user you --since 2026-01-01
      # Later (cron): re-sync every remembered account
      darkpool sync
      # What the server has, and stop syncing one account
      darkpool sync --host imap.gmail.com --user you@gmail.com --list-folders
      darkpool sync --forget you@gmail.com
    """
    from tracker.mail.imap.credentials import disable_core_dumps
    from tracker.mail.imap.sync import SyncOptions

    disable_core_dumps()  # before any secret is read: a core file would hold it
    if forget:
        _forget(app, forget)
        return
    if bool(host) != bool(user):
        raise click.UsageError("give --host and --user together, or neither to re-sync all")
    options = SyncOptions(
        download_all=download_all, progress=None, batch_count=batch_size, timeout=timeout
    )
    given = {
        "cafile": str(Path(cafile).resolve()) if cafile else None,  # cron runs elsewhere
        "since": since.date() if since else None,
    }
    auth = auth or ("oauth2" if token_command else None)
    accounts = _accounts(app, host, port, user, folders, security, auth, contributor, given)
    commands = {"password_command": password_command, "token_command": token_command}
    failed = 0
    for account in accounts:
        try:
            secret = _secret(account, named=host is not None, **commands)
            if list_folders:
                _list_folders(account, secret, timeout)
            else:
                _sync_one(app, account, secret, options)
        except DarkpoolError as exc:
            if len(accounts) == 1:
                raise
            failed += 1
            click.echo(f"Error: {account.name}: {exc}", err=True)
    if failed:
        sys.exit(1)


def _forget(app, name: str) -> None:
    from tracker.db.engine import session_factory
    from tracker.mail.imap.accounts import forget_account

    with session_factory(app.engine()).begin() as session:
        account = forget_account(session, name)
    click.echo(f"Forgot {account.name} and its sync state (stored mail is kept).")


def _list_folders(account: Account, secret: str, timeout: float) -> None:
    from tracker.mail.imap.client import ImapSession
    from tracker.mail.imap.folders import describe

    with ImapSession(account.server(timeout), secret) as imap:
        for folder in imap.list_folders():
            click.echo(describe(folder))


def _accounts(
    app,
    host: str | None,
    port: int | None,
    user: str | None,
    folders: tuple[str, ...],
    security: str | None,
    auth: str | None,
    contributor: str | None,
    given: dict[str, Any],
) -> list[Account]:
    from tracker.db.engine import session_factory
    from tracker.mail.imap.accounts import resolve_accounts

    with session_factory(app.engine()).begin() as session:
        return resolve_accounts(
            session, host, user, port=port, folders=tuple(folders), security=security,
            auth=auth, contributor=contributor, default_contributor=contributor_default(), given=given,
        )  # fmt: skip


def _secret(
    account: Account, *, named: bool, password_command: str | None, token_command: str | None
) -> str:
    """The password or token for `account`, or a prompt for a password on a terminal."""
    from tracker.mail.imap.credentials import find_secret

    secret = find_secret(
        account.host,
        account.user,
        auth=account.auth,
        named=named,
        password_command=password_command,
        token_command=token_command,
    )
    if secret is not None:
        return secret
    if account.auth == "oauth2":
        raise SyncError(
            f"no access token for {account.name}: give --token-command CMD "
            f"or set ${ENV_IMAP_TOKEN} (with --host and --user)"
        )
    if not sys.stdin.isatty():
        raise SyncError(
            f"no password for {account.name}: set ${ENV_IMAP_PASSWORD} (with --host and "
            f"--user), give --password-command, or add it to ~/.netrc "
            f"(machine {account.host} login {account.user})"
        )
    return click.prompt(f"IMAP password for {account.name}", hide_input=True)


def _sync_one(app, account: Account, password: str, options: SyncOptions) -> None:
    from tracker.db.engine import session_factory
    from tracker.mail.imap.sync import sync_account

    if account.security == "plain":
        click.echo(PLAIN_WARNING, err=True)
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
