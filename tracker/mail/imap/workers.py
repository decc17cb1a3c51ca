"""Moved to `tracker.mail.workers` (import uses the same pool); kept until sync imports it there."""

from tracker.mail.workers import (  # noqa: F401
    PIPELINE_MODULE,
    InlineExecutor,
    Process,
    default_workers,
    make_executor,
    process_many,
    split,
)
