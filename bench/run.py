"""Run every darkpool benchmark; print one JSON line per result.

    python bench/run.py [--quick] [--only parse,import,imap,stats,site,crawl]

Each line has `name`, `seconds` (darkpool), `baseline_seconds` (the floor it is
compared with, measured in the same run), `ratio`, and where relevant `target`
(a ratio), `target_seconds`, `peak_mb` and `target_mb`. The first line
describes the machine. `--quick` uses small sizes (a couple of minutes in
all); the full run uses the sizes of issue 6 and takes a while.

Each benchmark runs in its own process (the scripts beside this one), so one
cannot warm another's caches and peak memory is per benchmark:

- parse   bench/parse.py: pipeline vs the parse floor (compat32 + selectolax text; target
          ratio 3.0) on the realistic ~90 KB corpus, and on the small quick corpus
- import  bench/import_mbox.py: `darkpool import` vs mbox-to-sqlite (2.0, >= 15 MB/s,
          < 300 MB) and parse alone, two sizes of the realistic mbox
- imap    bench/imap_sync.py: `sync` vs a bare imaplib fetch on Dovecot (1.5)
- stats   bench/stats_publish.py's generated store: stats + publish (< 60 s, < 2 GB);
          baseline: reading the rows they need with plain sqlite3
- site    bench/site.py on the snapshot the stats bench published (< 2 s per page)
- crawl   bench/crawl.py: reports spider vs a null spider (1.3)
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, emit, machine, row, self_peak_mb

HERE = Path(__file__).resolve().parent
FULL = {
    "parse": ["--messages", "2000", "--repeat", "3"],
    "import": ["--messages", "10000", "--small", "2500"],
    "imap": ["--messages", "10000", "--repeat", "3"],
    "stats": (1_000_000, 100_000, 5_000),
    "site": ["--repeat", "3"],
    "crawl": (100, 10, 3),
}
QUICK = {
    "parse": ["--messages", "200", "--repeat", "1"],
    "import": ["--messages", "300", "--small", "100"],
    "imap": ["--messages", "300", "--repeat", "1"],
    "stats": (30_000, 3_000, 300),
    "site": ["--repeat", "1"],
    "crawl": (8, 5, 1),
}
TARGETS = {"parse": 3.0, "import": 2.0, "sync": 1.5, "crawl": 1.3}


def relay(name: str, cmd: list[str], patch=None) -> list[dict]:
    """Run a bench script; print (and return) its JSON lines, or one error line."""
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    rows = [json.loads(ln) for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not rows:
        rows = [{"name": name, "error": (done.stderr or done.stdout).strip()[-600:]}]
    for result in rows:
        for key in ("nproc", "cpu", "python", "date"):
            result.pop(key, None)  # the machine line says it once
        emit(patch(result) if patch else result)
    return rows


def bench_imap(args: list[str]) -> None:
    if not Path("/usr/sbin/dovecot").exists():
        emit({"name": "sync", "skipped": "Dovecot not installed (/usr/sbin/dovecot)"})
        return

    def target(result: dict) -> dict:
        if result.get("name") == "sync":
            result["target"] = TARGETS["sync"]
        return result

    relay("sync", [sys.executable, str(HERE / "imap_sync.py"), *args], target)


def stats_store(messages: int, carts: int, retailers: int) -> Path:
    """bench/stats_publish.py's generated store, made once per size in the temp dir."""
    folder = Path(tempfile.gettempdir()) / "darkpool-bench-corpus"
    folder.mkdir(exist_ok=True)
    from tracker.db.engine import SCHEMA_HEAD  # a store of an older schema is not reused

    path = folder / f"stats-s{SCHEMA_HEAD}-{messages}-{carts}-{retailers}.sqlite"
    if not path.exists():
        cmd = [sys.executable, __file__, "--worker-generate", str(path)]
        cmd += [str(messages), str(carts), str(retailers)]
        subprocess.run(cmd, check=True, cwd=ROOT)
    return path


