"""Files on disk -> the store: sources, pipeline and idempotent batched saves.

Memory stays bounded: messages are streamed from the sources, processed on
every core a few chunks at a time (tracker.mail.workers), and only the small
records of the batch in flight are held. Each
batch is one transaction, so an interrupted import keeps every batch before
it and a rerun skips them as duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from tracker.db.engine import session_factory
from tracker.db.store import save_records
from tracker.labels import progress_bar
from tracker.mail.workers import process_paths
from tracker.records import MessageRecord

MAX_SAMPLES = 5


@dataclass
class ImportSummary:
    """What one import did. `errors` counts messages of this run that failed to
    parse (stored or already stored) or that the store refused (not stored);
    `samples` holds a few of them as "source: error" for the user."""

    seen: int = 0
    new: int = 0
    duplicate: int = 0
    errors: int = 0
    sources: int = 0
    samples: list[str] = field(default_factory=list)

    @property
    def nothing_usable(self) -> bool:
        """True when every message failed: the run did nothing useful."""
        return self.seen > 0 and self.errors == self.seen

    def line(self) -> str:
        """'Imported 1,204 messages from 3 sources: 1,150 new, 50 duplicates, 4 errors.'"""
        return (
            f"Imported {self.seen:,} {_plural(self.seen, 'message')} from "
            f"{self.sources:,} {_plural(self.sources, 'source')}: {self.new:,} new, "
            f"{self.duplicate:,} {_plural(self.duplicate, 'duplicate')}, "
            f"{self.errors:,} {_plural(self.errors, 'error')}."
        )


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def import_paths(
    engine: Engine,
    paths: Iterable[Path],
    contributor: str,
    batch_size: int = 500,
    progress: bool | None = None,
    workers: int | None = None,
) -> ImportSummary:
    """Import mail files into the store; idempotent (Message-ID, else content hash).

    Raises SourceError before storing anything when a path is missing; a
    path that holds no mail is recorded as an error and the run goes on.
    `progress` None means: a bar on stderr only if it is a TTY.
    """
    paths = [Path(p) for p in paths]
    summary = ImportSummary(sources=len(paths))
    factory = session_factory(engine)
    batch: list[MessageRecord] = []
    with progress_bar("Importing", " msg", enabled=progress) as bar:
        for record in process_paths(paths, workers):
            _count(summary, record)
            batch.append(record)
            bar.update(1)
            if len(batch) >= batch_size:
                _save(factory, batch, contributor, summary)
                batch = []
        if batch:
            _save(factory, batch, contributor, summary)
    return summary


def _count(summary: ImportSummary, record: MessageRecord) -> None:
    summary.seen += 1
    if record.error:
        summary.errors += 1
        if len(summary.samples) < MAX_SAMPLES:
            summary.samples.append(f"{record.source}: {record.error}")


def _save(factory, batch: list[MessageRecord], contributor: str, summary: ImportSummary) -> None:
    """Commit one batch; a message the store refused is counted as an error and shown."""
    with factory.begin() as session:
        counts = save_records(session, batch, contributor)
    summary.new += counts.new
    summary.duplicate += counts.duplicate
    failed_to_parse = {rec.key for rec in batch if rec.error}
    for refused in counts.refused:
        summary.errors += refused.key not in failed_to_parse  # counted once per message
        if len(summary.samples) < MAX_SAMPLES:
            summary.samples.append(f"{refused.source}: not stored: {refused.error}")
