"""The one exception family darkpool raises on purpose.

The CLI turns any ``DarkpoolError`` into one line on stderr and exit code 1,
and so database and OS errors (full disk, read-only or corrupt store, server
unreachable: `tracker.cli.error_line`); anything else is a bug, one line too,
with a traceback only under ``--debug``.
"""

MAX_LINE = 300


def one_line(exc: BaseException | str) -> str:
    """The first line of an error's message, at most MAX_LINE characters.

    Drivers and libraries put details on later lines (PostgreSQL's DETAIL with
    the offending values, SQLAlchemy's SQL and parameters); a user-facing error
    is one line and never carries them.
    """
    text = str(exc).strip()
    first = text.splitlines()[0].strip() if text else ""
    return first if len(first) <= MAX_LINE else first[: MAX_LINE - 1] + "…"


def describe_os_error(exc: OSError) -> str:
    """'No space left on device: /path/out.sqlite' (the reason, then the file)."""
    reason = exc.strerror or one_line(exc) or type(exc).__name__
    return f"{reason}: {exc.filename}" if exc.filename else reason


class DarkpoolError(Exception):
    """Base class: a user-facing failure with a one-line message."""


class StoreError(DarkpoolError):
    """The store cannot be opened, created or migrated."""


class SourceError(DarkpoolError):
    """A mail path is missing, unreadable or not a mailbox."""


class ParseError(DarkpoolError):
    """One message could not be parsed; carries the offending source."""

    def __init__(self, message: str, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class SyncError(DarkpoolError):
    """IMAP sync failed (connection, protocol, server refused)."""


class AuthError(SyncError):
    """IMAP authentication failed. Never carries the password."""


class ConnectionLost(SyncError):
    """The IMAP connection dropped or timed out; reconnecting may help."""


class FetchRefused(SyncError):
    """The server answered a FETCH with a tagged NO/BAD: the message is skipped."""


class CrawlError(DarkpoolError):
    """A crawl could not be started or its sources are unusable."""


class CartError(DarkpoolError):
    """The retailer or time given for a cart is unusable."""


class PublishError(DarkpoolError):
    """The snapshot could not be written."""


class SiteError(DarkpoolError):
    """The site could not be started or did not come up."""


class DemoError(DarkpoolError):
    """A step of the demo pipeline failed."""
