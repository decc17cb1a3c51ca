"""Benchmark: parse + classify + extract against Python's own MIME parse of the same mail.

    python bench/parse.py [--messages 5000] [--repeat 3] [--profile]

Both sides get the same in-memory messages (bench/corpus.py):

- `baseline`: `email.message_from_bytes(data, policy=policy.default)`, then
  `walk()` and `get_content()` of every inline text part: only the MIME parse
  and the body decode;
- `parse`: `tracker.mail.pipeline.process_mail` — MIME parse, charsets,
  headers, HTML to text, retailer, kind, offer, expiry: the whole pipeline.

Prints one JSON line (name "parse", target ratio 2.0). `--profile` runs the
pipeline once under cProfile and prints the 25 most expensive functions.
"""

from __future__ import annotations

import argparse
import email
from email import policy

from common import best_times, emit, machine, row
from corpus import iter_messages

from tracker.mail.pipeline import process_mail
from tracker.records import RawMail

TARGET = 2.0


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


def run(messages: int, repeat: int = 3, seed: int = 7) -> dict:
    """Time both sides on `messages` corpus messages; returns the JSON row."""
    data = list(iter_messages(messages, seed))
    raws = [RawMail(f"bench:{i}", d) for i, d in enumerate(data)]
    pipeline(raws[:50])  # warm up: lazy imports, the suffix list, compiled patterns
    stdlib_parse(data[:50])
    (base, base_cpu), (ours, ours_cpu) = best_times(
        repeat, lambda: stdlib_parse(data), lambda: pipeline(raws)
    )
    return row(
        "parse",
        ours,
        base,
        target=TARGET,
        messages=messages,
        cpu_ratio=round(ours_cpu / base_cpu, 3),
        per_message_ms=round(1000 * ours / messages, 3),
        mbytes=round(sum(map(len, data)) / 1e6, 1),
    )


def profile(messages: int, seed: int = 7) -> None:
    import cProfile
    import pstats

    raws = [RawMail(f"bench:{i}", d) for i, d in enumerate(iter_messages(messages, seed))]
    pipeline(raws[:50])
    prof = cProfile.Profile()
    prof.runcall(pipeline, raws)
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        return profile(args.messages)
    emit({**run(args.messages, args.repeat), **machine()})


if __name__ == "__main__":
    main()
