"""`darkpool import` on every core stores exactly what a one-process import stores.

Both stores are built by the migrations, on SQLite and on PostgreSQL; the
mailbox is long enough for the pool to start (tracker.mail.workers), mixes the
labelled corpus with generated mail, and holds messages that fail to parse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mailmaker import mbox, message, write
from paths import FIXTURES
from sqlalchemy import select

from tracker.db.engine import init_store, make_engine, session_factory
from tracker.db.models import Message, Offer
from tracker.mail.importing import import_paths
from tracker.mail.workers import process_stream
from tracker.records import RawMail


def _mailbox(tmp_path: Path) -> Path:
    labelled = [p.read_bytes() for p in sorted((FIXTURES / "mail").glob("*.eml"))]
    made = [
        message(i, subject=f"Still in your cart {i}", body=f"{i % 30}% off with code BACK{i}")
        for i in range(600)
    ]
    broken = [b"\x00\xff not a message", b"From: x\n\n"]
    return write(tmp_path / "mixed.mbox", mbox([*labelled, *made, *broken]))


def _stored(url: str) -> list[tuple]:
    engine = make_engine(url)
    with session_factory(engine).begin() as s:
        msgs = Message.__table__
        skip = {"id", "imported_at"}
        columns = [c for c in msgs.c if c.name not in skip]
        rows = [tuple(r) for r in s.execute(select(*columns).order_by(msgs.c.key))]
        offers = Offer.__table__
        offer_columns = [c for c in offers.c if c.name not in {"id", "message_pk"}]
        rows += [tuple(r) for r in s.execute(select(*offer_columns).order_by(*offer_columns))]
    engine.dispose()
    return rows


@pytest.fixture
def second_url(request, any_db_url: str, tmp_path: Path) -> str:
    if any_db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite'}"
    return request.getfixturevalue("postgres").new_database()


def test_pool_import_stores_what_a_single_process_import_stores(any_db_url, second_url, tmp_path):
    box = _mailbox(tmp_path)
    summaries = []
    for url, workers in ((any_db_url, 1), (second_url, 2)):
        engine = make_engine(url)
        init_store(engine)
        summaries.append(import_paths(engine, [box], "alice", batch_size=97, workers=workers))
        engine.dispose()
    inline, pooled = summaries
    assert inline.seen == pooled.seen > 600
    assert (inline.new, inline.duplicate, inline.errors) == (
        pooled.new,
        pooled.duplicate,
        pooled.errors,
    )
    assert _stored(any_db_url) == _stored(second_url)


def test_a_message_that_kills_its_worker_is_recorded_and_the_run_goes_on(monkeypatch):
    """A worker dying (segfault, OOM kill) breaks the whole pool: its chunks run again
    one message at a time, the message it dies on is recorded, everything else is kept."""
    import os

    from poison import deadly

    monkeypatch.setenv("DARKPOOL_POOL_OWNER", str(os.getpid()))
    raws = [RawMail(f"m{i}", message(i)) for i in range(300)]
    raws.insert(150, RawMail("poison", message(999)))
    records = list(process_stream(raws, workers=2, chunk=10, inline_first=20, process=deadly))
    assert [r.source for r in records] == [r.source for r in raws]
    errors = {r.source: r.error for r in records if r.error}
    assert list(errors) == ["poison"] and "worker process died" in errors["poison"]
    assert records[150].key.startswith("sha256:")  # keyed by its bytes, not ""


def test_chunks_are_bounded_by_size_as_well_as_count():
    from tracker.mail import workers

    big = [RawMail(f"b{i}", b"x" * (workers.CHUNK_BYTES // 3 + 1)) for i in range(10)]
    stream = iter(big)
    sizes = []
    while chunk := workers._take(stream, 32):
        sizes.append(len(chunk))
    assert sizes == [3, 3, 3, 1]


def test_records_come_back_in_input_order_and_crashes_are_records():
    raws = [RawMail(f"m{i}", message(i)) for i in range(400)]
    raws.insert(300, RawMail("bad", None))  # type: ignore[arg-type]  # crashes the pipeline
    records = list(process_stream(raws, workers=2, chunk=7, inline_first=50))
    assert [r.source for r in records] == [r.source for r in raws]
    (bad,) = [r for r in records if r.source == "bad"]
    assert bad.error
