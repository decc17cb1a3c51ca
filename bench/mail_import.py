"""Benchmark: parse and import a generated mbox; prints throughput and peak memory.

Usage: python bench/mail_import.py [MESSAGES]   (default 20,000)

The messages are built from the labelled corpus in tests/fixtures/mail (each
copy gets a fresh Message-ID), so parsing, classification and offers run on
realistic MIME. Timings live here, never in the tests.
"""

from __future__ import annotations

import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "mail"


def build_mbox(path: Path, count: int) -> int:
    samples = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    with path.open("wb") as fh:
        for i in range(count):
            data = samples[i % len(samples)]
            data = re.sub(rb"(?im)^message-id:.*$", f"Message-ID: <bench{i}@x>".encode(), data)
            data = re.sub(rb"(?m)^(>*From )", rb">\1", data)
            fh.write(b"From bench@example.com Thu Nov 20 14:03:00 2026\n")
            fh.write(data.rstrip(b"\n") + b"\n\n")
    return path.stat().st_size


def main() -> None:
    from tracker.db.engine import init_store, make_engine
    from tracker.mail.importing import import_paths, process_paths

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        box = Path(tmp) / "bench.mbox"
        size = build_mbox(box, count)
        start = time.perf_counter()
        parsed = sum(1 for _ in process_paths([box]))
        parse_s = time.perf_counter() - start
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite")
        init_store(engine)
        start = time.perf_counter()
        summary = import_paths(engine, [box], "bench", progress=False)
        import_s = time.perf_counter() - start
        start = time.perf_counter()
        again = import_paths(engine, [box], "bench", progress=False)
        reimport_s = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mbox: {count:,} messages, {size / 1e6:.1f} MB")
    print(f"parse only: {parsed / parse_s:,.0f} msg/s")
    print(f"import:     {summary.seen / import_s:,.0f} msg/s ({summary.line()})")
    print(f"re-import:  {again.seen / reimport_s:,.0f} msg/s ({again.new} new)")
    print(f"peak RSS:   {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
