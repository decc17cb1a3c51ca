"""Date headers -> aware UTC datetimes, from RFC 5322 and from what senders really write.

`email.utils` handles the RFC forms and the obsolete zone names (EST, PDT,
UT, military letters); python-dateutil takes the rest ("2026-11-20T14:03:00+05:30",
"Thursday, 20 November 2026 14:03 CET"). A date with no zone is taken as UTC,
as RFC 5322 says of "-0000", and so is a readable date whose zone is broken
("+99", "+2500"): off by a zone's hours at most, it is still far closer than
the file's mtime the caller would fall back to. Nonsense years give None, so the
caller falls back to the source's own time.
"""

from __future__ import annotations

import email.utils
import re
import warnings
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateparser

_H = 3600
# Zone abbreviations dateutil does not know by itself (it warns and ignores them).
TZINFOS = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": _H, "BST": _H,
    "CET": _H, "CEST": 2 * _H, "MET": _H, "MEST": 2 * _H, "EET": 2 * _H, "EEST": 3 * _H,
    "MSK": 3 * _H, "IST": 5 * _H + 1800, "SGT": 8 * _H, "HKT": 8 * _H, "JST": 9 * _H,
    "KST": 9 * _H, "AEST": 10 * _H, "AEDT": 11 * _H, "NZST": 12 * _H, "NZDT": 13 * _H,
    "EST": -5 * _H, "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H, "MST": -7 * _H,
    "MDT": -6 * _H, "PST": -8 * _H, "PDT": -7 * _H, "AKST": -9 * _H, "AKDT": -8 * _H,
    "HST": -10 * _H, "BRT": -3 * _H, "ART": -3 * _H,
}  # fmt: skip
MIN_YEAR, MAX_YEAR = 1980, 2100
_NO_DATE = datetime(1900, 1, 1)
# The zone forms email.utils reads correctly; for any other zone it silently
# returns offset 0, so those dates go to dateutil instead.
_RFC_ZONE = re.compile(r"(?:[+-]\d{4}|\b(?:UT|UTC|GMT|[ECMP][SD]T|Z))\s*(?:\([^)]*\))?$", re.I)


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime for a Date header value, or None when there is none.

    >>> parse_date("Thu, 20 Nov 2026 19:33:00 +0530").isoformat()
    '2026-11-20T14:03:00+00:00'
    """
    if not value or not value.strip():
        return None
    text = " ".join(value.split())[:200]
    found = _rfc(text) or _lenient(text) or _zoneless(text)
    if found is None or not MIN_YEAR <= found.year <= MAX_YEAR:
        return None
    return found


def _rfc(text: str) -> datetime | None:
    try:
        parts = email.utils.parsedate_tz(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if not parts or not _RFC_ZONE.search(text):
        return None  # let dateutil read the zone ("+05:30", "CET") or its absence
    try:
        naive = datetime(*parts[:6])
    except (ValueError, TypeError, OverflowError):
        return None
    return _to_utc(naive, parts[9] or 0)


def _lenient(text: str) -> datetime | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # A default in 1900 fails the year check, so a date missing its
            # year or day never borrows them from today's clock.
            found = dateparser.parse(text, fuzzy=True, tzinfos=TZINFOS, default=_NO_DATE)
    except (ValueError, OverflowError, TypeError, dateparser.ParserError):
        return None
    if found.tzinfo is None:
        return found.replace(tzinfo=UTC)
    try:
        offset = found.utcoffset()
        if offset is None or abs(offset.total_seconds()) > 18 * _H:
            return None  # "-1970": no such zone; read without it
        return found.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _zoneless(text: str) -> datetime | None:
    """The date and time of `text` as UTC, its zone ignored (it was unreadable)."""
    try:
        parts = email.utils.parsedate_tz(text)
        if parts:
            return datetime(*parts[:6], tzinfo=UTC)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = dateparser.parse(text, fuzzy=True, ignoretz=True, default=_NO_DATE)
    except (ValueError, TypeError, IndexError, OverflowError, dateparser.ParserError):
        return None
    return found.replace(tzinfo=UTC)


def _to_utc(naive: datetime, offset_seconds: int) -> datetime | None:
    if abs(offset_seconds) > 18 * _H:
        return None
    try:
        return naive.replace(tzinfo=timezone(timedelta(seconds=offset_seconds))).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
