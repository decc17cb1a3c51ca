"""The only module that talks IMAP (through imapclient).

It connects (implicit TLS, STARTTLS or plain), logs in, opens folders
read-only and fetches with BODY.PEEK, so the mailbox is never changed: no
flags set, nothing marked read. Everything above it gets UIDs, bytes and
metadata. Errors come out as three kinds:

- `AuthError`: the server refused the login (never carries the password);
- `ConnectionLost` (a `SyncError`): the connection dropped or timed out —
  the caller may reconnect and resume;
- `SyncError`: anything else (TLS verification, unknown folder, protocol).
"""

from __future__ import annotations

import base64
import imaplib
import socket
import ssl
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, IMAPClientError, LoginError

from tracker.errors import AuthError, ConnectionLost, FetchRefused, SyncError
from tracker.mail.imap.credentials import sasl_blobs, secret_forms
from tracker.mail.imap.responses import parse_fetch

DEFAULT_PORTS = {"tls": 993, "starttls": 143, "plain": 143}
AUTH_METHODS = ("password", "oauth2")
# How long one command may take: the base timeout, plus this much per message
# the command covers (a 50,000-message folder gets 60 s + 500 s for its UID list).
SECONDS_PER_MESSAGE = 0.01
UID_CHUNK = 5000  # sequence numbers per UID-listing FETCH on a full scan
T = TypeVar("T")


@dataclass(frozen=True)
class ServerConfig:
    """Where and how to connect; holds no password."""

    host: str
    user: str
    port: int | None = None
    security: str = "tls"
    cafile: str | None = None
    timeout: float = 60.0
    auth: str = "password"  # or "oauth2": the secret is an access token

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.effective_port}"


@dataclass(frozen=True)
class FolderStatus:
    """What STATUS or EXAMINE said; UIDNEXT and the count may be missing (Courier's EXAMINE)."""

    uidvalidity: int
    uidnext: int | None
    messages: int | None = None


@dataclass(frozen=True)
class Folder:
    """One LIST entry: the server's name, its delimiter and special-use roles (\\All ...)."""

    name: str
    delimiter: str | None
    flags: tuple[str, ...]

    @property
    def roles(self) -> tuple[str, ...]:
        """RFC 6154 roles, lower-cased without the backslash: ('all',), ('junk',)."""
        return tuple(f[1:].lower() for f in self.flags if f[1:].lower() in SPECIAL_USE)


SPECIAL_USE = ("all", "archive", "drafts", "flagged", "junk", "sent", "trash", "important")


@dataclass(frozen=True)
class HeaderInfo:
    """The header pass's view of one message."""

    uid: int
    headers: bytes
    size: int
    internaldate: datetime | None


@dataclass
class BodyBatch:
    """Bodies the server returned, and why the others are missing."""

    bodies: dict[int, bytes]
    refused: dict[int, str]


def uid_set(uids: Sequence[int]) -> str:
    """UIDs as a compact IMAP set, [1, 2, 3, 7] -> '1:3,7' (servers cap line length)."""
    parts: list[str] = []
    ordered = sorted(set(uids))
    start = prev = ordered[0]
    for uid in [*ordered[1:], None]:
        if uid is not None and uid == prev + 1:
            prev = uid
            continue
        parts.append(str(start) if start == prev else f"{start}:{prev}")
        if uid is not None:
            start = prev = uid
    return ",".join(parts)


def ssl_context(cafile: str | None) -> ssl.SSLContext:
    """Verifying context: system CAs, or only `cafile` when given."""
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise SyncError(f"cannot load CA file {cafile}: {exc}") from exc


