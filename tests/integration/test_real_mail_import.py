"""`import` of a mailbox holding every real-world rule breaker: all stored, nothing lost.

The messages come from tests/hostile/realmail.py (one Message-ID each), in an
mbox with dateless separators and in a Maildir beside a symbolic link that
points out of it. Runs on SQLite and PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from hostile.realmail import REAL_WORLD, dateless_mbox
from mailmaker import write
from sqlalchemy import select

from tracker.db.engine import session_factory
from tracker.db.models import Message, Retailer
from tracker.mail.importing import import_paths

SENT = datetime(2026, 11, 20, 14, 3, tzinfo=UTC)
RECEIVED = datetime(2026, 11, 20, 14, 5, 9, tzinfo=UTC)


def numbered() -> dict[str, bytes]:
    """Each case with its own Message-ID, so none is a duplicate of another."""
    return {
        case.name: case.data.replace(b"<real-world@", f"<{case.name}@".encode())
        for case in REAL_WORLD
    }


def test_every_real_world_message_is_stored_clean(engine, tmp_path: Path):
    cases = numbered()
    names = list(cases)
    half = len(names) // 2
    box = write(tmp_path / "export", dateless_mbox([cases[n] for n in names[:half]]))
    maildir = tmp_path / "Maildir"
    (maildir / "new").mkdir(parents=True)
    for i, name in enumerate(names[half:]):
        write(maildir / "cur" / f"17000000{i:02d}.M{i}P1.host:2,S", cases[name])
    outside = write(tmp_path / "elsewhere" / "private.eml", cases[names[0]])
    os.symlink(outside, maildir / "new" / "1700000999.M9P9.host")
    summary = import_paths(engine, [box, maildir], "alice", batch_size=4)
    assert (summary.seen, summary.new, summary.errors) == (len(cases) + 1, len(cases) + 1, 1)
    assert summary.samples == [
        f"{maildir / 'new' / '1700000999.M9P9.host'}: symbolic link, not followed"
    ]
    with session_factory(engine).begin() as session:
        stored = {row.message_id: row for row in session.scalars(select(Message)) if row.message_id}
        retailers = [r.name for r in session.scalars(select(Retailer))]
    assert sorted(stored) == sorted(f"<{name}@e.boutique-elegance.fr>" for name in names)
    for name in names:
        row = stored[f"<{name}@e.boutique-elegance.fr>"]
        assert row.error is None, (name, row.error)
        assert row.sender_domain == "e.boutique-elegance.fr"
        assert row.sent_at == (RECEIVED if name == "received-only" else SENT), name
        assert row.kind == "abandoned_cart", name
    assert retailers and all("\ufffd" not in name for name in retailers)
