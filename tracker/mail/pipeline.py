"""One RawMail -> one MessageRecord: parse, retailer, kind, offer. Never raises.

Every source (files, IMAP) ends here, so a message that cannot be understood
must still come out as a record with `error` set: the run goes on and the
failure is stored and counted.
"""

from __future__ import annotations

import hashlib
import re

from tracker.errors import DarkpoolError
from tracker.mail.classify import classify_message
from tracker.mail.message import ParsedMail
from tracker.mail.offer import extract_offer
from tracker.mail.parse import parse_mail
from tracker.mail.retailer import extract_retailer
from tracker.records import MessageRecord, RawMail
from tracker.text import address_domain

MAX_KEY = 255  # the store's key column
_BODY_START = re.compile(rb"\r?\n\r?\n")


def content_hash(data: bytes) -> str:
    """sha256 of the message body, headers excluded, line endings normalised.

    Copies of one message re-delivered with other Received/Delivered-To
    headers, or stored with CRLF by one client and LF by another, hash alike.
    """
    match = _BODY_START.search(data)
    body = data[match.end() :] if match else data
    body = body.replace(b"\r\n", b"\n").rstrip()
    return hashlib.sha256(body).hexdigest()


def message_key(parsed: ParsedMail, body_hash: str) -> str:
    """The dedup key: the normalised Message-ID, else a hash of the content.

    Without a Message-ID the sender, date and subject join the body hash, so
    two template mails with the same body sent on different days stay apart.
    """
    mid = parsed.message_id
    if mid and len(mid) <= MAX_KEY and not mid.startswith("sha256:"):
        return mid
    basis = "\n".join(
        [
            mid or "",
            parsed.from_addr or "",
            parsed.sent_at.isoformat() if parsed.sent_at else "",
            parsed.subject,
            body_hash,
        ]
    )
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def process_mail(raw: RawMail) -> MessageRecord:
    """Parse and understand one message; failures become a record with `error`."""
    body_hash = content_hash(raw.data)
    try:
        parsed = parse_mail(raw)
    except DarkpoolError as exc:
        return _error_record(raw, body_hash, str(exc))
    except Exception as exc:  # a parser bug must not stop an import of millions
        return _error_record(raw, body_hash, f"parse failed: {type(exc).__name__}: {exc}")
    record = MessageRecord(
        source=raw.source,
        key=message_key(parsed, body_hash),
        content_hash=body_hash,
        message_id=parsed.message_id,
        sent_at=parsed.sent_at,
        subject=parsed.subject[:1000] or None,
        sender_domain=(address_domain(parsed.from_addr) or "")[:255] or None,
        extra={"from_name": parsed.from_name, "defects": len(parsed.defects)},
    )
    if raw.error:
        record.key = "sha256:" + body_hash
        record.error = raw.error
        return record
    _understand(parsed, record)
    return record


def _understand(parsed: ParsedMail, record: MessageRecord) -> None:
    """Retailer, kind and offer; a failure in one is recorded, not raised."""

    step = "retailer"
    try:
        record.retailer = extract_retailer(parsed)
        step = "classify"
        record.kind, record.confidence = classify_message(parsed, record.retailer)
        step = "offer"
        record.offer = extract_offer(parsed, record.kind)
    except Exception as exc:  # keep what was learnt so far; record which step broke
        record.error = f"{step} failed: {type(exc).__name__}: {exc}"


def _error_record(raw: RawMail, body_hash: str, error: str) -> MessageRecord:
    return MessageRecord(
        source=raw.source,
        key="sha256:" + body_hash,
        content_hash=body_hash,
        sent_at=raw.fallback_time,
        error=raw.error or error,
    )
