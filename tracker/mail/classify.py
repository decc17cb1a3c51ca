"""What kind of message this is: abandoned cart, browse, promotion, transactional, other.

A weighted phrase score, with the phrases, weights and structural signals in
data/classify_rules.json (one block per language; a new language is a data
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

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tracker.discounts import find_discounts
from tracker.mail.message import ParsedMail
from tracker.mail.prefilter import fold, literal_prefixes, may_match
from tracker.records import KINDS, RetailerRef

# An order/tracking reference after its label: at least 4 characters, one a digit.
_REF = r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}"
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|<[^>\s]+@[^>\s]+>", re.I)
_CARRIER_TRACKING_RE = re.compile(r"\b1Z[0-9A-Z]{16}\b")


@dataclass(frozen=True)
class _Rules:
    # kind -> (pattern, weight, languages, literal prefixes for the prefilter)
    phrases: dict[str, list[tuple[re.Pattern[str], float, frozenset[str], frozenset[str] | None]]]
    stopwords: dict[str, frozenset[str]]
    foreign_weight: float
    segments: dict[str, float]
    structural: dict[str, dict[str, float]]
    repeat_bonus: float
    min_score: float
    footer: re.Pattern[str]
    nav: re.Pattern[str]
    order_number: re.Pattern[str]
    tracking_number: re.Pattern[str]
    greeting: re.Pattern[str]
    forward: re.Pattern[str]


def _alternation(blocks: list[dict], key: str, suffix: str = "") -> re.Pattern[str]:
    parts = [f"(?:{b[key]}){suffix}" for b in blocks if b.get(key)]
    return re.compile("|".join(parts) or r"(?!x)x", re.I | re.M)


def _reference(blocks: list[dict], key: str) -> re.Pattern[str]:
    """A label ("Order #", "Bestellnummer:") followed by a reference with a digit."""
    labels = "|".join(f"(?:{b[key]})" for b in blocks if b.get(key))
    return re.compile(f"(?i:{labels})" + _REF, re.M)


@cache
def load_rules() -> _Rules:
    """Compile data/classify_rules.json once."""
    raw = json.loads(
        resources.files("tracker.mail").joinpath("data", "classify_rules.json").read_text("utf-8")
    )
    languages = raw["languages"]
    blocks = list(languages.values())
    # The same phrase in several language blocks ("newsletter") counts once.
    merged: dict[str, dict[str, tuple[float, set[str]]]] = {k: {} for k in (*KINDS, "alert")}
    for lang, block in languages.items():
        for kind in merged:
            for pattern, weight in block.get(kind, []):
                old_weight, langs = merged[kind].get(pattern, (0.0, set()))
                merged[kind][pattern] = (max(old_weight, float(weight)), langs | {lang})
    phrases = {
        kind: [
            (re.compile(p, re.I), w, frozenset(langs), literal_prefixes(p))
            for p, (w, langs) in table.items()
        ]
        for kind, table in merged.items()
    }
    return _Rules(
        phrases=phrases,
        stopwords={lang: frozenset(b.get("stopwords", [])) for lang, b in languages.items()},
        foreign_weight=float(raw.get("foreign_phrase_weight", 1.0)),
        segments=raw["segments"],
        structural=raw["structural"],
        repeat_bonus=float(raw["repeat_bonus"]),
        min_score=float(raw["min_score"]),
        footer=_alternation(blocks, "footer_markers"),
        nav=_alternation(blocks, "nav_markers"),
        order_number=_reference(blocks, "order_number"),
        tracking_number=_reference(blocks, "tracking_number"),
        greeting=_alternation(blocks, "greeting"),
        forward=_alternation(blocks, "forward_subject"),
    )


def unwrap_lines(lines: list[str]) -> list[str]:
    """Join hard-wrapped plain-text lines (72-column mail) back into sentences.

    A line of 40+ characters that does not end a sentence, followed by a line
    starting in lower case or with a figure, continues on that line; so does a
    60+ character line (a full 72-column line) followed by a line of words.
    """
    out: list[str] = []
    paragraph_start = True
    for line in lines:
        if not line:
            paragraph_start = True  # a blank line ends a paragraph: never join across it
            continue
        open_end = (
            not paragraph_start and not re.search(r"[.!?:]$", out[-1]) and out[-1].count("|") < 2
        )
        paragraph_start = False
        if open_end and (
            (len(out[-1]) >= 40 and re.match(r"[a-zà-ÿ0-9$€£(]", line))
            or (len(out[-1]) >= 60 and len(line.split()) >= 3)
        ):
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def _is_nav(line: str, rules: _Rules) -> bool:
    return line.count("|") >= 2 or line.count("•") >= 2 or bool(rules.nav.match(line))


def segment_body(body: str, rules: _Rules | None = None) -> list[tuple[str, str]]:
    """Body lines labelled main | short_line | nav_line | footer.

    The footer starts at the first footer marker ("unsubscribe", "abmelden",
    "désinscrire"...) in the second half of the message; navigation lines are
    menus ("Women | Men | Sale") and lone menu words.
    """
    rules = rules or load_rules()
    lines = unwrap_lines([ln.strip() for ln in body.splitlines()])
    footer_at = len(lines)
    for i in range(len(lines) // 2, len(lines)):
        if rules.footer.search(lines[i]):
            footer_at = i
            break
    out = []
    for i, line in enumerate(lines):
        if i >= footer_at:
            out.append(("footer", line))
        elif _is_nav(line, rules):
            out.append(("nav_line", line))
        elif len(line.split()) <= 3 and not re.search(r"[.!?:]", line):
            out.append(("short_line", line))
        else:
            out.append(("main", line))
    return out


def _main_text(segments: list[tuple[str, str]]) -> str:
    return "\n".join(text for label, text in segments if label in ("main", "short_line"))


def detect_language(text: str, rules: _Rules | None = None) -> str | None:
    """The language block whose stopwords are most frequent in `text`, or None."""
    rules = rules or load_rules()
    words = re.findall(r"[^\W\d_]+", text.lower())[:3000]
    counts = {lang: sum(w in stop for w in words) for lang, stop in rules.stopwords.items()}
    best = max(counts, key=counts.get, default=None)
    return best if best and counts[best] >= 2 else None


def _phrase_scores(
    segments: list[tuple[str, str]], rules: _Rules, language: str | None
) -> dict[str, float]:
    """Each phrase counts once, at its best segment, plus a small bonus for repeats.

    Phrases of another language than the message's count less: short words
    collide across languages (Italian "offerta" vs French "offerte").
    """
    scores = dict.fromkeys((*KINDS, "alert"), 0.0)
    # Most phrases occur nowhere in a message; a substring test for the words a
    # phrase must start with rules them out without a regex search per segment.
    folded = fold("\n".join(text for _label, text in segments))
    for kind, patterns in rules.phrases.items():
        for pattern, weight, langs, prefixes in patterns:
            if not may_match(prefixes, folded):
                continue
            hits = [rules.segments[label] for label, text in segments if pattern.search(text)]
            if hits:
                best = max(hits)
                extra = min(len(hits) - 1, 2) * rules.repeat_bonus * min(best, 1.0)
                own = language is None or language in langs
                scores[kind] += weight * (best + extra) * (1.0 if own else rules.foreign_weight)
    _route_alerts(scores)
    return scores


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


def _structural(mail: ParsedMail, main: str, retailer: RetailerRef | None, rules: _Rules):
    """Signals beyond phrases: references, bulk headers, greetings, discounts."""
    s = rules.structural
    signals = []
    if rules.order_number.search(main):
        signals.append(s["order_number"])
    if rules.tracking_number.search(main) or _CARRIER_TRACKING_RE.search(main):
        signals.append(s["tracking_number"])
    precedence = mail.headers.get("precedence", "").lower()
    if "list-unsubscribe" in mail.headers or precedence in ("bulk", "list"):
        signals.append(s["bulk"])
    if rules.greeting.search(main[:400]):
        signals.append(s["greeting"])
    subject_discounts = [d for d in find_discounts(mail.subject or "") if not d.up_to]
    if subject_discounts:
        signals.append(s["discount_in_subject"])
    if any(d.up_to for d in find_discounts((mail.subject or "") + "\n" + main[:1500])):
        signals.append(s["sale_discount"])
    if retailer is None:
        signals.append(s["no_retailer"])
    if rules.forward.search(mail.subject or ""):
        signals.append(s["forward"])
    return signals


def score_message(mail: ParsedMail, retailer: RetailerRef | None) -> dict[str, float]:
    """The score of every kind; exposed for debugging and tests."""
    rules = load_rules()
    body = _URL_RE.sub(" ", mail.body)
    segments = [("subject", mail.subject or "")] + segment_body(body, rules)
    segments += [("link_text", text) for _href, text in mail.links[:200] if text]
    language = detect_language((mail.subject or "") + "\n" + body, rules)
    scores = _phrase_scores(segments, rules, language)
    for signal in _structural(mail, _main_text(segments[1:]), retailer, rules):
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
