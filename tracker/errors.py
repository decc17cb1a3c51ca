"""The one exception family darkpool raises on purpose.

The CLI turns any ``DarkpoolError`` into one line on stderr and exit code 1;
anything else is a bug and shows a traceback only with ``--debug``.
"""


class DarkpoolError(Exception):
    """Base class: a user-facing failure with a one-line message."""


class ConfigError(DarkpoolError):
    """A setting (DB URL, config file, environment variable) is unusable."""


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


class CrawlError(DarkpoolError):
    """A crawl could not be started or its sources are unusable."""
