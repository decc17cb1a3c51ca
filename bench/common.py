"""What every benchmark script shares: the machine line, timing and the JSON row.

A row is one JSON object on one line: `name`, `seconds` (the project),
`baseline_seconds` (the floor it is compared with, measured in the same run),
`ratio`, and extras such as `target` and `peak_mb`.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The console script installed beside this interpreter, found without PATH.
DARKPOOL = str(Path(sys.executable).with_name("darkpool"))


def machine() -> dict:
    """nproc, CPU model, Python version and today's date (UTC)."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "date": datetime.now(UTC).date().isoformat(),
    }


def row(name: str, seconds: float, baseline: float, **extra) -> dict:
    """One benchmark's result; `ratio` is seconds / baseline."""
    return {
        "name": name,
        "seconds": round(seconds, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(seconds / baseline, 3) if baseline else None,
        **extra,
    }


def emit(result: dict) -> None:
    print(json.dumps(result), flush=True)


def best_times(repeat: int, *fns: Callable[[], object]) -> list[tuple[float, float]]:
    """(fastest wall seconds, fewest CPU seconds of this process) of each of `fns`.

    The functions take turns, `repeat` rounds, so a burst of load from other
    processes on a shared machine hits each of them rather than one; CPU time
    is what such load disturbs least.
    """
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            walls[i].append(time.perf_counter() - start)
            cpus[i].append(time.process_time() - cpu)
    return [(min(w), min(c)) for w, c in zip(walls, cpus, strict=True)]


def self_peak_mb() -> float:
    """This process's RSS high-water mark (VmHWM), in MB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
