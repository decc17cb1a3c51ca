"""Which store a block of text is about: labels, links, the curated list, prose.

Resolution order (issue 4): a link on the page to the store's own site gives
its registrable domain; otherwise the bundled curated list; otherwise the name
is kept with no domain. Pure: text, links and a page URL in, `NameRef` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from spiders.extract.affiliates import unwrap_link
from spiders.extract.blocks import Block, Link
from tracker.text import (
    find_retailer_mentions,
    find_waits,
    lookup_retailer,
    normalize_name,
    registrable_domain,
    retailer_for_domain,
)

# Capitalised words that start sentences or name things that are not stores.
_NOT_STORE_WORDS = """
i we you they he she it my our their this that these those then also and but so after
before when once today yesterday update edit note tip tips step result results summary
verdict total average overall nobody nothing everyone someone same mine both most some
many all any none store stores shop shops retailer brand conclusion intro introduction
faq comments comment reply replies overview method methodology how why what which who
where ich wir sie er es du man dann auch und aber nach bei je nous vous ils elle il on
puis et mais après io noi lui lei loro poi ma dopo yo nosotros ellos ella él luego pero
después hello hi thanks hallo bonjour ciao hola yes no ok ps monday tuesday wednesday
thursday friday saturday sunday january february march april june july august september
october november december black cyber christmas google gmail outlook reddit email mail
newsletter discount discounts code codes coupon cart basket checkout warenkorb panier
carrello carrito amazon prime the a an posted quote original op admin
moderator member guest caution warning psa hier here weitere expired sponsored ad
advertisement anzeige publicidad publicité pubblicità similar related see lovely great
timing don't dont do avoid beware incentives incentive offers timeline step reminder
reminders subject tried got left prozent percent nada
"""
# A label with one of these words names a topic ("Abandoned Cart Emails",
# "Newsletter-Gutscheine", "Similar topics"), not a store.
TOPIC_WORDS = re.compile(
    r"\b(?:abandoned|emails?|newsletters?|gutscheine|codes|coupons|deals|tips|guide|articles?|"
    r"artikel|topics|threads|posts|reviews|stores|shops|templates?|examples?|checklists?|"
    r"best practices|subject lines?)\b|-gutscheine\b",
    re.IGNORECASE,
)
NOT_STORES = frozenset(_NOT_STORE_WORDS.split())
# Headings that introduce a part of an article, not a store, in our five languages.
_SECTION_WORDS = """
fazit ergebnis ergebnisse zusammenfassung tipp tipps hinweis bilan résumé astuce astuces
conseil conseils conclusione riepilogo consiglio consigli nota conclusión resumen consejo
consejos bonus extra methodik méthode metodo método takeaway takeaways final verdict
"""
NOT_STORES |= frozenset(_SECTION_WORDS.split())
_NAME = r"[A-Z0-9][\w&'’.+!-]*(?:\s+(?:&\s+|and\s+|und\s+)?[A-Z][\w&'’.+!-]*){0,2}"
_SUBJECT = re.compile(
    rf"(?<![\w&])(?P<name>{_NAME})\s+"
    r"(?:(?:also|then|only|just|finally|eventually|actually|never|didn'?t|did not|"
    r"quickly|promptly|nur|seulement|solo)\s+)?"
    r"(?:sent|sends|emailed|e-mailed|mailed|offered|offers|gave|gives|followed up|came back|"
    r"reminded|nudged|texted|bother(?:ed)?|follow(?:ed)? up|replied|responded|waited|"
    r"schickte|schickt|sendete|gab|bot|m'a|m'ont|a envoyé|envoie|offre|ha mandato|"
    r"ha inviato|mi ha|manda|invia|me envió|me mandó|envió|envía|ofrece|me ofreció)\b"
)
_AT_STORE = re.compile(
    r"(?:cart|basket|order|Warenkorb|panier|carrello|carrito|cesta)\s+(?:\w+\s+){0,3}?"
    rf"(?:at|on|from|with|bei|von|auf|chez|sur|de|su|da|di|en)\s+(?P<name>{_NAME})"
)
# "At Casa Olivo they sent…", "Bei Gartenzauber kamen 10 %", "En Moda Bravo solo…",
# "A mí con Casa Olivo me mandaron…": a store after a sentence-initial preposition
_AT_START = re.compile(
    r"^(?:[\w’']+\s+){0,2}?(?:at|with|from|bei|von|chez|avec|con|en|da|presso)\s+"
    rf"(?P<name>{_NAME})"
)
# "Sage Goods: $5 off…", "Pellham Outfitters: nothing after a week"
_NAME_COLON = re.compile(rf"(?:^|[·|#]\s*\d*\s*)(?P<name>{_NAME}):\s")
# "Has anyone tried this with Denby Home?", "Erfahrung mit der Kaffeerösterei Bohnenglück?"
_ASKED = re.compile(
    r"(?:with|at|on|mit(?:\s+der|\s+dem)?|bei|con|en|avec|chez|su|da)\s+"
    rf"(?P<name>{_NAME})\s*\?"
)
# "in my Brightwater Tech cart", "in meinem Gartenzauber-Warenkorb"
_MY_CART = re.compile(
    rf"\b(?:my|our|the|a|mein(?:em)?|mon|il mio)\s+(?P<name>{_NAME})[\s-]+"
    r"(?:cart|basket|warenkorb|panier|carrello|carrito)\b"
)
_LEAD = re.compile(r"^\s*(?:#?\d{1,2}[.):]?\s+)?(?P<label>.+?)\s*(?:\s[—–-]\s|:\s|\s\|\s|\s\()")
_NUMBERING = re.compile(r"^\s*(?:#?\d{1,2}[.):]?\s+|[-*•]\s*)")


@dataclass(frozen=True)
class NameRef:
    name: str
    domain: str | None


def _site_of(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return registrable_domain(url) or host


def _external_domain(href: str, page_url: str) -> str | None:
    """The registrable domain a content link leads to (through affiliate
    redirectors), or None for links within the page's own site."""
    url = unwrap_link(urljoin(page_url, href))
    if urlsplit(url).scheme not in {"http", "https"}:
        return None
    domain = registrable_domain(url)
    if domain is None or domain == _site_of(page_url):
        return None
    return domain


