"""Reports in HTML tables: one row per store, columns found from header words.

Header words are matched in English, German, French, Italian and Spanish; a
table without a recognisable header takes its first column as the store.
"""

from __future__ import annotations

import re

from lxml import etree

from spiders.extract.blocks import element_links, element_text
from spiders.extract.names import NameRef, resolve_label
from spiders.extract.sentences import (
    NEGATIVE,
    REMINDER,
    ZERO_OFFER,
    Extracted,
    pick_offer,
    pick_wait,
    usable_offers,
)
from tracker.text import find_waits

_EMPTY_CELL = re.compile(r"^\s*(?:[-–—/?x✗✘]|n/?a)\s*$", re.IGNORECASE)
# Roles are tried in this order on each header cell: "First offer arrived" is
# the wait column, not the offer column.
TABLE_ROLES = {
    "store": r"store|shop|retailer|brand|merchant|site|website|händler|geschäft|marke|"
    r"boutique|magasin|enseigne|marque|negozio|marchio|tienda|marca|comercio",
    "wait": r"wait|time|delay|when|after|timing|how long|arrived|came|received|wartezeit|"
    r"zeit|wann|dauer|kam|délai|attente|quand|après|reçu|attesa|tempo|quando|dopo|arrivat|"
    r"espera|tiempo|cuándo|plazo|lleg",
    "offer": r"discount|offer|code|deal|coupon|rabatt|gutschein|angebot|réduction|remise|"
    r"offre|promo|sconto|offerta|descuento|oferta|cupón",
}


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
        found.extend(_table_row_reports(ref, cells, roles, rest))
    return found


def _table_row_reports(ref: NameRef, cells, roles: dict[str, int], rest: list[str]):
    """The row's report, or one per step when the offer and wait cells list as
    many of each ("10% → 15%" | "24 h, then 72 h")."""
    if "offer" in roles and "wait" in roles and max(roles.values()) < len(cells):
        offers = usable_offers(element_text(cells[roles["offer"]]), structured=True)
        waits = find_waits(element_text(cells[roles["wait"]]))
        if len(offers) >= 2 and len(offers) == len(waits):
            snippet = f"{ref.name} | {' | '.join(rest)}"[:300]
            return [
                Extracted(ref.name, ref.domain, o, w, snippet, "table", outcome="discount")
                for o, w in zip(offers, waits, strict=True)
            ]
    got = _table_row_report(ref, cells, roles, rest)
    return [got] if got else []


def _table_row_report(ref: NameRef, cells, roles: dict[str, int], rest: list[str]):
    text = " | ".join(rest)
    has = {role: index < len(cells) for role, index in roles.items()}
    offer_text = element_text(cells[roles["offer"]]) if has.get("offer") else text
    wait_text = element_text(cells[roles["wait"]]) if has.get("wait") else text
    offer = pick_offer(offer_text, structured=True)
    wait = pick_wait(wait_text, offer if wait_text is offer_text else None)
    negative = _EMPTY_CELL.match(offer_text) or NEGATIVE.search(offer_text)
    if offer is None and wait is None and not negative:
        return None
    outcome = "discount" if offer else "unspecified"
    if offer is None and (negative or ZERO_OFFER.search(offer_text) or REMINDER.search(text)):
        reminder = REMINDER.search(text) or ZERO_OFFER.search(offer_text)
        outcome = "reminder_only" if reminder else "nothing_sent"
        wait = wait if reminder else None
    snippet = f"{ref.name} | {text}"[:300]
    return Extracted(ref.name, ref.domain, offer, wait, snippet, "table", outcome=outcome)


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
