"""Retailer names -> domains, from the bundled curated list `data/retailers.csv`.

Pages name stores the way shoppers do ("M&S", "Ulta", "Levis"); the list maps
a name or alias to the store's domain. Some store names are everyday words
("Next", "Very", "Boots", "Game"); those are matched only when a page uses them
as a label (a table cell, a list lead, a heading), never inside running prose.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from tracker.text.scripts import (
    fold_key,
    fold_lookalikes,
    has_lookalikes,
    mixed_script,
    strip_controls,
)

# Store names that are also common words in the five languages we read.
_COMMON_WORDS = """
next very boots game office target gap express article purple away on iceland coast
warehouse jules but coin wish loft ross belk academy kay jd ao made monsoon oasis burton
liberty saturn otto lush brooks shark roots indigo booking represent reserved nelly dm
hp mac habitat weekday
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
    text = resources.files("tracker.text").joinpath("data", "retailers.csv").read_text("utf-8")
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
    text = resources.files("tracker.text").joinpath("data", "retailers.csv").read_text("utf-8")
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


# --- display names: From headers and published names ------------------------

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
    words = fold_lookalikes(name).split()
    return 1 <= len(words) <= 3 and words[0].casefold().strip(".,") in _first_names()


def name_from_domain(domain: str) -> str:
    """'levi.com' -> 'Levi'; 'marks-and-spencer.com' -> 'Marks And Spencer'."""
    label = domain.split(".", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[-_]+", label) if part)


def _clean(name: str) -> str:
    name = strip_controls(name)
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


@cache
def _first_names() -> frozenset[str]:
    raw = resources.files("tracker.text").joinpath("data", "first_names.json").read_text("utf-8")
    return frozenset(json.loads(raw)["names"])


def public_name(name: str | None, domain: str) -> str:
    """The retailer name to publish: the curated one, else the stored one when it only
    spells the domain ("Quillby Beauty" at quillbybeauty.com), else one made from it.

    Stored names come from the From display name of the first mail seen, which
    senders personalise ("Quillby for Jane Doe", "Quillby Иван", "Quillby ٠٧٩١"); that
    must not cross the boundary. The check is the one for every script: all letters
    and digits of the name, in any script, must be spelled by the domain's own label
    (`tracker.text.scripts.fold_key`). A name that mixes lookalike scripts ("Lеvi's"),
    or whose lookalikes fold to a curated retailer of another domain ("Аmazon" at an
    IDN domain), is a spoof and is replaced by the domain's own name; bidi overrides
    and other invisible characters never survive.
    """
    known = retailer_for_domain(domain)
    if known is not None:
        return known.name
    shown = strip_controls(name or "")
    if shown and _spells_domain(shown, domain) and not _spoofs(shown, domain):
        return shown
    return name_from_domain(domain)


def _spells_domain(name: str, domain: str) -> bool:
    """Every letter and digit of `name` (any script) is in the domain's first label."""
    key = fold_key(name)
    return bool(key) and "\ufffd" not in name and key in fold_key(_unicode_label(domain))


def _spoofs(name: str, domain: str) -> bool:
    if mixed_script(name):
        return True
    if not has_lookalikes(name):
        return False
    other = lookup_retailer(fold_lookalikes(name))
    return other is not None and other.domain != domain


def _unicode_label(domain: str) -> str:
    """The first label of `domain`, an IDN label ("xn--...") decoded to Unicode."""
    label = domain.split(".", 1)[0]
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label
