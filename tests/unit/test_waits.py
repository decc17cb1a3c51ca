"""Wait parsing in English, German, French, Italian and Spanish."""

from __future__ import annotations

import pytest

from tracker.text import find_waits, parse_wait

CASES = [
    # English
    ("within 24 hours", None, 24),
    ("after 2–3 days", 48, 72),
    ("after 2-3 days", 48, 72),
    ("next day", 24, 48),
    ("the following day", 24, 48),
    ("a few hours later", 2, 6),
    ("within a few hours", None, 6),
    ("an hour later", 1, 1),
    ("half an hour later", 0.5, 0.5),
    ("30 minutes after I left", 0.5, 0.5),
    ("two days later", 48, 48),
    ("after 48h", 48, 48),
    ("between 2 and 3 days", 48, 72),
    ("a week later", 168, 168),
    ("after a day or two", 24, 48),
    ("more than 3 days", 72, None),
    ("immediately", 0, 0),
    ("the same day", None, 24),
    # German
    ("1 Stunde", 1, 1),
    ("nach 2 Tagen", 48, 48),
    ("innerhalb von 24 Stunden", None, 24),
    ("2 bis 3 Tage", 48, 72),
    ("am nächsten Tag", 24, 48),
    ("nach einer Woche", 168, 168),
    ("ein paar Stunden später", 2, 6),
    ("sofort", 0, 0),
    # French
    ("48 heures", 48, 48),
    ("au bout de 3 jours", 72, 72),
    ("dans les 24 heures", None, 24),
    ("le lendemain", 24, 48),
    ("entre 2 et 3 jours", 48, 72),
    ("quelques heures après", 2, 6),
    ("tout de suite", 0, 0),
    # Italian
    ("il giorno dopo", 24, 48),
    ("dopo 2 giorni", 48, 48),
    ("entro 24 ore", None, 24),
    ("tra 2 e 3 giorni", 48, 72),
    ("una settimana dopo", 168, 168),
    ("subito", 0, 0),
    # Spanish
    ("al día siguiente", 24, 48),
    ("después de 3 días", 72, 72),
    ("en menos de 24 horas", None, 24),
    ("entre 2 y 3 días", 48, 72),
    ("2 horas después", 2, 2),
    ("una semana después", 168, 168),
    ("inmediatamente", 0, 0),
    # relative days and bounds (issue 18)
    ("on day 5", 96, 120),
    ("day three", 48, 72),
    ("Day 2", 24, 48),
    ("the 3rd day", 48, 72),
    ("am dritten Tag", 48, 72),
    ("au troisième jour", 48, 72),
    ("al tercer día", 48, 72),
    ("al quinto giorno", 96, 120),
    ("within hours", None, 12),
    ("< 24 h", None, 24),
    ("after a couple of hours", 2, 2),
]


@pytest.mark.parametrize(
    "text",
    [
        "Over a 22-day period we logged every email.",
        "It arrived during 21 Days of Beauty.",
        "They ran a 3-day flash sale.",
        "über einen Zeitraum von 14 Tagen",
    ],
)
def test_campaign_durations_are_not_waits(text: str) -> None:
    assert find_waits(text) == []


def test_several_relative_waits_in_one_sentence() -> None:
    waits = find_waits("10% the next day and 15% on day three")
    assert [(w.min_hours, w.max_hours) for w in waits] == [(24, 48), (48, 72)]


@pytest.mark.parametrize(("text", "low", "high"), CASES)
def test_parse_wait(text: str, low: float | None, high: float | None) -> None:
    wait = parse_wait(text)
    assert wait is not None, text
    assert (wait.min_hours, wait.max_hours) == (low, high)


@pytest.mark.parametrize(
    "text",
    [
        "the code is valid for 48 hours",
        "Gutschein gültig für 7 Tage",
        "code valable 48 heures",
        "codice valido per 48 ore",
        "válido durante 3 días",
        "20% off everything",
        "Ulta Beauty",
        "",
    ],
)
def test_no_wait(text: str) -> None:
    assert parse_wait(text) is None


def test_span_points_at_the_phrase() -> None:
    text = "Ulta sent me 20% off after 2-3 days."
    wait = parse_wait(text)
    assert wait is not None and text[wait.start : wait.end] == "2-3 days"


def test_find_waits_lists_each_wait_once_in_order() -> None:
    waits = find_waits("A reminder after an hour, then 10% the next day; the code lasts 48 hours.")
    assert [(w.min_hours, w.max_hours) for w in waits] == [(1, 1), (24, 48)]


@pytest.mark.parametrize(
    "text", ["posted 2 days ago", "vor 2 Tagen", "il y a 3 jours", "hace 2 días", "2 giorni fa"]
)
def test_timestamps_are_not_waits(text: str) -> None:
    assert parse_wait(text) is None
