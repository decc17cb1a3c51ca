"""Where `darkpool import` and `darkpool sync` run the mail pipeline: inline, or on every core.

Parsing and classifying cost far more than reading a file or fetching
(milliseconds per message against tens of microseconds), so a large import
or first sync hands chunks of messages to a process pool while this process
reads the next ones and stores the results. Small runs, and custom process
functions (which may not pickle), stay in-process. Results come back in input
order, and only a few chunks are in flight, so memory stays flat however big
the mailbox.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from tracker.mail.files import iter_raw_mail
from tracker.mail.pipeline import process_mail
from tracker.records import MessageRecord, RawMail

Process = Callable[[RawMail], MessageRecord]
PIPELINE_MODULE = "tracker.mail.pipeline"


def default_workers() -> int:
    """Worker processes for a large import or sync: the CPUs, at most four."""
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
    process = process or process_mail
    out = []
    for raw in raws:
        try:
            out.append(process(raw))
        except Exception as exc:  # noqa: BLE001 - recorded as a sync problem
            out.append(MessageRecord(raw.source, "", "", error=f"{type(exc).__name__}: {exc}"))
    return out


def process_stream(
    raws: Iterable[RawMail],
    workers: int | None = None,
    chunk: int = 32,
    inline_first: int = 256,
) -> Iterator[MessageRecord]:
    """Records for `raws` in their order, parsed on `workers` processes.

    The first `inline_first` messages are processed here: a small import is
    over before a pool would have started. After that, chunks of `chunk`
    messages go to the pool with at most two chunks per worker in flight.
    A message that crashes the pipeline becomes that record's error.
    """
    workers = default_workers() if workers is None else workers
    stream = iter(raws)
    head = list(itertools.islice(stream, inline_first))
    yield from process_many(None, head)
    if workers < 2 or len(head) < inline_first:
        yield from (record for raw in stream for record in process_many(None, [raw]))
        return
    pool = make_executor(None, workers, messages=inline_first, threshold=0)
    pending: deque[Future] = deque()
    try:
        while True:
            batch = list(itertools.islice(stream, chunk))
            if batch:
                pending.append(pool.submit(process_many, None, batch))
            if pending and (len(pending) >= 2 * workers or not batch):
                yield from pending.popleft().result()
            elif not batch:
                return
    finally:
        # an interrupted import must not wait for chunks nobody will store
        pool.shutdown(wait=not pending, cancel_futures=True)


def process_paths(paths: Iterable[Path], workers: int | None = None) -> Iterator[MessageRecord]:
    """Records for every message under `paths`, in order (SourceError up front for a
    missing path; a path that holds no mail becomes one record with `error` set).

    What `darkpool parse` prints and `darkpool import` stores; nothing here
    touches the store, so `parse` never loads SQLAlchemy.
    """
    yield from process_stream(iter_raw_mail(list(paths)), workers)
