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

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

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
    return pool_executor(workers)


def pool_executor(workers: int) -> ProcessPoolExecutor:
    """`workers` forkserver processes with the pipeline imported, ended with their owner."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PIPELINE_MODULE])  # workers start with it imported
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_die_with,
        initargs=(os.getpid(),),
    )


def _die_with(owner: int) -> None:
    """In a worker: exit when the process that made the pool is gone (kill -9).

    Forkserver workers are not its children, so they would wait for work
    forever; a daemon thread checks once a second that the owner still runs.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass  # alive, another user's (cannot happen for our own parent)

    threading.Thread(target=watch, name="darkpool-owner-watch", daemon=True).start()


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
            out.append(crash_record(raw, f"{type(exc).__name__}: {exc}"))
    return out


def crash_record(raw: RawMail, error: str) -> MessageRecord:
    """The record of a message the pipeline could not get through, keyed by its bytes."""
    from tracker.mail.pipeline import content_hash

    digest = content_hash(raw.data) if isinstance(raw.data, bytes) else "0" * 64
    return MessageRecord(raw.source, "sha256:" + digest, digest, error=error)


CHUNK_BYTES = 4 << 20  # mail in one chunk sent to a worker (at least one message)
WORKER_DIED = "the pipeline's worker process died on this message (killed or out of memory)"


def process_stream(
    raws: Iterable[RawMail],
    workers: int | None = None,
    chunk: int = 32,
    inline_first: int = 256,
    process: Process | None = None,
) -> Iterator[MessageRecord]:
    """Records for `raws` in their order, parsed on `workers` processes.

    The first `inline_first` messages are processed here, one at a time: a
    small import is over before a pool would have started. After that,
    chunks of at most `chunk` messages and CHUNK_BYTES of mail go to the pool,
    at most two per worker in flight, so memory stays bounded by size, not by
    count. A message that raises becomes that record's error; one that kills
    its worker (a crash in C code, the out-of-memory killer) is found by
    running its chunk again one message at a time, and recorded — the run
    goes on with a new pool. `process` (default: the pipeline) must be a
    module-level function, since it goes to the workers by name.
    """
    workers = default_workers() if workers is None else workers
    stream = iter(raws)
    for seen, raw in enumerate(stream, 1):
        yield from process_many(process, [raw])
        if seen >= inline_first and workers >= 2:
            break
    else:
        return
    pool = _Pool(workers, process)
    pending: deque[tuple[Future, list[RawMail]]] = deque()
    try:
        while True:
            batch = _take(stream, chunk)
            if batch:
                pending.append((pool.submit(batch), batch))
            if pending and (len(pending) >= 2 * workers or not batch):
                future, sent = pending.popleft()
                try:
                    records = future.result()
                except BrokenProcessPool:
                    # the pool is gone with every chunk in it: redo them, one message a task
                    redo = [sent, *(b for _f, b in pending)]
                    pending.clear()
                    pool.restart()
                    for lost in redo:
                        yield from pool.isolate(lost)
                    continue
                yield from records
            elif not batch:
                return
    finally:
        # an interrupted import must not wait for chunks nobody will store
        pool.shutdown(wait=not pending)


def _take(stream: Iterator[RawMail], chunk: int) -> list[RawMail]:
    """The next chunk: up to `chunk` messages and CHUNK_BYTES (at least one message)."""
    batch: list[RawMail] = []
    size = 0
    for raw in stream:
        batch.append(raw)
        size += len(raw.data) if isinstance(raw.data, bytes) else 0
        if len(batch) >= chunk or size >= CHUNK_BYTES:
            break
    return batch


class _Pool:
    """A process pool that can be rebuilt after a worker died."""

    def __init__(self, workers: int, process: Process | None) -> None:
        self.workers, self.process = workers, process
        self.executor = pool_executor(workers)

    def submit(self, batch: list[RawMail]) -> Future:
        return self.executor.submit(process_many, self.process, batch)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = pool_executor(self.workers)

    def isolate(self, batch: list[RawMail]) -> Iterator[MessageRecord]:
        """Each message of `batch` alone; the one a worker dies on is recorded."""
        for raw in batch:
            try:
                yield from self.submit([raw]).result()
            except BrokenProcessPool:
                yield crash_record(raw, WORKER_DIED)
                self.restart()

    def shutdown(self, wait: bool) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=True)


def process_paths(paths: Iterable[Path], workers: int | None = None) -> Iterator[MessageRecord]:
    """Records for every message under `paths`, in order (SourceError up front for a
    missing path; a path that holds no mail becomes one record with `error` set).

    What `darkpool parse` prints and `darkpool import` stores; nothing here
    touches the store, so `parse` never loads SQLAlchemy.
    """
    from tracker.mail.files import iter_raw_mail

    yield from process_stream(iter_raw_mail(list(paths)), workers)
