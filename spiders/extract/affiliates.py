"""Affiliate and redirect links: the shop's URL inside a network's redirector.

Coupon blogs link stores through affiliate networks, so the link's own domain
is the network's (awin1.com, linksynergy.com, sjv.io, ...), not the shop's.
The networks carry the destination in a query parameter (Awin `ued`, Rakuten
`murl`, ShareASale `urllink`, Webgains `wgtarget`, CJ/Skimlinks/TradeDoubler
`url`, Impact/VigLink `u`) or a path segment (Partnerize `destination:`).
`unwrap_link` returns the destination; other links come back unchanged.
Pure: a URL in, a URL out.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

# Parameters only redirectors use: unwrapped on any host.
STRONG_PARAMS = (
    "murl", "ued", "urllink", "wgtarget", "destination", "desturl", "dest_url", "rd_parm1",
)  # fmt: skip
# Common words: unwrapped only on a known network or redirector host.
WEAK_PARAMS = (
    "url", "u", "q", "p", "to", "target", "dest", "redirect", "redirect_url", "link", "goto",
)  # fmt: skip
NETWORK_HOSTS = re.compile(
    r"(?:^|\.)(?:awin1\.com|zenaps\.com|linksynergy\.com|anrdoezrs\.net|jdoqocy\.com|"
    r"tkqlhce\.com|dpbolvw\.net|kqzyfj\.com|emjcd\.com|shareasale\.com|skimresources\.com|"
    r"skimlinks\.com|viglink\.com|sovrn\.com|sjv\.io|pxf\.io|7eer\.net|evyy\.net|ojrq\.net|"
    r"prf\.hn|pjtra\.com|pntra\.com|pntrac\.com|pntrs\.com|tradetracker\.net|gopjn\.com|pjatr\.com|tradedoubler\.com|webgains\.com|"
    r"adtraction\.com|daisycon\.com|flexoffers\.com|avantlink\.com|go2cloud\.org|"
    r"rstyle\.me|shopstyle\.com|narrativ\.com|howl\.me|bam-x\.com|"
    r"google\.[a-z.]+|facebook\.com|reddit\.com|t\.co)$"
)
_PATH_DEST = re.compile(r"/destination:(?P<url>https?(?::|%3A).+)$", re.IGNORECASE)


def unwrap_link(url: str, depth: int = 3) -> str:
    """The destination of an affiliate or redirect link, else `url` itself.

    >>> unwrap_link("https://www.awin1.com/cread.php?awinmid=1&ued=https%3A%2F%2Fwww.asos.com%2F")
    'https://www.asos.com/'
    """
    for _ in range(depth):  # a network link wrapped in another redirector
        target = _destination(url)
        if target is None:
            return url
        url = target
    return url


def _destination(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    known = bool(NETWORK_HOSTS.search(host))
    path = _PATH_DEST.search(parts.path)
    if path:
        return _absolute(unquote(path.group("url")))
    params = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=False)}
    for name in STRONG_PARAMS + (WEAK_PARAMS if known else ()):
        value = params.get(name)
        target = _absolute(value) if value else None
        if target is not None and urlsplit(target).hostname != parts.hostname:
            return target
    return None


def _absolute(value: str) -> str | None:
    """An http(s) URL from a parameter value (decoded once more if still encoded);
    ShareASale's `urllink` omits the scheme ("www.shop.com/page")."""
    value = value.strip()
    if re.match(r"https?%3A", value, re.IGNORECASE):
        value = unquote(value)
    if re.match(r"https?://[^/\s]+\.[^/\s]+", value, re.IGNORECASE):
        return value
    if re.match(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/|$)", value, re.IGNORECASE):
        return "https://" + value
    return None
