"""RawMail bytes -> ParsedMail: robust MIME, charsets, RFC 2047 headers, UTC dates.

The `email` package parses with `policy=compat32`: it is the policy that never
raises on malformed headers (the modern policy parses address and date headers
eagerly and some broken values raise from inside it). Headers are decoded here
instead, with a fallback chain for charsets: declared -> UTF-8 -> cp1252 ->
latin-1, so a wrong or unknown charset degrades to a few odd characters, never
to a failure.
"""

from __future__ import annotations

import email
import email.utils
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
    clip_message,
    count_multipart,
    strip_controls,
)
from tracker.mail.message import MAIL_HEADERS, ParsedMail
from tracker.records import RawMail

MAX_HEADER = 4000  # characters kept per header value
MAX_BODY = MAX_TEXT_CHARS  # characters of text kept per message
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])


def parse_mail(raw: RawMail) -> ParsedMail:
    """Decode one message; raises ParseError only when there is no mail in the bytes."""
    _reject_junk(raw.data, raw.source)
    data, clipped = clip_message(raw.data)  # bounded work: see tracker.mail.limits
    if count_multipart(data) > MAX_MULTIPART:
        raise ParseError(f"more than {MAX_MULTIPART} multipart containers", raw.source)
    msg = email.message_from_bytes(data, policy=compat32)
    headers = _headers(msg)
    if not MAIL_HEADERS.intersection(headers):
        raise ParseError("no mail headers found", raw.source)
    from_name, from_addr = _address(msg, "from")
    texts, htmls, defects = _bodies(msg)
    if clipped:
        defects.append("ClippedForParsing")
    text = clean_text(_join(texts))
    html = html_to_text(_join(htmls, MAX_HTML_CHARS)) if htmls else None
    html_text = html.text if html else ""
    return ParsedMail(
        source=raw.source,
        message_id=normalise_message_id(headers.get("message-id")),
        sent_at=parse_date(headers.get("date")) or raw.fallback_time,
        subject=strip_controls(clean_text(headers.get("subject", ""))).replace("\n", " "),
        from_name=from_name,
        from_addr=from_addr,
        to_addrs=[addr for _, addr in _addresses(msg, "to")],
        reply_to=_address(msg, "reply-to")[1],
        sender=_address(msg, "sender")[1],
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
    if not data.strip():
        raise ParseError("empty message", source)
    head = data[:4096]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if b"\x00" in head or controls > len(head) // 10:
        raise ParseError("binary data, not a mail message", source)


def _headers(msg: Message) -> dict[str, str]:
    """Lower-cased names -> decoded values; repeated headers joined by newlines."""
    out: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = str(name).strip().lower()
        text = decode_header_value(str(value))[:MAX_HEADER]
        out[key] = f"{out[key]}\n{text}" if key in out else text
    return out


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(decoded display name, lower-cased address) pairs; encoded words are
    decoded after splitting, so a comma inside an encoded name cannot split it."""
    values = [raw_header_text(str(v)) for v in msg.get_all(name, [])]
    try:
        pairs = email.utils.getaddresses(values)
    except (ValueError, IndexError, TypeError):
        pairs = []
    out = []
    for display, addr in pairs:
        addr = addr.strip().strip("<>").lower()
        if "@" in addr:
            name = strip_controls(clean_text(decode_header_value(display)))
            out.append((name.replace("\n", " "), strip_controls(addr)))
    return out


def _address(msg: Message, name: str) -> tuple[str | None, str | None]:
    found = _addresses(msg, name)
    if not found:
        return None, None
    display, addr = found[0]
    return display or None, addr


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