def bench_stats(sizes: tuple[int, int, int], snapshot: Path) -> bool:
    """Stats + publish in a fresh process (time and peak RSS) vs a plain sqlite3 read."""
    store = stats_store(*sizes)
    base = read_floor(store)
    cmd = [sys.executable, __file__, "--worker-stats", str(store), str(snapshot)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        emit({"name": "stats_publish", "error": done.stderr.strip()[-600:]})
        return False
    got = json.loads(done.stdout.strip().splitlines()[-1])
    messages, carts, retailers = sizes
    emit(
        row(
            "stats_publish",
            got["stats_s"] + got["publish_s"],
            base,
            target_seconds=60,
            peak_mb=got["peak_mb"],
            target_mb=2048,
            stats_s=round(got["stats_s"], 2),
            publish_s=round(got["publish_s"], 2),
            messages=messages,
            carts=carts,
            retailers=retailers,
        )
    )
    return True


def read_floor(store: Path) -> float:
    """Seconds to read the columns stats needs (messages with their offers, carts) into Python."""
    import sqlite3

    start = time.perf_counter()
    conn = sqlite3.connect(store)
    conn.execute(
        "SELECT m.retailer_id, m.contributor, m.sent_at, m.kind, o.type, o.value "
        "FROM messages m LEFT JOIN offers o ON o.message_pk = m.id"
    ).fetchall()
    conn.execute("SELECT retailer_id, contributor, left_at FROM carts").fetchall()
    conn.close()
    return time.perf_counter() - start


def worker_generate(path: Path, messages: int, carts: int, retailers: int) -> None:
    from stats_publish import generate

    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    generate(partial, retailers, carts, messages)
    partial.rename(path)


def worker_stats(store: Path, snapshot: Path) -> None:
    from stats_publish import NOW

    from tracker.analysis.stats import run_stats
    from tracker.db.engine import make_engine, session_factory
    from tracker.snapshot.publish import publish_snapshot

    sessions = session_factory(make_engine(f"sqlite:///{store}"))
    start = time.perf_counter()
    with sessions.begin() as s:
        run_stats(s, NOW)
    stats_s = time.perf_counter() - start
    start = time.perf_counter()
    with sessions.begin() as s:
        publish_snapshot(s, snapshot, NOW, 3)
    publish_s = time.perf_counter() - start
    print(json.dumps({"stats_s": stats_s, "publish_s": publish_s, "peak_mb": self_peak_mb()}))


def bench_crawl(chains: int, pages: int, repeat: int) -> None:
    """bench/crawl.py's site and runs: median reports-spider time vs median null-spider time."""
    import statistics

    import crawl

    server, base = crawl.serve(crawl.build_site(chains, pages))
    runs: dict[str, list[dict]] = {"null": [], "reports": []}
    try:
        for _ in range(repeat):
            for kind in ("null", "reports"):  # alternate so drift hits both
                runs[kind].append(crawl.run_once(kind, base, chains))
    finally:
        server.shutdown()
        server.server_close()

    def med(kind: str, key: str) -> float:
        return statistics.median(r[key] / max(r["pages"], 1) for r in runs[kind])

    pages_done = runs["reports"][0]["pages"]
    null, ours = med("null", "seconds") * pages_done, med("reports", "seconds") * pages_done
    emit(
        row(
            "crawl",
            ours,
            null,
            target=TARGETS["crawl"],
            cpu_ratio=round(med("reports", "cpu") / med("null", "cpu"), 3),
            pages=pages_done,
            reports=runs["reports"][0]["reports"],
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--only", default="parse,import,imap,stats,site,crawl")
    parser.add_argument("--worker-generate", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--worker-stats", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_generate:
        path, *sizes = args.worker_generate
        return worker_generate(Path(path), *map(int, sizes))
    if args.worker_stats:
        return worker_stats(*args.worker_stats)
    sizes, only = (QUICK if args.quick else FULL), set(args.only.split(","))
    emit({"name": "machine", "quick": args.quick, **machine()})
    python = sys.executable
    if "parse" in only:
        relay("parse", [python, str(HERE / "parse.py"), *sizes["parse"]])
        quick_corpus = [python, str(HERE / "parse.py"), "--corpus", "quick", *sizes["parse"]]
        relay("parse_quick", quick_corpus)
    if "import" in only:
        relay("import", [python, str(HERE / "import_mbox.py"), *sizes["import"]])
    if "imap" in only:
        bench_imap(sizes["imap"])
    tmp = Path(tempfile.mkdtemp(prefix="darkpool-bench-"))
    try:
        snapshot = tmp / "snapshot.sqlite"
        published = "stats" in only and bench_stats(sizes["stats"], snapshot)
        if "site" in only:
            source = ["--snapshot", str(snapshot)] if published else ["--retailers", "5000"]
            relay("site", [python, str(HERE / "site.py"), *source, *sizes["site"]])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if "crawl" in only:
        bench_crawl(*sizes["crawl"])


if __name__ == "__main__":
    main()
