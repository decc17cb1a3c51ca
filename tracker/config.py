"""Where things live: the store URL, the data dir, environment variables."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "darkpool"
ENV_DB = "DARKPOOL_DB"
ENV_SNAPSHOT = "DARKPOOL_SNAPSHOT"
ENV_CONTRIBUTOR = "DARKPOOL_CONTRIBUTOR"
ENV_IMAP_PASSWORD = "DARKPOOL_IMAP_PASSWORD"
ENV_IMAP_TOKEN = "DARKPOOL_IMAP_TOKEN"  # an OAuth2 access token (sync --auth oauth2)
ENV_DATA_DIR = "DARKPOOL_DATA_DIR"
DEFAULT_MIN_CONTRIBUTORS = 3
DEFAULT_CONTRIBUTOR = "me"
# Files holding private data (the store, its -wal/-shm) and the directory
# they live in: readable by their owner only, whatever the umask.
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
# scheme://user:PASSWORD@host (a password may hold '@': up to the netloc's last one),
# and libpq's ?password=PASSWORD
_URL_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*):[^/?#]*@")
_QUERY_PASSWORD = re.compile(r"(?i)(?P<head>[?&]password=)[^&#]*")


def data_dir() -> Path:
    """The per-user data directory (created on demand); $DARKPOOL_DATA_DIR overrides."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
    if not path.is_dir():
        path.mkdir(parents=True, mode=PRIVATE_DIR_MODE)
        path.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def resolve_db_url(cli_value: str | None = None) -> str:
    """--db, else $DARKPOOL_DB, else a SQLite file in the data dir.

    A bare filesystem path is accepted too and turned into a sqlite:/// URL.
    """
    value = cli_value or os.environ.get(ENV_DB)
    if not value:
        return f"sqlite:///{data_dir() / 'darkpool.sqlite'}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def default_snapshot() -> Path:
    """The snapshot the site reads when none is named."""
    value = os.environ.get(ENV_SNAPSHOT)
    return Path(value) if value else data_dir() / "snapshot.sqlite"


def contributor_default() -> str:
    """Who logs carts when --contributor is not given."""
    return os.environ.get(ENV_CONTRIBUTOR) or DEFAULT_CONTRIBUTOR


def safe_url(url: str) -> str:
    """`url` fit to print or log: a password in it becomes ***.

    >>> safe_url("postgresql://me:s3cret@db.example.org/darkpool")
    'postgresql://me:***@db.example.org/darkpool'
    """
    url = _URL_PASSWORD.sub(r"\g<head>:***@", url, count=1)
    return _QUERY_PASSWORD.sub(r"\g<head>***", url)
