"""`darkpool sync`: incremental, resumable, read-only IMAP import.

Per account and folder, `sync_state` keeps UIDVALIDITY and the highest UID
done; it is written in the same transaction as the messages of each batch,
so a crash or a dropped connection loses at most the batch in flight and the
next attempt (or run) resumes there. A folder with nothing new costs one
STATUS command. Headers come first; bodies are downloaded only for mail that
looks commercial (`tracker.mail.imap.triage`), unless `download_all`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tracker.db.models import Retailer, SyncProblem, SyncState
from tracker.db.store import dialect_insert, save_records
from tracker.errors import ConnectionLost
from tracker.labels import progress_bar
from tracker.mail.imap.accounts import Account, remember_account
from tracker.mail.imap.client import (
    DEFAULT_PORTS,
    HeaderInfo,
    ImapSession,
)
from tracker.mail.imap.triage import looks_commercial
from tracker.mail.workers import (
    InlineExecutor,
    default_workers,
    make_executor,
    process_many,
    split,
)
from tracker.records import MessageRecord, RawMail

Process = Callable[[RawMail], MessageRecord]
# a batch in the pipeline: uidvalidity, cursor, uids, futures, problems, message count
_Pending = tuple[int, int, list[int], list[Future[list[MessageRecord]]], dict[int, str], int]


@dataclass
class SyncOptions:
    """How to sync; the defaults suit a real mailbox over the internet."""

    download_all: bool = False
    batch_count: int = 250  # bodies per FETCH ...
    batch_bytes: int = 16 << 20  # ... and at most this many bytes of them
    header_chunk: int = 2000  # UIDs per header FETCH
    retries: int = 5  # reconnects in a row without progress before giving up
    backoff: float = 1.0  # first wait; doubles each time
    timeout: float = 60.0
    progress: bool | None = False  # None: a bar when stderr is a terminal
    process: Process | None = None  # default: tracker.mail.pipeline.process_mail
    workers: int = field(default_factory=default_workers)  # processes for the pipeline ...
    pool_threshold: int = 500  # ... when at least this many messages are new
    after_batch: Callable[[str, int], None] | None = None  # (folder, last_uid) committed


@dataclass
class SyncSummary:
    """What one sync did; `commands` counts IMAP commands sent, by name."""

    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    skipped: int = 0
    errors: int = 0
    reconnects: int = 0
    folders: int = 0
    commands: Counter[str] = field(default_factory=Counter)

    def add(self, other: SyncSummary) -> None:
        for name in ("fetched", "new", "duplicate", "skipped", "errors", "reconnects", "folders"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.commands.update(other.commands)


# -- syncing ------------------------------------------------------------------
def sync_account(
    factory: sessionmaker[Session], account: Account, password: str, options: SyncOptions
) -> SyncSummary:
    """Remember `account` and sync each of its folders; raises AuthError/SyncError."""
    with factory.begin() as session:
        account_id = remember_account(session, account)
        known = frozenset(session.scalars(select(Retailer.domain)))
    summary = SyncSummary()
    for folder in account.folders:
        job = _FolderJob(factory, account, account_id, folder, password, options, known)
        summary.add(job.run())
    return summary


class _FolderJob:
    """One folder: connect, resume from the stored cursor, reconnect on drops."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        account: Account,
        account_id: int,
        folder: str,
        password: str,
        options: SyncOptions,
        known: frozenset[str],
    ) -> None:
        self.factory, self.account, self.account_id = factory, account, account_id
        self.folder, self.password, self.options, self.known = folder, password, options, known
        self.summary = SyncSummary(folders=1)
        self.progress: Any = None  # a progress_bar
        self.pool: Executor | None = None
        self.parts = 1
        self.pending: _Pending | None = None  # the batch handed to the pipeline, not yet stored

    def run(self) -> SyncSummary:
        failures = 0
        try:
            while True:
                before = self._cursor()
                try:
                    self._attempt()
                    return self.summary
                except ConnectionLost:
                    failures = 0 if self._cursor() != before else failures
                    failures += 1
                    if failures > self.options.retries:
                        raise
                    self.summary.reconnects += 1
                    time.sleep(self.options.backoff * 2 ** (failures - 1))
        finally:
            if self.progress is not None:
                self.progress.close()

    def _cursor(self) -> tuple[int | None, int]:
        with self.factory.begin() as session:
            state = _load_state(session, self.account_id, self.folder)
        return (state.uidvalidity, state.last_uid) if state else (None, 0)

    def _attempt(self) -> None:
        uidvalidity, last_uid = self._cursor()
        server = self.account.server(self.options.timeout)
        session = ImapSession(server, self.password)
        try:
            self._sync(session, uidvalidity, last_uid)
        finally:
            self.summary.commands.update(session.commands)
            session.close()

    def _sync(self, imap: ImapSession, uidvalidity: int | None, last_uid: int) -> None:
        status = imap.status(self.folder)
        if status.uidvalidity == uidvalidity and status.uidnext and status.uidnext - 1 <= last_uid:
            return  # nothing new: one STATUS, nothing selected or fetched
        selected = imap.select(self.folder)
        if selected.uidvalidity != uidvalidity:
            last_uid = 0  # UIDs were renumbered: rescan; the store drops duplicates
        uids = imap.search_after(last_uid, self.account.since)
        self._start_progress(len(uids))
        opts = self.options
        with make_executor(opts.process, opts.workers, len(uids), opts.pool_threshold) as pool:
            self.pool, self.parts = pool, 1 if isinstance(pool, InlineExecutor) else opts.workers
            try:
                for start in range(0, len(uids), opts.header_chunk):
                    chunk = uids[start : start + opts.header_chunk]
                    last_uid = self._headers_chunk(imap, selected.uidvalidity, chunk)
            except ConnectionLost:
                self._finish()  # what was downloaded before the drop is kept
                raise
            self._finish()
        self._commit(selected.uidvalidity, max(last_uid, (selected.uidnext or 1) - 1), [], {})

    def _headers_chunk(self, imap: ImapSession, uidvalidity: int, uids: Sequence[int]) -> int:
        """Triage `uids` by headers, download and store the commercial ones in batches."""
        infos = {h.uid: h for h in imap.fetch_headers(uids)}
        batch: list[HeaderInfo] = []
        size = 0
        for uid in uids:
            info = infos.get(uid)
            if info is None:  # expunged since SEARCH
                self._advance(1)
                continue
            if not self.options.download_all and not looks_commercial(info.headers, self.known):
                self.summary.skipped += 1
                self._advance(1)
                continue
            batch.append(info)
            size += info.size
            if len(batch) >= self.options.batch_count or size >= self.options.batch_bytes:
                self._bodies(imap, uidvalidity, batch, uid)
                batch, size = [], 0
        self._bodies(imap, uidvalidity, batch, uids[-1])
        return uids[-1]

    def _bodies(
        self, imap: ImapSession, uidvalidity: int, batch: list[HeaderInfo], cursor: int
    ) -> None:
        """Fetch one batch and hand it to the pipeline; then store the previous batch.

        Batches are committed strictly in order, so the cursor never passes
        a message that is not stored; while the pool parses this batch, the
        caller already fetches the next.
        """
        assert self.pool is not None  # _sync sets the pool before the first batch
        got = imap.fetch_bodies([h.uid for h in batch]) if batch else None
        uids: list[int] = []
        raws: list[RawMail] = []
        for info in batch:
            data = got.bodies.get(info.uid) if got else None
            if data is not None:
                uids.append(info.uid)
                raws.append(RawMail(self._source(uidvalidity, info.uid), data, info.internaldate))
        self.summary.fetched += len(raws)
        parts = split(raws, self.parts)
        futures = [self.pool.submit(process_many, self.options.process, part) for part in parts]
        refused = dict(got.refused) if got else {}
        previous, self.pending = (
            self.pending,
            (uidvalidity, cursor, uids, futures, refused, len(batch)),
        )
        if previous is not None:
            self._store(previous)

    def _finish(self) -> None:
        previous, self.pending = self.pending, None
        if previous is not None:
            self._store(previous)

    def _store(self, pending: _Pending) -> None:
        uidvalidity, cursor, uids, futures, problems, count = pending
        records = [rec for future in futures for rec in future.result()]
        kept = []
        for uid, record in zip(uids, records, strict=True):
            if record.error:
                problems[uid] = f"parse: {record.error}"
            else:
                kept.append(record)
        self._commit(uidvalidity, cursor, kept, problems)
        self._advance(count)

    def _commit(
        self, uidvalidity: int, cursor: int, records: list[MessageRecord], problems: dict[int, str]
    ) -> None:
        with self.factory.begin() as session:
            counts = save_records(session, records, self.account.contributor)
            _save_problems(session, self.account_id, self.folder, uidvalidity, problems)
            _save_state(session, self.account_id, self.folder, uidvalidity, cursor)
        self.summary.new += counts.new
        self.summary.duplicate += counts.duplicate
        self.summary.errors += len(problems)
        if self.options.after_batch is not None:
            self.options.after_batch(self.folder, cursor)

    def _source(self, uidvalidity: int, uid: int) -> str:
        acc = self.account
        server = acc.server()
        default = server.effective_port == DEFAULT_PORTS[acc.security]
        port = "" if default else f":{server.effective_port}"
        return (
            f"imap://{quote(acc.user, safe='')}@{acc.host}{port}/{quote(self.folder)}"
            f";UIDVALIDITY={uidvalidity};UID={uid}"
        )

    def _start_progress(self, total: int) -> None:
        if self.progress is not None:  # a reconnect: keep the bar, reset the count
            self.progress.reset(total=total)
            return
        self.progress = progress_bar(self.folder, "msg", total=total, enabled=self.options.progress)

    def _advance(self, n: int) -> None:
        if self.progress is not None and n:
            self.progress.update(n)


