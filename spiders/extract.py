"""Reports from a page: which store, what discount, after how long.

Pure helpers the spider calls: an lxml tree and its URL in, `Extracted`
reports out. Discounts come from `tracker.offers.find_discounts`, waits from
`tracker.waits.find_waits`, store names from labels (list leads, table store
columns, store headings), from links to the store's site and from the curated
list (`tracker.retailer_names`). A page that never talks about carts yields
nothing, so a shop's "50% off today!" is never a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lxml import etree

from spiders.blocks import Block, element_links, element_text, iter_blocks
from spiders.names import (
    NameRef,
    find_names,
    heading_store,
    label_of,
    page_link_names,
    resolve_label,
)
from tracker.offers import Discount, find_discounts
from tracker.waits import Wait, find_waits, may_mention_wait

CART_WORDS = re.compile(
    r"cart|basket|checkout|warenkorb|einkaufswagen|panier|carrello|carrito|cesta|carro",
    re.IGNORECASE,
)
# A shop's own page mentions its cart too; a report page talks about leaving it.
ABANDON_WORDS = re.compile(
    r"abandon|left (?:\w+ ){0,4}(?:in|at|on)\b|leav(?:e|ing)\b|walk(?:ed)? away|reminders?\b|"
    r"follow[- ]?up|abgebrochen|abbrechen|liegen\s?l[aä]ss|stehen\s?l[aä]ss|vergessen|"
    r"erinnerung|abandonn|laiss|relanc|rappel|abbandon|lasciat|promemoria|abandonad|"
    r"dej(?:as|ar|é|o)\b|olvidad|recordatorio",
    re.IGNORECASE,
)
NEGATIVE = re.compile(
    r"\b(nothing|no discount|no code|no offer|no coupon|never|"
    r"didn'?t (?:get|send|receive|offer)|did not|not a single|no luck|zero|none|nope|"
    r"only (?:a |the |one )?reminders?|just (?:a |the )?reminders?|"
    r"kein(?:en|e)? (?:rabatt|gutschein|code|angebot)|nichts|nie|gar nichts|"
    r"rien|aucun(?:e)?|pas de (?:réduction|remise|code|promo)|jamais|"
    r"niente|nessun(?:o|a)?|nulla|mai|"
    r"nada|ningún|ninguno|ninguna|nunca|sin descuento)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r"[,;.]|\b(?:then|dann|puis|poi|luego|but|aber|mais|ma|pero)\b", re.IGNORECASE
)
REMINDER = re.compile(
    r"reminders?|nudge|erinnerung|rappel|relance|promemoria|recordatorio", re.IGNORECASE
)
# Words that can carry a discount without a digit ("free shipping", "livraison
# offerte") or say that nothing came; a block with none of them and no digit or
# time word cannot hold a report. Substring tests: cheap on long paragraphs.
_FIGURE_WORDS = tuple(
    [
        "free",
        "gratis",
        "gratuit",
        "kostenlos",
        "versandkostenfrei",
        "offert",
        "omaggi",
        "regal",
        "cadeau",
        "geschenk",
        "gift",
        "envío",
        "spedizione",
        "livraison",
        "lieferung",
    ]
)
_NEGATIVE_WORDS = frozenset(
    [
        "nothing",
        "no",
        "never",
        "didn",
        "didnt",
        "did",
        "not",
        "zero",
        "none",
        "nope",
        "only",
        "just",
        "kein",
        "keine",
        "keinen",
        "nichts",
        "nie",
        "rien",
        "aucun",
        "aucune",
        "pas",
        "jamais",
        "niente",
        "nessun",
        "nessuno",
        "nessuna",
        "nulla",
        "mai",
        "nada",
        "ningún",
        "ninguno",
        "ninguna",
        "nunca",
        "sin",
    ]
)
_WORDS = re.compile(r"\w+")


def may_hold_report(text: str) -> bool:
    """False when `text` has no figure, no wait and no "nothing": skip it."""
    if may_mention_wait(text):
        return True
    low = text.lower()
    if any(w in low for w in _FIGURE_WORDS):
        return True
    return not _NEGATIVE_WORDS.isdisjoint(_WORDS.findall(low))


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-ZÀ-Ý0-9¡¿])")
_EMPTY_CELL = re.compile(r"^\s*(?:[-–—/?x✗✘]|n/?a)\s*$", re.IGNORECASE)
TABLE_ROLES = {
    "store": r"store|shop|retailer|brand|merchant|site|website|händler|geschäft|marke|"
    r"boutique|magasin|enseigne|marque|negozio|marchio|tienda|marca|comercio",
    "offer": r"discount|offer|code|deal|coupon|rabatt|gutschein|angebot|réduction|remise|"
    r"offre|promo|sconto|offerta|descuento|oferta|cupón",
    "wait": r"wait|time|delay|when|after|timing|how long|wartezeit|zeit|wann|dauer|délai|"
    r"attente|quand|après|attesa|tempo|quando|dopo|espera|tiempo|cuándo|plazo",
}


@dataclass(frozen=True)
class Extracted:
    """One report found on a page; `offer` None means the store sent nothing."""

    retailer_name: str | None
    retailer_domain: str | None
    offer: Discount | None
    wait: Wait | None
    snippet: str
    layout: str
    unit: int = 0  # which block of the page it came from


def page_is_about_carts(root: etree._Element, blocks: list[Block] | None = None) -> bool:
    """True when the page talks about leaving a cart, in any of our languages."""
    texts = [" ".join(root.xpath("//title//text()"))]
    texts.extend(b.text for b in (blocks if blocks is not None else iter_blocks(root)))
    text = " ".join(texts)
    return bool(CART_WORDS.search(text)) and bool(ABANDON_WORDS.search(text))


def pick_offer(text: str, structured: bool = False) -> Discount | None:
    """The discount a report states: a cued one ("20% off") first, then a bare
    percent; bare amounts ("a $120 cart") only in a list or table cell."""
    found = [d for d in find_discounts(text) if not d.up_to]
    for wanted in (
        lambda d: d.cue,
        lambda d: d.type == "percent",
        lambda d: d.type == "amount" and (structured or _after_coupon_word(text, d)),
    ):
        for d in found:
            if wanted(d):
                return d
    return None


COUPON_WORDS = re.compile(
    r"(?:code|coupon|voucher|gutschein|gutscheincode|bon|buono|codice|cupón|cupon|vale)"
    r"\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)


def _after_coupon_word(text: str, found: Discount) -> bool:
    """ "a Gutschein über 5 Euro", "a code for $5": an amount named as a coupon."""
    return bool(COUPON_WORDS.search(text[max(0, found.start - 30) : found.start]))


def pick_wait(text: str, offer: Discount | None) -> Wait | None:
    """The wait for the discount: the one nearest the offer, else the first.

    A wait that belongs to a plain reminder ("a reminder after an hour, then
    10% the next day") is not the wait for the discount and loses to any other.
    """
    waits = find_waits(text)
    if offer is not None:
        waits = [w for w in waits if w.end <= offer.start or w.start >= offer.end]
    if not waits:
        return None
    if offer is None:
        return waits[0]

    def rank(w: Wait) -> tuple[bool, int]:
        distance = min(abs(w.start - offer.end), abs(offer.start - w.end))
        return _about_reminder(text, w, offer), distance

    return min(waits, key=rank)


def _about_reminder(text: str, wait: Wait, offer: Discount) -> bool:
    """True when a reminder word sits next to the wait, in the same clause and
    with the discount not between them ("a reminder after an hour, then…")."""
    for m in REMINDER.finditer(text):
        low, high = (m.end(), wait.start) if m.end() <= wait.start else (wait.end, m.start())
        if high - low > 40 or _CLAUSE_BREAK.search(text, low, high):
            continue
        if low <= offer.start < high:
            continue
        return True
    return False


def _report(
    ref: NameRef, text: str, layout: str, structured: bool, carried: bool = False
) -> Extracted | None:
    """A report about `ref` from `text`, or None when the text states nothing.

    `carried`: the text does not name the store itself (it follows a sentence
    or heading that did); a bare time there is too weak to be a report.
    """
    offer = pick_offer(text, structured)
    wait = pick_wait(text, offer)
    if carried and offer is None:
        wait = None
    if offer is None and wait is None:
        if not NEGATIVE.search(text):
            return None
        return Extracted(ref.name, ref.domain, None, None, text[:300], layout)
    if offer is None and NEGATIVE.search(text):
        wait = None  # "nothing after a week": the week is not a wait for a discount
    return Extracted(ref.name, ref.domain, offer, wait, text[:300], layout)


def extract_reports(root: etree._Element, page_url: str) -> list[Extracted]:
    """Every report on a page, in document order (empty for off-topic pages)."""
    blocks = list(iter_blocks(root))
    if not page_is_about_carts(root, blocks):
        return []
    known_links = page_link_names(blocks, page_url)
    reports: list[Extracted] = []
    section: NameRef | None = None
    section_level = 7
    for unit, block in enumerate(_group_sections(blocks, page_url, known_links)):
        if block.kind == "heading":
            if block.level <= section_level or section is None:
                section = heading_store(block, page_url, known_links)
                section_level = block.level if section else 7
            continue
        if block.kind == "table":
            got = table_reports(block.element, page_url, known_links)
        elif block.kind == "list":
            got = list_reports(block, page_url, known_links, section)
        else:
            got = prose_reports(block, page_url, known_links, section)
        reports.extend(replace(rep, unit=unit) for rep in got)
    return _merge_neighbours(reports)


def _group_sections(blocks: list[Block], page_url: str, known: dict[str, str]) -> list[Block]:
    """Join the text blocks under a store heading into one block, so a card like
    "<h3>Store</h3><p>Discount: 15%</p><p>Wait: 24 hours</p>" reads as one report."""
    grouped: list[Block] = []
    in_store_section = False
    for block in blocks:
        if block.kind == "heading":
            in_store_section = heading_store(block, page_url, known) is not None
        elif in_store_section and block.kind == "text" and grouped[-1].kind == "text":
            last = grouped[-1]
            grouped[-1] = Block(
                "text", last.element, f"{last.text} {block.text}", last.links + block.links
            )
            continue
        grouped.append(block)
    return grouped


def list_reports(
    block: Block, page_url: str, known: dict[str, str], section: NameRef | None
) -> list[Extracted]:
    """A list item led by a store ("ASOS — 10–15% — within 24 hours") is one report."""
    label = label_of(block)
    if label:
        ref = resolve_label(label, block.links, page_url, known)
        if ref is not None:
            got = _report(ref, block.text, "list", structured=True)
            return [got] if got else []
    return prose_reports(block, page_url, known, section)


def prose_reports(
    block: Block, page_url: str, known: dict[str, str], section: NameRef | None
) -> list[Extracted]:
    """Reports in running text, one per store clause; a sentence that names no
    store speaks of the one named just before (or of the section's store)."""
    text = block.text
    if not may_hold_report(text):
        return []  # no figure and no "nothing": this block cannot hold a report
    if _has_name_slot(block):
        return list_reports(block, page_url, known, None)
    found: list[Extracted] = []
    current = section
    for sentence in _SENTENCE.split(text):
        names = find_names(sentence, block.links, page_url, known)
        if not names:
            if current is not None:
                got = _report(current, sentence, "prose", structured=False, carried=True)
                if got:
                    found.append(got)
            continue
        found.extend(_clause_reports(sentence, names))
        current = names[-1][1]
    return found


NAME_CLASSES = frozenset(["name", "store", "shop", "brand", "retailer", "merchant", "title"])


def _has_name_slot(block: Block) -> bool:
    """A row like <div><span class="name">ASOS</span> <span>10%</span></div>."""
    first = next((c for c in block.element if isinstance(c.tag, str)), None)
    if first is None or (block.element.text or "").strip():
        return False
    classes = set((first.get("class") or "").lower().replace("-", " ").split())
    return bool(classes & NAME_CLASSES)


def _clause_reports(sentence: str, names: list[tuple[int, NameRef]]) -> list[Extracted]:
    """Split a sentence at each store name; a clause with nothing of its own
    ("ASOS and Boohoo both sent 10%") shares the next clause's figures."""
    clauses = []
    for i, (start, ref) in enumerate(names):
        end = names[i + 1][0] if i + 1 < len(names) else len(sentence)
        head = sentence[: names[0][0]] if i == 0 else ""
        clauses.append((ref, head + sentence[start:end]))
    found: list[Extracted] = []
    pending: list[NameRef] = []
    for ref, text in clauses:
        got = _report(ref, text, "prose", structured=False)
        if got is None:
            pending.append(ref)
            continue
        for waiting in pending:
            found.append(
                Extracted(waiting.name, waiting.domain, got.offer, got.wait, text[:300], "prose")
            )
        pending = []
        found.append(got)
    return found


def table_reports(table: etree._Element, page_url: str, known: dict[str, str]) -> list[Extracted]:
    """One report per row; columns are found from header words in five languages."""
    rows = [r for r in table.iter("tr")]
    if not rows:
        return []
    roles = _column_roles(rows[0])
    body = rows[1:] if roles else rows
    found: list[Extracted] = []
    for row in body:
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in {"td", "th"}]
        if len(cells) < 2:
            continue
        store_cell = cells[roles.get("store", 0)] if roles.get("store", 0) < len(cells) else None
        if store_cell is None:
            continue
        ref = resolve_label(element_text(store_cell), element_links(store_cell), page_url, known)
        if ref is None:
            continue
        rest = [element_text(c) for c in cells if c is not store_cell]
        got = _table_row_report(ref, cells, roles, rest)
        if got:
            found.append(got)
    return found


def _table_row_report(ref: NameRef, cells, roles: dict[str, int], rest: list[str]):
    text = " | ".join(rest)
    offer_text = element_text(cells[roles["offer"]]) if "offer" in roles else text
    wait_text = element_text(cells[roles["wait"]]) if "wait" in roles else text
    offer = pick_offer(offer_text, structured=True)
    wait = pick_wait(wait_text, offer if wait_text is offer_text else None)
    negative = _EMPTY_CELL.match(offer_text) or NEGATIVE.search(offer_text)
    if offer is None and wait is None and not negative:
        return None
    if offer is None and negative:
        wait = None
    return Extracted(ref.name, ref.domain, offer, wait, f"{ref.name} | {text}"[:300], "table")


def _column_roles(header: etree._Element) -> dict[str, int]:
    cells = [c for c in header if isinstance(c.tag, str) and c.tag in {"td", "th"}]
    if not all(c.tag == "th" for c in cells) and header.getparent().tag != "thead":
        return {}
    roles: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = element_text(cell).lower()
        for role, pattern in TABLE_ROLES.items():
            if role not in roles and re.search(pattern, text):
                roles[role] = index
                break
    return roles or {"store": 0}


def _merge_neighbours(reports: list[Extracted]) -> list[Extracted]:
    """A follow-up sentence that only adds the missing wait (or offer) to the
    report just before it, about the same store, completes that report."""
    merged: list[Extracted] = []
    for rep in reports:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and rep.layout == prev.layout == "prose"
            and rep.unit == prev.unit
            and (rep.retailer_name, rep.retailer_domain)
            == (prev.retailer_name, prev.retailer_domain)
            and (rep.offer is None or prev.offer is None)
            and (rep.wait is None or prev.wait is None)
            and not (rep.offer is None and rep.wait is None)
        ):
            merged[-1] = Extracted(
                prev.retailer_name,
                prev.retailer_domain,
                prev.offer or rep.offer,
                prev.wait or rep.wait,
                f"{prev.snippet} {rep.snippet}"[:300],
                "prose",
                prev.unit,
            )
            continue
        merged.append(rep)
    return merged