def related(name: str, domain: str) -> bool:
    """True when a name plausibly names the site at `domain` ("Ulta" ~ ulta.com)."""
    key = normalize_name(name).replace(" ", "")
    label = domain.split(".")[0].replace("-", "")
    if len(key) < 2:
        return False
    if key in label or (len(label) >= 3 and label in key):
        return True
    known = lookup_retailer(name)
    return known is not None and known.domain == domain


def page_link_names(blocks: list[Block], page_url: str) -> dict[str, str]:
    """{normalized link text: store domain} for content links to other sites."""
    found: dict[str, str] = {}
    for block in blocks:
        for link in block.links:
            domain = _external_domain(link.href, page_url)
            if domain and link.text and related(link.text, domain):
                found.setdefault(normalize_name(link.text), domain)
    return found


def clean_label(text: str) -> str:
    text = _NUMBERING.sub("", text).strip(" \t*:;,.–—-\"'“”")
    return re.sub(r"\s+", " ", text)


def looks_like_store(label: str, strict: bool = False) -> bool:
    """A plausible store name: short, capitalised, not a generic word."""
    words = label.split()
    if not words or len(words) > (3 if strict else 4) or len(label) > 40:
        return False
    if not re.match(r"[A-Z0-9À-Ý]", label) or "?" in label or label.endswith("!"):
        return False
    if words[0].lower().strip(".,:") in NOT_STORES or TOPIC_WORDS.search(label):
        return False
    if strict:
        return all(w[0].isupper() or w[0].isdigit() or w in {"&", "and", "of"} for w in words)
    return not any(ch.isdigit() for ch in label) or len(words) == 1


def resolve_label(
    label: str, links: list[Link], page_url: str, known: dict[str, str], strict: bool = False
) -> NameRef | None:
    """A store label -> NameRef: linked site, then page links, then curated list."""
    label = clean_label(label)
    if not label or not re.search(r"[^\W\d_]", label):
        return None
    for link in links:
        domain = _external_domain(link.href, page_url)
        if domain and (
            related(label, domain) or normalize_name(link.text) == normalize_name(label)
        ):
            return _named(label, domain)
    key = normalize_name(label)
    if key in known:
        return _named(label, known[key])
    curated = lookup_retailer(label)
    if curated is not None:
        return NameRef(curated.name, curated.domain)
    if looks_like_store(label, strict):
        return NameRef(label, None)
    return None


def _named(label: str, domain: str) -> NameRef:
    curated = retailer_for_domain(domain)
    return NameRef(curated.name if curated else label, domain)


def label_of(block: Block) -> str | None:
    """The store a list item leads with: a bold/linked first word, or the text
    before a dash, colon or bar ("ASOS — 10–15% — within 24 hours")."""
    el = block.element
    first = next((c for c in el if isinstance(c.tag, str)), None)
    if (
        first is not None
        and first.tag in {"strong", "b", "a", "em", "span"}
        and not _NUMBERING.sub("", el.text or "").strip()
    ):
        text = clean_label("".join(first.itertext()))
        if text and len(text.split()) <= 5:
            return text
    match = _LEAD.match(block.text)
    if match and len(match.group("label").split()) <= 5:
        return match.group("label")
    return None


_POSSESSIVE = re.compile(rf"^(?P<name>{_NAME})['’]s\s")
_TAIL_STORE = re.compile(r"\d\s?%[^–—|-]*\s[—–|-]\s(?P<name>[^—–|]{2,40})$")


