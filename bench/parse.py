"""Benchmark: parse + classify + extract against the least any reader of this mail must do.

    python bench/parse.py [--corpus realistic|quick] [--messages 2000] [--repeat 3] [--profile]

All sides get the same in-memory messages (bench/realistic.py: ESP-sized
HTML mail, about 90 KB a message; or bench/corpus.py's small quick corpus):

- `floor` (the baseline of the row): `email.message_from_bytes` with the
  `compat32` policy darkpool itself parses with, every inline text part
  decoded, HTML turned to text with selectolax's own `text()`: what any
  pipeline reading these mails must at least do;
- `policy_default` (shown beside it): the stdlib parse with `policy.default`
  and `get_content()`, the slower baseline earlier runs used;
- `parse`: `tracker.mail.pipeline.process_mail` — MIME parse, charsets,
  headers, HTML to text and links, retailer, kind, offer, expiry.

Prints one JSON line (name "parse" or "parse_quick", target ratio 3.0 over the
floor) with bytes, messages and MB/s of each side. `--profile` runs the
pipeline once under cProfile and prints the 30 most expensive functions.
"""

from __future__ import annotations

import argparse
import email
from email import policy

from common import best_times, emit, machine, row
from corpus import iter_messages
from realistic import iter_realistic
from selectolax.lexbor import LexborHTMLParser

from tracker.mail.pipeline import process_mail
from tracker.records import RawMail

TARGET = 3.0
CORPORA = {"realistic": iter_realistic, "quick": iter_messages}


def floor_parse(messages: list[bytes]) -> int:
    """compat32 MIME parse, text parts decoded, HTML to text by selectolax; returns characters."""
    chars = 0
    for data in messages:
        msg = email.message_from_bytes(data)
        for part in msg.walk():
            if part.get_content_maintype() != "text" or part.get(
                "Content-Disposition", ""
            ).startswith("attachment"):
                continue
            payload = part.get_payload(decode=True) or b""
            try:
                text = payload.decode(part.get_content_charset() or "utf-8", "replace")
            except LookupError:
                text = payload.decode("latin-1")
            if part.get_content_subtype() == "html":
                text = LexborHTMLParser(text).text(separator=" ")
            chars += len(text)
    return chars


def stdlib_parse(messages: list[bytes]) -> int:
    """The floor: MIME parse and decode of the inline text parts; returns characters seen."""
    chars = 0
    for data in messages:
        msg = email.message_from_bytes(data, policy=policy.default)
        for part in msg.walk():
            if part.get_content_maintype() == "text" and not part.is_attachment():
                chars += len(_content(part))
    return chars


def _content(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # e.g. charset "unknown-8bit": the bytes as Latin-1
        return part.get_payload(decode=True).decode("latin-1")


def pipeline(raws: list[RawMail]) -> int:
    """The project: every message through process_mail; returns how many got a retailer."""
    return sum(1 for raw in raws if process_mail(raw).retailer is not None)


def run(messages: int, repeat: int = 3, seed: int = 7, corpus: str = "realistic") -> dict:
    """Time the three sides on `messages` corpus messages; returns the JSON row."""
    data = list(CORPORA[corpus](messages, seed))
    raws = [RawMail(f"bench:{i}", d) for i, d in enumerate(data)]
    pipeline(raws[:50])  # warm up: lazy imports, the suffix list, compiled patterns
    floor_parse(data[:50])
    stdlib_parse(data[:50])
    (floor, floor_cpu), (default, _), (ours, ours_cpu) = best_times(
        repeat, lambda: floor_parse(data), lambda: stdlib_parse(data), lambda: pipeline(raws)
    )
    mbytes = sum(map(len, data)) / 1e6
    return row(
        "parse" if corpus == "realistic" else "parse_quick",
        ours,
        floor,
        target=TARGET,
        corpus=corpus,
        messages=messages,
        mbytes=round(mbytes, 1),
        cpu_ratio=round(ours_cpu / floor_cpu, 3),
        per_message_ms=round(1000 * ours / messages, 3),
        mb_per_s=round(mbytes / ours, 2),
        floor_mb_per_s=round(mbytes / floor, 2),
        policy_default_seconds=round(default, 3),
        ratio_to_policy_default=round(ours / default, 3),
    )


def profile(messages: int, seed: int = 7, corpus: str = "realistic") -> None:
    import cProfile
    import pstats

    data = CORPORA[corpus](messages, seed)
    raws = [RawMail(f"bench:{i}", d) for i, d in enumerate(data)]
    pipeline(raws[:50])
    prof = cProfile.Profile()
    prof.runcall(pipeline, raws)
    pstats.Stats(prof).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="realistic")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        return profile(args.messages, corpus=args.corpus)
    emit({**run(args.messages, args.repeat, corpus=args.corpus), **machine()})


if __name__ == "__main__":
    main()
