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
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session, sessionmaker

from tracker.db.store import save_records
from tracker.errors import ConnectionLost
from tracker.labels import progress_bar
from tracker.mail.imap.accounts import Account, remember_account
from tracker.mail.imap.client import (
    DEFAULT_PORTS,
    FolderStatus,
    HeaderInfo,
    ImapSession,
    ServerConfig,
)
from tracker.mail.imap.folders import needs_listing, resolve_folder
from tracker.mail.imap.state import load_cursor, save_problems, save_state
from tracker.mail.workers import (
    InlineExecutor,
    default_workers,
    make_executor,
    process_many,
    split,
)
from tracker.records import MessageRecord, RawMail

Process = Callable[[RawMail], MessageRecord]


@dataclass
class _Pending:
    """A batch handed to the pipeline, not yet stored."""

    uidvalidity: int
    cursor: int
    uids: list[int]
    futures: list[Future[list[MessageRecord]]]
    problems: dict[int, str]
    count: int  # messages the batch covers (downloaded and skipped)
    skipped: int  # of those, left on the server by triage


@dataclass
class SyncOptions:
    """How to sync; the defaults suit a real mailbox over the internet."""

    download_all: bool = False
    batch_count: int = 250  # bodies per FETCH ...
    batch_bytes: int = 16 << 20  # ... and at most this many bytes of them
    header_chunk: int = 2000  # UIDs per header FETCH
    retries: int = 5  # reconnects in a row without progress before giving up
    backoff: float = 1.0  # first wait; doubles each time
    timeout: float = 60.0  # per command, plus SECONDS_PER_MESSAGE of the folder
    progress: bool | None = False  # None: a bar when stderr is a terminal
    process: Process | None = None  # default: tracker.mail.pipeline.process_mail
    workers: int = field(default_factory=default_workers)  # processes for the pipeline ...
    pool_threshold: int = 500  # ... when at least this many messages are new
    after_batch: Callable[[str, int], None] | None = None  # (folder, last_uid) committed
    uid_listing: str = "fetch"  # or "search": UID SEARCH, to compare servers (bench/)


