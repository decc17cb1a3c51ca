"""The one offer a message's text makes to its reader.

`extract_offer_from_text(subject, body, sent_at)` picks, among the discounts
`tracker.text.discounts.find_discounts` lists, the one offer made to the
reader, with its minimum spend, code and expiry (all mentions of the same
offer pool their conditions). `tracker.mail.offer` calls it with a parsed
message; nothing here knows what a message is.

The labelling rule: the offer is the concrete discount the message offers its
reader, a fixed value ("15% off", "$10 off", "free shipping" as the message's
incentive, "a free gift"), usually with a code or "for you" / "your cart"
wording. Not offers: "up to N%" sales; standing conditions in banners, footers
and navigation ("Free shipping on orders over $50"); anything in transactional
or other mail ("15% off your next order" under an order confirmation); prices
and price drops ("now $59, was $79"). Of several, the primary one wins: the one
with the code, in the subject, or the largest personal one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from tracker.records import OfferInfo
from tracker.text.codes import PromoCode, find_codes
from tracker.text.discounts import Discount, find_discounts
from tracker.text.expiry import Expiry, find_expiries
from tracker.text.language import detect_language
from tracker.text.refs import reference_spans
from tracker.text.segments import main_text

OFFER_KINDS = frozenset({"abandoned_cart", "browse_abandonment", "promotion"})

# Wording that makes a discount this reader's: their cart, their order, "for you".
_PERSONAL_RE = re.compile(
    r"\b(?:your\s+(?:cart|bag|basket|order|purchase|items?|picks?|next\s+step)|for\s+you|just\s+for\s+you"
    r"|on\s+us|this\s+order|if\s+you\s+(?:complete|check\s*out|order|finish)|when\s+you\s+(?:complete|check\s*out)"
    r"|(?:dein(?:en|e)?|ihr(?:en|e)?)\s+(?:warenkorb|bestellung|einkauf)|für\s+(?:dich|sie)|diese\s+bestellung"
    r"|(?:votre|ton)\s+(?:panier|commande|sac)|pour\s+(?:vous|toi)|cette\s+commande|vous\s+est\s+offert"
    r"|(?:il\s+tuo|tuo)\s+(?:carrello|ordine)|per\s+te|questo\s+ordine|solo\s+per\s+te"
    r"|tu\s+(?:carrito|cesta|pedido|compra)|para\s+ti|este\s+pedido|te\s+regalamos"
    r"|(?:is|are)\s+waiting\s+for\s+you|awaits\s+you|wartet\s+auf\s+(?:dich|sie)|vous\s+attend(?:ent)?"
    r"|t['’]attend(?:ent)?|ti\s+aspetta(?:no)?|te\s+espera(?:n)?"
    r"|nous\s+vous\s+offrons|on\s+vous\s+offre|ti\s+regaliamo|schenken\s+wir\s+(?:dir|ihnen))\b",
    re.I,
)
# Standing conditions and sign-up perks: not an offer to this reader.
_STANDING_RE = re.compile(
    r"\b(?:(?:on|for)\s+(?:all|every)\s+orders?|always|every\s+day|free\s+returns|sign\s*up|subscribe"
    r"|join\s+(?:our|the)|download\s+(?:our|the)\s+app|refer\s+a\s+friend|first\s+order|members?\s+get"
    r"|auf\s+alle\s+bestellungen|immer|kostenlose\s+rückgabe|anmelden|ersten?\s+bestellung"
    r"|sur\s+toutes\s+les\s+commandes|toujours|retours?\s+gratuits?|inscri\w+|première\s+commande"
    r"|su\s+tutti\s+gli\s+ordini|sempre|resi\s+gratuiti|iscri\w+|primo\s+ordine"
    r"|en\s+todos\s+los\s+pedidos|siempre|devoluciones\s+gratis|suscr\w+|primer\s+pedido)\b",
    re.I,
)
_PRICE_BEFORE_RE = re.compile(
    r"(?:\bwas|\bnow|\bonly|\bjust|\bprice|\bfrom|\bstatt|\bjetzt|\bnur|\bau\s+lieu\s+de|\bprix"
    r"|\binvece\s+di|\bprezzo|\bantes|\bahora|\bprecio|\bsubtotal|\btotal)\s*:?\s*$",
    re.I,
)
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s|$)|\n")


@dataclass(frozen=True)
class _Candidate:
    discount: Discount
    score: float


# Characters looked at either side of a discount for its sentence. Real
# sentences are far shorter; without a bound, text with no full stop (a
# 10 MB single-line HTML part) makes every candidate scan the whole message.
MAX_SENTENCE = 400
# Discounts scored per message, in order of position (subject first); a real
# mail mentions a handful, junk thousands.
MAX_CANDIDATES = 100


def _sentence(text: str, pos: int) -> tuple[int, int]:
    low = max(0, pos - MAX_SENTENCE)
    starts = [m.end() for m in _SENTENCE_END_RE.finditer(text, low, pos)]
    start = starts[-1] if starts else low
    m = _SENTENCE_END_RE.search(text, pos, pos + MAX_SENTENCE)
    return start, m.start() if m else min(len(text), pos + MAX_SENTENCE)


def _score(d: Discount, doc: str, subject_end: int, codes: list[PromoCode]) -> float | None:
    """How much `d` looks like the reader's offer, or None when it is not one."""
    if d.up_to:
        return None
    s, e = _sentence(doc, d.start)
    sentence = doc[s:e]
    in_subject = d.start < subject_end
    has_code = any(s - 40 <= c.start <= e + 80 for c in codes)
    personal = bool(_PERSONAL_RE.search(sentence))
    if _STANDING_RE.search(sentence) and not has_code:
        return None
    if d.type == "amount" and (
        not d.cue or _PRICE_BEFORE_RE.search(doc[max(0, d.start - 20) : d.start])
    ):
        return None
    if d.type == "percent" and not (d.cue or in_subject or has_code or personal):
        return None
    if d.type in ("free_shipping", "gift") and not (in_subject or has_code or personal):
        return None
    if d.type == "free_shipping" and d.min_spend is not None and not (has_code or personal):
        return None
    score = 4.0 * in_subject + 3.0 * has_code + 2.0 * personal + 1.0 * d.cue
    score += 1.0 if d.type in ("percent", "amount") else 0.0
    return score + (d.value or 0.0) / 1000.0


