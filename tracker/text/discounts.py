"""Find every discount mentioned in a piece of text, in five languages.

Pure text in, dataclasses out. `tracker.text.offers` re-exports `find_discounts` and
`Discount`; mail offer extraction and the spiders both build on it.

A `Discount` is only what the text *mentions*: the caller decides whether it is
an offer to someone (mail) or a report (web). Amounts that are minimum spends
("on orders over $50", "ab 50 €", "dès 50 €") are not returned as discounts but
attached as `min_spend` to the discount of the same sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# Currency symbols and words -> ISO 4217. "$" alone is taken as USD: the
# prefixed forms (C$, A$ ...) say otherwise when the sender cared to.
CURRENCIES = {
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "ca$": "CAD",
    "c$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "aud": "AUD",
    "nz$": "NZD",
    "nzd": "NZD",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "chf": "CHF",
    "fr.": "CHF",
    "¥": "JPY",
    "jpy": "JPY",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
    "pln": "PLN",
    "zł": "PLN",
}


@dataclass(frozen=True)
class Discount:
    """One discount mentioned in text.

    `type` is percent | amount | free_shipping | gift; `value`/`value_max` a
    percent or an amount (a range "10–15%" gives 10 and 15); `currency` ISO
    4217 for amounts (for a percent with a minimum spend, the spend's
    currency); `min_spend` when the sentence sets one; `start`/`end` the character span in the text. `up_to` marks "up to
    60%" (a ceiling of a sale, not a promise); `cue` marks a discount word next
    to the figure ("off", "Rabatt", "de réduction", "sconto", "descuento", "-").
    """

    type: str
    value: float | None
    value_max: float | None
    currency: str | None
    min_spend: float | None
    start: int
    end: int
    up_to: bool = False
    cue: bool = False


_NUM = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?!\d)"
_PCT_WORD = r"(?:%|\s?(?:percent|per\s?cent|prozent|pour\s?cent|per\s?cento|por\s?ciento)\b)"
_PCT_NUM = r"\d{1,2}(?:[.,]5)?(?!\d)|100(?!\d)"
_RANGE_SEP = r"(?:\s*[-–—]\s*|\s+(?:to|bis|à|a|al|y|and|und|et|e|-)\s+)"

_PCT_RANGE_RE = re.compile(
    rf"(?<![\d.,])(?P<a>{_PCT_NUM})\s*(?:{_PCT_WORD})?{_RANGE_SEP}(?P<b>{_PCT_NUM})\s*{_PCT_WORD}",
    re.I,
)
_PCT_RE = re.compile(rf"(?<![\d.,])(?P<minus>[-–−]\s?)?(?P<a>{_PCT_NUM})\s*{_PCT_WORD}", re.I)

_CUR_PREFIX = (
    r"US\$|CA\$|C\$|AU\$|A\$|NZ\$|\$|£|€|¥|USD|EUR|GBP|CHF|CAD|AUD|NZD|JPY|SEK|NOK|DKK|PLN"
)
_CUR_SUFFIX = (
    r"€|£|\$|zł|EUR|USD|GBP|CHF|CAD|AUD|SEK|NOK|DKK|PLN|euros?\b|dollars?\b|pounds?\b|Fr\.|"
    r"(?<=\d\s)Fr\.|(?<=\d)Fr\."
)
_AMOUNT_RE = re.compile(
    rf"(?<![\w$£€])(?P<cur1>{_CUR_PREFIX})\s?(?P<n1>{_NUM})"
    rf"|(?<![\w.,])(?P<n2>{_NUM})\s?(?P<cur2>{_CUR_SUFFIX})(?![a-zA-Z])",
    re.I,
)

_FREE_SHIPPING_RE = re.compile(
    r"\bfree\s+(?:standard\s+|express\s+|next[- ]day\s+|uk\s+|us\s+|2-day\s+)?"
    r"(?:shipping|delivery|postage|p&p)\b|\bships?\s+free\b|\bshipping\s+is\s+free\b"
    r"|\blivraison\s+(?:standard\s+|express\s+)?(?:gratuite|offerte)\b|\bfrais\s+de\s+port\s+offerts\b"
    r"|\blivraison\s+gratuite\b|\blivraison\s+offerte\b"
    r"|\bkostenlose[rn]?\s+(?:Standard-?)?(?:Versand|Lieferung)\b|\bversandkostenfrei\b"
    r"|\bgratis[- ]Versand\b|\bVersand\s+(?:ist\s+)?(?:kostenlos|gratis)\b|\bportofrei\b"
    r"|\bspedizion[ei]\s+(?:standard\s+)?(?:gratuit[ae]|gratis)\b|\bconsegna\s+gratuita\b"
    r"|\benv[ií]os?\s+(?:est[aá]ndar\s+)?(?:gratis|gratuitos?)\b|\bgastos\s+de\s+env[ií]o\s+gratis\b"
    r"|\benv[ií]o\s+sin\s+coste\b"
    r"|\bshipping(?:'s|\s+is)\s+on\s+us\b|\b(?:we'll|we\s+will)\s+cover\s+(?:the\s+)?shipping\b"
    r"|\bVersand\s+(?:geht\s+auf\s+uns|übernehmen\s+wir)\b|\blivraison\s+(?:est\s+)?(?:pour\s+nous|à\s+nos\s+frais)\b"
    r"|\bspedizione\s+(?:la\s+)?offriamo\s+noi\b|\benv[ií]o\s+corre\s+de\s+nuestra\s+cuenta\b"
    # the shipping word, a few words, then "free": "el envío te sale gratis", "la livraison est offerte"
    r"|\b(?:shipping|delivery|livraison|Versand|Lieferung|spedizione|consegna|env[ií]o)"
    r"(?:\s+(?:is|will\s+be|est|sera|ist|wird|è|sarà|es|será|te\s+sale|sale|va|geht|te\s+la|la))+"
    r"\s+(?:free|on\s+us|offerte?|gratuite?|kostenlos|gratis|gratuita|gratuito)\b",
    re.I,
)

_GIFT_EXCLUDE = (
    r"(?!\s*(?:card|cards|certificate|voucher|guide|ideas?|wrap|box|set|shop|receipt)\b)"
)
_GIFT_RE = re.compile(
    r"\bfree\s+(?:mystery\s+|surprise\s+|bonus\s+)?gift\b"
    + _GIFT_EXCLUDE
    + r"|\bgift\s+with\s+(?:purchase|your\s+order)\b|\bbonus\s+gift\b"
    r"|\b(?:a|your)\s+(?:little\s+|special\s+|surprise\s+)?gift\b"
    + _GIFT_EXCLUDE
    + r"|\bcadeau\s+(?:offert|gratuit|surprise)\b|\ben\s+cadeau\b|\bun\s+(?:petit\s+)?cadeau\b(?!\s+(?:id[ée]al|parfait))"
    r"|\b(?:Gratis-?|kostenloses\s+|ein(?:\s+kleines)?\s+|Ihr\s+|dein\s+|Überraschungs)Geschenk\b"
    r"|\bGeschenk\s+(?:gratis|geschenkt|dazu)\b"
    r"|\bomaggio\b|\bin\s+regalo\b|\bun\s+regalo\b(?!\s+(?:perfetto|perfecto|ideale?))"
    r"|\bregalo\s+(?:gratis|sorpresa|de\s+bienvenida)\b|\bde\s+regalo\b"
    r"|\bfree\s+(?:mini|travel[- ]size|deluxe\s+sample|full[- ]size|sample)\b|\bgift\s+(?:is\s+)?(?:added|included)\b"
    r"|\b(?:a|an)\s+free\s+(?!shipping|delivery|returns?|gift\s+card)[\w&'’ -]{2,30}?\s+(?:with|when|on|for|if)\b"
    r"|\bgratis\s+dazu\b|\b(?:das|ein)\s+Geschenk\b|\ble\s+cadeau\s+(?:est\s+)?(?:ajouté|offert)\b"
    r"|\bil\s+regalo\s+(?:è\s+)?(?:aggiunto|incluso)\b|\bel\s+regalo\s+(?:se\s+)?(?:añade|incluye)\b"
    # "nous vous offrons un ballotin", "un bracelet en cuir offert", "ti regaliamo una borsa":
    # a thing given away; not a discount, delivery or code being "offered".
    r"|\b(?:nous\s+vous|on\s+vous|je\s+vous)\s+offr(?:ons|e)\s+(?:un|une)\b(?!\s+(?:livraison|remise|réduction|code|bon|frais)\b)"
    r"|\b(?:un|une)\s+(?!(?:livraison|remise|réduction|code|bon|frais|retour|échange|commande)\b)(?:[\w'’-]+\s+){1,5}?offerte?\b"
    r"|\bti\s+regaliamo\s+(?:un|una|uno)\b(?!\s+(?:buono|codice|sconto|spedizione)\b)"
    r"|\bte\s+regalamos\s+(?:un|una)\b(?!\s+(?:c[oó]digo|descuento|env[ií]o|cup[oó]n|vale)\b)"
    r"|\bschenken\s+wir\s+(?:dir|ihnen)\s+(?:ein|eine|einen)\b(?!\s+(?:gutschein|rabatt|versand)\b)"
    r"|\b(?:a|an)\s+complimentary\s+(?!(?:shipping|delivery|returns?|gift[- ]wrap\w*|alterations?)\b)\w+",
    re.I,
)

# Words that make a figure a discount rather than a price or a composition.
_CUE_AFTER_RE = re.compile(
    r"\s*(?:off\b|towards?\b|discount|offerts?\b|geschenkt|in\s+regalo|de\s+regalo|reward|de\s+(?:réduction|remise|descuento|rabais)|réduction|remise"
    r"|di\s+sconto|sconto|de\s+descuento|descuento|rabatt|nachlass|reduziert|savings?\b"
    r"|voucher|coupon|credit|gutschein|bon\s+d'achat|buono|cup[oó]n|extra\s+off|en\s+moins|in\s+meno"
    r"|de\s+dto|dto\b|auf\s+(?:alles|deine|ihre|den|die|das)|sur\s+(?:tout|votre|ta)"
    r"|su\s+(?:tutto|tuo|il\s+tuo)|en\s+(?:tu|su)\s+)",
    re.I,
)
_CUE_BEFORE_RE = re.compile(
    r"(?:\bsave|\bspare|\bsparen?|\béconomisez|\brisparmia|\bahorra|\bsconto\s+(?:del|di)"
    r"|\bdescuento\s+(?:del|de)|\brabatt\s+von|\bréduction\s+de|\bremise\s+de|\bextra"
    r"|\bextra\s+\d+\s*%?\s*\+?|\btake|\benjoy|\bget|\bgénieße?|\bprofitez\s+de"
    r"|\bapprofitta\s+del|\bdisfruta\s+de|\bcon\s+un|\bavec|\bmit|\bwith|\boffrons|\boffre"
    r"|\bhere's|\bhere\s+is|\bregaliamo|\bregalamos|\bdescontamos|\bscontiamo|\bschenken\s+(?:wir\s+)?(?:dir|ihnen|euch)"
    r"|\berhalten\s+sie|\berhältst\s+du|\bbekommst\s+du|\breceive|\bsending|\bgiving\s+you|-"
    # a voucher "worth" the amount: "Gutschein über 5 €", "bon de 10 €", "buono da 5 €"
    r"|\b(?:gutschein|wertgutschein|bon(?:\s+d['’]achat)?|buono(?:\s+sconto)?|vale(?:\s+descuento)?"
    r"|voucher|coupon|cup[oó]n|gift\s+card)\s+(?:über|im\s+wert\s+von|von|de|da|di|por|for|worth|of))\s*$",
    re.I,
)
_UP_TO_RE = re.compile(
    r"(?:\bup\s+to|\bbis\s+zu|\bjusqu'(?:à|a)|\bjusqu’(?:à|a)|\bfino\s+al?|\bhasta\s+(?:el|un)?"
    r"|\bsconti\s+fino\s+al|\bal\s+massimo)\s*-?\s*$",
    re.I,
)

# Cue words that turn the amount right after them into a minimum spend.
_MIN_SPEND_BEFORE_RE = re.compile(
    r"(?:\b(?:orders?|purchases?|baskets?)\s+(?:of\s+|over\s+|above\s+|from\s+|totall?ing\s+)?"
    r"|\b(?:over|above|spend(?:ing)?|minimum(?:\s+(?:spend|purchase|order))?(?:\s+of)?"
    r"|min\.?\s+(?:spend|order)(?:\s+of)?|when\s+you\s+spend|orders?\s+of)"
    r"|\bab(?:\s+(?:einem\s+)?(?:(?:Bestell|Einkaufs|Warenkorb|Waren)wert|Einkauf|Bestellung)\s+von)?"
    r"|\bMindestbestellwert(?:\s+von)?"
    r"|\b(?:Bestellungen|Einkauf|Einkäufe)\s+(?:ab|über)"
    r"|\bdès|\bà\s+partir\s+de|\bpour\s+(?:tout\s+|un\s+)?achat\s+de|\bminimum\s+d'achat\s+de"
    r"|\b(?:commandes?|achats?)\s+(?:de\s+plus\s+de|sup[ée]rieure?s?\s+à|d[eè]s)"
    r"|\ba\s+partire\s+da|\b(?:ordin[ei]|acquist[oi]|spesa)\s+(?:superiori?\s+a|di\s+almeno|da|oltre)"
    r"|\bdi\s+almeno|\bat\s+least|\bmindestens|\bd['’]au\s+moins|\bde\s+al\s+menos|\bm[ií]nimo\s+de"
    r"|\bspesa\s+minima(?:\s+di)?|\boltre"
    r"|\ba\s+partir\s+de|\b(?:pedidos?|compras?)\s+(?:superiores?\s+a|de\s+más\s+de|desde|mayores?\s+de|de)"
    r"|\bcompra\s+m[ií]nima\s+de|\bdesde|\bmás\s+de)\s*$",
    re.I,
)
_MIN_SPEND_AFTER_RE = re.compile(
    r"(?:\+|\s*(?:or\s+more|and\s+up|oder\s+mehr|et\s+plus|o\s+più|o\s+más)\b"
    r"|\s*(?:d'achats?|de\s+compra|di\s+spesa|Einkaufswert|Bestellwert|spend\b|purchase\b))",
    re.I,
)
# Wording that makes a sentence the condition of the offer before it.
_CONDITION_RE = re.compile(
    r"\b(?:valid|good|applies|redeemable|offer|code|coupon|voucher|discount|use\s+it|usable"
    r"|gültig|gilt|einlösbar|angebot|gutschein|rabatt"
    r"|valable|offre|bon|remise|réduction"
    r"|valid[oa]|offerta|buono|sconto|codice"
    r"|v[aá]lid[oa]|oferta|cup[oó]n|c[oó]digo|descuento)\b",
    re.I,
)
_SENTENCE_BREAK_RE = re.compile(r"[!?\n|•·]|\.(?=\s|$)")


def parse_number(raw: str) -> float:
    """'10,00' -> 10.0, '1.000,50' -> 1000.5, '1,299.99' -> 1299.99, '1 000' -> 1000.0."""
    s = re.sub(r"[\u00a0\u202f ]", "", raw)
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        head, _, tail = s.rpartition(sep)
        s = head.replace(sep, "") + ("" if len(tail) == 3 else ".") + tail
    return float(s)


def currency_code(token: str) -> str | None:
    """'€' -> 'EUR', 'US$' -> 'USD', 'chf' -> 'CHF'; None when unknown."""
    return CURRENCIES.get(token.strip().lower())


def _has_cue(text: str, start: int, end: int) -> bool:
    return bool(
        _CUE_AFTER_RE.match(text, end) or _CUE_BEFORE_RE.search(text[max(0, start - 25) : start])
    )


def _is_up_to(text: str, start: int) -> bool:
    return bool(_UP_TO_RE.search(text[max(0, start - 20) : start]))


def _percents(text: str) -> list[Discount]:
    found: list[Discount] = []
    taken: list[tuple[int, int]] = []
    for m in _PCT_RANGE_RE.finditer(text):
        a, b = parse_number(m["a"]), parse_number(m["b"])
        if a < b:
            found.append(_pct(text, m.start(), m.end(), a, b))
            taken.append(m.span())
    for m in _PCT_RE.finditer(text):
        if any(s <= m.start("a") < e for s, e in taken):
            continue
        d = _pct(text, m.start(), m.end(), parse_number(m["a"]), None)
        found.append(replace(d, cue=d.cue or bool(m["minus"])))
    return found


def _pct(text: str, start: int, end: int, a: float, b: float | None) -> Discount:
    return Discount(
        "percent", a, b, None, None, start, end, _is_up_to(text, start), _has_cue(text, start, end)
    )


def _amounts(text: str) -> tuple[list[Discount], list[Discount]]:
    """Split amounts into (discounts, minimum spends)."""
    discounts: list[Discount] = []
    spends: list[Discount] = []
    for m in _AMOUNT_RE.finditer(text):
        raw, cur = (m["n1"], m["cur1"]) if m["n1"] else (m["n2"], m["cur2"])
        try:
            value = parse_number(raw)
        except ValueError:
            continue
        code = currency_code(cur)
        if code is None or value <= 0:
            continue
        start, end = m.span()
        before = text[max(0, start - 45) : start]
        d = Discount("amount", value, None, code, None, start, end, _is_up_to(text, start))
        if _MIN_SPEND_BEFORE_RE.search(before) or _MIN_SPEND_AFTER_RE.match(text, end):
            spends.append(d)
        else:
            discounts.append(replace(d, cue=_has_cue(text, start, end)))
    return _merge_amount_ranges(text, discounts), spends


def _merge_amount_ranges(text: str, amounts: list[Discount]) -> list[Discount]:
    """'$10–$20 off' is one discount from 10 to 20."""
    out: list[Discount] = []
    for d in amounts:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.currency == d.currency
            and prev.value_max is None
            and re.fullmatch(r"\s*(?:[-–—]|to|bis|à|a|al)\s*", text[prev.end : d.start], re.I)
            and (prev.value or 0) < (d.value or 0)
        ):
            out[-1] = replace(prev, value_max=d.value, end=d.end, cue=d.cue or prev.cue)
        else:
            out.append(d)
    return out


def _phrases(text: str, pattern: re.Pattern[str], kind: str) -> list[Discount]:
    return [
        Discount(kind, None, None, None, None, m.start(), m.end(), False, True)
        for m in pattern.finditer(text)
    ]


def _same_sentence(text: str, a: int, b: int) -> bool:
    lo, hi = min(a, b), max(a, b)
    return hi - lo < 120 and not _SENTENCE_BREAK_RE.search(text, lo, hi)


def _next_sentence(text: str, d: Discount, spend: Discount, found: list[Discount]) -> bool:
    """`spend` states the condition of `d` in the sentence right after it.

    Platforms put the minimum on its own line: "Take 15% off with code X.
    Valid on orders over $80." The spend must follow within a short gap, with
    one sentence break between them and no other discount in between.
    """
    if not d.end <= spend.start <= d.end + 200:
        return False
    if any(d.end <= o.start < spend.start for o in found if o is not d):
        return False
    breaks = list(_SENTENCE_BREAK_RE.finditer(text, d.end, spend.start))
    if not breaks:
        return False
    # One boundary (". " then a new line counts once), or a short line between
    # them such as "Your code: X".
    between = text[breaks[0].start() : breaks[-1].end()].strip(" .!?\n|•·")
    if between and (len(between) > 40 or len(_SENTENCE_BREAK_RE.findall(between)) > 1):
        return False
    # "Orders over $50 ship quickly" is a fact, not the offer's condition.
    return bool(_CONDITION_RE.search(text, breaks[-1].end(), spend.start))


def _attach_min_spend(text: str, found: list[Discount], spends: list[Discount]) -> list[Discount]:
    out = []
    for d in found:
        near = [s for s in spends if _same_sentence(text, d.start, s.start)]
        if not near and d.min_spend is None:
            near = [s for s in spends if _next_sentence(text, d, s, found)][:1]
        if near:
            best = min(near, key=lambda s: abs(s.start - d.start))
            if d.currency is None or best.currency == d.currency:
                d = replace(d, min_spend=best.value, currency=d.currency or best.currency)
        out.append(d)
    return out


def find_discounts(text: str) -> list[Discount]:
    """Every discount in `text`, in order of position.

    >>> [(d.type, d.value, d.value_max) for d in find_discounts("10–15% off")]
    [('percent', 10.0, 15.0)]
    >>> d = find_discounts("Free shipping on orders over $50")[0]
    >>> (d.type, d.min_spend, d.currency)
    ('free_shipping', 50.0, 'USD')
    """
    amounts, spends = _amounts(text)
    found = (
        _percents(text)
        + amounts
        + _phrases(text, _FREE_SHIPPING_RE, "free_shipping")
        + _phrases(text, _GIFT_RE, "gift")
    )
    found.sort(key=lambda d: (d.start, -d.end))
    kept: list[Discount] = []
    for d in found:  # drop matches nested inside an earlier, longer one
        if kept and d.start < kept[-1].end:
            continue
        # "10 € in regalo", "10 € geschenkt": the gift word belongs to the amount.
        if kept and d.type == "gift" and not text[kept[-1].end : d.start].strip():
            continue
        kept.append(d)
    return _attach_min_spend(text, kept, spends)
