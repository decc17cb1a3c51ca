"""Which retailer sent a message: its registrable domain and a readable name.

The domain is the registrable domain (`tracker.text.domains`) of the sender;
the name is the From display name cleaned by `tracker.text.names`. Email
service providers (bounce, tracking and "via" hosts, listed in
data/esp_domains.json) are never the retailer: when the From domain is theirs
we fall back to Reply-To, Sender, List-Unsubscribe, the body's most frequent
link host. Webmail senders (data/personal_domains.json)
are personal mail and have no retailer.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from importlib import resources
from typing import TypeGuard

from tracker.mail.headers import failed_authentication, is_discussion_list
from tracker.mail.message import ParsedMail
from tracker.records import RetailerRef
from tracker.text.domains import registrable_domain
from tracker.text.names import retailer_name
from tracker.text.rules import load_rules


@cache
def _data(name: str) -> dict:
    return json.loads(resources.files("tracker.mail").joinpath("data", name).read_text("utf-8"))


@cache
def esp_domains() -> frozenset[str]:
    """Registrable domains of email service providers and link trackers."""
    return frozenset(_data("esp_domains.json")["esp"])


@cache
def _link_noise() -> frozenset[str]:
    return frozenset(_data("esp_domains.json")["link_noise"])


@cache
def personal_domains() -> frozenset[str]:
    """Registrable domains of webmail/ISP mailboxes: personal mail."""
    return frozenset(_data("personal_domains.json")["domains"])


def is_esp(domain: str | None) -> bool:
    return domain is not None and domain in esp_domains()


def _usable(domain: str | None) -> TypeGuard[str]:
    return bool(domain) and not is_esp(domain) and domain not in personal_domains()


def _unsubscribe_domains(mail: ParsedMail) -> list[str | None]:
    header = mail.headers.get("list-unsubscribe", "")
    return [registrable_domain(part) for part in re.findall(r"<([^>]+)>", header)]


def _link_domain(mail: ParsedMail) -> str | None:
    counts: Counter[str] = Counter()
    for href, _text in mail.links:
        if not href.lower().startswith(("http://", "https://")):
            continue
        domain = registrable_domain(href)
        if _usable(domain) and domain not in _link_noise():
            counts[domain] += 1
    return counts.most_common(1)[0][0] if counts else None


_DKIM_D_RE = re.compile(r"(?:^|;)\s*d\s*=\s*([A-Za-z0-9.-]+)")


def _dkim_domains(mail: ParsedMail) -> list[str | None]:
    """The domains that signed the message (DKIM `d=`): a shop signs its own mail
    even when a platform's shared address is in From."""
    header = mail.headers.get("dkim-signature", "")
    return [registrable_domain(d) for d in _DKIM_D_RE.findall(header)]


def _sender_domain(mail: ParsedMail) -> str | None:
    """The retailer's domain, trying From, then the fallbacks for ESP senders."""
    from_domain = registrable_domain(mail.from_addr or "")
    if from_domain in personal_domains():
        return None
    if _usable(from_domain):
        return from_domain
    candidates = [
        registrable_domain(mail.reply_to or ""),
        registrable_domain(mail.sender or ""),
        *_dkim_domains(mail),
        *_unsubscribe_domains(mail),
    ]
    for domain in candidates:
        if _usable(domain):
            return domain
    return _link_domain(mail)


# the line a mail client puts above a forwarded or quoted original, in our five languages
_FORWARD_MARKER_RE = re.compile(
    r"^[\s>*-]*(?:forwarded message|begin forwarded message|original message"
    r"|weitergeleitete nachricht|urspr(?:ü|ue)ngliche nachricht|message transf[ée]r[ée]"
    r"|message d['’]origine|messaggio inoltrato|messaggio originale|mensaje reenviado"
    r"|mensaje original)\b",
    re.I | re.M,
)
_BULK_HEADERS = ("list-unsubscribe", "list-unsubscribe-post", "list-id", "feedback-id")
# The header block a mail client quotes above a forwarded original when it
# writes no marker line (Outlook: a rule, then From:/Sent:/To:/Subject:): a
# From line and, within the next lines, the block's date field — prose has
# "From: our team" but not a "Sent:" line under it.
_QUOTED_FROM = r"(?:from|von|de|da)"
_QUOTED_FIELD = r"(?:sent|date|gesendet|datum|envoy[ée]|inviato|data|enviado|fecha)"
_QUOTED_HEADERS_RE = re.compile(
    rf"^[ \t>*]*{_QUOTED_FROM}[ \t]*:[ \t]*\S[^\n]*\n(?:[^\n]*\n){{0,3}}?"
    rf"[ \t>*]*{_QUOTED_FIELD}[ \t]*:[ \t]*\S",
    re.I | re.M,
)
# Replies and list tags in front of a forward prefix: "Re: Fwd:", "[Fwd: ...]"
_SUBJECT_LEAD_RE = re.compile(r"^\s*(?:(?:re|aw|sv|antw|r)\s*:\s*|\[)+", re.I)


def forwarded_by_a_person(mail: ParsedMail) -> bool:
    """A person passing a shop's mail on: forwarded (a Fwd:/WG:/TR: subject, also
    after "Re:" or in brackets, a forwarded-message marker, or a quoted
    From:/Sent:/To: block) and none of bulk mail's signs (list headers,
    Precedence: bulk, an ESP sender). Its From is the forwarder, not a retailer."""
    precedence = mail.headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list") or any(h in mail.headers for h in _BULK_HEADERS):
        return False
    if is_esp(registrable_domain(mail.from_addr or "")):
        return False
    subject = _SUBJECT_LEAD_RE.sub("", mail.subject or "")
    if load_rules().forward.search(subject):
        return True
    text = mail.text or ""
    return bool(_FORWARD_MARKER_RE.search(text) or _QUOTED_HEADERS_RE.search(text))


def extract_retailer(mail: ParsedMail) -> RetailerRef | None:
    """The retailer behind `mail`, or None for personal mail or when unknowable.

    A post to a discussion list is not its author's employer writing, mail that
    failed authentication is not the shop it names, and a person forwarding a
    shop's mail is not that shop (nor a shop of their own): none has a retailer.
    """
    if is_discussion_list(mail.headers) or failed_authentication(mail.headers):
        return None
    if forwarded_by_a_person(mail):
        return None
    domain = _sender_domain(mail)
    if domain is None:
        return None
    return RetailerRef(domain=domain, name=retailer_name(mail.from_name, domain))
