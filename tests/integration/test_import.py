"""import_paths into a real store built by the migrations: idempotence, batches, errors.

Every test runs on SQLite and on PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mailmaker import mbox, message, write
from sqlalchemy import select
from storefaults import POISON, refuse_poison

from tracker.db.engine import session_factory
from tracker.db.models import Message
from tracker.errors import SourceError
from tracker.mail import importing
from tracker.mail.importing import import_paths


def rows(engine) -> list:
    """Every stored message as a full row (including imported_at)."""
    with session_factory(engine).begin() as s:
        table = Message.__table__
        return list(s.execute(select(table).order_by(table.c.key)))


def test_reimport_is_idempotent(engine, tmp_path: Path):
    box = write(tmp_path / "a.mbox", mbox([message(i) for i in range(12)]))
    one = write(tmp_path / "copy.eml", message(3, extra_headers="Received: from elsewhere"))
    first = import_paths(engine, [box, one], "alice", batch_size=5)
    before = rows(engine)
    second = import_paths(engine, [box, one], "alice", batch_size=5)
    assert (first.seen, first.new, first.duplicate, first.errors) == (13, 12, 1, 0)
    assert (second.seen, second.new, second.duplicate) == (13, 0, 13)
    assert rows(engine) == before  # same rows, not even imported_at touched
    assert first.line() == "Imported 13 messages from 2 sources: 12 new, 1 duplicate, 0 errors."


def test_same_content_without_message_id_is_stored_once(engine, tmp_path: Path):
    a = message(1, message_id=None, extra_headers="Received: from mx1.example")
    b = message(1, message_id=None, extra_headers="Received: from mx2.example").replace(
        b"\n", b"\r\n"
    )
    write(tmp_path / "in" / "a.eml", a)
    write(tmp_path / "in" / "b.eml", b)
    summary = import_paths(engine, [tmp_path / "in"], "me")
    assert (summary.new, summary.duplicate) == (1, 1)
    (row,) = rows(engine)
    assert row.key.startswith("sha256:") and row.message_id is None


def test_thousands_of_messages_in_batches(engine, tmp_path: Path):
    msgs = [message(i, subject=f"Reminder {i}") for i in range(2500)]
    box = write(tmp_path / "big.mbox", mbox(msgs))
    summary = import_paths(engine, [box], "me", batch_size=400)
    assert (summary.seen, summary.new, summary.errors) == (2500, 2500, 0)
    stored = rows(engine)
    assert len(stored) == 2500
    assert {r.source for r in stored} == {f"{box}#{i}" for i in range(1, 2501)}


def test_broken_and_truncated_messages_are_stored_as_errors(engine, tmp_path: Path):
    data = mbox([message(1)]) + b"From x@y Thu Nov 20 14:03:00 2026\n\x00\x01junk\n\n"
    data += mbox([message(3), message(4)])
    box = write(tmp_path / "bad.mbox", data[:-40])
    summary = import_paths(engine, [box], "me")
    assert (summary.seen, summary.new, summary.errors) == (4, 4, 2)
    by_source = {r.source: r for r in rows(engine)}
    assert by_source[f"{box}#2"].error == "binary data, not a mail message"
    assert "truncated" in by_source[f"{box}#4"].error
    assert by_source[f"{box}#1"].error is None and by_source[f"{box}#3"].error is None
    assert summary.samples[0].startswith(f"{box}#2: ")
    again = import_paths(engine, [box], "me")
    assert (again.new, again.duplicate, again.errors) == (0, 4, 2)


def test_a_crash_keeps_the_committed_batches_and_a_rerun_resumes(
    engine, tmp_path: Path, monkeypatch
):
    box = write(tmp_path / "a.mbox", mbox([message(i) for i in range(30)]))
    real = importing.process_paths

    def crashing(paths, workers=None):
        for n, record in enumerate(real(paths, workers)):
            if n == 25:
                raise KeyboardInterrupt
            yield record

    monkeypatch.setattr(importing, "process_paths", crashing)
    with pytest.raises(KeyboardInterrupt):
        import_paths(engine, [box], "me", batch_size=10)
    assert len(rows(engine)) == 20  # two whole batches; the third rolled back
    monkeypatch.setattr(importing, "process_paths", real)
    summary = import_paths(engine, [box], "me", batch_size=10)
    assert (summary.new, summary.duplicate) == (10, 20)


def test_bad_paths_store_nothing(engine, tmp_path: Path):
    good = write(tmp_path / "good.eml", message(1))
    with pytest.raises(SourceError, match="no such file"):
        import_paths(engine, [good, tmp_path / "nope"], "me")
    assert rows(engine) == []


def test_understanding_is_stored(engine, tmp_path: Path):
    write(tmp_path / "cart.eml", message(1))
    import_paths(engine, [tmp_path / "cart.eml"], "me")
    (row,) = rows(engine)
    assert row.sender_domain == "e.levi.com"
    assert row.subject == "Your cart is waiting"
    assert row.kind in (
        "abandoned_cart",
        "browse_abandonment",
        "promotion",
        "transactional",
        "other",
    )
    assert row.contributor == "me" and row.error is None


def hostile_mailbox() -> list[bytes]:
    """Messages SQLite stores and PostgreSQL refused, each once amid ordinary mail."""
    long_domain = ".".join(["shop" + "x" * 56] * 5) + ".com"  # 309 characters
    return [
        message(1),
        message(2, message_id="<" + "m" * 1200 + "@example.com>"),
        message(3, sender=f"Shop <news@{long_domain}>"),
        message(4, sender=f"{'N' * 700} <news@e.levi.com>", subject="S" * 5000),
        message(5, date="Thu, 20 Nov 3026 14:03:00 +0000"),
        message(6, body="Use code " + "C" * 300 + " for 15% off your cart."),
        message(7),
    ]


def test_a_mailbox_of_oversized_messages_imports_everything(engine, tmp_path: Path):
    box = write(tmp_path / "hostile.mbox", mbox(hostile_mailbox()))
    first = import_paths(engine, [box], "c" * 300, batch_size=100)
    before = rows(engine)
    second = import_paths(engine, [box], "c" * 300, batch_size=100)
    assert (first.seen, first.new, first.errors) == (7, 7, 0)
    assert (second.new, second.duplicate, second.errors) == (0, 7, 0)
    assert rows(engine) == before
    by_source = {r.source: r for r in before}
    assert len(by_source[f"{box}#2"].message_id) == 998
    assert by_source[f"{box}#2"].key != by_source[f"{box}#1"].key
    assert all(len(r.contributor) == 255 for r in before)
    assert all(r.sent_at is None or r.sent_at.year < 2100 for r in before)


def test_a_message_the_store_refuses_is_an_error_and_the_rest_is_imported(engine, tmp_path):
    with session_factory(engine).begin() as s:
        refuse_poison(s)
    box = write(tmp_path / "a.mbox", mbox([message(1), message(2, subject=POISON), message(3)]))
    first = import_paths(engine, [box], "me")
    assert (first.seen, first.new, first.errors) == (3, 3, 1)
    assert first.samples == [f"{box}#2: not stored: poisoned row"]
    by_source = {r.source: r for r in rows(engine)}
    assert by_source[f"{box}#2"].error == "not stored: poisoned row"
    assert by_source[f"{box}#2"].subject is None
    again = import_paths(engine, [box], "me")
    assert (again.new, again.duplicate, again.errors) == (0, 3, 1)
