"""Bytes -> text for mail, whatever the charset label says.

Mail lies about charsets: UTF-8 labelled iso-8859-1, cp1252 labelled
us-ascii, labels no codec knows ("x-unknown", "utf-8lias"), and labels that
name codecs which are not text encodings at all ("base64", "zlib"). Decoding
goes declared -> UTF-8 -> cp1252 -> latin-1 and never raises.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

# Labels seen in real mail that Python does not know, or knows as something
# narrower than what senders mean by them.
ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "x-mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "windows-874": "cp874",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "ansi_x3.4-1968": "ascii",
}
# Single-byte charsets decode any bytes, so a wrong label never fails; valid
# multi-byte UTF-8 under such a label is almost surely UTF-8 mislabelled.
_ANY_BYTES = re.compile(r"^(iso8859|latin|cp125|mac|cp437|cp850|koi8)")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def codec_name(label: str | None) -> str | None:
    """The Python text codec for a charset label, or None if there is none."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = name.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*en
    name = ALIASES.get(name, name)
    if name in ("unknown-8bit", "x-unknown", "unknown", "8bit", "default", "x-user-defined"):
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # base64, zlib, rot13 ... are not charsets
    return info.name


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Text of `data`: the declared charset if it fits, else UTF-8, cp1252, latin-1."""
    name = codec_name(declared)
    if name in ("ascii", "us-ascii"):
        name = None  # 8-bit text labelled ASCII is UTF-8 or cp1252 in practice
    if name and _ANY_BYTES.match(name.replace("-", "").replace("_", "")) and _is_utf8(data):
        name = "utf-8"
    for candidate in (name, "utf-8", "cp1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    return data.decode("latin-1", errors="replace")


def _is_utf8(data: bytes) -> bool:
    """True when `data` has non-ASCII bytes and all of them form valid UTF-8."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_header_value(value: str) -> str:
    """Decode RFC 2047 encoded words leniently and unfold the header.

    Adjacent encoded words are joined before decoding (a multi-byte character
    may be split across them), whitespace between them is dropped, bad base64
    padding is repaired and an unknown charset falls back like bodies do.

    >>> decode_header_value("=?utf-8?q?15=25_off_?= =?utf-8?b?w6AgdG91cw==?=")
    '15% off à tous'
    """
    value = raw_header_text(value)
    value = re.sub(r"\r?\n[ \t]+", " ", value).replace("\r", "").replace("\n", " ")
    if "=?" not in value:
        return value
    out: list[str] = []
    pending: list[tuple[str | None, bytes]] = []
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        if gap and (gap.strip() or not pending):
            _flush(pending, out)
            out.append(gap)
        charset, encoding, payload = match.groups()
        pending.append((charset, _decode_word(encoding, payload)))
        pos = match.end()
    _flush(pending, out)
    out.append(value[pos:])
    return "".join(out)


def raw_header_text(value: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogates; decode them properly."""
    if value.isascii():
        return value
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value  # already real text
    return decode_bytes(raw, None)


def _decode_word(encoding: str, payload: str) -> bytes:
    data = payload.encode("ascii", "replace")
    if encoding in "bB":
        data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
        data = data[: len(data) - len(data) % 4 if len(data) % 4 == 1 else len(data)]
        try:
            return base64.b64decode(data + b"=" * (-len(data) % 4))
        except (binascii.Error, ValueError):
            return payload.encode("ascii", "replace")
    data = data.replace(b"_", b" ")
    return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _flush(pending: list[tuple[str | None, bytes]], out: list[str]) -> None:
    """Decode runs of adjacent words that share a charset as one byte string."""
    while pending:
        charset = pending[0][0]
        run = b""
        while pending and pending[0][0] == charset:
            run += pending.pop(0)[1]
        out.append(decode_bytes(run, charset))
