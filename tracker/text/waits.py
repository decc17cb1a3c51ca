"""How long shoppers say they waited: "after 2–3 days" -> 48–72 hours.

Pure text in, `Wait` out, in English, German, French, Italian and Spanish.
Shoppers write waits as a number with a unit ("48 heures"), a range
("2-3 Tage"), a bound ("within 24 hours" has no minimum), or a set phrase
("next day", "il giorno dopo"). Vague phrases get documented numbers:

- "a few hours" / "ein paar Stunden" / "quelques heures" -> 2–6 hours
- "a couple of hours" -> 2 hours; "a couple of days" -> 48–72 hours
- "a few days" / "ein paar Tage" / "quelques jours" -> 48–120 hours
- "overnight" / "same day" -> at most 24 hours; "within hours" -> at most 12
- "the next day" / "am nächsten Tag" / "le lendemain" -> 24–48 hours (the next
  calendar day: at least a day, under two)
- "on day N" / "day three" / "am dritten Tag" / "au troisième jour" /
  "al tercer día" / "al quinto giorno" -> (N−1)·24 to N·24 hours
- "immediately" / "sofort" / "tout de suite" / "subito" -> 0 hours
- "< 24 h" is a bound like "within 24 hours"

Durations introduced by validity words ("valid for 48 hours", "gültig 7
Tage") are how long a code lasts, not a wait, and are skipped; so are the
lengths of campaigns and tests ("over a 22-day period", "21 Days of Beauty",
"a 3-day flash sale", "über einen Zeitraum von 14 Tagen").
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Wait:
    """Hours between leaving a cart and the email; None = unbounded side.

    `start`/`end` are the span of the matched phrase in the input text.
    """

    min_hours: float | None
    max_hours: float | None
    start: int = 0
    end: int = 0


NUMBER_WORDS = {
    # English
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "half a": 0.5,
    "half an": 0.5, "a half": 0.5,
    # German
    "ein": 1, "eine": 1, "einem": 1, "einer": 1, "einen": 1, "zwei": 2, "drei": 3,
    "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "zehn": 10, "zwölf": 12,
    "einer halben": 0.5, "eine halbe": 0.5,
    # French
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "dix": 10, "douze": 12,
    # Italian
    "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6,
    "sette": 7, "dieci": 10, "dodici": 12, "mezza": 0.5, "mezz'": 0.5,
    # Spanish
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "diez": 10,
    "doce": 12, "media": 0.5,
}  # fmt: skip

UNIT_HOURS = [
    (r"min(?:ute)?s?|minuten?|minutos?|minuti|mins?", 1 / 60),
    (r"hours?|hrs?|h|stunden?|std\.?|heures?|ore|ora|horas?", 1.0),
    (r"days?|tage?n?|tg\.?|jours?|journées?|giorni|giorno|gg\.?|días?|dias?", 24.0),
    (r"weeks?|wochen?|semaines?|settimane|settimana|semanas?", 168.0),
]

_NUM = r"\d+(?:[.,]\d+)?|" + "|".join(
    sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)
)
_UNIT = "|".join(f"(?:{pattern})" for pattern, _ in UNIT_HOURS)
_RANGE_SEP = r"\s*(?:[-–—~]|to|or|bis|oder|à|a|ou|o|y|e|and|und|et)\s*"
_QUANTITY = (
    rf"(?<![\w.,])(?P<n1>{_NUM})(?:{_RANGE_SEP}(?P<n2>{_NUM}))?\s*(?:-\s*)?"
    rf"(?P<unit>{_UNIT})(?![a-zà-ÿ])"
)

UPPER_WORDS = (
    r"<|≤|within|in under|under|in less than|less than|up to|no more than|at most|inside|"
    r"innerhalb(?: von)?|binnen|in weniger als|weniger als|spätestens nach|höchstens|"
    r"en moins de|moins de|dans les|sous|d'ici|"
    r"entro|in meno di|meno di|"
    r"en menos de|menos de|dentro de|antes de"
)
LOWER_WORDS = (
    r"more than|over|at least|after more than|mehr als|über|mindestens|nach über|"
    r"plus de|au moins|après plus de|più di|almeno|dopo più di|más de|al menos|"
    r"después de más de"
)
VALIDITY_WORDS = re.compile(
    r"(valid|expir|good for|lasts?|only for|gültig|läuft|verfällt|valable|expire|"
    r"valide|pendant|valido|valida|scade|válid|caduca|durante|countdown|timer)"
    r"[\w\s]{0,14}$"
)

# The window regexes below run on lowered text: IGNORECASE makes a $-anchored
# alternation several times slower.
_UPPER_BEFORE = re.compile(rf"(?:{UPPER_WORDS})\s+$")
_BOUND_BEFORE = re.compile(
    rf"(?:(?P<upper>{UPPER_WORDS})|(?P<lower>{LOWER_WORDS}))\s*"
    r"(?:between\s+|zwischen\s+|entre\s+|tra\s+|fra\s+)?$",
)
_QUANTITY_RE = re.compile(_QUANTITY, re.IGNORECASE)
_QUANTITY_LOWER = re.compile(_QUANTITY)  # on lowered text: 2-3x faster than IGNORECASE

# Set phrases -> (min, max); checked before numeric quantities.
PHRASES: list[tuple[str, float | None, float | None]] = [
    (r"a few hours|several hours|ein paar stunden|einige stunden|einigen stunden|"
     r"wenigen stunden|wenige stunden|poche ore|"
     r"quelques heures|qualche ora|alcune ore|unas horas|algunas horas|pocas horas", 2, 6),
    (r"a couple (?:of )?hours", 2, 2),
    (r"within hours|innerhalb (?:weniger )?stunden|en quelques heures|in poche ore|"
     r"en pocas horas", None, 12),
    (r"a day or two|one or two days|1-2 days|ein bis zwei tagen?|un jour ou deux|"
     r"un giorno o due|uno o dos días", 24, 48),
    (r"a couple (?:of )?days|ein paar tagen?|zwei,? drei tagen?", 48, 72),
    (r"a few days|several days|einigen tagen|einige tage|wenigen tagen|wenige tage|"
     r"quelques jours|pochi giorni|"
     r"qualche giorno|alcuni giorni|unos días|algunos días|unos dias", 48, 120),
    (r"(?:the )?next day|the following day|the day after|a day later|"
     r"(?:am )?nächsten tag|(?:am )?folgetag|(?:am )?tag danach|"
     r"le lendemain|le jour suivant|(?:il )?giorno dopo|(?:il )?giorno successivo|"
     r"l'indomani|(?:al )?día siguiente|(?:al )?dia siguiente|al otro día|"
     r"(?:next|following) morning|nächsten morgen", 24, 48),
    (r"overnight|über nacht|same day|the same day|am selben tag|am gleichen tag|"
     r"le jour même|dans la journée|lo stesso giorno|in giornata|el mismo día", None, 24),
    (r"a (?:full )?week (?:later|after)|(?:the )?next week|eine woche später|nach einer woche|"
     r"une semaine plus tard|au bout d'une semaine|una settimana dopo|dopo una settimana|"
     r"una semana después|a la semana", 168, 168),
    (r"immediately|right away|instantly|straight away|within minutes|"
     r"sofort|umgehend|gleich danach|immédiatement|tout de suite|aussitôt|"
     r"subito|immediatamente|inmediatamente|enseguida|al instante|en seguida", 0, 0),
]  # fmt: skip
_PHRASE_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<p{i}>{p})" for i, (p, _, _) in enumerate(PHRASES)) + r")(?!\w)",
    re.IGNORECASE,
)
_PHRASE_LOWER = re.compile(_PHRASE_RE.pattern)
# Cheap test first: most paragraphs of a page mention no time at all. Substring
# tests on lowered text are far faster than a case-insensitive alternation.
_HINT_STEMS = tuple(
    [
        "hour",
        "minut",
        "day",
        "week",
        "stund",
        "woche",
        "heure",
        "jour",
        "semaine",
        "giorn",
        "settiman",
        "hora",
        "día",
        "dias",
        "semana",
        "immediat",
        "right",
        "away",
        "instant",
        "straight",
        "sofort",
        "umgehend",
        "gleich",
        "suite",
        "aussit",
        "subito",
        "inmediat",
        "enseguida",
        "overnight",
        "nacht",
        "lendemain",
        "indomani",
    ]
)
_HINT_WORDS = frozenset(
    ["h", "hr", "hrs", "min", "mins", "std", "tag", "tage", "tagen", "ora", "ore", "dia"]
)
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


def _hours(value: float | None) -> float | None:
    return None if value is None else float(value)


def _number(token: str) -> float:
    token = token.lower().strip()
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    return float(token.replace(",", "."))


def _unit_hours(unit: str) -> float:
    for pattern, hours in UNIT_HOURS:
        if re.fullmatch(pattern, unit, re.IGNORECASE):
            return hours
    raise ValueError(unit)  # pragma: no cover - _UNIT only matches known units


ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "ersten": 1, "zweiten": 2, "dritten": 3, "vierten": 4, "fünften": 5, "sechsten": 6,
    "siebten": 7, "premier": 1, "deuxième": 2, "troisième": 3, "quatrième": 4,
    "cinquième": 5, "sixième": 6, "septième": 7, "primer": 1, "segundo": 2, "tercer": 3,
    "cuarto": 4, "quinto": 5, "sexto": 6, "séptimo": 7, "primo": 1, "secondo": 2, "terzo": 3,
    "quarto": 4, "sesto": 6, "settimo": 7,
}  # fmt: skip
_COUNT = r"\d{1,2}|" + "|".join(w for w in NUMBER_WORDS if " " not in w and len(w) > 2)
_ORDINAL = "|".join(ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th|\.|e|ème|º|°)?"
# "day 3", "on day three", "the 3rd day", "am dritten Tag", "au troisième jour",
# "al tercer día", "al quinto giorno", "Tag 3", "jour 3", "día 3", "giorno 3"
_DAY_N = re.compile(
    rf"(?<!\w)(?:(?:day|tag|jour|día|dia|giorno)\s+(?P<n>{_COUNT})(?![\w%])|"
    rf"(?:the|am|zum|au|le|al|el|il)\s+(?P<o>{_ORDINAL})\s+"
    r"(?:day|tag|jour|día|dia|giorno)(?!\w))",
    re.IGNORECASE,
)
# a quantity that measures a campaign or a test, not a wait
_DURATION_BEFORE = re.compile(
    r"(?<!\w)(?:over|across|during|throughout)\s+(?:a|an|the|the course of|a period of)\s+$|"
    r"(?<!\w)(?:a|the)\s+$|zeitraum von\s+$|période de\s+$|periodo di\s+$|periodo de\s+$"
)
_DURATION_AFTER = re.compile(
    r"[\s-]*(?:period|window|flash sale|sale|trial|challenge|bootcamp|campaign|test|"
    r"experiment|of [A-Z]|zeitraum|aktion|période|periodo)",
)


_DAY_STEMS = ("day", "tag", "jour", "día", "dia", "giorno")


def _day_n(match: re.Match[str]) -> Wait:
    token = (match.group("n") or match.group("o")).lower()
    if token in ORDINALS:
        n = float(ORDINALS[token])
    elif token in NUMBER_WORDS:
        n = float(NUMBER_WORDS[token])
    else:
        n = float(re.match(r"\d+", token).group(0))  # type: ignore[union-attr]
    return Wait(max(n - 1, 0) * 24, n * 24, match.start(), match.end())


def _is_duration(text: str, start: int, end: int) -> bool:
    """ "over a 22-day period", "21 Days of Beauty", "a 3-day flash sale"."""
    before = text[max(0, start - 24) : start].lower()
    if _DURATION_AFTER.match(text, end):
        return True
    return bool(_DURATION_BEFORE.search(before)) and text[end : end + 1] in ("", " ", "-")


_AGO_AFTER = re.compile(r"\s*(?:ago|fa|back)\b", re.IGNORECASE)
_AGO_BEFORE = re.compile(r"(?:\bvor|\bil y a|\bhace)\s+$")


def _is_validity(text: str, start: int) -> bool:
    return bool(VALIDITY_WORDS.search(text[max(0, start - 30) : start].lower()))


def _is_timestamp(text: str, start: int, end: int) -> bool:
    """ "2 days ago", "vor 2 Tagen", "il y a 2 jours", "hace 2 días", "2 giorni fa"."""
    return bool(
        _AGO_AFTER.match(text, end) or _AGO_BEFORE.search(text[max(0, start - 8) : start].lower())
    )


def _quantity_wait(text: str, match: re.Match[str]) -> Wait | None:
    unit = match.group("unit")
    # a bare "h" needs a digit: "a h" is noise, "24h" is not
    if unit.lower() == "h" and not match.group("n1")[0].isdigit():
        return None
    scale = _unit_hours(unit)
    low = _number(match.group("n1")) * scale
    high = _number(match.group("n2")) * scale if match.group("n2") else low
    if high < low:
        low, high = high, low
    bound = _BOUND_BEFORE.search(text[max(0, match.start() - 32) : match.start()].lower())
    if bound is None or not (bound.group("upper") or bound.group("lower")):
        return Wait(low, high, match.start(), match.end())
    start = match.start() - (len(bound.group(0)))
    if bound.group("upper"):
        return Wait(None, high, start, match.end())
    return Wait(low, None, start, match.end())


def find_waits(text: str) -> list[Wait]:
    """Every wait mentioned in `text`, in order of position (overlaps dropped)."""
    if not may_mention_wait(text):
        return []
    low = text.lower()
    phrases, quantities = _PHRASE_LOWER, _QUANTITY_LOWER
    if len(low) != len(text):  # a few characters change length when lowered
        low, phrases, quantities = text, _PHRASE_RE, _QUANTITY_RE
    found: list[Wait] = []
    for m in phrases.finditer(low):
        if _is_validity(text, m.start()):
            continue
        assert m.lastgroup is not None  # every alternative is a named group p<i>
        _, lo, hi = PHRASES[int(m.lastgroup[1:])]
        bound = _UPPER_BEFORE.search(text[max(0, m.start() - 25) : m.start()].lower())
        start = m.start() - len(bound.group(0)) if bound else m.start()
        found.append(Wait(None if bound else _hours(lo), _hours(hi), start, m.end()))
    if any(stem in low for stem in _DAY_STEMS):
        for m in _DAY_N.finditer(text):
            if not any(w.start < m.end() and m.start() < w.end for w in found):
                found.append(_day_n(m))
    for m in quantities.finditer(low):
        wait = _quantity_wait(text, m)
        if (
            wait is None
            or _is_validity(text, wait.start)
            or _is_timestamp(text, m.start(), m.end())
            or _is_duration(text, m.start(), m.end())
        ):
            continue
        if any(w.start < wait.end and wait.start < w.end for w in found):
            continue
        found.append(wait)
    found.sort(key=lambda w: w.start)
    kept: list[Wait] = []
    for wait in found:
        if not kept or wait.start >= kept[-1].end:
            kept.append(wait)
    return kept


def may_mention_wait(text: str) -> bool:
    """A cheap test: False means `find_waits(text)` is certainly empty."""
    if _DIGIT.search(text):
        return True
    low = text.lower()
    if any(stem in low for stem in _HINT_STEMS):
        return True
    return not _HINT_WORDS.isdisjoint(_WORD.findall(low))


def parse_wait(text: str) -> Wait | None:
    """The first wait in `text`, or None.

    >>> parse_wait("Ulta sent 20% after 2-3 days")
    Wait(min_hours=48.0, max_hours=72.0, start=20, end=28)
    """
    waits = find_waits(text)
    return waits[0] if waits else None
