"""Pagination: which links lead to the next page of the same list or thread.

A link counts when it says so (rel=next, "Next", "Weiter", "Suivant",
"Successivo", "Siguiente", "»"), or when it is a page number ("2", "Page 2")
or a page-shaped URL (?page=2, /page/2/). Only links on the same site are
kept. Pure: an lxml tree and its URL in, absolute URLs out.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

NEXT_WORDS = re.compile(
    r"^(?:next|next page|next ›|older posts|older|more|weiter|nächste(?: seite)?|"
    r"suivant(?:e)?|page suivante|successiv[oa]|pagina successiva|avanti|"
    r"siguiente|página siguiente|[›»→>]+)\s*[›»→>]*$",
    re.IGNORECASE,
)
PAGE_NUMBER = re.compile(r"^(?:page|seite|pagina|página|p\.)?\s*\d{1,4}$", re.IGNORECASE)
PAGE_URL = re.compile(r"[?&](?:page|p|pg|seite|pagina|start|offset)=\d+|/page/\d+/?|/p/?\d+/?$")


def same_site(a: str, b: str) -> bool:
    """Same scheme-less host and port: pagination never leaves the site."""
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


def find_next_links(root: etree._Element, page_url: str) -> list[str]:
    """Absolute URLs of the pages after this one, in document order, deduplicated."""
    found: list[str] = []
    for el in root.iter("link", "a"):
        href = el.get("href")
        if not href or not _is_pagination(el):
            continue
        url = urldefrag(urljoin(page_url, href.strip())).url
        usable = urlsplit(url).scheme in {"http", "https"} and same_site(url, page_url)
        if usable and url != urldefrag(page_url).url and url not in found:
            found.append(url)
    return found


def _is_pagination(el: etree._Element) -> bool:
    rel = (el.get("rel") or "").lower().split()
    if "next" in rel:
        return True
    if el.tag != "a" or "nofollow" in rel:
        return False
    text = " ".join("".join(el.itertext()).split())
    label = (el.get("aria-label") or el.get("title") or "").strip()
    if NEXT_WORDS.match(text) or NEXT_WORDS.match(label):
        return True
    href = el.get("href") or ""
    return bool(PAGE_NUMBER.match(text) and PAGE_URL.search(href))
