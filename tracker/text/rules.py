"""The language rules file, compiled once: phrases, stopwords, markers, references.

`data/classify_rules.json` holds one block per language (a new language is a
data change): the classifier's weighted phrases per kind, the stopwords that
tell the language, footer and navigation markers, greeting and forward
wording, instructions to use a code, and the labels of order and tracking
references. Everything that
reads text in more than one language takes its words from here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tracker.records import KINDS
from tracker.text.prefilter import PrefixScan, literal_prefixes

# An order/tracking reference after its label: at least 4 characters, one a digit.
_REF = r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}"

# kind -> (pattern, weight, languages, literal prefixes for the prefilter)
PhraseTable = dict[str, list[tuple[re.Pattern[str], float, frozenset[str], frozenset[str] | None]]]


@dataclass(frozen=True)
class Rules:
    """The compiled rules file; see the module docstring."""

    phrases: PhraseTable
    phrase_scan: PrefixScan  # finds every phrase's prefixes in one pass
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
    code_use: re.Pattern[str]  # "enter the code in your cart": about a code, not a cart


def _alternation(blocks: list[dict], key: str, suffix: str = "") -> re.Pattern[str]:
    parts = [f"(?:{b[key]}){suffix}" for b in blocks if b.get(key)]
    return re.compile("|".join(parts) or r"(?!x)x", re.I | re.M)


def _reference(blocks: list[dict], key: str) -> re.Pattern[str]:
    """A label ("Order #", "Bestellnummer:") followed by a reference with a digit."""
    labels = "|".join(f"(?:{b[key]})" for b in blocks if b.get(key))
    return re.compile(f"(?i:{labels})" + _REF, re.M)


@cache
def load_rules() -> Rules:
    """Compile data/classify_rules.json once."""
    raw = json.loads(
        resources.files("tracker.text").joinpath("data", "classify_rules.json").read_text("utf-8")
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
    return Rules(
        phrases=phrases,
        phrase_scan=PrefixScan(pre for table in phrases.values() for *_, pre in table),
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
        code_use=_alternation(blocks, "code_use"),
    )