class ImapSession:
    """One logged-in connection. Use as a context manager; every call may raise."""

    def __init__(self, config: ServerConfig, password: str) -> None:
        self.config = config
        self._password = password  # or the OAuth2 access token, with auth="oauth2"
        self.commands: Counter[str] = Counter()
        self.client = self._connect()
        self._login()

    # -- connection ----------------------------------------------------
    def _connect(self) -> IMAPClient:
        cfg = self.config
        context = ssl_context(cfg.cafile) if cfg.security != "plain" else None
        try:
            client = IMAPClient(
                cfg.host,
                port=cfg.effective_port,
                ssl=cfg.security == "tls",
                ssl_context=context,
                timeout=cfg.timeout,
            )
            if cfg.security == "starttls":
                client.starttls(context)
        except ssl.SSLCertVerificationError as exc:
            raise SyncError(
                f"TLS certificate of {cfg.address} not trusted ({exc.verify_message}); "
                "pass the server's CA with --cafile"
            ) from None
        except ssl.SSLError as exc:
            raise SyncError(f"TLS with {cfg.address} failed: {exc.reason or exc}") from None
        except CapabilityError:
            raise SyncError(f"{cfg.address} does not offer STARTTLS") from None
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise ConnectionLost(f"cannot connect to {cfg.address}: {_reason(exc)}") from None
        except IMAPClientError as exc:
            raise SyncError(f"{cfg.address}: {self._scrub(exc)}") from None
        client.normalise_times = False  # INTERNALDATE stays timezone-aware
        return client

    def _login(self) -> None:
        try:
            if self.config.auth == "oauth2":
                self._call("AUTHENTICATE", self._oauth2_login())
            else:
                # LOGIN sends ASCII only; AUTHENTICATE PLAIN carries UTF-8 (umlauts, accents).
                login = self.client.login if self._password.isascii() else self.client.plain_login
                self._call("LOGIN", login, self.config.user, self._password)
        except LoginError as exc:
            self._drop()
            raise AuthError(
                f"login to {self.config.address} as {self.config.user} refused: {self._scrub(exc)}"
            ) from None
        except SyncError:
            self._drop()
            raise

    def _oauth2_login(self) -> Callable[[], Any]:
        """XOAUTH2 (Gmail, Outlook, Yahoo), else OAUTHBEARER (RFC 7628), as offered."""
        caps = {c.upper() for c in self._call("CAPABILITY", self.client.capabilities)}
        user, token = self.config.user, self._password
        if b"AUTH=XOAUTH2" in caps:
            return lambda: self.client.oauth2_login(user, token)
        if b"AUTH=OAUTHBEARER" in caps:
            return lambda: self.client.oauthbearer_login(user, token)
        raise SyncError(f"{self.config.address} offers neither XOAUTH2 nor OAUTHBEARER login")

    def scale_timeout(self, messages: int) -> float:
        """Let each command take the base timeout plus a share per message of the folder.

        A slow server (pymap) needs minutes for a command over 5,000 messages;
        a fixed timeout makes it fail the same way on every run.
        """
        seconds = self.config.timeout + SECONDS_PER_MESSAGE * max(0, messages)
        with suppress(OSError, AttributeError):
            self.client.socket().settimeout(seconds)
        return seconds

    def close(self) -> None:
        """Log out politely; a dead connection is just dropped."""
        try:
            self.client.logout()
        except (OSError, IMAPClientError):
            self._drop()

    def _drop(self) -> None:
        with suppress(OSError, IMAPClientError):
            self.client.shutdown()

    def __enter__(self) -> ImapSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commands ------------------------------------------------------
    def status(self, folder: str) -> FolderStatus:
        """UIDVALIDITY, UIDNEXT and the message count without selecting (one STATUS)."""
        items = ["MESSAGES", "UIDVALIDITY", "UIDNEXT"]
        got = self._call("STATUS", self.client.folder_status, folder, items)
        return FolderStatus(
            int(got[b"UIDVALIDITY"]),
            _int_or_none(got.get(b"UIDNEXT")),
            _int_or_none(got.get(b"MESSAGES")),
        )

    def select(self, folder: str) -> FolderStatus:
        """Open `folder` read-only (EXAMINE): nothing we do can change flags."""
        got = self._call("EXAMINE", self.client.select_folder, folder, readonly=True)
        return FolderStatus(
            int(got[b"UIDVALIDITY"]),
            _int_or_none(got.get(b"UIDNEXT")),
            _int_or_none(got.get(b"EXISTS")),
        )

    def list_folders(self) -> list[Folder]:
        """Every folder the server lists (one LIST), names decoded from modified UTF-7."""
        got = self._call("LIST", self.client.list_folders)
        out = []
        for flags, delimiter, name in got:
            delim = delimiter.decode() if isinstance(delimiter, bytes) else delimiter
            names = tuple(f.decode() if isinstance(f, bytes) else str(f) for f in flags)
            out.append(Folder(str(name), delim or None, names))
        return out

    def list_uids(self, last_uid: int, messages: int) -> list[int]:
        """UIDs above `last_uid` in the selected folder of `messages`, oldest first.

        A UID list from FETCH (UID), never a whole-folder SEARCH: GNU Mailutils
        answers `UID SEARCH UID 1:*` with nothing (and pymap was reported to
        need minutes for it). A full scan asks by sequence number in chunks of UID_CHUNK (each
        answer is ~20 bytes a message); an incremental one asks for
        `UID FETCH n:* (UID)`, which returns only the new messages, plus the
        newest when it is below n (RFC 3501 6.4.8), filtered out here.
        """
        found: set[int] = set()
        if last_uid == 0:
            for start in range(1, messages + 1, UID_CHUNK):
                end = min(messages, start + UID_CHUNK - 1)
                found |= self._call("FETCH", self._fetch_uids, False, f"{start}:{end}")
        else:
            found = self._call("FETCH", self._fetch_uids, True, f"{last_uid + 1}:*")
        return sorted(uid for uid in found if uid > last_uid)

    def search_after(self, last_uid: int, since: date | None = None) -> list[int]:
        """UIDs above `last_uid` by `UID SEARCH` (kept to measure it against list_uids)."""
        criteria: list[Any] = ["UID", f"{last_uid + 1}:*"]
        if since is not None:
            criteria += ["SINCE", since]
        found = self._call("SEARCH", self.client.search, criteria)
        return sorted(uid for uid in found if uid > last_uid)

    def fetch_headers(self, uids: Sequence[int]) -> list[HeaderInfo]:
        """The triage headers, size and INTERNALDATE of `uids` (BODY.PEEK: no \\Seen)."""
        if not uids:
            return []
        items = _header_item() + b" RFC822.SIZE INTERNALDATE"
        got = self._call("FETCH", self._fetch, uids, items)
        out = []
        for uid, data in got.items():
            header = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
            out.append(
                HeaderInfo(
                    uid=uid,
                    headers=header or b"",
                    size=int(data.get(b"RFC822.SIZE") or 0),
                    internaldate=_utc(data.get(b"INTERNALDATE")),
                )
            )
        return sorted(out, key=lambda h: h.uid)

    def fetch_bodies(self, uids: Sequence[int]) -> BodyBatch:
        """Full messages of `uids` with BODY.PEEK[]; refusals are reported, not raised.

        If the server refuses the whole batch (tagged NO), each message is
        asked for alone so one broken message cannot block the others.
        """
        batch = BodyBatch({}, {})
        if not uids:
            return batch
        try:
            got = self._call("FETCH", self._fetch, uids, b"BODY.PEEK[]")
        except FetchRefused as exc:
            if len(uids) == 1:
                batch.refused[uids[0]] = str(exc)
                return batch
            for uid in uids:
                one = self.fetch_bodies([uid])
                batch.bodies.update(one.bodies)
                batch.refused.update(one.refused)
            return batch
        for uid in uids:
            body = got.get(uid, {}).get(b"BODY[]")
            if body is None:
                batch.refused[uid] = "the server returned no body (expunged or refused)"
            else:
                batch.bodies[uid] = body
        return batch

    # -- plumbing ------------------------------------------------------
    def _fetch_uids(self, by_uid: bool, span: str) -> set[int]:
        """The UIDs of `span` (UIDs, or sequence numbers when not `by_uid`)."""
        imap = self.client._imap
        tag = imap._command(*(("UID", "FETCH") if by_uid else ("FETCH",)), span, "(UID)")
        typ, data = imap._command_complete("FETCH", tag)
        self.client._checkok("fetch", typ, data)
        _typ, data = imap._untagged_response(typ, data, "FETCH")
        return set(parse_fetch(data))

    def _fetch(self, uids: Sequence[int], items: bytes) -> dict[int, dict[bytes, Any]]:
        """UID FETCH as imapclient does it, with a fast parser for our two shapes.

        imapclient's general parser tokenises every response byte in Python
        and was most of the sync's time; `parse_fetch` reads the common shape
        (items around one literal) with regexes and hands anything else to
        imapclient's parser. Only the UIDs asked for are returned.
        """
        imap = self.client._imap  # imapclient's own imaplib connection, as in its fetch()
        tag = imap._command("UID", "FETCH", uid_set(uids), b"(" + items + b")")
        typ, data = imap._command_complete("FETCH", tag)
        self.client._checkok("fetch", typ, data)
        _typ, data = imap._untagged_response(typ, data, "FETCH")
        wanted = set(uids)
        return {uid: v for uid, v in parse_fetch(data).items() if uid in wanted}

    def _call(self, name: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.commands[name] += 1
        with self._errors(name):
            return func(*args, **kwargs)

    @contextmanager
    def _errors(self, name: str) -> Iterator[None]:
        """Map socket/imaplib errors to ConnectionLost, FetchRefused or SyncError."""
        try:
            yield
        except LoginError:
            raise
        except (imaplib.IMAP4.abort, OSError, EOFError) as exc:
            raise ConnectionLost(
                f"connection to {self.config.address} lost during {name}: {_reason(exc)}"
            ) from None
        except IMAPClientError as exc:
            text = self._scrub(exc)
            if name == "FETCH":
                raise FetchRefused(text) from None
            raise SyncError(f"{self.config.address}: {name} failed: {text}") from None

    def _scrub(self, exc: BaseException) -> str:
        arg = exc.args[0] if exc.args else exc
        text = arg.decode(errors="replace") if isinstance(arg, bytes) else str(arg)
        if text.startswith(("b'", 'b"')) and text.endswith(text[1]):  # imapclient's repr()
            text = text[2:-1]
        for secret in secret_forms(self._password):
            text = text.replace(secret, "***")
        for blob in sasl_blobs(self.config.user, self._password):  # should a server echo one
            text = text.replace(base64.b64encode(blob).decode(), "***")
        return text


def _header_item() -> bytes:
    """BODY.PEEK[HEADER.FIELDS (...)] of the headers triage reads.

    Imported here, not at the top: triage pulls in the domain tables
    (tldextract), which a re-sync with nothing new never needs.
    """
    from tracker.mail.imap.triage import FETCH_FIELDS

    return ("BODY.PEEK[HEADER.FIELDS (" + " ".join(FETCH_FIELDS).upper() + ")]").encode()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def _int_or_none(value: Any) -> int | None:
    return int(value) if value is not None else None


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
