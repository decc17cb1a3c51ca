"""Time `stats` and `publish` on a large generated store (issue 6 target: < 60 s).

Generates, with bulk inserts straight into a store built by the real migrations,
N retailers, carts and cart mail (default 5,000 retailers, 100,000 carts and
1,000,000 messages: each cart gets a reminder and one or two offers, the rest is
cartless mail in sequences of three), then times loading + statistics and the
full publish.

    python bench/stats_publish.py [--messages 1000000] [--carts 100000]
                                  [--retailers 5000] [--store PATH] [--keep]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from tracker.analysis.stats import run_stats
from tracker.db.engine import init_store, make_engine, session_factory
from tracker.snapshot.publish import publish_snapshot

NOW = datetime(2026, 11, 20, tzinfo=UTC)
START = pd.Timestamp("2026-01-01", tz="UTC")
CONTRIBUTORS = 2_000
CHUNK = 50_000


def _stamps(hours: np.ndarray) -> list[str]:
    """Hours after START as the naive UTC text SQLAlchemy stores in SQLite."""
    times = START.tz_localize(None) + pd.to_timedelta(hours, unit="h")
    return list(times.strftime("%Y-%m-%d %H:%M:%S.%f"))


def generate(path: Path, retailers: int, carts: int, messages: int, seed: int = 7) -> None:
    """Fill the store at `path` with synthetic retailers, carts and cart mail."""
    engine = make_engine(f"sqlite:///{path}")
    init_store(engine)
    engine.dispose()
    rng = np.random.default_rng(seed)
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO retailers (id, domain, name) VALUES (?, ?, ?)",
        [(i + 1, f"shop{i}.test", f"Shop {i}") for i in range(retailers)],
    )
    # per retailer: discount probability, first delay and first offer
    p_offer = rng.uniform(0.1, 0.9, retailers)
    delay = rng.choice([12.0, 24.0, 48.0], retailers)
    percent = rng.choice([5.0, 10.0, 15.0, 20.0], retailers)

    cart_rid = rng.integers(1, retailers + 1, carts)
    cart_who = rng.integers(0, CONTRIBUTORS, carts)
    cart_h = rng.uniform(0, 300 * 24, carts).round(3)
    conn.executemany(
        "INSERT OR IGNORE INTO carts (id, contributor, retailer_id, left_at, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        zip(
            range(1, carts + 1),
            (f"c{w}" for w in cart_who),
            cart_rid.tolist(),
            _stamps(cart_h),
            _stamps(np.full(carts, 320 * 24.0)),
            strict=True,
        ),
    )
    # every sequence (a cart's, or a cartless one) has three mails: reminder, offer, offer
    n_seq = messages // 3
    cartless = n_seq - carts
    seq_rid = np.concatenate([cart_rid, rng.integers(1, retailers + 1, cartless)])
    seq_who = np.concatenate([cart_who, rng.integers(0, CONTRIBUTORS, cartless)])
    seq_h = np.concatenate([cart_h, rng.uniform(0, 300 * 24, cartless)])
    idx = seq_rid - 1
    jitter = rng.normal(0, 2, (n_seq, 3))
    offsets = np.stack([np.full(n_seq, 1.0), delay[idx], delay[idx] + 48], axis=1) + jitter
    offers = rng.random((n_seq, 3)) < p_offer[idx, None]
    offers[:, 0] = False
    rid = np.repeat(seq_rid, 3)
    who = np.repeat(seq_who, 3)
    sent = (np.repeat(seq_h, 3) + np.abs(offsets).ravel()).round(3)
    has_offer = offers.ravel()
    value = np.repeat(percent[idx], 3) + np.tile([0.0, 0.0, 5.0], n_seq)
    _insert_messages(conn, rid, who, sent, has_offer, value)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _insert_messages(conn, rid, who, sent, has_offer, value) -> None:
    total = len(rid)
    kinds = np.where(np.arange(total) % 7 == 0, "browse_abandonment", "abandoned_cart")
    for lo in range(0, total, CHUNK):
        hi = min(total, lo + CHUNK)
        stamps = _stamps(sent[lo:hi])
        conn.executemany(
            "INSERT INTO messages (id, key, content_hash, source, contributor, retailer_id, "
            "sent_at, kind, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (i + 1, f"<m{i}@bench>", f"h{i}", f"bench:{i}", f"c{who[i]}", int(rid[i]),
                 stamps[i - lo], kinds[i], stamps[i - lo])
                for i in range(lo, hi)
            ),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO offers (message_pk, type, value, code) VALUES (?, 'percent', ?, ?)",
            (
                (i + 1, float(value[i]), f"SAVE{int(value[i])}")
                for i in range(lo, hi)
                if has_offer[i]
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--carts", type=int, default=100_000)
    parser.add_argument("--retailers", type=int, default=5_000)
    parser.add_argument("--store", type=Path, help="reuse or create the store here")
    parser.add_argument("--keep", action="store_true", help="keep the generated store")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="darkpool-bench-"))
    store = args.store or workdir / "store.sqlite"
    if not store.exists():
        t = time.perf_counter()
        generate(store, args.retailers, args.carts, args.messages)
        print(f"generated {args.messages:,} messages, {args.carts:,} carts, "
              f"{args.retailers:,} retailers in {time.perf_counter() - t:.1f} s")  # fmt: skip
    engine = make_engine(f"sqlite:///{store}")
    sessions = session_factory(engine)
    t = time.perf_counter()
    with sessions.begin() as s:
        result = run_stats(s, NOW)
    stats_s = time.perf_counter() - t
    print(f"stats:   {len(result.rows):,} retailers in {stats_s:.1f} s")
    t = time.perf_counter()
    with sessions.begin() as s:
        summary = publish_snapshot(s, workdir / "snapshot.sqlite", NOW, 3)
    publish_s = time.perf_counter() - t
    print(f"publish: {summary.line()} in {publish_s:.1f} s")
    print(f"total stats + publish: {stats_s + publish_s:.1f} s")
    engine.dispose()
    if not args.keep and not args.store:
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
