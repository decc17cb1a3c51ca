"""RawMail bytes -> ParsedMail: robust MIME, charsets, RFC 2047 headers, UTC dates.

The `email` package parses with `policy=compat32`: it is the policy that never
raises on malformed headers (the modern policy parses address and date headers
eagerly and some broken values raise from inside it). Headers are decoded here
instead, from their raw bytes, with a fallback chain for charsets: declared ->
UTF-8 -> cp1252 -> latin-1, so a wrong or unknown charset degrades to a few odd
characters, never to a failure.

Real mail breaks RFC 5322 in ways the stdlib parser garbles, so the header
block is repaired first (`repair_head`): a UTF-8 byte order mark before the
headers, a folded line that lost its leading whitespace, a body that starts
without the blank line.
"""

from __future__ import annotations

import email
import email.utils
import re
from datetime import datetime
from email.message import Message
from email.policy import compat32

from tracker.errors import ParseError
from tracker.mail.charsets import decode_bytes, decode_header_value, raw_header_text
from tracker.mail.dates import parse_date
from tracker.mail.html import clean_text, html_to_text
from tracker.mail.limits import (
    MAX_HTML_CHARS,
    MAX_MULTIPART,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_TEXT_CHARS,
    clip_header,
    clip_message,
    count_multipart,
    strip_controls,
)
from tracker.mail.message import MAIL_HEADERS, ParsedMail
from tracker.records import RawMail

MAX_HEADER = 4000  # characters kept per header value
MAX_BODY = MAX_TEXT_CHARS  # characters of text kept per message
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])
_BOM = b"\xef\xbb\xbf"
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"[!-9;-~]+[ \t]*:")
# Every line a field or a folded line (an mbox From_ line may come first), then
# a blank line: the header block of nearly all mail, which needs no repair.
_CLEAN_HEAD = re.compile(rb"(?:From [^\n]*\n)?(?:(?:[!-9;-~]+[ \t]*:|[ \t])[^\n]*\n)*\r?\n")
# A field a header block goes on with: a known mail header or a hyphenated
# name (X-Mailer, List-Unsubscribe, DKIM-Signature ...), rarely body text.
_GOES_ON = re.compile(
    rb"(?:[A-Za-z0-9]+-[!-9;-~]*|" + b"|".join(n.encode() for n in MAIL_HEADERS) + rb")[ \t]*:",
    re.I,
)
MAX_UNFOLDED = 50  # lines of one header that lost their folding whitespace


def parse_mail(raw: RawMail) -> ParsedMail:
    """Decode one message; raises ParseError only when there is no mail in the bytes."""
    _reject_junk(raw.data, raw.source)
    data, clipped = clip_message(raw.data)  # bounded work: see tracker.mail.limits
    if count_multipart(data) > MAX_MULTIPART:
        raise ParseError(f"more than {MAX_MULTIPART} multipart containers", raw.source)
    data, repairs = repair_head(data)
    msg = email.message_from_bytes(data, policy=compat32)
    fields = _raw_fields(msg)
    headers = _headers(fields)
    if not MAIL_HEADERS.intersection(headers):
        raise ParseError("no mail headers found", raw.source)
    from_name, from_addr = _address(fields, "from")
    texts, htmls, defects = _bodies(msg)
    defects[:0] = repairs
    if clipped:
        defects.append("ClippedForParsing")
    text = clean_text(_join(texts))
    html = html_to_text(_join(htmls, MAX_HTML_CHARS)) if htmls else None
    html_text = html.text if html else ""
    return ParsedMail(
        source=raw.source,
        message_id=normalise_message_id(headers.get("message-id")),
        sent_at=_sent_at(headers, raw.fallback_time),
        subject=strip_controls(clean_text(headers.get("subject", ""))).replace("\n", " "),
        from_name=from_name,
        from_addr=from_addr,
        to_addrs=[addr for _, addr in _addresses(fields, "to")],
        reply_to=_address(fields, "reply-to")[1],
        sender=_address(fields, "sender")[1],
        headers=headers,
        text=text or html_text,
        html_text=html_text,
        links=html.links if html else [],
        alt_texts=html.alt_texts if html else [],
        language=_language(headers, html.language if html else None),
        size=len(raw.data),
        defects=defects,
    )


