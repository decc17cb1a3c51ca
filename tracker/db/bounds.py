"""What a stored value may be: the one place that knows each column's bounds.

Mail, pages and carts come from anyone. PostgreSQL refuses a string longer
than its VARCHAR, a NUL character, or an index entry over ~2,700 bytes, and
one refused row fails its whole batch (SQLite accepts all of them, so the two
backends would hold different data). pandas cannot represent a time outside
1677-2262, so one cart logged in 3026 broke every statistic. Every write
path (`save_records`, `save_cart`, the spiders' `save_page_reports`) passes
its rows through `fit_row`, which reads the bounds from the models, so a new
column is bounded the day it is added, on every backend alike.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, String, Table, and_, or_

from tracker.db.models import UTCDateTime
from tracker.errors import StoreError

# Times outside this window are not real mail, carts or offers (a year 0001 or
# 3026 is a typo or a forged header). The same window as tracker.mail.dates,
# well inside what every backend and pandas can hold.
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# PostgreSQL's B-tree refuses entries over a third of a page (2,704 bytes);
# a unique or indexed string longer than this in UTF-8 is shortened with a hash.
MAX_INDEXED_BYTES = 2000
_HASH_CHARS = 16
_SURROGATE = re.compile("[\ud800-\udfff]")


class OutOfWindow(StoreError):
    """A time the store cannot hold where a time is required (a cart's left_at)."""


@dataclass(frozen=True)
class _Bound:
    name: str
    length: int | None  # characters, for String(n)
    is_time: bool
    nullable: bool
    indexed: bool  # unique or indexed: kept distinct and under MAX_INDEXED_BYTES
    ascii_fits: int  # an ASCII string without NUL up to this long is stored as it is


def in_window(when: datetime) -> bool:
    """True for an aware time the store keeps (1980 <= when < 2100)."""
    return EARLIEST <= when < LATEST


def window_text() -> str:
    """'1980-01-01 to 2100-01-01', for messages to the user."""
    return f"{EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}"


def outside_window(column: Any) -> ColumnElement[bool]:
    """SQL: the stored time in `column` lies outside the window (NULL is inside)."""
    return and_(column.is_not(None), or_(column < EARLIEST, column >= LATEST))


@cache
def _bounds(table: Table) -> tuple[_Bound, ...]:
    indexed = {c.name for c in table.columns if c.unique or c.index or c.primary_key}
    for group in (*table.constraints, *table.indexes):
        indexed.update(c.name for c in getattr(group, "columns", ()))
    out = []
    for col in table.columns:  # only strings and times have bounds
        is_time = isinstance(col.type, UTCDateTime)
        if not (is_time or isinstance(col.type, String)):  # Text is a String
            continue
        length = col.type.length if isinstance(col.type, String) else None
        fits = min(length or sys.maxsize, MAX_INDEXED_BYTES if col.name in indexed else sys.maxsize)
        out.append(_Bound(col.name, length, is_time, bool(col.nullable), col.name in indexed, fits))
    return tuple(out)


def fit_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """`row` with every value made storable in `table` (a new dict; `row` is kept).

    Strings lose NUL characters and unencodable surrogates and are cut to
    their column's length; a unique or indexed string that must be cut gets a
    hash of the whole value, so two long values stay two keys. A time outside
    the window becomes None; where None is not allowed, OutOfWindow is raised.
    """
    fitted = dict(row)
    for bound in _bounds(table):
        value = fitted.get(bound.name)
        if isinstance(value, str):
            if len(value) <= bound.ascii_fits and value.isascii() and "\x00" not in value:
                continue  # the common case, decided without a copy
            fitted[bound.name] = fit_text(value, bound.length, bound.indexed)
        elif (
            bound.is_time
            and isinstance(value, datetime)
            and value.tzinfo is not None  # a naive time is the column type's to refuse
            and not in_window(value)
        ):
            if not bound.nullable:
                raise OutOfWindow(
                    f"{table.name}.{bound.name} {value:%Y-%m-%d} is outside {window_text()}"
                )
            fitted[bound.name] = None
    return fitted


def fit_text(value: str, length: int | None = None, indexed: bool = False) -> str:
    """`value` without NUL or lone surrogates, at most `length` characters.

    >>> fit_text("x" * 300, 255, indexed=True)[-17:-16]
    '~'
    """
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates from a surrogateescape decode
            value = _SURROGATE.sub("\ufffd", value)
    too_long = length is not None and len(value) > length
    if indexed and (too_long or _over_index_limit(value)):
        return _shorten_keeping_identity(value, length or MAX_INDEXED_BYTES)
    if too_long:
        return value[:length]
    return value


def _over_index_limit(value: str) -> bool:
    # a character is at most 4 bytes in UTF-8: most values need no encoding
    return len(value) * 4 > MAX_INDEXED_BYTES and len(value.encode("utf-8")) > MAX_INDEXED_BYTES


def _shorten_keeping_identity(value: str, length: int) -> str:
    """A prefix of `value` and '~' and a hash of all of it, within both limits."""
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    room = _HASH_CHARS + 1
    prefix = value[: max(0, length - room)].encode("utf-8")[: MAX_INDEXED_BYTES - room]
    return f"{prefix.decode('utf-8', 'ignore')}~{digest}"
