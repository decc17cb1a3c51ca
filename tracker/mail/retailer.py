"""Which retailer sent a message: its registrable domain and a readable name.

The domain comes from the Public Suffix List (tldextract's bundled snapshot,
never fetched: darkpool runs offline), so `e.brand.com` and `mail.brand.co.uk`
become `brand.com` and `brand.co.uk`. Email service providers (bounce, tracking
and "via" hosts, listed in data/esp_domains.json) are never the retailer: when
the From domain is theirs we fall back to Reply-To, Sender, List-Unsubscribe,
the body's most frequent link host. Webmail senders (data/personal_domains.json)
are personal mail and have no retailer.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

import tldextract

from tracker.mail.message import ParsedMail
from tracker.records import RetailerRef


@cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and no cache dir: only the snapshot shipped in the wheel.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


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


@cache
def _first_names() -> frozenset[str]:
    return frozenset(_data("first_names.json")["names"])


def _host_of(value: str) -> str:
    value = value.strip().strip("<>\"' ").lower()
    if value.startswith("mailto:"):
        value = value[7:].split("?", 1)[0]
    if "://" in value:
        return urlsplit(value).hostname or ""
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    return value.split("/", 1)[0].split(":", 1)[0].strip(".>")


def registrable_domain(host_or_url_or_address: str) -> str | None:
    """The registrable domain of a host, URL or email address, or None.

    >>> registrable_domain("levis@e.levi.com"), registrable_domain("https://mail.brand.co.uk/x")
    ('levi.com', 'brand.co.uk')
    """
    if not host_or_url_or_address:
        return None
    host = _host_of(host_or_url_or_address)
    if not host or re.fullmatch(r"[\d.]+|\[.*\]|[0-9a-f:]+", host):
        return None
    result = _extractor()(host)
    if not result.suffix or not result.domain:
        return None
    return f"{result.domain}.{result.suffix}"


def is_esp(domain: str | None) -> bool:
    return domain is not None and domain in esp_domains()


def _usable(domain: str | None) -> bool:
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
        *_unsubscribe_domains(mail),
    ]
    for domain in candidates:
        if _usable(domain):
            return domain
    return _link_domain(mail)


def extract_retailer(mail: ParsedMail) -> RetailerRef | None:
    """The retailer behind `mail`, or None for personal mail or when unknowable."""
    domain = _sender_domain(mail)
    if domain is None:
        return None
    return RetailerRef(domain=domain, name=retailer_name(mail.from_name, domain))


# --- display names ---------------------------------------------------------

_ROLE_WORDS = (
    r"team|customer\s+(?:service|care|support)|support|newsletters?|news|orders?|order\s+updates?"
    r"|deals|offers|updates|notifications?|official|hq|insiders?|rewards|club|online\s*shop"
    r"|kundenservice|kundendienst|service\s+client(?:s|èle)?|servizio\s+clienti"
    r"|atenci[oó]n\s+al\s+cliente|shop\s+team|store"
)
_ROLE_SUFFIX_RE = re.compile(rf"(?:\s*[-|:–]\s*|\s+)(?:the\s+)?(?:{_ROLE_WORDS})\s*$", re.I)
_ROLE_PREFIX_RE = re.compile(
    r"^(?:the\s+|team\s+|das\s+|dein\s+|ihr\s+|l['’]équipe\s+|l['’]equipe\s+|il\s+team\s+(?:di\s+)?"
    r"|el\s+equipo\s+(?:de\s+)?|equipo\s+|votre\s+|your\s+(?:friends\s+)?(?:at|from)\s+)",
    re.I,
)
_ROLE_ONLY_RE = re.compile(rf"(?:the\s+|your\s+)?(?:{_ROLE_WORDS}|info|no-?reply|hello|hi)", re.I)
_LINK_WORD_RE = re.compile(
    r"^(?P<a>.+?)\s+(?:at|from|@|bei|von|chez|de\s+chez|di|da|de|du)\s+(?P<b>.+)$", re.I
)
_VIA_RE = re.compile(r"\s+(?:via|through|über|par|tramite|por\s+medio\s+de)\s+.+$", re.I)


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _related(name: str, domain: str) -> bool:
    label, key = _key(domain.split(".", 1)[0]), _key(name)
    if not key or not label:
        return False
    if key in label or label in key:
        return True
    n = min(4, len(key), len(label))
    words = re.findall(r"[a-z0-9]+", _key_spaced(name))
    initials = "".join(w[0] for w in words)
    return key[:n] == label[:n] or (len(initials) > 1 and initials == label)


def _key_spaced(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.lower()


def _looks_like_person(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 3 and words[0].lower().strip(".,") in _first_names()


def name_from_domain(domain: str) -> str:
    """'levi.com' -> 'Levi'; 'marks-and-spencer.com' -> 'Marks And Spencer'."""
    label = domain.split(".", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[-_]+", label) if part)


def _clean(name: str) -> str:
    name = re.sub(r"[®™©*]|[\U0001F000-\U0001FFFF\u2600-\u27BF]", "", name)
    name = re.sub(r"\s+", " ", name).strip(" \"'“”«»-|:")
    name = _VIA_RE.sub("", name)
    for _ in range(2):
        name = _ROLE_PREFIX_RE.sub("", _ROLE_SUFFIX_RE.sub("", name)).strip(" -|:,")
    return name


def _pick_part(name: str, domain: str) -> str:
    """'Jane at Glossier' -> 'Glossier'; 'Brand | Summer Sale' -> 'Brand'."""
    parts = [p.strip() for p in re.split(r"\s+[|–—:-]\s+|\s*\|\s*", name) if p.strip()]
    if len(parts) > 1:
        related = [p for p in parts if _related(p, domain)]
        name = related[0] if related else parts[0]
    m = _LINK_WORD_RE.match(name)
    if m:
        a, b = m["a"], m["b"]
        if _related(b, domain) or not _related(a, domain):
            return b
        return a
    return name


def retailer_name(display_name: str | None, domain: str) -> str:
    """A readable retailer name from the From display name, else from the domain.

    A display name that is only a person's name ("Emily", "Jane Smith") is not
    a retailer name unless it matches the domain ("Ted Baker" at tedbaker.com).
    """
    name = _clean(_pick_part(_clean(display_name or ""), domain))
    if not name or len(name) > 60 or "@" in name or _ROLE_ONLY_RE.fullmatch(name):
        return name_from_domain(domain)
    if _looks_like_person(name) and not _related(name, domain):
        return name_from_domain(domain)
    return name
