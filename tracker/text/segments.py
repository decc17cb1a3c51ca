"""Where a line sits in a message: main text, a short line, navigation, footer.

Plain-text mail is hard-wrapped and HTML mail flattens into menus and footers;
what a phrase means depends on where it is, so the classifier and the offer
finder both read text through `segment_body`.
"""

from __future__ import annotations

import re

from tracker.text.rules import Rules, load_rules

Segments = list[tuple[str, str]]


def unwrap_lines(lines: list[str]) -> list[str]:
    """Join hard-wrapped plain-text lines (72-column mail) back into sentences.

    A line of 40+ characters that does not end a sentence, followed by a line
    starting in lower case or with a figure, continues on that line; so does a
    60+ character line (a full 72-column line) followed by a line of words.
    """
    out: list[str] = []
    paragraph_start = True
    for line in lines:
        if not line:
            paragraph_start = True  # a blank line ends a paragraph: never join across it
            continue
        open_end = (
            not paragraph_start and not re.search(r"[.!?:]$", out[-1]) and out[-1].count("|") < 2
        )
        paragraph_start = False
        if open_end and (
            (len(out[-1]) >= 40 and re.match(r"[a-zà-ÿ0-9$€£(]", line))
            or (len(out[-1]) >= 60 and len(line.split()) >= 3)
        ):
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def _is_nav(line: str, rules: Rules) -> bool:
    return line.count("|") >= 2 or line.count("•") >= 2 or bool(rules.nav.match(line))


def segment_body(body: str, rules: Rules | None = None) -> Segments:
    """Body lines labelled main | short_line | nav_line | footer.

    The footer starts at the first footer marker ("unsubscribe", "abmelden",
    "désinscrire"...) in the second half of the message; navigation lines are
    menus ("Women | Men | Sale") and lone menu words.
    """
    rules = rules or load_rules()
    lines = unwrap_lines([ln.strip() for ln in body.splitlines()])
    footer_at = len(lines)
    for i in range(len(lines) // 2, len(lines)):
        if rules.footer.search(lines[i]):
            footer_at = i
            break
    out = []
    for i, line in enumerate(lines):
        if i >= footer_at:
            out.append(("footer", line))
        elif _is_nav(line, rules):
            out.append(("nav_line", line))
        elif len(line.split()) <= 3 and not re.search(r"[.!?:]", line):
            out.append(("short_line", line))
        else:
            out.append(("main", line))
    return out


def main_lines(segments: Segments) -> str:
    """The main text and short lines of segmented text: no menus, no footer."""
    return "\n".join(text for label, text in segments if label in ("main", "short_line"))


def main_text(body: str) -> str:
    """`body` without its navigation and footer."""
    return main_lines(segment_body(body))