def heading_store(block: Block, page_url: str, known: dict[str, str]) -> NameRef | None:
    """The store a heading introduces ("3. Ulta Beauty", "15% off – Brand"), or
    None for "How it works"."""
    text = block.text
    tail = _TAIL_STORE.search(text)
    if tail:
        return resolve_label(tail.group("name"), block.links, page_url, known, strict=True)
    possessive = _POSSESSIVE.match(text) if block.level == 1 else None
    if possessive:  # "Fable & Fern's 5-Touch Basket Recovery Flow": a page about one store
        ref = resolve_label(possessive.group("name"), block.links, page_url, known, strict=True)
        if ref is not None and ref.domain:
            return ref
    match = _LEAD.match(text + " ")
    label = match.group("label") if match else text
    rest = text[match.end() :] if match else ""
    if len(rest.split()) > 4 and not re.search(r"\d", rest):
        return None  # "PSA: leave stuff in your cart, …" is a title, not a store
    return resolve_label(label, block.links, page_url, known, strict=True)


_CART_HINTS = ("cart", "basket", "warenkorb", "panier", "carrello", "carrito")


def _name_patterns(sentence: str) -> list[re.Pattern[str]]:
    """The name patterns that can match `sentence` (cheap substring tests first:
    most sentences have no colon, no question mark and no cart word)."""
    patterns = [_SUBJECT, _AT_STORE, _AT_START]
    if ":" in sentence:
        patterns.append(_NAME_COLON)
    if "?" in sentence:
        patterns.append(_ASKED)
    low = sentence.lower()
    if any(hint in low for hint in _CART_HINTS):
        patterns.append(_MY_CART)
    return patterns


def find_names(
    sentence: str, links: list[Link], page_url: str, known: dict[str, str]
) -> list[tuple[int, NameRef]]:
    """Stores a sentence names, as (position, NameRef) in order, overlaps removed."""
    spans: list[tuple[int, int, NameRef]] = []
    for link in links:
        domain = _external_domain(link.href, page_url)
        pos = sentence.find(link.text) if link.text else -1
        if domain and pos >= 0 and related(link.text, domain):
            spans.append((pos, pos + len(link.text), _named(link.text, domain)))
    for start, end, curated in find_retailer_mentions(sentence):
        domain = known.get(normalize_name(sentence[start:end]), curated.domain)
        spans.append((start, end, NameRef(curated.name, domain)))
    taken: list[tuple[int, int]] | None = None
    sure = [(start, end) for start, end, _ in spans]  # links and the curated list come first
    for regex in _name_patterns(sentence):
        for m in regex.finditer(sentence):
            if taken is None:
                taken = [(w.start, w.end) for w in find_waits(sentence)]
            label = m.group("name").rstrip(".!'’")
            start, end = m.start("name"), m.start("name") + len(label)
            if label.split()[0].lower() in NOT_STORES:
                continue
            if any(s < end and start < e for s, e in taken):
                continue  # "nach wenigen Stunden gab es…": a time, not a store
            if any(s < end and start < e for s, e in sure):
                continue  # "Tried Nike: …" is Nike, found already
            ref = resolve_label(label, links, page_url, known)
            if ref is not None:
                spans.append((m.start("name"), m.start("name") + len(label), ref))
    if ": " in sentence:
        spans.extend(_listed_names(sentence, links, page_url, known))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, NameRef]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        if kept and span[2] == kept[-1][2]:
            continue  # "Ulta ... Ulta" in one sentence is one store
        kept.append(span)
    return [(start, ref) for start, _, ref in kept]


_LIST_ITEM = re.compile(rf"(?P<name>{_NAME})")
_LIST_SPLIT = re.compile(r",\s*(?:and\s+|und\s+|et\s+|y\s+|e\s+)?|\s+(?:and|und|et|y|e)\s+")


def _listed_names(
    sentence: str, links: list[Link], page_url: str, known: dict[str, str]
) -> list[tuple[int, int, NameRef]]:
    """Stores listed after a colon ("4 of 12 shops sent nothing: Foxglove Florals,
    Norden Watches and Urban Crate"; "…: Gadgetry after 1 hour, Loomcraft after 5
    hours"): the capitalised lead of each item."""
    colon = sentence.find(": ")
    if colon < 0:
        return []
    found = []
    pos = colon + 2
    for item in _LIST_SPLIT.split(sentence[pos:]):
        start = sentence.find(item, pos) if item else -1
        if start < 0:
            continue
        pos = start + len(item)
        m = _LIST_ITEM.match(item)
        if m is None:
            continue
        label = m.group("name").rstrip(".!'’")
        words = label.split()
        if words and words[-1].lower() in {"after", "the", "on", "within", "sent", "nach", "am"}:
            label = " ".join(words[:-1])
        ref = resolve_label(label, links, page_url, known, strict=True) if label else None
        if ref is not None:
            found.append((start, start + len(label), ref))
    return found if len(found) >= 2 else []
