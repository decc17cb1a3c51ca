"""Literal prefixes of a phrase pattern, to skip patterns that cannot match.

The classifier searches some 240 case-insensitive phrase patterns in every
message. Python's `re` cannot skip ahead for a pattern that starts with `\\b`
and an alternation, so each search walks the whole text. Almost every pattern
starts with words, though: `\\b(?:left|forgot(?:ten)?)\\b...` can only match
where "left" or "forgot" occurs. A substring test for those words on the
case-folded text is far cheaper than the search, and when none occurs the
pattern is skipped. The test only ever skips patterns that cannot match;
patterns whose start is not literal get no prefixes and are always searched.

Whitespace in a pattern (`\\s`, `\\s+`) becomes one space in a prefix, and
the text is tested in `fold_text`'s form, with every run of whitespace one
space, so "we\\s+(?:saved|kept)" still filters on "we saved" and "we kept".
A small character class of letters (`qu[eé]`) branches into its letters.

Testing each pattern's prefixes one substring search at a time still reads
the whole text some 2,000 times a message; `PrefixScan` finds every prefix
of every pattern in one Aho–Corasick pass instead (pyahocorasick, in C), and
a pattern is searched only if one of its prefixes was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# private, but the same since 3.11; typeshed has no stubs for re's private modules
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

import ahocorasick

_MAX_PREFIXES = 64
_MIN_LENGTH = 3


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """Case-folded strings one of which starts every match, or None if unknown."""
    try:
        parsed = sre_parse.parse(pattern, re.I)
    except re.error:
        return None
    prefixes, _complete = _walk(list(parsed))
    if not prefixes or any(len(p) < _MIN_LENGTH for p in prefixes):
        return None  # too short to filter anything out
    return frozenset(prefixes)


def _walk(items: list) -> tuple[set[str], bool]:
    """(prefixes, complete): complete means the prefixes are the whole match."""
    out = {""}
    for i, (op, av) in enumerate(items):
        if op is sre.AT and out == {""}:
            continue  # a leading \b or ^ matches no characters
        if op is sre.LITERAL:
            out = {p + fold(chr(av)) for p in out}
            continue
        if _is_space(op, av):  # \s, or \s+ (one or more): one space in the folded text
            out = {p + " " for p in out}
            continue
        letters = _letters(op, av)
        if letters:
            out, extended = _join(out, letters, complete=True)
            if not extended:
                return out, False
            continue
        if op is sre.SUBPATTERN and not av[1] and not av[2]:  # a group, no flag changes
            alternatives, complete = _walk(list(av[3]))
        elif op is sre.BRANCH:
            alternatives, complete = _branches(av[1])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            # `X?` then the rest: the match starts like X + rest, or like rest.
            rest = list(items[i + 1 :])
            alternatives, complete = _branches([list(av[2]) + rest, rest])
            if "" in alternatives:
                return out, False
            return _join(out, alternatives, complete=False)
        else:
            return out, False
        if not alternatives or "" in alternatives:
            return out, False
        out, extended = _join(out, alternatives, complete)
        if not extended:
            return out, False
    return out, True


def _is_space(op: object, av: object) -> bool:
    """`\\s` or `\\s+`: at least one whitespace character."""
    space = [(sre.IN, [(sre.CATEGORY, sre.CATEGORY_SPACE)])]
    if op is sre.IN and av == space[0][1]:
        return True
    return (
        op in (sre.MAX_REPEAT, sre.MIN_REPEAT)
        and isinstance(av, tuple)
        and av[0] >= 1
        and list(av[2]) == space
    )


def _letters(op: object, av: object) -> set[str] | None:
    """The folded letters of a small class of plain letters (`[eé]`), else None."""
    if op is not sre.IN or not isinstance(av, list) or not 1 <= len(av) <= 4:
        return None
    if not all(kind is sre.LITERAL for kind, _value in av):
        return None
    return {fold(chr(value)) for _kind, value in av}


def _join(out: set[str], alternatives: set[str], complete: bool) -> tuple[set[str], bool]:
    """Every prefix followed by every alternative, unless that makes too many."""
    if len(out) * len(alternatives) > _MAX_PREFIXES:
        return out, False
    return {p + a for p in out for a in alternatives}, complete


def _branches(branches: list) -> tuple[set[str], bool]:
    out: set[str] = set()
    complete = True
    for branch in branches:
        prefixes, whole = _walk(list(branch))
        if "" in prefixes:
            return {""}, False  # one branch starts with something not literal
        out |= prefixes
        complete = complete and whole
    return out, complete


# re.I also matches "i" with the dotless "ı", which casefold() keeps apart.
_RE_EQUIVALENTS = str.maketrans({"\u0131": "i", "\u0307": None})


def fold(text: str) -> str:
    """Case-fold as `re.I` compares: casefold(), the dotless ı as i, İ's dot dropped."""
    return text.casefold().translate(_RE_EQUIVALENTS)


_SPACES = re.compile(r"\s+")


def fold_text(text: str) -> str:
    """`fold(text)` with every run of whitespace one space: the form prefixes are tested on."""
    return _SPACES.sub(" ", fold(text))


def may_match(prefixes: frozenset[str] | None, folded_text: str) -> bool:
    """False only if the pattern cannot match a text whose fold_text() is `folded_text`."""
    return prefixes is None or any(p in folded_text for p in prefixes)


class PrefixScan:
    """Every literal prefix of a set of patterns, found in a text in one pass.

    >>> scan = PrefixScan([frozenset({"left", "forgot"}), None, frozenset({"your cart"})])
    >>> sorted(scan.present(fold_text("You FORGOT something in\nyour   cart")))
    ['forgot', 'your cart']
    """

    def __init__(self, prefix_sets: Iterable[frozenset[str] | None]) -> None:
        self._automaton = ahocorasick.Automaton()
        words = set().union(*(p for p in prefix_sets if p))
        for word in words:
            self._automaton.add_word(word, word)
        self._empty = not words
        if words:
            self._automaton.make_automaton()

    def occurs_in(self, text: str) -> bool:
        """True if any of the prefixes occurs in `text` (stops at the first)."""
        return not self._empty and next(self._automaton.iter(text), None) is not None

    def present(self, folded_text: str) -> frozenset[str]:
        """The prefixes that occur in `folded_text` (a `fold_text()` result)."""
        if self._empty:
            return frozenset()
        return frozenset(word for _end, word in self._automaton.iter(folded_text))


def can_match(prefixes: frozenset[str] | None, present: frozenset[str]) -> bool:
    """`may_match` given `PrefixScan.present()` of the text: False only if it cannot match."""
    return prefixes is None or not prefixes.isdisjoint(present)