# -- state rows ---------------------------------------------------------------
def _load_state(session: Session, account_id: int, folder: str) -> SyncState | None:
    return session.scalars(
        select(SyncState).where(SyncState.account_id == account_id, SyncState.folder == folder)
    ).first()


def _save_state(
    session: Session, account_id: int, folder: str, uidvalidity: int, last_uid: int
) -> None:
    stmt = dialect_insert(session, SyncState.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "folder"],
        set_={k: stmt.excluded[k] for k in ("uidvalidity", "last_uid", "updated_at")},
    )
    session.execute(
        stmt,
        {
            "account_id": account_id,
            "folder": folder,
            "uidvalidity": uidvalidity,
            "last_uid": last_uid,
            "updated_at": datetime.now(UTC),
        },
    )


def _save_problems(
    session: Session, account_id: int, folder: str, uidvalidity: int, problems: dict[int, str]
) -> None:
    if not problems:
        return
    stmt = dialect_insert(session, SyncProblem.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "folder", "uidvalidity", "uid"],
        set_={"error": stmt.excluded.error, "created_at": stmt.excluded.created_at},
    )
    now = datetime.now(UTC)
    session.execute(
        stmt,
        [
            {
                "account_id": account_id,
                "folder": folder,
                "uidvalidity": uidvalidity,
                "uid": uid,
                "error": error[:2000],
                "created_at": now,
            }
            for uid, error in sorted(problems.items())
        ],
    )