@dataclass
class SyncSummary:
    """What one sync did; `commands` counts IMAP commands sent, by name.

    `failures` holds one line per folder whose sync could not be trusted (a
    server that lists fewer UIDs than it has messages, or renumbers on every
    open); the CLI prints them and exits non-zero.
    """

    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    skipped: int = 0
    errors: int = 0
    reconnects: int = 0
    folders: int = 0
    commands: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, other: SyncSummary) -> None:
        for name in ("fetched", "new", "duplicate", "skipped", "errors", "reconnects", "folders"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.commands.update(other.commands)
        self.failures += other.failures


class _Connection:
    """The account's one connection, shared by its folders; made again after a drop."""

    def __init__(self, server: ServerConfig, secret: str) -> None:
        self.server, self._secret = server, secret
        self.session: ImapSession | None = None
        self.commands: Counter[str] = Counter()

    def get(self) -> ImapSession:
        if self.session is None:
            self.session = ImapSession(self.server, self._secret)
        return self.session

    def drop(self) -> None:
        """Close the session (politely when it still answers) and keep its command counts."""
        if self.session is not None:
            self.commands.update(self.session.commands)
            self.session.close()
            self.session = None


# -- syncing ------------------------------------------------------------------
def sync_account(
    factory: sessionmaker[Session], account: Account, password: str, options: SyncOptions
) -> SyncSummary:
    """Remember `account` and sync each of its folders over one connection.

    `password` is the password, or the access token when `account.auth` is
    "oauth2". Raises AuthError/SyncError; folders that synced but cannot be
    trusted are listed in `failures`.
    """
    with factory.begin() as session:
        account_id = remember_account(session, account)
    summary = SyncSummary()
    connection = _Connection(account.server(options.timeout), password)
    try:
        for folder in _server_folders(connection, account.folders, options.retries):
            job = _FolderJob(factory, account, account_id, folder, connection, options)
            summary.add(job.run())
    finally:
        connection.drop()
        summary.commands.update(connection.commands)
    return summary


def _server_folders(connection: _Connection, typed: Sequence[str], retries: int) -> list[str]:
    """The server's names for the folders as typed; LIST only when a name needs it."""
    if not any(needs_listing(name) for name in typed):
        return list(typed)
    for attempt in range(retries + 1):
        try:
            listed = connection.get().list_folders()
            break
        except ConnectionLost:
            connection.drop()
            if attempt == retries:
                raise
    return [resolve_folder(name, listed) for name in typed]


class _FolderJob:
    """One folder: resume from the stored cursor, reconnect on drops."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        account: Account,
        account_id: int,
        folder: str,
        connection: _Connection,
        options: SyncOptions,
    ) -> None:
        self.factory, self.account, self.account_id = factory, account, account_id
        self.folder, self.connection, self.options = folder, connection, options
        self.summary = SyncSummary(folders=1)
        self.progress: Any = None  # a progress_bar
        self.pool: Executor | None = None
        self.parts = 1
        self.pending: _Pending | None = None
        self.skipped = 0  # skipped by triage since the last batch was handed on ...
        self.passed = 0  # ... and all messages passed over (skipped, expunged, too old)

    def run(self) -> SyncSummary:
        failures = 0
        try:
            while True:
                before = self._cursor()
                try:
                    self._sync(self.connection.get(), *before)
                    return self.summary
                except ConnectionLost:
                    self.connection.drop()
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
            return load_cursor(session, self.account_id, self.folder)

    def _sync(self, imap: ImapSession, uidvalidity: int | None, last_uid: int) -> None:
        status = imap.status(self.folder)
        if status.uidvalidity == uidvalidity and status.uidnext and status.uidnext - 1 <= last_uid:
            return  # nothing new: one STATUS, nothing selected or fetched
        selected = imap.select(self.folder)
        uidnext = selected.uidnext or status.uidnext  # Courier's EXAMINE has no UIDNEXT
        messages = selected.messages if selected.messages is not None else status.messages or 0
        rescan = selected.uidvalidity != uidvalidity
        if rescan:
            last_uid = 0  # UIDs were renumbered: rescan; the store drops duplicates
        imap.scale_timeout(messages)
        try:
            uids = self._list_uids(imap, last_uid, messages)
            if last_uid == 0 and len(uids) < messages:  # more: mail arrived meanwhile
                self.summary.failures.append(
                    f"{self.folder}: the server listed {len(uids)} UIDs for {messages} messages; "
                    "nothing past the stored cursor was trusted, rerun or report the server"
                )
                return  # the cursor stays where it was
            self._download(imap, selected.uidvalidity, uids)
            cursor = max([last_uid, *uids[-1:], (uidnext or 1) - 1])
            self._commit(selected.uidvalidity, cursor, [], {})
            self._check_stable(imap, selected, uidnext)
            if rescan and uidvalidity is not None and uids and self.summary.new == 0:
                self._report_renumbered(uidvalidity, selected.uidvalidity)
        finally:
            imap.scale_timeout(0)

    def _list_uids(self, imap: ImapSession, last_uid: int, messages: int) -> list[int]:
        if self.options.uid_listing == "search":
            return imap.search_after(last_uid)
        return imap.list_uids(last_uid, messages)

    def _check_stable(self, imap: ImapSession, selected: FolderStatus, uidnext: int | None) -> None:
        """Does the folder keep its UIDs? One more STATUS, only when something was new.

        GNU Mailutils renumbers mail that no client has opened read-write each
        time the folder is opened, sometimes under the same UIDVALIDITY: every
        sync would read the whole folder again without a word, and new mail
        could take a UID below the cursor. Its UIDNEXT moves while the count
        stays; on a sane server both stay unless mail arrives.
        """
        again = imap.status(self.folder)
        renumbered = again.uidnext != uidnext and again.messages == selected.messages
        if again.uidvalidity != selected.uidvalidity or (uidnext is not None and renumbered):
            self.summary.failures.append(
                f"{self.folder}: the server renumbers the folder each time it is opened "
                f"(UIDVALIDITY {selected.uidvalidity} -> {again.uidvalidity}, UIDNEXT "
                f"{uidnext} -> {again.uidnext}); every sync re-reads it (duplicates are "
                "dropped). Open the folder once in a mail client (read-write), or fix the server"
            )

    def _report_renumbered(self, before: int, now: int) -> None:
        """A new UIDVALIDITY, and a rescan that found nothing new: say so, once a folder.

        Courier and Mailutils renumber a folder no mail client has opened
        read-write at every read-only open, and within one second under the
        same UIDVALIDITY, which `_check_stable` cannot see.
        """
        if not any(line.startswith(f"{self.folder}: ") for line in self.summary.failures):
            self.summary.failures.append(
                f"{self.folder}: the server renumbers the folder each time it is opened "
                f"(UIDVALIDITY {before} -> {now}, nothing new in the rescan); every sync "
                "re-reads it (duplicates are dropped). Open the folder once in a mail "
                "client (read-write), or fix the server"
            )

    def _download(self, imap: ImapSession, uidvalidity: int, uids: list[int]) -> None:
        self._start_progress(len(uids))
        opts = self.options
        with make_executor(opts.process, opts.workers, len(uids), opts.pool_threshold) as pool:
            self.pool, self.parts = pool, 1 if isinstance(pool, InlineExecutor) else opts.workers
            try:
                for start in range(0, len(uids), opts.header_chunk):
                    chunk = uids[start : start + opts.header_chunk]
                    self._headers_chunk(imap, uidvalidity, chunk)
            except ConnectionLost:
                self._finish()  # what was downloaded before the drop is kept
                raise
            self._finish()

    def _headers_chunk(self, imap: ImapSession, uidvalidity: int, uids: Sequence[int]) -> None:
        """Triage `uids` by headers, download and store the commercial ones in batches.

        Triage reads the headers alone, never the store: what a sync keeps
        does not depend on what earlier (or interrupted) syncs happened to
        store. Mail received before --since is passed over (INTERNALDATE).
        """
        from tracker.mail.imap.triage import looks_commercial  # not needed when nothing is new

        infos = {h.uid: h for h in imap.fetch_headers(uids)}
        batch: list[HeaderInfo] = []
        size = 0
        since = self.account.since
        for uid in uids:
            info = infos.get(uid)
            if info is None or (since and info.internaldate and info.internaldate.date() < since):
                self._pass_over(False)  # expunged since the UID list, or too old
                continue
            if not self.options.download_all and not looks_commercial(info.headers, frozenset()):
                self._pass_over(True)
                continue
            batch.append(info)
            size += info.size
            if len(batch) >= self.options.batch_count or size >= self.options.batch_bytes:
                self._bodies(imap, uidvalidity, batch, uid)
                batch, size = [], 0
        self._bodies(imap, uidvalidity, batch, uids[-1])

    def _pass_over(self, skipped: bool) -> None:
        """Count a message left on the server; it is committed with the next batch."""
        self.skipped += skipped
        self.passed += 1

    def _bodies(
        self, imap: ImapSession, uidvalidity: int, batch: list[HeaderInfo], cursor: int
    ) -> None:
        """Fetch one batch and hand it to the pipeline; then store the previous batch.

        Batches are committed strictly in order, so the cursor never passes
        a message that is not stored; while the pool parses this batch, the
        caller already fetches the next. Counts are added when a batch is
        committed, so a reconnect that repeats a batch does not count it twice.
        """
        assert self.pool is not None  # _download sets the pool before the first batch
        got = imap.fetch_bodies([h.uid for h in batch]) if batch else None
        uids: list[int] = []
        raws: list[RawMail] = []
        for info in batch:
            data = got.bodies.get(info.uid) if got else None
            if data is not None:
                uids.append(info.uid)
                raws.append(RawMail(self._source(uidvalidity, info.uid), data, info.internaldate))
        parts = split(raws, self.parts)
        futures = [self.pool.submit(process_many, self.options.process, part) for part in parts]
        refused = dict(got.refused) if got else {}
        count = len(batch) + self.passed
        previous, self.pending = (
            self.pending,
            _Pending(uidvalidity, cursor, uids, futures, refused, count, self.skipped),
        )
        self.skipped = self.passed = 0
        if previous is not None:
            self._store(previous)

    def _finish(self) -> None:
        previous, self.pending = self.pending, None
        self.skipped = self.passed = 0  # passed over after the last batch: seen again next time
        if previous is not None:
            self._store(previous)

    def _store(self, pending: _Pending) -> None:
        records = [rec for future in pending.futures for rec in future.result()]
        kept = []
        problems = pending.problems
        for uid, record in zip(pending.uids, records, strict=True):
            if record.error:
                problems[uid] = f"parse: {record.error}"
            else:
                kept.append(record)
        self._commit(pending.uidvalidity, pending.cursor, kept, problems)
        self.summary.fetched += len(records)
        self.summary.skipped += pending.skipped
        self._advance(pending.count)

    def _commit(
        self, uidvalidity: int, cursor: int, records: list[MessageRecord], problems: dict[int, str]
    ) -> None:
        with self.factory.begin() as session:
            counts = save_records(session, records, self.account.contributor)
            if counts.refused:  # kept as error rows by the store: a problem of that UID too
                uid_of = {record.source: _uid_in(record.source) for record in records}
                for refused in counts.refused:
                    uid = uid_of.get(refused.source)
                    if uid is not None:
                        problems[uid] = f"store: {refused.error}"
            save_problems(session, self.account_id, self.folder, uidvalidity, problems)
            save_state(session, self.account_id, self.folder, uidvalidity, cursor)
        self.summary.new += counts.new
        self.summary.duplicate += counts.duplicate
        self.summary.errors += len(problems)
        if self.options.after_batch is not None:
            self.options.after_batch(self.folder, cursor)

    def _source(self, uidvalidity: int, uid: int) -> str:  # _uid_in reads it back
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


def _uid_in(source: str) -> int | None:
    """The UID at the end of a source made by `_FolderJob._source` (";UID=123")."""
    head, _, uid = source.rpartition(";UID=")
    return int(uid) if head and uid.isdigit() else None
