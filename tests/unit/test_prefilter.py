"""The classifier's literal prefilter skips only phrase patterns that cannot match."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from paths import FIXTURES

from tracker.mail import classify
from tracker.mail.classify import score_message
from tracker.mail.parse import parse_mail
from tracker.mail.retailer import extract_retailer
from tracker.records import RawMail
from tracker.text.prefilter import can_match, fold, fold_text, literal_prefixes, may_match
from tracker.text.rules import load_rules
from tracker.text.segments import segment_body

MAIL = (
    sorted((FIXTURES / "mail").glob("*.eml"))
    + sorted((FIXTURES / "mail_holdout").glob("*.eml"))
    + sorted((FIXTURES / "mail_platforms").glob("[ab]-*.eml"))
)


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        (r"\b(?:left|forgot(?:ten)?|leave)\b\s+in", {"left", "forgot", "leave"}),
        # whitespace is one space in a prefix (the text is tested with runs collapsed)
        (r"\bstill\s+in\s+your", {"still in your"}),
        (
            r"\b(?:hai\s+)?(?:dimenticato|lasciato)\s+x",
            {"hai dimenticato x", "hai lasciato x", "dimenticato x", "lasciato x"},
        ),
        (r"\b(?:in|im)\s+deinem", {"in deinem", "im deinem"}),  # short words, long prefixes
        (r"qu[eé]\s+tal", {"que tal", "qué tal"}),  # a class of letters branches
        (r"\bwe\s*saved", None),  # \s* may be nothing: "we" alone is too short
        (r"ab?cd", {"acd", "abcd"}),  # an optional letter: with and without it
        (r"\bfoo(?:bar)?\b", {"foo"}),
        (r"\bWarenkorb\b", {"warenkorb"}),  # folded like re.I compares
        (r"\bgrüße", {"grüsse"}),  # ß folds to ss, in patterns and texts alike
        (r"(?:ab)*cde", None),  # a repeat may start anywhere: no prefix is safe
        (r"[a-z]+your", None),  # not literal at the start
        (r"(?:left|\w+)\s+cart", None),  # one branch is not literal
        (r"(?i:left) cart", None),  # flag changes inside: left alone
    ],
)
def test_literal_prefixes(pattern: str, prefixes: set[str] | None) -> None:
    got = literal_prefixes(pattern)
    assert (set(got) if got is not None else None) == prefixes


def test_the_rules_are_mostly_prefiltered() -> None:
    patterns = [entry for entries in load_rules().phrases.values() for entry in entries]
    with_prefixes = sum(1 for entry in patterns if entry[3] is not None)
    print(f"\n{with_prefixes} of {len(patterns)} phrase patterns have literal prefixes")
    assert with_prefixes >= 0.7 * len(patterns)


def test_fold_agrees_with_re_ignorecase_for_every_prefix_letter() -> None:
    # Every character that re.I matches to a prefix letter folds to that letter,
    # so a text that matches a pattern always contains the folded prefix.
    letters = {
        ch
        for entries in load_rules().phrases.values()
        for e in entries
        for p in e[3] or ()
        for ch in p
    }
    every_char = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for letter in sorted(letters):
        for char in set(re.findall(re.escape(letter), every_char, re.I)):
            assert fold(char) == fold(letter), (letter, char, fold(char))


def _segment_texts(path: Path) -> list[str]:
    parsed = parse_mail(RawMail(str(path), path.read_bytes()))
    body = classify._URL_RE.sub(" ", parsed.body)
    texts = [parsed.subject or ""] + [text for _label, text in segment_body(body)]
    return texts + [text for _href, text in parsed.links[:200] if text]


def test_no_pattern_that_matches_is_skipped_on_the_labelled_mail() -> None:
    rules = load_rules()
    checked = 0
    for path in MAIL:
        texts = _segment_texts(path)
        folded = fold_text("\n".join(texts))
        for entries in rules.phrases.values():
            for pattern, _weight, _langs, prefixes in entries:
                if any(pattern.search(text) for text in texts):
                    checked += 1
                    assert may_match(prefixes, folded), (path.name, pattern.pattern)
    assert checked > len(MAIL)  # the check saw real matches


def test_scores_equal_those_without_the_prefilter(monkeypatch) -> None:
    def scores() -> list[dict[str, float]]:
        out = []
        for path in MAIL:
            parsed = parse_mail(RawMail(str(path), path.read_bytes()))
            out.append(score_message(parsed, extract_retailer(parsed)))
        return out

    filtered = scores()
    monkeypatch.setattr(classify, "can_match", lambda _prefixes, _present: True)
    assert scores() == filtered
    monkeypatch.setattr(classify, "_occurs", lambda _pattern, _joined: True)
    assert scores() == filtered  # nor does the whole-message search


def test_the_one_pass_scan_finds_what_the_substring_tests_find() -> None:
    """PrefixScan + can_match decide exactly as a substring test per prefix would."""
    rules = load_rules()
    tables = [pre for table in rules.phrases.values() for *_, pre in table]
    decided = 0
    for path in MAIL:
        parsed = parse_mail(RawMail(str(path), path.read_bytes()))
        folded = fold_text(parsed.subject + "\n" + parsed.text)
        present = rules.phrase_scan.present(folded)
        assert present == {p for pre in tables if pre for p in pre if p in folded}
        for prefixes in tables:
            assert can_match(prefixes, present) == may_match(prefixes, folded)
            decided += prefixes is not None
    assert decided > 1000


@pytest.mark.parametrize("gap", [" ", "  ", "\t", "\n", "\u00a0", " \n\t "])
def test_any_whitespace_run_matches_a_spaced_prefix(gap: str) -> None:
    """A prefix's space stands for the pattern's \\s+: any run of whitespace."""
    prefixes = literal_prefixes(r"\bstill\s+in\s+your")
    assert may_match(prefixes, fold_text(f"Items still{gap}in{gap}your cart"))
    assert not may_match(prefixes, fold_text("Items are in your cart"))
