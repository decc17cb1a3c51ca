"""`darkpool sync` stores what PostgreSQL used to refuse, and its cursor moves past it.

Sync writes through the same `save_records` as import, so the store-entry
bounds hold for it without a line of its own; this shows it against a real
Dovecot, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.db.engine import make_engine, session_factory
from tracker.db.models import Message, SyncState


@pytest.fixture
def db_url(any_db_url: str) -> str:
    return any_db_url


def cart_mail(n: int, message_id: str | None = None, sender: str = "hello@e.levi.com") -> bytes:
    return (
        f"From: Shop <{sender}>\r\nTo: shopper@example.org\r\n"
        f"Subject: You left something in your cart ({n})\r\n"
        f"Message-ID: {message_id or f'<cart-{n}@mail.levi.com>'}\r\n"
        f"Date: Thu, 20 Nov 2026 14:{n:02d}:00 +0000\r\n"
        f"List-Unsubscribe: <https://levi.com/unsub?u={n}>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Your cart misses you. Come back within 48 hours for 15% off.\r\n"
    ).encode()


def test_sync_of_oversized_messages_stores_them_and_moves_the_cursor(
    dovecot, run_cli, monkeypatch, db_url
):
    box = dovecot.add_user()
    long_domain = ".".join(["shop" + "x" * 56] * 5) + ".com"
    mails = [
        cart_mail(1),
        cart_mail(2, message_id="<" + "m" * 1200 + "@mail.levi.com>"),
        cart_mail(3, sender=f"hello@{long_domain}"),
        cart_mail(4),
    ]
    for data in mails:
        box.deliver(data)
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", box.password)
    args = ["sync", "--host", dovecot.host, "--port", str(dovecot.port), "--plain"]
    first = run_cli(*args, "--user", box.user)
    assert first.exit_code == 0, first.output
    again = run_cli(*args, "--user", box.user)
    assert again.exit_code == 0, again.output
    engine = make_engine(db_url)
    with session_factory(engine).begin() as s:
        stored = s.scalar(select(func.count()).select_from(Message))
        longest = s.scalar(select(func.max(func.length(Message.message_id))))
        last_uid = s.scalar(select(SyncState.last_uid))
    engine.dispose()
    assert (stored, longest, last_uid) == (4, 998, 4)


def test_a_message_the_store_refuses_during_sync_is_that_uids_problem(
    dovecot, run_cli, monkeypatch, db_url
):
    """The store keeps a refused message as an error row; sync records it as a
    problem of its UID (and counts it) and moves its cursor past it."""
    from storefaults import POISON, refuse_poison

    from tracker.db.engine import init_store
    from tracker.db.models import SyncProblem

    engine = make_engine(db_url)
    init_store(engine)
    with session_factory(engine).begin() as s:
        refuse_poison(s)
    box = dovecot.add_user()
    for n in (1, 2, 3):
        data = cart_mail(n)
        if n == 2:  # the subject the store's trigger refuses
            data = data.replace(b"You left something in your cart (2)", POISON.encode())
        box.deliver(data)
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", box.password)
    args = ["sync", "--host", dovecot.host, "--port", str(dovecot.port), "--plain"]
    done = run_cli(*args, "--user", box.user)
    assert done.exit_code == 0, done.output
    with session_factory(engine).begin() as s:
        problems = [(p.uid, p.error) for p in s.scalars(select(SyncProblem))]
        last_uid = s.scalar(select(SyncState.last_uid))
    engine.dispose()
    assert last_uid == 3
    assert len(problems) == 1 and problems[0][0] == 2 and problems[0][1].startswith("store: ")