def _nearest(items, anchors: list[int]):
    if not items:
        return None
    return min(items, key=lambda it: min(abs(it.start - a) for a in anchors))


def reads_month_first(subject: str, text: str, from_addr: str | None) -> bool:
    """Whether numeric dates read month first: US mail writes 11/30, everyone else 30/11."""
    us_sender = from_addr is not None and from_addr.lower().rstrip(">").endswith((".com", ".us"))
    return us_sender and detect_language(subject + "\n" + text[:2000]) == "en"


def extract_offer_from_text(
    subject: str,
    text: str,
    sent_at: datetime | None,
    *,
    tz: tzinfo | None = None,
    month_first: bool = False,
) -> OfferInfo | None:
    """The offer a message (subject + body text) makes to its reader, or None.

    `sent_at` anchors relative expiries ("in 48 hours") and the year of
    absolute ones; `tz` is the message's own timezone (end of day, "today
    only"). Navigation and footers are ignored.
    """
    subject = subject or ""
    doc = subject + "\n\n" + main_text(text or "")
    codes = find_codes(doc, excluded=reference_spans(doc))
    candidates = []
    discounts = find_discounts(doc)[:MAX_CANDIDATES]
    for d in discounts:
        score = _score(d, doc, len(subject), codes)
        if score is not None:
            candidates.append(_Candidate(d, score))
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.score).discount
    # Every mention of the same offer adds its conditions ("a gift" in the
    # subject, "a gift with orders over 60 EUR" further down).
    twins = [best] + [
        d
        for d in discounts
        if not d.up_to
        and d is not best
        and (d.type, d.value) == (best.type, best.value)
        and (d.type != "amount" or d.cue)  # not a line price that happens to be equal
        and d.type != "free_shipping"  # "free shipping over 69 EUR" is usually standing
    ]
    min_spend = next((t.min_spend for t in twins if t.min_spend is not None), None)
    currency = best.currency or next((t.currency for t in twins if t.currency), None)
    anchors = [t.start for t in twins]
    code = _nearest(codes, anchors)
    expires_at = None
    if sent_at is not None:
        expiries: list[Expiry] = find_expiries(doc, sent_at, tz, month_first)
        # The most specific statement wins (a date over "48 hours" over "today only"), then the nearest.
        top = [e for e in expiries if e.rank == min((e.rank for e in expiries), default=0)]
        near = _nearest(top, anchors + ([code.start] if code else []))
        expires_at = near.at if near else None
    return OfferInfo(
        type=best.type,
        value=best.value,
        currency=currency,
        min_spend=min_spend,
        code=code.code if code else None,
        expires_at=expires_at,
        code_kind=code.kind if code else None,
    )
