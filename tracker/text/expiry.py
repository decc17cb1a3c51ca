"""When an offer expires, read from text in five languages.

Absolute dates ("until 30 November", "bis 30.11.", "jusqu'au 30 novembre",
"entro il 30 novembre", "hasta el 30 de noviembre") are taken in the message's
own timezone; a date without a time means the end of that day (23:59:59); a
date without a year is its next occurrence on or after the sending day.
Relative spans ("in 48 hours", "valid for 7 days", "pendant 72 h") count from
the message's sent time. "Today only" / "ends tonight" means the end of the
sending day in the message's timezone; "tomorrow" the end of the next day.
No clock: the sending time is always passed in. Results are UTC-aware.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

_MONTHS = {
    1: "january jan janvier janv januar jänner jan gennaio gen enero ene",
    2: "february feb février fév fevrier februar febbraio febrero",
    3: "march mar mars märz maerz marzo",
    4: "april apr avril aprile abril abr",
    5: "may mai maggio mayo mag",
    6: "june jun juin juni giugno junio giu",
    7: "july jul juillet juli luglio julio lug",
    8: "august aug août aout agosto ago",
    9: "september sept sep septembre settembre septiembre setiembre set",
    10: "october oct octobre oktober okt ottobre octubre ott",
    11: "november nov novembre noviembre",
    12: "december dec décembre decembre dezember dez dicembre diciembre dic",
}
MONTHS = {name: num for num, names in _MONTHS.items() for name in names.split()}
_WEEKDAYS = {
    0: "monday mon montag lundi lunedì lunedi lunes",
    1: "tuesday tue tues dienstag mardi martedì martedi martes",
    2: "wednesday wed mittwoch mercredi mercoledì mercoledi miércoles miercoles",
    3: "thursday thu thurs donnerstag jeudi giovedì giovedi jueves",
    4: "friday fri freitag vendredi venerdì venerdi viernes",
    5: "saturday sat samstag sonnabend samedi sabato sábado sabado",
    6: "sunday sun sonntag dimanche domenica domingo",
}
WEEKDAYS = {name: num for num, names in _WEEKDAYS.items() for name in names.split()}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10,
    "ein": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sieben": 7,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sette": 7,
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "siete": 7,
}  # fmt: skip
_ZONES = {
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "ct": "America/Chicago", "cst": "America/Chicago", "cdt": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "gmt": "UTC", "utc": "UTC", "bst": "Europe/London", "uk": "Europe/London",
    "cet": "Europe/Paris", "cest": "Europe/Paris", "mez": "Europe/Berlin", "mesz": "Europe/Berlin",
}  # fmt: skip

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_CUE = (
    r"until|till|til|through|thru|(?:ends?|ending|expires?|expiring)(?:\s+on)?|valid\s+(?:until|through|till|to)"
    r"|before|by|no\s+later\s+than|closes?"
    r"|(?:gültig\s+|einlösbar\s+|nur\s+)?bis(?:\s+(?:einschließlich|inklusive|spätestens))?(?:\s+zum)?"
    r"|endet(?:\s+am)?|läuft\s+am"
    r"|jusqu['’]au|jusqu['’]à|avant\s+le|expire\s+le|se\s+termine\s+le|fin\s+le|valable\s+jusqu['’]au"
    r"|entro(?:\s+il)?|fino\s+al|fino\s+a|valido\s+fino\s+al|scade(?:\s+il)?|termina(?:\s+il)?"
    r"|hasta(?:\s+el)?|antes\s+del|válido\s+hasta\s+el|caduca(?:\s+el)?|termina\s+el|vence(?:\s+el)?"
)
_CLOCK = (
    r"\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?m\.?|uhr|h\b)?|\d{1,2}\s*[ap]\.?m\.?|\d{1,2}\s*uhr"
    r"|midnight|minuit|mitternacht|mezzanotte|medianoche"
)
_TZ = r"PT|PST|PDT|ET|EST|EDT|CT|CST|CDT|MT|MST|MDT|GMT|UTC|BST|UK|CET|CEST|MEZ|MESZ"
_DATE_RE = re.compile(
    rf"\b(?:{_CUE})\b[\s,:]*"
    rf"(?:(?:(?:at|um|à|alle|a\s+las)\s+)?(?P<pre>{_CLOCK})\s*(?:\(?(?P<pretz>{_TZ})\)?\s*)?,?\s*(?:on|am|le|il|el|del)?\s+)?"
    rf"(?:(?:the|le|il|el|am|den|dem|le\s+)\s+)?"
    rf"(?:(?P<wd>{_WEEKDAY_RE})\.?,?\s*(?:(?:the|le|il|el|den)\s+)?)?"
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?\s*(?:de\s+|of\s+)?(?P<m1>{_MONTH_RE})\.?(?:\s+(?:de\s+)?(?P<y1>\d{{4}}))?"
    rf"|(?P<m2>{_MONTH_RE})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<today>today|tonight|heute(?:\s+abend)?|aujourd['’]hui|ce\s+soir|oggi|stasera|hoy|esta\s+noche)"
    rf"|(?P<tomorrow>tomorrow|morgen|demain|domani|mañana)"
    rf"|(?P<n1>\d{{1,2}})[./](?P<n2>\d{{1,2}})(?:[./](?P<n3>\d{{4}}|\d{{2}})(?!\d))?\.?"
    rf")?(?=(?P<after>[^\n]{{0,40}}))",
    re.I,
)
_TIME_RE = re.compile(
    r"^(?:[\s,]*(?:inclus|inclusive|inklusive|incluso|incluido)?)[\s,]*(?:at|um|à|a|alle|ore|a\s+las|las|by)?\s*"
    r"(?:(?P<mid>midnight|minuit|mitternacht|mezzanotte|medianoche)|(?P<noon>noon|midi|mittag|mezzogiorno|mediodía)"
    r"|(?P<h>\d{1,2})(?:[:.h](?P<min>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?\s*(?:uhr|h\b|heures?|ore)?)"
    r"\s*(?:\(?(?P<tz>PT|PST|PDT|ET|EST|EDT|CT|CST|CDT|MT|MST|MDT|GMT|UTC|BST|UK|CET|CEST|MEZ|MESZ)\b\)?)?",
    re.I,
)
_UNIT = r"hours?|hrs?|h|days?|stunden|std\.?|tagen?|tage|heures?|jours?|ore|giorni|horas|días|dias"
_REL_RE = re.compile(
    rf"(?P<n>\d{{1,3}}|{'|'.join(_NUMBER_WORDS)})\s*-?\s*(?P<unit>{_UNIT})\b",
    re.I,
)
_REL_CONTEXT_RE = re.compile(
    r"\b(?:in|within|for|next|only|valid|expires?|ends?|lasts?|during|innerhalb|für|nur|noch|nächsten"
    r"|gültig|gilt|läuft|dans|pendant|sous|durant|valable|prochaines|expire|per|entro|prossime|solo|valido"
    r"|scade|durante|en|dentro|próximas|proximas|válido|caduca|vence)\b",
    re.I,
)
_REL_AFTER_RE = re.compile(
    r"\s*(?:lang\s+)?(?:gültig|einlösbar|valid|redeemable|valable|utilisable|valido|utilizzabile|válido"
    r"|canjeable|only|left|remaining|übrig|restantes|rimanenti"
    r"|to\s+(?:use|redeem|claim)|pour\s+en\s+profiter|pour\s+l['’]utiliser|per\s+approfittarne"
    r"|per\s+usarlo|para\s+aprovechar|para\s+usarlo|para\s+canjearlo|zum\s+einlösen)\b",
    re.I,
)
_DELIVERY_RE = re.compile(
    r"\b(?:deliver\w*|ship\w*|dispatch\w*|arriv\w*|liefer\w*|versand\w*|zugestellt|livr\w*|expédi\w*"
    r"|consegn\w*|spedi\w*|entreg\w*|env[ií]\w*|returns?|retour\w*|reso|devoluci\w*)\b",
    re.I,
)
_TODAY_RE = re.compile(
    r"\b(?:today\s+only|only\s+today|ends\s+(?:today|tonight|at\s+midnight)|expires\s+(?:today|tonight)"
    r"|nur\s+(?:noch\s+)?heute|endet\s+heute|heute\s+um\s+mitternacht|aujourd['’]hui\s+seulement|seulement\s+aujourd['’]hui"
    r"|ce\s+soir\s+à\s+minuit|jusqu['’]à\s+ce\s+soir|se\s+termine\s+ce\s+soir|solo\s+oggi|scade\s+oggi|termina\s+oggi"
    r"|solo\s+hoy|termina\s+hoy|acaba\s+hoy|hasta\s+esta\s+noche)\b",
    re.I,
)
_TOMORROW_RE = re.compile(
    r"\b(?:ends\s+tomorrow|expires\s+tomorrow|until\s+tomorrow|bis\s+morgen|endet\s+morgen"
    r"|jusqu['’]à\s+demain|expire\s+demain|fino\s+a\s+domani|scade\s+domani|hasta\s+mañana|termina\s+mañana)\b",
    re.I,
)


@dataclass(frozen=True)
class Expiry:
    at: datetime  # UTC
    start: int
    end: int
    rank: int = 0  # 0 a stated date or time, 1 a duration, 2 "today only"-style words


def _zone(name: str | None, default: tzinfo) -> tzinfo:
    if not name:
        return default
    return ZoneInfo(_ZONES[name.lower()])


def _clock(after: str) -> tuple[time, str | None] | None:
    m = _TIME_RE.match(after)
    if not m or not (m["mid"] or m["noon"] or m["h"]):
        return None
    if m["mid"]:
        return time(23, 59, 59), m["tz"]
    if m["noon"]:
        return time(12, 0), m["tz"]
    hour, minute = int(m["h"]), int(m["min"] or 0)
    ampm = (m["ampm"] or "").lower().replace(".", "")
    if not m["min"] and not ampm and not re.search(r"uhr|h\b|heure|ore", m.group(0), re.I):
        return None  # a lone number after a date is not a time
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute), m["tz"]


def _day_month(m: re.Match[str], month_first: bool) -> tuple[int, int, int | None] | None:
    if m["m1"]:
        return int(m["d1"]), MONTHS[m["m1"].lower()], int(m["y1"]) if m["y1"] else None
    if m["m2"]:
        return int(m["d2"]), MONTHS[m["m2"].lower()], int(m["y2"]) if m["y2"] else None
    if m["iso"]:
        y, mo, d = (int(x) for x in m["iso"].split("-"))
        return d, mo, y
    if m["n1"]:
        a, b = int(m["n1"]), int(m["n2"])
        mo, d = (a, b) if month_first else (b, a)
        if mo > 12 and d <= 12:
            d, mo = mo, d
        year = int(m["n3"]) if m["n3"] else None
        if year is not None and year < 100:
            year += 2000
        return d, mo, year
    return None


def _absolute(m: re.Match[str], local: datetime, month_first: bool) -> datetime | None:
    parts = _day_month(m, month_first)
    if m["today"] or m["tomorrow"]:
        day = local.date() + timedelta(days=1 if m["tomorrow"] else 0)
    elif parts is None and m["wd"]:
        ahead = (WEEKDAYS[m["wd"].lower()] - local.weekday()) % 7
        day = local.date() + timedelta(days=ahead)
    elif parts is None:
        return None
    else:
        d, mo, year = parts
        try:
            day = date(year or local.year, mo, d)
            if year is None and day < local.date():
                day = date(local.year + 1, mo, d)
        except ValueError:
            return None
    clock = _clock(m["pre"] + " " + (m["pretz"] or "")) if m["pre"] else _clock(m["after"] or "")
    at_time, zone = clock if clock else (time(23, 59, 59), None)
    return datetime.combine(day, at_time, tzinfo=_zone(zone, local.tzinfo or UTC))


def _relative(text: str, m: re.Match[str], sent_at: datetime) -> datetime | None:
    before = text[max(0, m.start() - 40) : m.start()]
    clause = re.split(r"[.!?\n;]", before)[-1]
    after = text[m.end() : m.end() + 20]
    words = re.sub(r"\b[A-Z0-9-]{4,}\b", " ", clause)  # a code like RETOUR10 is not "retour"
    if _DELIVERY_RE.search(words[-35:]) or not (
        _REL_CONTEXT_RE.search(clause[-25:]) or _REL_AFTER_RE.match(after)
    ):
        return None
    raw = m["n"].lower()
    n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = m["unit"].lower()
    hours = n * 24 if unit.startswith(("t", "d", "j", "g")) else n
    if not 0 < hours <= 24 * 62:
        return None
    return sent_at + timedelta(hours=hours)


def find_expiries(
    text: str, sent_at: datetime, tz: tzinfo | None = None, month_first: bool = False
) -> list[Expiry]:
    """Every expiry the text states, in order of position, as UTC datetimes.

    `tz` is the message's own timezone (from its Date header), default the
    timezone of `sent_at`; `month_first` reads "11/30" as November 30.
    """
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)
    local = sent_at.astimezone(tz or sent_at.tzinfo)
    end_of_day = datetime.combine(local.date(), time(23, 59, 59), tzinfo=local.tzinfo)
    found: list[Expiry] = []
    for m in _DATE_RE.finditer(text):
        at = _absolute(m, local, month_first)
        if at is not None:
            vague = (
                bool(m["today"] or m["tomorrow"]) and not m["pre"] and not _clock(m["after"] or "")
            )
            found.append(Expiry(at.astimezone(UTC), m.start(), m.end(), 2 if vague else 0))
    for m in _REL_RE.finditer(text):
        at = _relative(text, m, sent_at)
        if at is not None:
            found.append(Expiry(at.astimezone(UTC), m.start(), m.end(), 1))
    for pattern, days in ((_TODAY_RE, 0), (_TOMORROW_RE, 1)):
        for m in pattern.finditer(text):
            at = end_of_day + timedelta(days=days)
            found.append(Expiry(at.astimezone(UTC), m.start(), m.end(), 2))
    found.sort(key=lambda e: e.start)
    kept: list[Expiry] = []
    for e in found:
        if not kept or e.start >= kept[-1].end:
            kept.append(e)
    return kept
