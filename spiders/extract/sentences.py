"""What a piece of report text states: the discount, the wait, or "nothing".

Pure helpers over one sentence, list item or table row; `Extracted` is the
report they make. Discounts and waits come from `tracker.text`
(`find_discounts`, `find_waits`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from spiders.extract.names import NameRef
from tracker.text import Discount, Wait, find_discounts, find_waits, may_mention_wait

NEGATIVE = re.compile(
    r"\b(nothing|no discount|no code|no offer|no coupon|never|"
    r"didn'?t (?:get|send|receive|offer|bother|follow)|did not|not a single|no luck|zero|none|nope|"
    r"sent nothing|no follow[- ]?up|without (?:a |any )?(?:code|discount)|keine nachricht|"
    r"nur (?:eine )?(?:\w+ )?erinnerung|bekamen wir nicht|gab es nicht|kein code|"
    r"une simple relance|juste une relance|sans code|solo (?:un |una )?(?:recordatorio|promemoria)|"
    r"sin código|sin codigo|nessun codice|"
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
_REMINDER_WORDS = re.compile(
    r"remind(?:er|ed|s)?|nudges?|complete your (?:purchase|order)|"
    r"still in your (?:cart|basket)|your cart misses you|emailed|an? e-?mail\b|"
    r"erinnerung|erinnert|rappel|relance|promemoria|recordatorio",
    re.IGNORECASE,
)
_DENIED = re.compile(
    r"(?:\bno|\bni|\bnor|not even an?|not even one|\bkeine?|\bsans|pas de|\bnessun[oa]?|"
    r"\bningun[oa]?|\bningún|"
    r"siquiera el|nicht mal eine|einmal eine|même pas de|nemmeno un|neanche un)\s+$",
    re.IGNORECASE,
)


class _Reminders:
    """Where a text says a reminder came ("a reminder after 3 hours", "emailed,
    no code"); "no reminder", "ni relance", "not even a reminder" do not count.
    Searched like a compiled pattern (`search`, `finditer`)."""

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        for m in _REMINDER_WORDS.finditer(text):
            if not _DENIED.search(text, max(0, m.start() - 16), m.start()):
                yield m

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)


REMINDER = _Reminders()
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
    outcome: str = ""  # spiders.items.OUTCOMES; empty: from the offer

    def __post_init__(self) -> None:
        if not self.outcome:
            object.__setattr__(self, "outcome", "discount" if self.offer else "unspecified")


# "free delivery over £40", "versandkostenfrei ab 25 €", "livraison offerte dès 50 €":
# a shop's standing threshold, not an offer
_THRESHOLD_AFTER = re.compile(
    r"\W{0,3}(?:[\w’']+\s+){0,4}?(?:on |for )?(?:orders? )?(?:over|above|from|ab|dès|à partir de|sopra|da|desde|"
    r"a partir de|más de)\s*[£$€]?\s?\d",
    re.IGNORECASE,
)
# "$25 off – orders over $200": the dash leads to a minimum spend, not a range
_SPEND_AFTER = re.compile(
    r"\s*(?:on |for |with )?(?:orders?|purchases?|a spend|spend|einkauf|bestellungen?|"
    r"commandes?|achats?|ordini|pedidos?|compras?)\b",
    re.IGNORECASE,
)


# "the offer steps up to 15%": a rise to 15%, not a ceiling of "up to 15%"
_RISES_TO = re.compile(
    r"(?:step(?:s|ped)?|go(?:es)?|went|rises?|rose|jump(?:s|ed)?|raised|bumped|climb(?:s|ed)?)"
    r"\s+up\s+to\s+$",
    re.IGNORECASE,
)


def usable_offers(text: str, structured: bool = False) -> list[Discount]:
    """The discounts `text` reports, in order: "0% off" is no offer, a standing
    free-delivery threshold is no offer, "up to 20%" is a ceiling (value None,
    value_max 20), an amount "range" whose top is a minimum spend is one amount."""
    return list(_usable_offers(text))


@lru_cache(maxsize=2048)
def waits_in(text: str) -> tuple[Wait, ...]:
    """`find_waits`, remembered: a sentence is read for its offer, its ladder and
    its wait, and each reading wants the waits."""
    return tuple(find_waits(text))


@lru_cache(maxsize=2048)
def _usable_offers(text: str) -> tuple[Discount, ...]:
    out: list[Discount] = []
    for d in find_discounts(text):
        if d.value == 0 or (d.type == "free_shipping" and _THRESHOLD_AFTER.match(text, d.end)):
            continue
        if d.up_to and d.value is not None and not _RISES_TO.search(text, 0, d.start):
            d = replace(d, value=None, value_max=d.value_max or d.value)
        if d.type == "amount" and d.value_max is not None:
            dash = re.search(r"[-–—]", text[d.start : d.end])
            if dash and _SPEND_AFTER.match(text, d.start + dash.end()):
                d = replace(d, value_max=None)
        out.append(d)
    return tuple(out)


def pick_offer(text: str, structured: bool = False) -> Discount | None:
    """The discount a report states: a cued one ("20% off") first, then a bare
    percent; bare amounts ("a $120 cart") only in a list or table cell."""
    found = usable_offers(text, structured)
    for wanted in (
        lambda d: d.cue and not d.up_to,
        lambda d: d.type == "percent" and not d.up_to,
        lambda d: d.type == "amount" and (structured or _after_coupon_word(text, d)),
        lambda d: d.up_to,
    ):
        for d in found:
            if wanted(d):
                return d
    return None


def pick_ladder(text: str, structured: bool = False) -> list[tuple[Discount, Wait]]:
    """Several steps in one sentence ("10% the next day and 15% on day three"):
    each offer with the wait beside it, when every offer has its own; else []."""
    offers = [
        d
        for d in usable_offers(text, structured)
        if d.cue or d.type in ("percent", "free_shipping", "gift") or structured
    ]
    if len(offers) < 2:
        return []
    waits = waits_in(text)
    steps: list[tuple[Discount, Wait]] = []
    used: set[int] = set()
    for i, offer in enumerate(offers):
        low = offers[i - 1].end if i else 0
        high = offers[i + 1].start if i + 1 < len(offers) else len(text)
        near = [w for w in waits if w.start >= low and w.end <= high and w.start not in used]
        near = [w for w in near if not _about_reminder(text, w, offer)] or near
        if not near:
            return []
        wait = min(near, key=lambda w: _distance(w, offer))
        used.add(wait.start)  # each wait belongs to one step
        steps.append((offer, wait))
    return steps


def _distance(w: Wait, offer: Discount) -> int:
    return min(abs(w.start - offer.end), abs(offer.start - w.end))


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
    waits = list(waits_in(text))
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


def report_from_text(
    ref: NameRef, text: str, layout: str, structured: bool, carried: bool = False
) -> Extracted | None:
    """A report about `ref` from `text`, or None when the text states nothing.

    `carried`: the text does not name the store itself (it follows a sentence
    or heading that did); a bare time there is too weak to be a report.
    """
    offer = pick_offer(text, structured)
    wait = pick_wait(text, offer)
    outcome = outcome_of(text, offer)
    if outcome == "unspecified" and REMINDER.search(text):
        outcome = "reminder_only"  # "Target sent a reminder after 3 hours"
    if carried and offer is None and outcome == "unspecified":
        wait = None
    if offer is None and wait is None and outcome == "unspecified":
        return None
    if outcome == "nothing_sent":
        wait = None  # "nothing after a week": the week is not a wait for a discount
    return Extracted(ref.name, ref.domain, offer, wait, text[:300], layout, outcome=outcome)


def outcome_of(text: str, offer: Discount | None) -> str:
    """discount (an offer), reminder_only ("only a reminder after 3 hours"),
    nothing_sent ("nothing", "never followed up") or unspecified (a wait alone)."""
    if offer is not None:
        return "discount"
    if ZERO_OFFER.search(text):
        return "reminder_only"  # "Get 0% off" with no code: a mail came, no discount
    if not NEGATIVE.search(text):
        return "unspecified"
    return "reminder_only" if REMINDER.search(text) else "nothing_sent"


ZERO_OFFER = re.compile(r"(?<![\d.,])0\s?%", re.IGNORECASE)


def reports_from_text(
    ref: NameRef, text: str, layout: str, structured: bool, carried: bool = False
) -> list[Extracted]:
    """`report_from_text`, with a ladder in one sentence as one report per step."""
    steps = pick_ladder(text, structured)
    if steps:
        return [
            Extracted(ref.name, ref.domain, offer, wait, text[:300], layout, outcome="discount")
            for offer, wait in steps
        ]
    got = report_from_text(ref, text, layout, structured, carried)
    return [got] if got else []
