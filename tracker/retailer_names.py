"""Retailer names -> domains, from the bundled curated list `data/retailers.csv`.

Pages name stores the way shoppers do ("M&S", "Ulta", "Levis"); the list maps
a name or alias to the store's domain. Some store names are everyday words
("Next", "Very", "Boots", "Game"); those are matched only when a page uses them
as a label (a table cell, a list lead, a heading), never inside running prose.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

# Store names that are also common words in the five languages we read.
_COMMON_WORDS = """
next very boots game office target gap express article purple away on iceland coast
warehouse jules but coin wish loft ross belk academy kay jd ao made monsoon oasis burton
liberty saturn otto lush brooks shark roots indigo booking represent reserved nelly dm
hp mac game habitat weekday
"""
COMMON_WORDS = frozenset(_COMMON_WORDS.split())


@dataclass(frozen=True)
class KnownRetailer:
    name: str
    domain: str
    category: str | None = None
    country: str | None = None


@lru_cache(maxsize=4096)
def normalize_name(text: str) -> str:
    """Fold case, accents, punctuation and "the"/"&" so "Marks & Spencer" == "marks and spencer"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


@cache
def load_known_retailers() -> tuple[dict[str, KnownRetailer], dict[str, KnownRetailer]]:
    """({normalized name or alias: retailer}, {domain: retailer}) from the bundled CSV."""
    by_name: dict[str, KnownRetailer] = {}
    by_domain: dict[str, KnownRetailer] = {}
    text = resources.files("tracker").joinpath("data/retailers.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        known = KnownRetailer(row["name"], row["domain"], row["category"] or None, row["country"])
        by_domain.setdefault(known.domain, known)
        aliases = [row["name"], *filter(None, row["aliases"].split(";")), row["domain"]]
        for alias in aliases:
            by_name.setdefault(normalize_name(alias), known)
    return by_name, by_domain


def lookup_retailer(name: str) -> KnownRetailer | None:
    """The curated retailer a label names ("Ulta" -> ulta.com), or None."""
    by_name, _ = load_known_retailers()
    key = normalize_name(name)
    if not key:
        return None
    found = by_name.get(key)
    if found is None and key.endswith(" uk"):
        found = by_name.get(key[:-3])
    return found


def retailer_for_domain(domain: str) -> KnownRetailer | None:
    """The curated entry for a registrable domain, if any."""
    return load_known_retailers()[1].get(domain)


@cache
def _mention_index() -> dict[str, list[str]]:
    """{first three characters: aliases, longest first} for prose matching."""
    index: dict[str, list[str]] = {}
    text = resources.files("tracker").joinpath("data/retailers.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        for alias in [row["name"], *filter(None, row["aliases"].split(";"))]:
            if normalize_name(alias) not in COMMON_WORDS and len(alias) > 2:
                index.setdefault(alias[:3], []).append(alias)
    for aliases in index.values():
        aliases.sort(key=len, reverse=True)
    return index


_WORD_START = re.compile(r"(?<![\w&])[\w&]")
_WORD_CHAR = re.compile(r"[\w&]")


def find_retailer_mentions(text: str) -> list[tuple[int, int, KnownRetailer]]:
    """Curated store names mentioned in prose, as (start, end, retailer).

    Case-sensitive: shoppers capitalise store names; "gap" or "next" in prose is a word.
    """
    index = _mention_index()
    found: list[tuple[int, int, KnownRetailer]] = []
    last_end = -1
    for m in _WORD_START.finditer(text):
        pos = m.start()
        if pos < last_end:
            continue
        for alias in index.get(text[pos : pos + 3], ()):
            end = pos + len(alias)
            if text.startswith(alias, pos) and not _WORD_CHAR.match(text, end):
                known = lookup_retailer(alias)
                if known is not None:
                    found.append((pos, end, known))
                    last_end = end
                break
    return found


def registrable_domain(host_or_url: str) -> str | None:
    """ "https://www.asos.com/x" -> "asos.com"; None for IPs and bare hosts.

    Uses tracker.mail.retailer's resolver when present, else tldextract with its
    bundled Public Suffix List (no network).
    """
    try:
        from tracker.mail.retailer import registrable_domain as shared
    except ImportError:
        return _tld_domain(host_or_url)
    return shared(host_or_url)


@cache
def _extractor():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _tld_domain(host_or_url: str) -> str | None:
    parts = _extractor()(host_or_url.strip().lower())
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}"
