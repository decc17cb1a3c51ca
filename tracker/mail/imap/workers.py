"""Where `darkpool sync` runs the mail pipeline: inline, or in worker processes.

Parsing and classifying cost far more than fetching (milliseconds per
message against tens of microseconds on loopback), so a large first sync
hands each downloaded batch to a process pool and fetches the next batch
while the pool works. Small syncs, and custom process functions (which may
not pickle), stay in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from tracker.records import MessageRecord, RawMail

Process = Callable[[RawMail], MessageRecord]
PIPELINE_MODULE = "tracker.mail.pipeline"


def default_workers() -> int:
    """Worker processes for a large sync: the CPUs, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


class InlineExecutor(Executor):
    """Runs each task at once in this process; same interface as the pool."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered by .result(), like a pool would
            future.set_exception(exc)
        return future


def make_executor(process: Process | None, workers: int, messages: int, threshold: int) -> Executor:
    """A process pool when it pays (default pipeline, many messages), else inline."""
    if process is not None or workers < 2 or messages < threshold:
        return InlineExecutor()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PIPELINE_MODULE])  # workers start with it imported
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def split(items: Sequence[Any], parts: int) -> list[Sequence[Any]]:
    """`items` in at most `parts` contiguous, nearly equal slices (none empty)."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return [s for s in out if len(s)]


def process_many(process: Process | None, raws: Sequence[RawMail]) -> list[MessageRecord]:
    """Process each message; a crash in one becomes that record's error, never the batch's."""
    if process is None:  # imported here: a re-sync with nothing new never parses
        from tracker.mail.pipeline import process_mail

        process = process_mail
    out = []
    for raw in raws:
        try:
            out.append(process(raw))
        except Exception as exc:  # noqa: BLE001 - recorded as a sync problem
            out.append(MessageRecord(raw.source, "", "", error=f"{type(exc).__name__}: {exc}"))
    return out
