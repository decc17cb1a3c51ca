"""Names in every script: one Unicode-aware fold for the checks that guard published names.

Senders write display names in any script, with digits of any script (Arabic-Indic
"٠١٢", Devanagari "०१२"), fullwidth forms, invisible bidirectional overrides and
lookalike letters (Cyrillic "а" for Latin "a"). A check that first drops every
non-ASCII character (the old `_key`) sees "Quillby Иван Петров ٠٧٩١" as "quillby"
and lets the rest through; these helpers keep every letter and digit of every
script, so what is compared is what would be published.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Format characters (bidi overrides and isolates, zero-width joiners, BOM), controls,
# private-use, surrogates and unassigned code points: invisible or unrenderable in a name.
_STRIP_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})

# Letters of Cyrillic, Greek and Armenian that render like Latin ones (a subset of
# Unicode's confusables.txt: the ones seen in spoofed sender names).
_LOOKALIKES = str.maketrans(
    "АВЕЅІЈКМНОРСТХУаеорсхуѕіјԁһӏԛԝѵ"  # Cyrillic
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιν"  # Greek
    "Օօսոհ",  # Armenian
    "ABESIJKMHOPCTXYaeopcxysijdhlqwvABEZHIKMNOPTYXaoivOounh",
)
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"})


def strip_controls(text: str) -> str:
    """`text` in NFKC without control, format (bidi, zero-width) or unassigned characters,
    its whitespace runs made one space."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if unicodedata.category(ch) not in _STRIP_CATEGORIES or ch.isspace()
    )
    return re.sub(r" {2,}", " ", text).strip()


def fold_lookalikes(text: str) -> str:
    """Latin letters for the Cyrillic, Greek and Armenian letters that look like them."""
    return text.translate(_LOOKALIKES)


@lru_cache(maxsize=8192)
def fold_key(text: str, lookalikes: bool = False) -> str:
    """The letters and digits of `text` in any script, for comparing names.

    NFKC, controls stripped, case folded, accents dropped, every decimal digit made
    ASCII ("٠٧" -> "07"), everything that is neither a letter nor a digit removed.
    With `lookalikes`, confusable letters are first made Latin ("Аmazon" -> "amazon").

    >>> fold_key("Quillby Иван ٠٧")
    'quillbyиван07'
    """
    text = strip_controls(text)
    if lookalikes:
        text = fold_lookalikes(text)
    text = unicodedata.normalize("NFKD", text.casefold())
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        elif category[0] in "LN":
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


def mixed_script(text: str) -> bool:
    """Does one word mix letters of Latin, Cyrillic, Greek or Armenian ("Lеvi's")?

    Genuine names keep to one of these scripts per word; a mix is how lookalike
    spoofs are built. Scripts that are not confusable with Latin (Han, kana,
    Arabic...) mix freely.
    """
    for word in strip_controls(text).split():
        scripts = {_script(ch) for ch in word if ch.isalpha()} & _CONFUSABLE_SCRIPTS
        if len(scripts) > 1:
            return True
    return False


def has_lookalikes(text: str) -> bool:
    """Does `text` hold a letter that renders like a Latin one but is not Latin?"""
    return fold_lookalikes(text) != text