def _reject_junk(data: bytes, source: str) -> None:
    """ParseError for bytes that are no mail. Only the header block is looked
    at: a UTF-16 body is full of NULs and is still mail."""
    if not data.strip():
        raise ParseError("empty message", source)
    head = data[:4096]
    end = _BLANK_LINE.search(head)
    head = head[: end.start()] if end else head
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if b"\x00" in head or controls > len(head) // 10:
        raise ParseError("binary data, not a mail message", source)


def repair_head(data: bytes) -> tuple[bytes, list[str]]:
    r"""`data` with its header block made parseable, and the names of the repairs.

    A UTF-8 byte order mark before the headers is dropped. A line inside the
    headers that is neither a field nor folded is a field folded without its
    leading whitespace when more fields follow it (it gets a space), else the
    first line of a body that lacks its blank line (one is inserted).

    >>> repair_head(b"Subject: Your cart\nis waiting\nFrom: a@b.example\n\nHi")[0]
    b'Subject: Your cart\n is waiting\nFrom: a@b.example\n\nHi'
    """
    repairs = []
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
        repairs.append("ByteOrderMark")
    if _CLEAN_HEAD.match(data):
        return data, repairs
    end = _BLANK_LINE.search(data)
    head, rest = (data[: end.start()], data[end.start() :]) if end else (data, b"")
    lines = head.split(b"\n")
    out: list[bytes] = []
    for i, line in enumerate(lines):
        if _FIELD.match(line) or line[:1] in (b" ", b"\t") or (i == 0 and line[:5] == b"From "):
            out.append(line)
        elif out and _goes_on(lines, i):
            out.append(b" " + line)
            if "UnfoldedHeaderLine" not in repairs:
                repairs.append("UnfoldedHeaderLine")
        else:
            repairs.append("MissingHeaderBodySeparator")
            eol = b"\r\n" if line.endswith(b"\r") else b"\n"
            return b"\n".join(out) + b"\n" + eol + b"\n".join(lines[i:]) + rest, repairs
    return b"\n".join(out) + rest, repairs


def _goes_on(lines: list[bytes], i: int) -> bool:
    """True when a header field follows the unfolded line `lines[i]` closely."""
    if lines[i][:2] == b"--" or not lines[i].strip():
        return False  # a MIME boundary: the body has begun
    for line in lines[i + 1 : i + 1 + MAX_UNFOLDED]:
        if _FIELD.match(line):
            return bool(_GOES_ON.match(line))
    return False


def _raw_fields(msg: Message) -> dict[str, list[str]]:
    """Lower-cased names -> raw values (8-bit bytes as surrogates), in order."""
    out: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        out.setdefault(str(name).strip().lower(), []).append(str(value))
    return out


def _headers(fields: dict[str, list[str]]) -> dict[str, str]:
    """Lower-cased names -> decoded values; repeated headers joined by newlines."""
    return {
        key: "\n".join(decode_header_value(clip_header(v))[:MAX_HEADER] for v in values)
        for key, values in fields.items()
    }


def _addresses(fields: dict[str, list[str]], name: str) -> list[tuple[str, str]]:
    """(decoded display name, lower-cased address) pairs; encoded words and raw
    8-bit bytes are decoded after splitting, so a comma inside an encoded name
    cannot split it."""
    values = [clip_header(v) for v in fields.get(name, [])]
    try:
        pairs = email.utils.getaddresses(values)
    except RecursionError:  # comments or groups nested thousands deep
        pairs = _flat_addresses(values)
    except (ValueError, IndexError, TypeError):
        pairs = []
    out = []
    for display, addr in pairs:
        addr = raw_header_text(addr).strip().strip("<>").lower()
        if "@" in addr:
            name = strip_controls(clean_text(decode_header_value(display)))
            out.append((name.replace("\n", " "), strip_controls(addr)))
    return out


