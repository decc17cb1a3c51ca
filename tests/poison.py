"""A pipeline for the worker-pool tests: a message whose source names it poison kills
the process it runs in, as a crash in C code or the out-of-memory killer would."""

from __future__ import annotations

import os

from tracker.mail.pipeline import process_mail
from tracker.records import MessageRecord, RawMail


def deadly(raw: RawMail) -> MessageRecord:
    if raw.source.startswith("poison") and os.environ.get("DARKPOOL_POOL_OWNER") != str(
        os.getpid()
    ):
        os._exit(9)  # only in a worker: the owning process runs the first messages itself
    return process_mail(raw)
