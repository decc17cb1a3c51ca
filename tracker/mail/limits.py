"""Bounds on the work one message may cost, whatever its sender intended.

Mail comes from anyone. A 50 MB attachment, a 10 MB single-line HTML part or
multipart nested a thousand levels deep would otherwise cost minutes of CPU,
hundreds of megabytes or a RecursionError in the stdlib `email` parser (its
parser and `walk()` recurse once per nesting level). The numbers below are
far above anything the labelled corpus or real retail mail needs (a cart
reminder is 5-200 KB with a few KB of text) and low enough that one message
parses in about a second and a small multiple of its size in memory.

`tracker.mail.files` (how much of a file is read), `tracker.mail.parse` and
`tracker.mail.html` apply them; they are kept here so the bounds are named
once and the hostile-mail tests can read them.
"""

from __future__ import annotations

import re

# Bytes of one message read from a file or an mbox. A bigger message is cut
# here and recorded with an error instead of being read whole into memory.
MAX_MESSAGE_BYTES = 64 << 20
# Bytes of one message handed to the MIME parser. Text parts come first in
# real mail (attachments follow the body), so the rest is not parsed; the
# message keeps its full size and content hash.
MAX_PARSE_BYTES = 4 << 20
# multipart/* containers in one message. Real mail nests 2-5 deep and a
# digest may carry a few dozen; past this the message is refused with an
# error instead of recursing once per level.
MAX_MULTIPART = 100
# MIME parts walked per message (attachments included).
MAX_PARTS = 500
# Decoded bytes of one text part kept for charset decoding.
MAX_PART_BYTES = 4 << 20
# Characters of HTML handed to the HTML parser (Gmail clips mail at 102 KB).
MAX_HTML_CHARS = 1 << 20
# Raw characters of one header value that are decoded. The decoded value is
# cut to a few thousand characters anyway; an encoded word takes at most 24
# raw characters per decoded one, so nothing that would be kept is lost.
MAX_HEADER_SOURCE = 128 << 10
# Characters of text kept per message (plain part, and HTML converted to
# text); classification and offer extraction scan this text several times.
MAX_TEXT_CHARS = 50_000

_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")
# Matched on the lower-cased bytes: a literal start lets `re` jump from one
# "content-type:" to the next instead of trying (?i) at every byte.
_MULTIPART = re.compile(rb"content-type:\s*multipart/")
# C0 controls (but tab and newline) and DEL: never meaningful in a header value,
# and PostgreSQL refuses NUL in text columns.
_CONTROLS = dict.fromkeys([*range(0, 9), *range(11, 32), 127], None)


def clip_message(data: bytes) -> tuple[bytes, bool]:
    """The part of `data` the MIME parser may see, and whether it was cut."""
    if len(data) <= MAX_PARSE_BYTES:
        return data, False
    return data[:MAX_PARSE_BYTES], True


def clip_header(value: str) -> str:
    """The part of a raw header value that is decoded; a cut encoded word is dropped."""
    if len(value) <= MAX_HEADER_SOURCE:
        return value
    value = value[:MAX_HEADER_SOURCE]
    start = value.rfind("=?")
    if start >= 0 and not _ENCODED_WORD.match(value, start):
        value = value[:start]  # an encoded word cut in half would show as raw text
    return value


def count_multipart(data: bytes) -> int:
    """How many multipart containers `data` declares (an upper bound on its depth)."""
    return len(_MULTIPART.findall(data.lower()))


def strip_controls(text: str) -> str:
    """`text` without control characters (NUL, bare CR, ESC ...), tabs and newlines kept."""
    return text.translate(_CONTROLS)
