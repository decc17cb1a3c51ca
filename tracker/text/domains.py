"""Registrable domains of hosts, URLs and mail addresses, offline.

The domain comes from the Public Suffix List (tldextract's bundled snapshot,
never fetched: darkpool runs offline), so `e.brand.com` and `mail.brand.co.uk`
become `brand.com` and `brand.co.uk`. This is the project's one `TLDExtract`.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and no cache dir: only the snapshot shipped in the wheel.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(value: str) -> str:
    """The lower-cased host of a URL, a `mailto:`, an address or a bare host."""
    value = value.strip().strip("<>\"' ").lower()
    if value.startswith("mailto:"):
        value = value[7:].split("?", 1)[0]
    if "://" in value:
        try:
            return urlsplit(value).hostname or ""
        except ValueError:  # an unbalanced "[" in a hostile URL
            return ""
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    return value.split("/", 1)[0].split(":", 1)[0].strip(".>")


def address_domain(addr: str | None) -> str | None:
    """The whole lower-cased domain of a mail address ("e.levi.com"), or None.

    >>> address_domain("Levi's <news@E.Levi.com>")
    'e.levi.com'
    """
    if not addr or "@" not in addr:
        return None
    domain = addr.rsplit("@", 1)[1].strip().strip(">").lower().rstrip(".")
    return domain or None


def registrable_domain(host_or_url_or_address: str) -> str | None:
    """The registrable domain of a host, URL or email address, or None.

    None for IP addresses and hosts without a public suffix.

    >>> registrable_domain("levis@e.levi.com"), registrable_domain("https://mail.brand.co.uk/x")
    ('levi.com', 'brand.co.uk')
    """
    if not host_or_url_or_address:
        return None
    host = host_of(host_or_url_or_address)
    if not host or re.fullmatch(r"[\d.]+|\[.*\]|[0-9a-f:]+", host):
        return None
    result = _extractor()(host)
    if not result.suffix or not result.domain:
        return None
    return f"{result.domain}.{result.suffix}"
