"""The parsed form of one message, the input of retailer/classify/offers.

Produced by `tracker.mail.parse.parse_mail`; pure data, no DB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ParsedMail:
    """One message, decoded.

    `text` is the plain-text body (or the HTML converted to text when there is
    no text part); `html_text` is the HTML part converted to text, kept apart
    because HTML often carries banners and footers the plain part lacks.
    `links` are (href, anchor text) pairs from the HTML; `alt_texts` the image
    alt attributes. `headers` holds the headers that matter for classification
    and ESP detection, lower-cased names, decoded values (repeated headers are
    joined with newlines).
    """

    source: str
    message_id: str | None
    sent_at: datetime | None
    subject: str
    from_name: str | None
    from_addr: str | None
    to_addrs: list[str] = field(default_factory=list)
    reply_to: str | None = None
    sender: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    html_text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    alt_texts: list[str] = field(default_factory=list)
    language: str | None = None
    size: int = 0
    defects: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """The best text of the message for phrase matching."""
        return self.text or self.html_text


# Headers every real message carries some of: how a blob is told from mail
# (parse) and how an mbox body line is told from a header (files).
MAIL_HEADERS = frozenset(
    [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "delivered-to",
        "content-type",
        "reply-to",
        "sender",
    ]
)
