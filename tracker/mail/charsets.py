"""Bytes -> text for mail, whatever the charset label says.

Mail lies about charsets: UTF-8 labelled iso-8859-1, cp1252 labelled
us-ascii, labels no codec knows ("x-unknown", "utf-8lias"), and labels that
name codecs which are not text encodings at all ("base64", "zlib"). Decoding
goes declared -> UTF-8 -> cp1252 -> latin-1 and never raises; UTF-16 (a byte
order mark, or NULs in every other byte) is recognised whatever the label.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
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
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 little- and big-endian
_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_FOLD = re.compile(rb"\r?\n[ \t]+")


@functools.lru_cache(maxsize=256)
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
    if data[:2] in _WIDE_BOMS or b"\x00" in data:
        wide = _wide_codec(data)
        if wide:
            data = data.rstrip(b"\r\n")  # the message's own line end, one byte per character
            unit = 4 if wide.startswith("utf-32") else 2
            return data[: len(data) - len(data) % unit].decode(wide, "replace")
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


def _wide_codec(data: bytes) -> str | None:
    """UTF-16 or UTF-32 by their byte order mark, or UTF-16 by NULs in every
    other byte (Latin text), whatever the label says; None for anything else."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "utf-32"
    if data[:2] in _WIDE_BOMS:
        return "utf-16"
    sample = data[:4000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) // 8 and even * 8 < odd:
        return "utf-16-le"
    if even > len(sample) // 8 and odd * 8 < even:
        return "utf-16-be"
    return None


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

    Adjacent encoded words in one charset (the label's case and spelling do
    not matter) are joined before decoding, since a multi-byte character may
    be split across them; whitespace between them is dropped, bad base64
    padding is repaired, a raw 8-bit byte inside a word counts as a byte of
    the word's charset, and an unknown charset falls back like bodies do.
    The work is linear in the length of the value.

    >>> decode_header_value("=?utf-8?q?15=25_off_?= =?UTF-8?b?w6AgdG91cw==?=")
    '15% off à tous'
    """
    raw = header_bytes(value)
    raw = _FOLD.sub(b" ", raw).replace(b"\r", b"").replace(b"\n", b" ")
    if b"=?" not in raw:
        return _text(raw)
    out: list[str] = []
    run: list[bytes] = []
    label = ""
    pos = 0
    for match in _ENCODED_WORD.finditer(raw):
        gap = raw[pos : match.start()]
        word_label = match.group(1).decode("ascii", "replace")
        if gap and (gap.strip() or not run):  # text between words is kept, whitespace is not
            _flush(run, label, out)
            out.append(_text(gap))
        elif run and codec_name(word_label) != codec_name(label):
            _flush(run, label, out)
        if not run:
            label = word_label
        run.append(_decode_word(match.group(2), match.group(3)))
        pos = match.end()
    _flush(run, label, out)
    out.append(_text(raw[pos:]))
    return "".join(out)


def header_bytes(value: str) -> bytes:
    """The bytes of a header value as compat32 holds it (raw 8-bit bytes as surrogates)."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate outside the escape range
        return value.encode("utf-8", "replace")


def raw_header_text(value: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogates; decode them properly."""
    if value.isascii():
        return value
    return _text(header_bytes(value))


def _text(raw: bytes) -> str:
    return raw.decode("ascii") if raw.isascii() else decode_bytes(raw, None)


def _decode_word(encoding: bytes, payload: bytes) -> bytes:
    if encoding in b"bB":
        data = _NOT_BASE64.sub(b"", payload)
        data = data[: len(data) - len(data) % 4 if len(data) % 4 == 1 else len(data)]
        try:
            return base64.b64decode(data + b"=" * (-len(data) % 4))
        except (binascii.Error, ValueError):
            return payload
    return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), payload.replace(b"_", b" "))


def _flush(run: list[bytes], label: str, out: list[str]) -> None:
    """Decode a run of adjacent words in one charset as one byte string, and empty it."""
    if run:
        out.append(decode_bytes(b"".join(run), label))
        run.clear()
