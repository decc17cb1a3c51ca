"""The one exception family darkpool raises on purpose.

The CLI turns any ``DarkpoolError`` into one line on stderr and exit code 1;
anything else is a bug and shows a traceback only with ``--debug``.
"""


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
