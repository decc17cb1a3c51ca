"""What kind of message this is: abandoned cart, browse, promotion, transactional, other.

A weighted phrase score, with the phrases, weights and structural signals in
tracker/text/data/classify_rules.json (one block per language; a new language is a data
change). Where a phrase appears matters: the subject counts most, the main body
fully, short lines less, navigation bars and footers hardly at all, so a
newsletter whose menu says "View bag" stays a promotion.

Decisions on the look-alikes (documented here and in the rules file):
- price-drop and back-in-stock alerts are `promotion`, unless they point at the
  shopper's own browsing ("you viewed", "recently viewed") -> `browse_abandonment`;
  an alert about items in the shopper's cart is `abandoned_cart`.
- wishlist / saved-item reminders are `browse_abandonment` (the shopper's own
  interest, not a basket).
- an order confirmation carrying a "15% off your next order" banner is
  `transactional` (order and tracking numbers are strong structural signals);
  so is a draft invoice titled "Complete your purchase" (invoice/pay wording).
"""

from __future__ import annotations

import math
import re

from tracker.mail.headers import failed_authentication, is_discussion_list
from tracker.mail.message import ParsedMail
from tracker.records import KINDS, RetailerRef
from tracker.text.codes import find_codes
from tracker.text.discounts import find_discounts
from tracker.text.language import detect_language
from tracker.text.links import link_signals
from tracker.text.prefilter import can_match, fold_text
from tracker.text.refs import has_order_reference, has_tracking_reference, reference_spans
from tracker.text.rules import Rules, load_rules
from tracker.text.segments import main_lines, segment_body

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|<[^>\s]+@[^>\s]+>", re.I)


def _phrase_scores(
    segments: list[tuple[str, str]], rules: Rules, language: str | None
) -> dict[str, float]:
    """Each phrase counts once, at its best segment, plus a small bonus for repeats.

    Phrases of another language than the message's count less: short words
    collide across languages (Italian "offerta" vs French "offerte").
    """
    scores = dict.fromkeys((*KINDS, "alert"), 0.0)
    # Most phrases occur nowhere in a message; a substring test for the words a
    # phrase must start with rules them out without a regex search per segment.
    present = rules.phrase_scan.present(fold_text("\n".join(text for _label, text in segments)))
    # A phrase whose prefix occurs is searched once in the whole message before
    # segment by segment (ESP mail has a hundred segments, most phrases none).
    joined = _SEGMENT_JOIN.join(text for _label, text in segments)
    for kind, patterns in rules.phrases.items():
        for pattern, weight, langs, prefixes in patterns:
            if not can_match(prefixes, present) or not _occurs(pattern, joined):
                continue
            hits = [rules.segments[label] for label, text in segments if pattern.search(text)]
            if hits:
                best = max(hits)
                extra = min(len(hits) - 1, 2) * rules.repeat_bonus * min(best, 1.0)
                own = language is None or language in langs
                scores[kind] += weight * (best + extra) * (1.0 if own else rules.foreign_weight)
    _route_alerts(scores)
    return scores


# Segments are joined with NUL for the whole-message search: no phrase matches
# it, a \b sees it as a boundary, and a lookbehind such as (?<!\bto\s) sees no
# space, so every match inside a segment is also a match in the joined text.
_SEGMENT_JOIN = "\x00"


def _occurs(pattern: re.Pattern[str], joined: str) -> bool:
    """False only if `pattern` matches no segment of the joined text."""
    return pattern.search(joined) is not None


def _route_alerts(scores: dict[str, float]) -> None:
    """Price-drop/back-in-stock wording joins whatever the alert is about.

    About the shopper's viewed or wished-for items -> browse_abandonment; about
    the cart -> abandoned_cart; about the catalogue in general -> promotion.
    """
    alert = scores.pop("alert")
    cart, browse = scores["abandoned_cart"], scores["browse_abandonment"]
    if browse >= 2.0 and browse >= cart:
        scores["browse_abandonment"] += alert
    elif cart >= 2.0:
        scores["abandoned_cart"] += alert
    else:
        scores["promotion"] += alert


def _add(scores: dict[str, float], signal: dict[str, float]) -> None:
    for kind, weight in signal.items():
        scores[kind] += weight


