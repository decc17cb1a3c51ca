"""Reports from a page: which store, what discount, after how long.

Pure helpers the spider calls: an lxml tree and its URL in, `Extracted`
reports out. The page is walked into blocks (`spiders.extract.blocks`); each list
item, table row (`spiders.extract.tables`), store section or prose sentence is read
for a store (`spiders.extract.names`) and for what it states (`spiders.extract.sentences`). A
page that never talks about leaving a cart yields nothing, so a shop's "50%
off today!" is never a report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from lxml import etree

from spiders.extract.blocks import Block, iter_blocks
from spiders.extract.names import (
    NameRef,
    find_names,
    heading_store,
    label_of,
    page_link_names,
    resolve_label,
)
from spiders.extract.sentences import (
    NEGATIVE,
    REMINDER,
    Extracted,
    may_hold_report,
    pick_offer,
    reports_from_text,
)
from spiders.extract.tables import table_reports

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
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-ZÀ-Ý0-9¡¿])")


def page_is_about_carts(root: etree._Element, blocks: list[Block] | None = None) -> bool:
    """True when the page talks about leaving a cart, in any of our languages."""
    texts = [" ".join(root.xpath("//title//text()"))]
    texts.extend(b.text for b in (blocks if blocks is not None else iter_blocks(root)))
    text = " ".join(texts)
    return bool(CART_WORDS.search(text)) and bool(ABANDON_WORDS.search(text))


NEEDS_JAVASCRIPT = "needs JavaScript, not read"
NOT_ABOUT_CARTS = "not about leaving a cart"
_JS_HINT = re.compile(
    r"enable javascript|javascript (?:is )?(?:required|disabled)|"
    r"javascript aktivieren|activer javascript|activa javascript",
    re.IGNORECASE,
)


def needs_javascript(root: etree._Element, blocks: list[Block]) -> bool:
    """A page that is almost only script: its text is built in the browser.

    Under 200 characters of visible text beside at least 3 scripts or 2,000
    characters of inline script, or a <noscript> asking for JavaScript."""
    text = sum(len(b.text) for b in blocks)
    if text >= 200:
        return False
    scripts = root.xpath("//script")
    inline = sum(len(s.text or "") for s in scripts)
    hint = any(_JS_HINT.search(" ".join(n.itertext())) for n in root.iter("noscript"))
    return hint or len(scripts) >= 3 or inline >= 2000


def read_page(root: etree._Element, page_url: str) -> tuple[list[Extracted], Counter[str], str]:
    """(reports, dropped candidates by reason, note) for one page; the note says
    why a page gave nothing ("needs JavaScript, not read") or is empty."""
    blocks = list(iter_blocks(root))
    dropped: Counter[str] = Counter()
    if needs_javascript(root, blocks):
        return [], dropped, NEEDS_JAVASCRIPT
    if not page_is_about_carts(root, blocks):
        return [], dropped, NOT_ABOUT_CARTS
    return _page_reports(blocks, page_url, dropped), dropped, ""


def extract_reports(root: etree._Element, page_url: str) -> list[Extracted]:
    """Every report on a page, in document order (empty for off-topic pages)."""
    return read_page(root, page_url)[0]


def _page_reports(blocks: list[Block], page_url: str, dropped: Counter[str]) -> list[Extracted]:
    known_links = page_link_names(blocks, page_url)
    reports: list[Extracted] = []
    section: NameRef | None = None
    section_level = 7
    quoted: tuple[etree._Element, NameRef] | None = None
    for unit, block in enumerate(_group_sections(blocks, page_url, known_links)):
        if block.kind == "quote":
            named = find_names(block.text, block.links, page_url, known_links)
            parent = block.element.getparent()
            quoted = (parent, named[-1][1]) if named and parent is not None else None
            continue
        context = section
        if quoted is not None and _inside(block.element, quoted[0]):
            context = quoted[1]  # a reply about the store its quote names
        if block.kind == "heading":
            if block.level <= section_level or section is None:
                section = heading_store(block, page_url, known_links)
                section_level = block.level if section else 7
            continue
        if block.kind == "table":
            got = table_reports(block.element, page_url, known_links)
        elif block.kind == "list":
            got = list_reports(block, page_url, known_links, context, dropped)
        else:
            grouped = br_group_reports(block, page_url, known_links)
            got = (
                grouped
                if grouped is not None
                else prose_reports(block, page_url, known_links, context, dropped)
            )
        reports.extend(replace(rep, unit=unit) for rep in got)
    return _merge_neighbours(reports)


def _inside(el: etree._Element, ancestor: etree._Element) -> bool:
    node: etree._Element | None = el
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def _group_sections(blocks: list[Block], page_url: str, known: dict[str, str]) -> list[Block]:
    """Join the text blocks under a store heading into one block, so a card like
    "<h3>Store</h3><p>Discount: 15%</p><p>Wait: 24 hours</p>" reads as one report."""
    grouped: list[Block] = []
    in_store_section = False
    for block in blocks:
        if block.kind == "heading":
            in_store_section = heading_store(block, page_url, known) is not None
        elif (
            in_store_section
            and block.kind == "text"
            and grouped[-1].kind == "text"
            and not _is_br_group(block.element)
        ):
            last = grouped[-1]
            grouped[-1] = Block(
                "text", last.element, f"{last.text} {block.text}", last.links + block.links
            )
            continue
        grouped.append(block)
    return grouped


def list_reports(
    block: Block,
    page_url: str,
    known: dict[str, str],
    section: NameRef | None,
    dropped: Counter[str] | None = None,
) -> list[Extracted]:
    """A list item led by a store ("ASOS — 10–15% — within 24 hours") is one report."""
    label = label_of(block)
    if label:
        ref = resolve_label(label, block.links, page_url, known)
        if ref is not None:
            return reports_from_text(ref, block.text, "list", structured=True)
    return prose_reports(block, page_url, known, section, dropped, slot_read=True)


def _br_lines(el: etree._Element) -> list[str]:
    """The text of `el` cut at each <br> (inline children read whole)."""
    lines = [el.text or ""]
    for child in el:
        if child.tag == "br":
            lines.append("")
        elif isinstance(child.tag, str):
            lines[-1] += " ".join(child.itertext())
        lines[-1] += child.tail or ""
    return [" ".join(line.split()) for line in lines if line.strip()]


_GROUP = re.compile(r"^(?P<group>[^:]{3,80}):$")


def _is_br_group(el: etree._Element) -> bool:
    """A "<strong>Group:</strong><br>line<br>line" block (see br_group_reports)."""
    if not any(c.tag == "br" for c in el):
        return False
    lines = _br_lines(el)
    return len(lines) >= 2 and bool(_GROUP.match(lines[0]))


_EXTRA = re.compile(r"^(?P<name>.+?)\s*\((?P<extra>[^)]*)\)$")


def br_group_reports(block: Block, page_url: str, known: dict[str, str]) -> list[Extracted] | None:
    """A cheat-sheet group: "<strong>10% off within 24 hours:</strong><br>Halden
    Home<br>Birch & Pine (after 2 days)" is one report per named line, with the
    group's offer and wait (a line's parenthesis adds to them). None when the
    block is not such a group."""
    if not _is_br_group(block.element):
        return None
    lines = _br_lines(block.element)
    head = _GROUP.match(lines[0])
    if head is None:
        return None
    found: list[Extracted] = []
    for line in lines[1:]:
        extra = _EXTRA.match(line)
        name, more = (extra.group("name"), extra.group("extra")) if extra else (line, "")
        ref = resolve_label(name, block.links, page_url, known, strict=True)
        if ref is None:
            return None  # not a list of stores
        text = f"{head.group('group')} {more}".strip()
        found.extend(reports_from_text(ref, text, "list", structured=True))
    return found


def prose_reports(
    block: Block,
    page_url: str,
    known: dict[str, str],
    section: NameRef | None,
    dropped: Counter[str] | None = None,
    slot_read: bool = False,
) -> list[Extracted]:
    """Reports in running text, one per store clause; a sentence that names no
    store speaks of the one named just before (or of the section's store).

    `slot_read`: the block's leading name slot was tried already (by
    `list_reports`), so it is read as prose now instead of being tried again."""
    text = block.text
    if not may_hold_report(text):
        return []  # no figure and no "nothing": this block cannot hold a report
    if not slot_read and _has_name_slot(block):
        return list_reports(block, page_url, known, None, dropped)
    found: list[Extracted] = []
    current = section
    orphan = ""  # "I got 15% off! Put a jacket in my basket at Northpeak…": the offer came first
    for sentence in _SENTENCE.split(text):
        names = find_names(sentence, block.links, page_url, known)
        if not names:
            if _OTHERS.match(sentence):
                current = None  # "The rest at least sent a reminder": not the store before
            if current is not None:
                found.extend(
                    reports_from_text(current, sentence, "prose", structured=False, carried=True)
                )
            elif pick_offer(sentence) is not None:
                if dropped is not None and orphan:
                    dropped["offer with no store named"] += 1
                orphan = sentence
            continue
        if orphan and pick_offer(sentence) is None:
            shift = len(orphan) + 1
            sentence = f"{orphan} {sentence}"
            names = [(start + shift, ref) for start, ref in names]
        elif orphan and dropped is not None:
            dropped["offer with no store named"] += 1
        orphan = ""
        found.extend(_clause_reports(sentence, names))
        current = names[-1][1]
    if orphan and dropped is not None:
        dropped["offer with no store named"] += 1
    return found


NAME_CLASSES = frozenset(["name", "store", "shop", "brand", "retailer", "merchant", "title"])


def _has_name_slot(block: Block) -> bool:
    """A row like <div><span class="name">ASOS</span> <span>10%</span></div>."""
    first = next((c for c in block.element if isinstance(c.tag, str)), None)
    if first is None or (block.element.text or "").strip():
        return False
    classes = set((first.get("class") or "").lower().replace("-", " ").split())
    return bool(classes & NAME_CLASSES)


_OTHERS = re.compile(
    r"\s*(?:the rest|the others|others|all the others|everyone else|die anderen|die restlichen|"
    r"les autres|gli altri|los demás|el resto)\b",
    re.IGNORECASE,
)
_LED_BY_NAME = re.compile(r"[^:.!?]{1,40}:\s")


def _clause_reports(sentence: str, names: list[tuple[int, NameRef]]) -> list[Extracted]:
    """Split a sentence at each store name; a clause with nothing of its own
    ("ASOS and Boohoo both sent 10%") shares the next clause's figures. A
    sentence with no offer that says nothing came or only reminders did ("4 of
    12 shops sent nothing: A, B, C and D") says it of every store it names."""
    clauses = []
    for i, (start, ref) in enumerate(names):
        end = names[i + 1][0] if i + 1 < len(names) else len(sentence)
        head = sentence[: names[0][0]] if i == 0 else ""
        clauses.append((ref, head + sentence[start:end]))
    no_offer = pick_offer(sentence) is None
    shared = ""
    if no_offer and NEGATIVE.search(sentence):
        shared = "reminder_only" if REMINDER.search(sentence) else "nothing_sent"
    elif no_offer and REMINDER.search(sentence):
        shared = "reminder_only"
    found: list[Extracted] = []
    pending: list[NameRef] = []
    for i, (ref, text) in enumerate(clauses):
        # "Teeladen Sonnentau: 5 € ab 30 € …" reads like a list item
        led = i == 0 and names[0][0] < 12 and bool(_LED_BY_NAME.match(sentence[names[0][0] :]))
        got = reports_from_text(ref, text, "prose", structured=led)
        if not got and shared:
            got = [Extracted(ref.name, ref.domain, None, None, text[:300], "prose", outcome=shared)]
        if not got:
            pending.append(ref)
            continue
        if shared and got[0].outcome == "unspecified":
            wait = got[0].wait if shared == "reminder_only" else None
            got = [replace(got[0], wait=wait, outcome=shared)]
        first = got[0]
        for waiting in pending:
            found.append(
                Extracted(
                    waiting.name, waiting.domain, first.offer, first.wait, text[:300], "prose",
                    outcome=first.outcome,
                )
            )  # fmt: skip
        pending = []
        found.extend(got)
    return found


def _same_offer(a: Extracted, b: Extracted) -> bool:
    if a.offer is None or b.offer is None:
        return a.offer is b.offer
    return (a.offer.type, a.offer.value, a.offer.currency) == (
        b.offer.type, b.offer.value, b.offer.currency,
    )  # fmt: skip


def _merge_neighbours(reports: list[Extracted]) -> list[Extracted]:
    """A follow-up sentence that only adds the missing wait (or offer) to the
    report just before it, about the same store, completes that report; a
    reminder followed by the store's discount leaves only the discount."""
    merged: list[Extracted] = []
    for rep in reports:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.outcome == "reminder_only"
            and rep.outcome == "discount"
            and (rep.retailer_name, rep.retailer_domain)
            == (prev.retailer_name, prev.retailer_domain)
        ):
            merged[-1] = rep  # a reminder before the discount is not a report of its own
            continue
        if (
            prev is not None
            and rep.outcome == "nothing_sent"
            and rep.unit == prev.unit
            and (rep.retailer_name, rep.retailer_domain)
            == (prev.retailer_name, prev.retailer_domain)
        ):
            continue  # "… 10% after 2 days. Better than nothing." / "No code." adds nothing
        if (
            prev is not None
            and (rep.retailer_name, rep.retailer_domain)
            == (prev.retailer_name, prev.retailer_domain)
            and _same_offer(rep, prev)
            and rep.wait is None
            and rep.outcome == prev.outcome
        ):
            continue  # the same finding said again ("0% off lol. They just emailed, no code.")
        if (
            prev is not None
            and rep.layout == prev.layout == "prose"
            and rep.unit == prev.unit
            and (rep.retailer_name, rep.retailer_domain)
            == (prev.retailer_name, prev.retailer_domain)
            and (rep.offer is None or prev.offer is None)
            and (rep.wait is None or prev.wait is None)
            and not (rep.offer is None and rep.wait is None)
            and {rep.outcome, prev.outcome} <= {"discount", "unspecified"}
        ):
            merged[-1] = Extracted(
                prev.retailer_name,
                prev.retailer_domain,
                prev.offer or rep.offer,
                prev.wait or rep.wait,
                f"{prev.snippet} {rep.snippet}"[:300],
                "prose",
                prev.unit,
                "discount" if prev.offer or rep.offer else prev.outcome,
            )
            continue
        merged.append(rep)
    return merged