def _flat_addresses(values: list[str]) -> list[tuple[str, str]]:
    """Addresses read without comments and one list item at a time, so nothing recurses."""
    pairs = []
    for value in values:
        for item in re.split(r"[,:;]", _drop_comments(value)):
            try:
                pairs.extend(email.utils.getaddresses([item]))
            except (RecursionError, ValueError, IndexError, TypeError):
                continue
    return pairs


def _drop_comments(value: str) -> str:
    """`value` without (parenthesised comments), however deeply nested."""
    out, depth, pos = [], 0, 0
    for match in re.finditer(r"[()]", value):
        if depth == 0:
            out.append(value[pos : match.start()])
        depth = depth + 1 if match.group() == "(" else max(depth - 1, 0)
        pos = match.end()
    if depth == 0:
        out.append(value[pos:])
    return " ".join(out)


def _address(fields: dict[str, list[str]], name: str) -> tuple[str | None, str | None]:
    found = _addresses(fields, name)
    if not found:
        return None, None
    display, addr = found[0]
    return display or None, addr


def _sent_at(headers: dict[str, str], fallback: datetime | None) -> datetime | None:
    """The Date header, else the newest Received stamp, else the source's own time.

    The first Received header is the last hop, the delivery to this mailbox:
    closer to the sending than a file's mtime, which is when it was copied.
    """
    found = parse_date(headers.get("date"))
    if found is None and "received" in headers:
        for stamp in headers["received"].split("\n"):
            found = parse_date(stamp.rpartition(";")[2]) if ";" in stamp else None
            if found is not None:
                break
    return found or fallback


def normalise_message_id(value: str | None) -> str | None:
    """'<ABC@host>' from a Message-ID header (first id, no spaces); None if unusable."""
    if not value:
        return None
    text = "".join(value.split())
    start = text.find("<")
    end = text.find(">", start + 1)
    if start >= 0 and end > start:
        text = text[start + 1 : end]
    text = text.strip("<>")
    if len(text) < 3 or not text.isprintable():
        return None
    return f"<{text}>"


def _bodies(msg: Message) -> tuple[list[str], list[str], list[str]]:
    """Plain-text and HTML bodies of the inline parts, and the defects seen."""
    texts: list[str] = []
    htmls: list[str] = []
    defects = [type(d).__name__ for d in msg.defects]
    for count, part in enumerate(msg.walk()):
        if count >= MAX_PARTS:
            defects.append("TooManyParts")
            break
        defects.extend(type(d).__name__ for d in part.defects if part is not msg)
        if part.is_multipart() or _is_attachment(part):
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        body = _decode_part(part)
        if ctype == "text/html" or _looks_like_html(body):
            htmls.append(body)
        else:
            texts.append(body)
    return texts, htmls, defects


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("content-disposition", "")).split(";", 1)[0]
    return disposition.strip().lower() == "attachment"


def _decode_part(part: Message) -> str:
    """The part's text; transfer encoding undone leniently, then the charset chain."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError):
        payload = None
    if not isinstance(payload, bytes):  # None; typeshed also allows a Message, never returned
        raw = part.get_payload()
        payload = raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""
    try:
        charset = part.get_param("charset")
    except (ValueError, TypeError, IndexError):
        charset = None
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2] if len(charset) == 3 else None
    return decode_bytes(payload[:MAX_PART_BYTES], str(charset) if charset else None)


def _looks_like_html(body: str) -> bool:
    """Some senders label HTML as text/plain."""
    head = body.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


def _join(bodies: list[str], limit: int = MAX_BODY) -> str:
    return "\n\n".join(b for b in bodies if b.strip())[:limit]


def _language(headers: dict[str, str], html_lang: str | None) -> str | None:
    value = headers.get("content-language", "").strip().lower()
    if value[:2].isalpha():
        return value[:2]
    return html_lang
