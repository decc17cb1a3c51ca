"""Benchmark: `darkpool import` of an mbox into SQLite against parsing it alone.

    python bench/import_mbox.py [--messages 100000] [--small 25000] [--repeat 1]

The mbox comes from bench/corpus.py (cached in the temp dir). Each side runs in
its own fresh process, timed from outside, with the process's RSS high-water
mark read from `wait4`:

- `parse_only`: the same pipeline over the same mbox (`process_paths`: stream,
  parse, classify, extract), records counted and dropped — no store;
- `import`: `darkpool --db sqlite:///... import MBOX` into a fresh store
  (migrations, batches of 500 in one transaction each, upserts).

Targets: import within 1.3x of parse alone, peak memory under 300 MB. It runs
at two mbox sizes to show that the peak does not grow with the mbox.
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

TARGET = 1.3
MEMORY_MB = 300


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
    from tracker.mail.importing import process_paths

    seen = sum(1 for _ in process_paths([path]))
    print(f"parsed {seen}")


def measure(messages: int, repeat: int = 1, seed: int = 7) -> list[dict]:
    """Both sides on one mbox of `messages`; returns the parse_only and import rows."""
    mbox = cached_mbox(messages, seed)
    parse_cmd = [sys.executable, __file__, "--worker-parse", str(mbox.path)]
    base_runs, runs = [], []
    with tempfile.TemporaryDirectory(prefix="darkpool-bench-") as tmp:
        for r in range(repeat):  # take turns, so load from elsewhere hits both sides
            base_runs.append(run_measured(parse_cmd))
            url = f"sqlite:///{Path(tmp) / f'store{r}.sqlite'}"
            cmd = [DARKPOOL, "--db", url, "import", str(mbox.path), "--contributor", "bench"]
            env = {**os.environ, "DARKPOOL_DATA_DIR": tmp}
            seconds, peak, cpu, out = run_measured(cmd, env)
            assert f"{messages:,} new" in out, out
            runs.append((seconds, peak, cpu, out.strip().splitlines()[-1]))
    base, base_peak, base_cpu, _ = min(base_runs)
    seconds, peak, cpu, summary = min(runs)
    info = {"messages": messages, "mbytes": round(mbox.bytes / 1e6, 1)}
    return [
        row(
            f"parse_only_{messages}",
            base,
            base,
            peak_mb=base_peak,
            cpu_seconds=round(base_cpu, 2),
            **info,
        ),
        row(
            f"import_{messages}",
            seconds,
            base,
            target=TARGET,
            peak_mb=peak,
            target_mb=MEMORY_MB,
            cpu_seconds=round(cpu, 2),
            cpu_ratio=round(cpu / base_cpu, 3),
            summary=summary,
            **info,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=25_000, help="the second, smaller mbox")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker-parse", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_parse:
        return parse_only(args.worker_parse)
    for size in sorted({args.small, args.messages}):
        for result in measure(size, args.repeat):
            emit({**result, **machine()})


if __name__ == "__main__":
    main()
