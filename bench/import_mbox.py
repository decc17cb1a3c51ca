"""Benchmark: `darkpool import` of an mbox into SQLite against parsing it alone and a peer.

    python bench/import_mbox.py [--corpus realistic|quick] [--messages 20000] [--small 5000] [--repeat 1]

The mbox comes from bench/realistic.py (about 90 KB a message, like real
retailer mail) or bench/corpus.py's small quick corpus, cached in the temp
dir. Each side runs in its own fresh process, timed from outside, with the
process tree's CPU time and RSS high-water mark read from `wait4`:

- `parse_only`: the same pipeline over the same mbox (`process_paths`: stream,
  parse, classify, extract), records counted and dropped — no store;
- `peer`: `mbox-to-sqlite mbox DB MBOX` (simonw's tool: it stores every
  message's headers and payload in SQLite and classifies nothing): what
  reading and storing the same mbox costs a well-made tool;
- `import`: `darkpool --db sqlite:///... import MBOX` into a fresh store
  (migrations, the pipeline on every core, batches of 500 in one transaction).

Targets: import within 2x of the peer's time and at least 15 MB/s, peak
memory under 300 MB. It runs at two mbox sizes to show that the peak does not
grow with the mbox.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import DARKPOOL, ROOT, emit, machine, row
from corpus import cached_mbox
from realistic import cached_realistic_mbox

TARGET = 2.0  # x the peer's time
TARGET_MB_S = 15.0
MEMORY_MB = 300
CORPORA = {"realistic": cached_realistic_mbox, "quick": cached_mbox}
PEER = str(Path(sys.executable).with_name("mbox-to-sqlite"))


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, float, float, str]:
    """Run `cmd`; returns (wall seconds, peak RSS in MB, CPU seconds, stdout) of that process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed ({proc.returncode}): {stderr[-800:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, round(usage.ru_maxrss / 1024, 1), cpu, stdout


def parse_only(path: Path) -> None:
    """The baseline worker: the import's pipeline with the store left out."""
    from tracker.mail.workers import process_paths

    seen = sum(1 for _ in process_paths([path]))
    print(f"parsed {seen}")


def measure(messages: int, repeat: int = 1, seed: int = 7, corpus: str = "realistic") -> list[dict]:
    """All three sides on one mbox of `messages`; returns the parse_only, peer and import rows."""
    mbox = CORPORA[corpus](messages, seed)
    parse_cmd = [sys.executable, __file__, "--worker-parse", str(mbox.path)]
    base_runs, peer_runs, runs = [], [], []
    with tempfile.TemporaryDirectory(prefix="darkpool-bench-") as tmp:
        for r in range(repeat):  # take turns, so load from elsewhere hits every side
            base_runs.append(run_measured(parse_cmd))
            if Path(PEER).exists():
                peer_runs.append(run_measured([PEER, "mbox", f"{tmp}/peer{r}.db", str(mbox.path)]))
            url = f"sqlite:///{Path(tmp) / f'store{r}.sqlite'}"
            cmd = [DARKPOOL, "--db", url, "import", str(mbox.path), "--contributor", "bench"]
            env = {**os.environ, "DARKPOOL_DATA_DIR": tmp}
            seconds, peak, cpu, out = run_measured(cmd, env)
            assert f"{messages:,} new" in out, out
            runs.append((seconds, peak, cpu, out.strip().splitlines()[-1]))
    base, base_peak, base_cpu, _ = min(base_runs)
    seconds, peak, cpu, summary = min(runs)
    mbytes = mbox.bytes / 1e6
    info = {"corpus": corpus, "messages": messages, "mbytes": round(mbytes, 1)}
    rows = [
        row(
            f"parse_only_{messages}",
            base,
            base,
            peak_mb=base_peak,
            cpu_seconds=round(base_cpu, 2),
            mb_per_s=round(mbytes / base, 2),
            **info,
        )
    ]
    peer = min(peer_runs) if peer_runs else None
    if peer:
        rows.append(
            row(
                f"peer_mbox_to_sqlite_{messages}",
                peer[0],
                peer[0],
                peak_mb=peer[1],
                cpu_seconds=round(peer[2], 2),
                mb_per_s=round(mbytes / peer[0], 2),
                **info,
            )
        )
    rows.append(
        row(
            f"import_{messages}",
            seconds,
            peer[0] if peer else base,
            baseline_name="mbox-to-sqlite" if peer else "parse_only (mbox-to-sqlite not installed)",
            target=TARGET,
            target_mb_per_s=TARGET_MB_S,
            mb_per_s=round(mbytes / seconds, 2),
            peak_mb=peak,
            target_mb=MEMORY_MB,
            cpu_seconds=round(cpu, 2),
            ratio_to_parse_only=round(seconds / base, 3),
            summary=summary,
            **info,
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="realistic")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=5_000, help="the second, smaller mbox")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker-parse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_parse:
        return parse_only(args.worker_parse)
    for size in sorted({args.small, args.messages}):
        for result in measure(size, args.repeat, corpus=args.corpus):
            emit({**result, **machine()})


if __name__ == "__main__":
    main()