def _structural(mail: ParsedMail, main: str, retailer: RetailerRef | None, rules: Rules):
    """Signals beyond phrases, weighted in the rules file's "structural" block.

    Order and tracking references, bulk and list headers, greetings, discounts
    and codes, failed authentication, discussion lists, and the links: recovery
    links, order pages and UTM flow names (`tracker.text.links`).
    """
    s = rules.structural
    signals = []
    if has_order_reference(main, rules):
        signals.append(s["order_number"])
    if has_tracking_reference(main, rules):
        signals.append(s["tracking_number"])
    precedence = mail.headers.get("precedence", "").lower()
    if "list-unsubscribe" in mail.headers or precedence in ("bulk", "list"):
        signals.append(s["bulk"])
    if rules.greeting.search(main[:400]):
        signals.append(s["greeting"])
    subject = mail.subject or ""
    head = subject + "\n" + main[:2000]
    discounts = find_discounts(head)  # once, for the subject and the body's head
    if any(not d.up_to and d.end <= len(subject) for d in discounts):
        signals.append(s["discount_in_subject"])
    if any(d.up_to for d in discounts):
        signals.append(s["sale_discount"])
    if _coded_offer(head, discounts):
        signals.append(s["coded_offer"])  # a voucher for this reader: a promotion at least
    if retailer is None:
        signals.append(s["no_retailer"])
    if rules.forward.search(mail.subject or ""):
        signals.append(s["forward"])
    if failed_authentication(mail.headers):
        signals.append(s["unauthenticated"])  # phishing dressed as a shop, whatever it says
    if is_discussion_list(mail.headers):
        signals.append(s["discussion_list"])  # people writing to a list, not a shop
    # Language-independent structure: recovery links and flow names in UTM values.
    signals += [s[name] for name in sorted(link_signals(_hrefs(mail))) if name in s]
    return signals


def _coded_offer(text: str, discounts: list) -> bool:
    """A fixed discount with a promo code next to it (not a sale's "up to")."""
    if not _CODE_HINT_RE.search(text) and not _TOKEN_RE.search(text):
        return False  # no code word and no token a code could be
    for d in discounts:
        if d.up_to:
            continue
        # Only the text around the discount: a code further away is not its code.
        window = text[max(0, d.start - 200) : d.end + 200]
        if find_codes(window, excluded=reference_spans(window)):
            return True
    return False


_QUOTE_MARKS = ("„", "“", "«", "‹", '"')
# Words for a code in the five languages, and the shape of a code without one.
_CODE_HINT_RE = re.compile(
    r"code|coupon|voucher|gutschein|codice|c[oó]digo|cup[oó]n|buono|\bbon\b|promo", re.I
)
_TOKEN_RE = re.compile(r"\b(?=[A-Z-]*\d)[A-Z0-9-]{4,}\b")
_QUOTED_RE = re.compile(r"[„“«‹\"][ \t]*[^„“”«»‹›\"\n]{3,120}?[ \t]*[“”»›\"]")

_TEXT_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+", re.I)


def _hrefs(mail: ParsedMail) -> list[str]:
    """The message's link targets: the HTML's anchors, else URLs in its plain text."""
    hrefs = [href for href, _text in mail.links]
    return hrefs or _TEXT_URL_RE.findall(mail.text[:200_000])


def score_message(mail: ParsedMail, retailer: RetailerRef | None) -> dict[str, float]:
    """The score of every kind; exposed for debugging and tests."""
    rules = load_rules()
    body = _URL_RE.sub(" ", mail.body)
    segments = [("subject", mail.subject or "")] + segment_body(body, rules)
    segments += [("link_text", text) for _href, text in mail.links[:200] if text]
    language = detect_language((mail.subject or "") + "\n" + body, rules)
    # "Enter the code in your cart" is evidence of a code, never of a left cart;
    # words in quotation marks are someone else's ('„Dein Warenkorb wartet“
    # beats „Letzte Chance“' in a newsletter about cart mail).
    # One pass over the joined lines (neither pattern crosses a line) instead of
    # two substitutions per segment.
    joined = "\n".join(text.replace("\n", " ") for _label, text in segments)
    blanked = joined
    if _CODE_HINT_RE.search(joined):  # no code anywhere, no instruction to use one
        blanked = rules.code_use.sub(" ", blanked)
    if any(mark in blanked for mark in _QUOTE_MARKS):
        blanked = _QUOTED_RE.sub(" ", blanked)
    phrased = [
        (label, text) for (label, _), text in zip(segments, blanked.split("\n"), strict=True)
    ]
    scores = _phrase_scores(phrased, rules, language)
    for signal in _structural(mail, main_lines(segments[1:]), retailer, rules):
        _add(scores, signal)
    return scores


def classify_message(mail: ParsedMail, retailer: RetailerRef | None) -> tuple[str, float]:
    """(kind, confidence in [0, 1]) for one message.

    Below the minimum score a bulk message from a retailer is a low-confidence
    `promotion`, anything else `other`.
    """
    rules = load_rules()
    scores = score_message(mail, retailer)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (kind, top), (_, second) = ranked[0], ranked[1]
    if top < rules.min_score:
        bulk = "list-unsubscribe" in mail.headers
        kind = "promotion" if retailer is not None and bulk else "other"
        return kind, 0.4
    # Confidence grows with the margin over the runner-up and with the score itself.
    margin = 1.0 - math.exp(-(top - max(second, 0.0)) / 2.5)
    strength = 1.0 - math.exp(-top / 3.0)
    return kind, round(min(0.99, 0.35 + 0.4 * margin + 0.25 * strength), 3)
