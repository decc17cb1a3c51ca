"""A fast reader for the two FETCH response shapes sync asks for.

imapclient's general parser tokenises every response byte in Python and was
most of the sync's time; `parse_fetch` reads the common shape (items around
one literal) with regexes and hands anything else to imapclient's parser.
"""

from __future__ import annotations

import re
from typing import Any

from imapclient.datetime_util import parse_to_datetime
from imapclient.response_parser import parse_fetch_response

_MSG_START = re.compile(rb"\d+ \(")
_ITEMS = re.compile(rb'(UID|RFC822\.SIZE) (\d+)|INTERNALDATE "([^"]+)"')
_LITERAL_KEY = re.compile(rb"(BODY\[[^\]]*\]) \{\d+\}$")


def parse_fetch(data: list[Any]) -> dict[int, dict[bytes, Any]]:
    """imaplib FETCH data -> {uid: {b"BODY[...]": bytes, b"RFC822.SIZE": int, ...}}.

    Reads each message as its text around at most one literal; any other
    shape (several literals, no UID, partial bodies) goes to imapclient's
    parser instead.
    """
    messages: list[list[Any]] = []  # [text before the literal, literal, text after]
    for part in data:
        if isinstance(part, tuple):
            messages.append([part[0], part[1], b""])
        elif part is None:
            continue
        elif _MSG_START.match(part) or not messages:
            messages.append([part, None, b""])
        else:
            messages[-1][2] += part  # the items after the literal, e.g. b" UID 5)"
    out: dict[int, dict[bytes, Any]] = {}
    for before, literal, after in messages:
        parsed = _parse_items(before, literal, after)
        if parsed is None and literal is None:
            continue  # e.g. "* 3 FETCH (FLAGS (\\Seen))" from another client: not ours
        if parsed is None:
            return _slow_parse(data)
        uid, items = parsed
        out.setdefault(uid, {}).update(items)
    return out


def _parse_items(before: bytes, literal: bytes | None, after: bytes):
    """(uid, items) of one message, or None when the shape is not the simple one."""
    items: dict[bytes, Any] = {}
    uid = None
    for m in _ITEMS.finditer(before + b" " + after):
        if m.group(1) == b"UID":
            uid = int(m.group(2))
        elif m.group(1):
            items[b"RFC822.SIZE"] = int(m.group(2))
        else:
            items[b"INTERNALDATE"] = parse_to_datetime(m.group(3), normalise=False)
    if literal is not None:
        key = _LITERAL_KEY.search(before)
        if key is None:
            return None
        items[key.group(1)] = literal
    return None if uid is None else (uid, items)


def _slow_parse(data: list[Any]) -> dict[int, dict[bytes, Any]]:
    parsed = parse_fetch_response(data, normalise_times=False, uid_is_key=True)
    return {uid: {k: v for k, v in items.items() if k != b"SEQ"} for uid, items in parsed.items()}
