"""Where `darkpool sync` gets a password or an OAuth2 token, and how it keeps them.

In order: a command (`--password-command`, `--token-command`: its stdout,
run at each sync, as mbsync's PassCmd), the environment
($DARKPOOL_IMAP_PASSWORD / $DARKPOOL_IMAP_TOKEN, for the account named on the
command line only), then ~/.netrc for passwords (the entry for host *and*
login, so two mailboxes on one host each find theirs). The CLI prompts when
all of these are empty. A secret is never stored, logged or shown, and a
syncing process cannot dump core with it (`disable_core_dumps`).
"""

from __future__ import annotations

import ctypes
import os
import resource
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tracker.config import ENV_IMAP_PASSWORD, ENV_IMAP_TOKEN
from tracker.errors import SyncError

PR_SET_DUMPABLE = 4  # <linux/prctl.h>


@dataclass(frozen=True)
class NetrcEntry:
    """One `machine` (or `default`, machine None) entry of a netrc file."""

    machine: str | None
    login: str | None
    password: str | None


def netrc_path() -> Path:
    return Path(os.path.expanduser("~")) / ".netrc"


def check_netrc(path: Path) -> None:
    """Refuse a netrc another user owns or others may read or write (as ftp and curl do)."""
    st = path.stat()
    if st.st_uid != os.geteuid():
        raise SyncError(f"{path} belongs to another user; not used (chown it or remove it)")
    if st.st_mode & 0o077:
        mode = oct(st.st_mode & 0o777)[2:]
        raise SyncError(f"{path} can be read or written by others (mode {mode}); chmod 600 it")


def parse_netrc(text: str) -> list[NetrcEntry]:
    """Every entry, in file order (Python's netrc keeps only one per host).

    >>> parse_netrc("machine h login a password x\\nmachine h login b password y")
    [NetrcEntry(machine='h', login='a', password='x'), NetrcEntry(machine='h', login='b', password='y')]
    """
    entries: list[NetrcEntry] = []
    current: dict[str, str | None] | None = None
    lines = iter(text.splitlines())
    for line in lines:
        try:
            tokens = _tokens(line)
        except ValueError:  # an unclosed quote: its value may be a secret, say only where
            raise SyncError("cannot parse ~/.netrc (an unclosed quote); fix it") from None
        i = 0
        while i < len(tokens):
            word = tokens[i]
            if word == "macdef":  # a macro runs to the next blank line
                for rest in lines:
                    if not rest.strip():
                        break
                break
            if word in ("machine", "default"):
                if current is not None:
                    entries.append(NetrcEntry(**current))
                current = {"machine": None, "login": None, "password": None}
                if word == "machine" and i + 1 < len(tokens):
                    current["machine"] = tokens[i + 1]
                    i += 1
            elif word in ("login", "password", "account") and i + 1 < len(tokens):
                if current is not None and word != "account":
                    current[word] = tokens[i + 1]
                i += 1
            i += 1
    if current is not None:
        entries.append(NetrcEntry(**current))
    return entries


def _tokens(line: str) -> list[str]:
    """Words of one netrc line; a word starting with # starts a comment (pa#ss is a word)."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split, lexer.commenters = True, ""
    words = list(lexer)
    cut = next((i for i, w in enumerate(words) if w.startswith("#")), len(words))
    return words[:cut]


def netrc_password(host: str, user: str, path: Path | None = None) -> str | None:
    """The password of `machine host login user`, else of `machine host` without a
    login, else of `default` (with that login or none); None when there is none."""
    path = path or netrc_path()
    if not path.exists():
        return None
    check_netrc(path)
    try:
        entries = parse_netrc(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as exc:
        raise SyncError(f"cannot read {path}: {exc.strerror}") from None
    for wanted in ((host, user), (host, None), (None, user), (None, None)):
        for e in entries:
            if (e.machine, e.login) == wanted and e.password:
                return e.password
    return None


def run_secret_command(command: str, option: str) -> str:
    """The first line `command` prints (a shell command, e.g. `pass show mail`).

    Its stderr and the terminal stay the user's (a keyring may ask to unlock);
    its output is never shown, even when it fails.
    """
    try:
        done = subprocess.run(command, shell=True, stdout=subprocess.PIPE, check=False)
    except OSError as exc:
        raise SyncError(f"{option} could not run: {exc.strerror}") from None
    if done.returncode != 0:
        raise SyncError(f"{option} exited with status {done.returncode}")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise SyncError(f"{option} printed nothing")
    return secret


def find_secret(
    host: str,
    user: str,
    *,
    auth: str = "password",
    named: bool = True,
    password_command: str | None = None,
    token_command: str | None = None,
) -> str | None:
    """The password (or, with auth="oauth2", the access token) for user@host, or None.

    `named`: the account was named on the command line; only then do the
    environment variables apply (one variable cannot hold every account's).
    """
    if auth == "oauth2":
        if token_command:
            return run_secret_command(token_command, "--token-command")
        return (os.environ.get(ENV_IMAP_TOKEN) or None) if named else None
    if password_command:
        return run_secret_command(password_command, "--password-command")
    if named and os.environ.get(ENV_IMAP_PASSWORD):
        return os.environ[ENV_IMAP_PASSWORD]
    return netrc_password(host, user)


def disable_core_dumps() -> None:
    """No core file for this process and its children, and not dumpable (Linux).

    A core dump of a running sync would hold the password or token.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the rlimit still holds
            pass


# -- what a secret looks like in text, to scrub it from a server's errors -----
def secret_forms(password: str | None) -> list[str]:
    """The password as typed, as sent (IMAP-quoted: backslash and quote escaped) and
    as imapclient's repr() of a server's echo shows it; longest first."""
    if not password:
        return []
    quoted = password.replace("\\", "\\\\").replace('"', '\\"')
    forms = set()
    for form in (password, quoted):
        raw = form.encode("utf-8", "backslashreplace")
        forms |= {form, repr(form)[1:-1], repr(raw)[2:-1]}
        # inside a repr() that holds both quote characters, ' is escaped too
        forms |= {repr(form + "'\"")[1:-4], repr(raw + b"'\"")[2:-4]}
    return sorted(forms, key=len, reverse=True)


def sasl_blobs(user: str, secret: str | None) -> list[bytes]:
    """What AUTHENTICATE PLAIN, XOAUTH2 and OAUTHBEARER send for `secret` (before base64)."""
    if not secret:
        return []
    gs2 = "n,a=" + user.replace("=", "=3D").replace(",", "=2C") + ","
    return [
        f"\0{user}\0{secret}".encode(),
        f"user={user}\1auth=Bearer {secret}\1\1".encode(),
        f"{gs2}\1auth=Bearer {secret}\1\1".encode(),
    ]
