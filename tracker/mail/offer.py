"""The offer a parsed message makes to its reader (`parse --jsonl`'s `offer`).

A thin adapter: the message's subject, body, send time, own timezone and
sender region go to `tracker.text.offers.extract_offer_from_text`.
"""

from __future__ import annotations

import email.utils
from datetime import tzinfo

from tracker.mail.message import ParsedMail
from tracker.records import OfferInfo
from tracker.text.offers import OFFER_KINDS, extract_offer_from_text, reads_month_first


def message_timezone(mail: ParsedMail) -> tzinfo | None:
    """The sender's own UTC offset, from the Date header, else sent_at's."""
    raw = mail.headers.get("date")
    if raw:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed.tzinfo
    return mail.sent_at.tzinfo if mail.sent_at else None


def extract_offer(mail: ParsedMail, kind: str) -> OfferInfo | None:
    """The offer `mail` makes to its reader; None for transactional/other mail."""
    if kind not in OFFER_KINDS:
        return None
    return extract_offer_from_text(
        mail.subject,
        mail.body,
        mail.sent_at,
        tz=message_timezone(mail),
        month_first=reads_month_first(mail.subject, mail.body, mail.from_addr),
    )
