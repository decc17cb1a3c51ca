"""Which of the five languages a text is written in, by its stopwords."""

from __future__ import annotations

import re

from tracker.text.rules import Rules, load_rules


def detect_language(text: str, rules: Rules | None = None) -> str | None:
    """The language block whose stopwords are most frequent in `text`, or None.

    >>> detect_language("Dein Warenkorb wartet auf dich und ist noch da")
    'de'
    """
    rules = rules or load_rules()
    words = re.findall(r"[^\W\d_]+", text.lower())[:3000]
    counts = {lang: sum(w in stop for w in words) for lang, stop in rules.stopwords.items()}
    best = max(counts, key=lambda lang: counts[lang], default=None)
    return best if best and counts[best] >= 2 else None
