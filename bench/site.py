"""Benchmark: every site page rendered through Streamlit's AppTest on a large snapshot.

    python bench/site.py [--snapshot FILE | --retailers 5000] [--repeat 3]

The snapshot is FILE (bench/run.py passes the one published from the
1,000,000-message store) or a synthetic one of --retailers shops written by
`tracker.demo.snapshot`. For each page: open the app (AppTest), clear the data
caches, then time `switch_page(page).run()` — a cold render that loads and
aggregates from the snapshot file. The baseline is the same cold render on
the 8-retailer sample snapshot, so the ratio is the cost of scale. Target:
every page under 2 s (`target_seconds`). One JSON line per page.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from common import ROOT, emit, machine, row

APP = ROOT / "app.py"
PAGES = ("overview", "retailer", "compare", "explore", "methodology")
TARGET_SECONDS = 2.0


def render(page: str) -> float:
    """Seconds for one cold render of `page` on the snapshot in $DARKPOOL_SNAPSHOT."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=300).run()
    st.cache_data.clear()
    st.cache_resource.clear()
    start = time.perf_counter()
    at.switch_page(f"tracker/site/pages/{page}.py").run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    return seconds


def page_times(snapshot: Path, repeat: int) -> dict[str, float]:
    """Best-of-`repeat` cold render time of every page on `snapshot`."""
    os.environ["DARKPOOL_SNAPSHOT"] = str(snapshot)
    return {page: min(render(page) for _ in range(repeat)) for page in PAGES}


def run(snapshot: Path | None = None, retailers: int = 5000, repeat: int = 3) -> list[dict]:
    """One row per page: big snapshot vs the small sample; writes temp snapshots as needed."""
    from tracker.demo.snapshot import write_sample_snapshot

    with tempfile.TemporaryDirectory(prefix="darkpool-bench-") as tmp:
        small = Path(tmp) / "small.sqlite"
        write_sample_snapshot(small, retailers=8)
        if snapshot is None:
            snapshot = Path(tmp) / "big.sqlite"
            write_sample_snapshot(snapshot, retailers=retailers)
        render("overview")  # warm up: imports, Altair, the first script compile
        base = page_times(small, repeat)
        ours = page_times(snapshot, repeat)
        size = {"snapshot_mb": round(snapshot.stat().st_size / 1e6, 1)}
        size["snapshot_retailers"] = _retailers(snapshot)
    return [
        row(f"site_{page}", ours[page], base[page], target_seconds=TARGET_SECONDS, **size)
        for page in PAGES
    ]


def _retailers(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM retailers").fetchone()[0]
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshot", type=Path, help="a published snapshot to render")
    parser.add_argument("--retailers", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for result in run(args.snapshot, args.retailers, args.repeat):
        emit({**result, **machine()})


if __name__ == "__main__":
    main()
