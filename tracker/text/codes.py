"""Promo codes in mail text: `COMEBACK15` (shared) or `X7K2-PQ9M-ZZ31` (single use).

A code is a token after a code label ("code", "Gutscheincode", "code promo",
"codice", "código", "coupon", "use"/"enter"...), or alone on its own line in a
message that talks about a code. Order numbers, tracking numbers and words in
capitals ("SALE", "FREE") are not codes: they lack the label, sit after an
order/tracking label, or have no digit and no label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,24}"
_LABEL = (
    r"(?:promo(?:tion(?:al)?)?\s*-?\s*code|discount\s+code|coupon(?:\s+code)?|voucher(?:\s+code)?"
    r"|offer\s+code|code\s+(?:de\s+)?(?:réduction|promo)|code|Gutschein(?:-?code)?|Rabatt-?code"
    r"|Aktionscode|Vorteilscode|codice(?:\s+(?:sconto|promo(?:zionale)?|coupon))?"
    r"|c[oó]digo(?:\s+(?:de\s+)?(?:descuento|promocional|promo))?|cup[oó]n)"
)
_VERB = (
    r"(?:use|enter|apply|redeem|with|verwende|nutze|gib|mit\s+dem|utilise[zr]?|saisis(?:sez)?"
    r"|entrez|avec\s+le|usa|inserisci|utilizza|con\s+il|introduce|usa|utiliza|con\s+el|aplica)"
)
_AFTER_LABEL_RE = re.compile(
    rf"\s*(?:[:：=]\s*|\s+(?:is\s+|ist\s+|est\s+|è\s+|es\s+)?)?[\"'“«‹»]?\s*(?P<code>{_TOKEN})\b",
    re.I,
)
_CLOSING_RE = re.compile(
    rf"\b{_LABEL}\b[^.!?\n]{{0,80}}?(?:\s?[:：]|\s[–—-])\s*[\"'“«]?(?P<code>{_TOKEN})[\"'”»]?\s*(?:[.!]|$)",
    re.I | re.M,
)
_VERB_RE = re.compile(rf"\b{_VERB}\s+[\"'“«]?(?P<code>{_TOKEN})\b", re.I)
_AT_CHECKOUT_RE = re.compile(
    r"[\"'”»]?\s+(?:in\s+)?(?:at|au|al|an\s+der|in\s+the|beim|à\s+la|alla|en\s+el)\s+"
    r"(?:the\s+)?(?:checkout|kasse|caisse|paiement|cassa|pagamento|pago|caja)",
    re.I,
)
# "use FREESHIP for free shipping", "gib SOMMER ein und spare": what the token gets you.
_FOR_WHAT_RE = re.compile(
    r"[\"'”»]?\s+(?:for|to\s+(?:get|save|take|enjoy|unlock|receive)|and\s+(?:get|save|take|enjoy)"
    r"|pour|per|para|für|(?:ein\s+)?und\s+(?:spare|sichere|erhalte))\b",
    re.I,
)
_CODE_WORD_RE = re.compile(rf"\b{_LABEL}\b", re.I)
_LONE_LINE_RE = re.compile(rf"^\s*[\"'“«\[(]?(?P<code>{_TOKEN})[\"'”»\])]?\s*$", re.M)

# Words that follow "code" but are not codes, in the five languages.
_NOT_CODES = frozenset(
    [
        "at",
        "au",
        "al",
        "an",
        "in",
        "is",
        "are",
        "will",
        "below",
        "above",
        "here",
        "this",
        "the",
        "your",
        "you",
        "for",
        "at",
        "checkout",
        "and",
        "or",
        "to",
        "ist",
        "wird",
        "unten",
        "hier",
        "dein",
        "deine",
        "ihr",
        "ihre",
        "den",
        "der",
        "die",
        "das",
        "beim",
        "im",
        "und",
        "an",
        "est",
        "sera",
        "ci-dessous",
        "ici",
        "votre",
        "ton",
        "le",
        "la",
        "les",
        "pour",
        "et",
        "lors",
        "è",
        "sarà",
        "qui",
        "sotto",
        "il",
        "tuo",
        "tua",
        "al",
        "per",
        "e",
        "es",
        "será",
        "aquí",
        "abajo",
        "tu",
        "el",
        "la",
        "para",
        "y",
        "en",
        "free",
        "sale",
        "new",
        "now",
        "off",
        "today",
        "only",
        "shop",
        "expires",
        "valid",
        "gültig",
        "valable",
        "valido",
        "válido",
        "promo",
        "code",
        "codes",
        "coupon",
        "voucher",
    ]
)


@dataclass(frozen=True)
class PromoCode:
    code: str
    kind: str  # "shared" | "single_use"
    start: int
    end: int


def code_kind(code: str) -> str:
    """'single_use' for machine-made codes (X7K2-PQ9M, A8F3K2Q9ZP), else 'shared'.

    Shape only: several hyphen groups, or letters and digits alternating often,
    in a long token, is what generated one-off codes look like.
    """
    plain = code.replace("-", "")
    groups = code.count("-") + 1
    digits = sum(ch.isdigit() for ch in plain)
    flips = sum(a.isdigit() != b.isdigit() for a, b in zip(plain, plain[1:], strict=False))
    if len(plain) >= 8 and digits >= 2 and (groups >= 2 and flips >= 2 or flips >= 4):
        return "single_use"
    return "shared"


def _plausible(token: str, labelled: bool) -> bool:
    if token.lower() in _NOT_CODES or len(token.replace("-", "")) < 4:
        return False
    has_digit = any(ch.isdigit() for ch in token)
    has_alpha = any(ch.isalpha() for ch in token)
    if not has_alpha:
        return False  # an order or phone number, never a promo code
    if any(ch.islower() for ch in token):
        return labelled and has_digit  # "Welcome10" after "code:" only
    return has_digit or labelled


def find_codes(text: str, excluded: list[tuple[int, int]] | None = None) -> list[PromoCode]:
    """Promo codes in `text`, in order; spans inside `excluded` are skipped."""
    excluded = excluded or []
    found: dict[int, PromoCode] = {}

    def add(m: re.Match[str], labelled: bool) -> None:
        token, start = m["code"], m.start("code")
        if any(s <= start < e for s, e in excluded) or not _plausible(token, labelled):
            return
        # Shops take codes in any case (WooCommerce stores them lower-cased): one spelling.
        code = token.upper()
        found.setdefault(start, PromoCode(code, code_kind(code), start, m.end("code")))

    # Labels may follow each other ("Ihr Gutschein\nCode: X"): try after every one.
    for label in _CODE_WORD_RE.finditer(text):
        m = _AFTER_LABEL_RE.match(text, label.end())
        if m:
            add(m, True)
    # "... a coupon for 15%: SIERRA15-LU7Q." / "save $20: ACS-20-7JKM": the code
    # closes the sentence that names it, after a colon or a dash.
    for m in _CLOSING_RE.finditer(text):
        add(m, True)
    for m in _VERB_RE.finditer(text):
        end = m.end("code")
        add(m, bool(_AT_CHECKOUT_RE.match(text, end) or _FOR_WHAT_RE.match(text, end)))
    if _CODE_WORD_RE.search(text):
        for m in _LONE_LINE_RE.finditer(text):
            if any(ch.isdigit() for ch in m["code"]) or m["code"].isupper():
                add(m, False)
    return [found[k] for k in sorted(found)]
