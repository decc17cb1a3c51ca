"""The server matrix: the same sync checks against every IMAP server that runs here.

Dovecot (tests/services/dovecot.py), Cyrus 3.6 (tests/services/cyrus.py),
Courier-IMAP 5.0 (tests/services/courier.py), GNU Mailutils imap4d
(tests/services/mailutils.py) and pymap (tests/services/pymap.py) on loopback; each check is one row, each
server one column, and the run prints the table (server x capability:
pass/fail) at the end. A server that is not installed is skipped locally
and fails in CI (`services.require`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator

import pytest
from mailmaker import message
from services import courier as _courier
from services import cyrus as _cyrus
from services import dovecot as _dovecot
from services import mailutils as _mailutils
from services import pymap as _pymap
from services import require
from sqlalchemy import func, select

from tracker.db.engine import init_store, make_engine, session_factory
from tracker.db.models import Message, SyncState
from tracker.mail.imap.accounts import Account
from tracker.mail.imap.sync import SyncOptions, sync_account

SERVERS = {
    "courier": (_courier.Courier, _courier.INSTALLED or None, _courier.INSTALL_HINT),
    "cyrus": (_cyrus.Cyrus, _cyrus.INSTALLED or None, _cyrus.INSTALL_HINT),
    "dovecot": (_dovecot.Dovecot, _dovecot.DOVECOT, _dovecot.INSTALL_HINT),
    "mailutils": (_mailutils.Mailutils, _mailutils.IMAP4D, _mailutils.INSTALL_HINT),
    "pymap": (_pymap.Pymap, _pymap.INSTALLED or None, _pymap.INSTALL_HINT),
}
RESULTS: dict[str, dict[str, str]] = defaultdict(dict)  # capability -> server -> pass/fail


class _Matrix:
    """Records each matrix test's outcome and prints RESULTS in the terminal summary."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        cell = getattr(item, "matrix_cell", None)
        if cell is not None and call.when == "call":
            capability, server = cell  # a cell fails when the test fails on any store
            failed = outcome.get_result().failed or RESULTS[capability].get(server) == "fail"
            RESULTS[capability][server] = "fail" if failed else "pass"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        servers = sorted({s for row in RESULTS.values() for s in row})
        if not servers:
            return
        terminalreporter.section("IMAP server matrix")
        width = max(len(c) for c in RESULTS)
        terminalreporter.write_line(" " * width + "  " + "  ".join(f"{s:9}" for s in servers))
        for capability, row in RESULTS.items():
            cells = "  ".join(f"{row.get(s, '-'):9}" for s in servers)
            terminalreporter.write_line(f"{capability:{width}}  {cells}")


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request) -> Iterator:
    make, binary, hint = SERVERS[request.param]
    require(binary is not None, hint)
    if not request.config.pluginmanager.has_plugin("darkpool-imap-matrix"):
        request.config.pluginmanager.register(_Matrix(), "darkpool-imap-matrix")
    instance = make().start()
    instance.key = request.param
    yield instance
    instance.close()


@pytest.fixture
def row(request, server) -> None:
    """This test's outcome is the server's cell in the row named after the test."""
    capability = request.node.originalname.removeprefix("test_").replace("_", " ")
    request.node.matrix_cell = (capability, server.key)


@pytest.fixture
def sessions(any_db_url):
    engine = make_engine(any_db_url)
    init_store(engine)
    yield session_factory(engine)
    engine.dispose()


def retail(n: int) -> bytes:
    return message(
        n,
        subject=f"You left something in your cart ({n})",
        sender="Levi's <hello@e.levi.com>",
        message_id=f"<cart-{n}@mail.levi.com>",
        extra_headers=f"List-Unsubscribe: <https://levi.com/unsub?u={n}>",
    )


def personal(n: int) -> bytes:
    return message(
        1000 + n,
        subject=f"Sunday lunch {n}",
        body="Are you coming on Sunday?",
        sender="Mum <mum@example.net>",
    )


def deliver(box, data: bytes, folder: str = "INBOX", settle: bool = True) -> None:
    """One message into `folder` (typed with `/`), then opened by the user's mail client."""
    if folder != "INBOX" and isinstance(box, _dovecot.Mailbox):
        folder = folder.replace("/", ".")  # Maildir++ spells the hierarchy with dots
    box.deliver(data, folder)
    if settle and hasattr(box, "settle"):  # Mailutils, Courier: UIDs stick once opened
        box.settle(folder)


def account(server, box, **kw) -> Account:
    """The box's account; pymap runs one server per box, on the box's own port."""
    return Account(server.host, box.user, getattr(box, "port", server.port), "plain", **kw)


def stored(sessions) -> int:
    with sessions.begin() as s:
        return s.scalar(select(func.count()).select_from(Message))


def test_first_sync_stores_the_commercial_mail(server, row, sessions):
    box = server.add_user()
    for n in range(5):
        deliver(box, retail(n))
    for n in range(2):
        deliver(box, personal(n))
    summary = sync_account(sessions, account(server, box), box.password, SyncOptions())
    assert (summary.fetched, summary.new, summary.skipped) == (5, 5, 2)
    assert summary.failures == []
    assert stored(sessions) == 5


def test_resync_with_nothing_new_sends_only_status(server, row, sessions):
    box = server.add_user()
    deliver(box, retail(1))
    sync_account(sessions, account(server, box), box.password, SyncOptions())
    again = sync_account(sessions, account(server, box), box.password, SyncOptions())
    assert set(again.commands) <= {"LOGIN", "STATUS"} and again.commands["STATUS"] == 1
    assert (again.new, again.failures) == (0, [])


def test_new_mail_is_picked_up(server, row, sessions):
    box = server.add_user()
    deliver(box, retail(1))
    sync_account(sessions, account(server, box), box.password, SyncOptions())
    deliver(box, retail(2))
    deliver(box, personal(2))
    again = sync_account(sessions, account(server, box), box.password, SyncOptions())
    assert (again.fetched, again.new, again.skipped, again.failures) == (1, 1, 1, [])


def test_folders_typed_with_a_slash(server, row, sessions):
    box = server.add_user()
    deliver(box, retail(1), "Promos/Sale")
    acc = account(server, box, folders=("Promos/Sale",))
    summary = sync_account(sessions, acc, box.password, SyncOptions())
    assert (summary.new, summary.failures) == (1, [])


def test_uid_listing_agrees_with_the_message_count(server, row, sessions):
    """The default UID list (FETCH (UID)) finds every message; UID SEARCH may not.

    On Mailutils `UID SEARCH UID 1:*` answers nothing: with it, the sync
    reports the disagreement and keeps its cursor instead of passing over
    every message.
    """
    box = server.add_user()
    for n in range(3):
        deliver(box, retail(n))
    searched = sync_account(
        sessions, account(server, box), box.password, SyncOptions(uid_listing="search")
    )
    if searched.new == 0:
        (line,) = searched.failures
        assert "listed 0 UIDs for 3 messages" in line
        with sessions.begin() as s:
            assert s.scalars(select(SyncState.last_uid)).all() == []
    row = RESULTS["uid search uid n:* lists the folder"]
    row[server.key] = "fail" if searched.new == 0 or row.get(server.key) == "fail" else "pass"
    summary = sync_account(sessions, account(server, box), box.password, SyncOptions())
    assert searched.new + summary.new == 3 and summary.failures == []


def test_a_folder_renumbered_on_every_open_is_reported(server, row, sessions):
    """Mailutils and Courier give mail no client has opened read-write new UIDs (and
    a new UIDVALIDITY) at every open: a sync says so instead of rescanning silently."""
    box = server.add_user()
    for n in range(3):
        deliver(box, retail(n), settle=False)
    first = sync_account(sessions, account(server, box), box.password, SyncOptions())
    time.sleep(1.1)  # both servers take the UIDVALIDITY from the clock's seconds
    again = sync_account(sessions, account(server, box), box.password, SyncOptions())
    assert first.new == 3 and again.new == 0
    if hasattr(box, "settle"):
        assert any("renumbers the folder" in line for line in first.failures + again.failures)
        (line,) = again.failures
        assert line.startswith("INBOX: ")
    else:
        assert (first.failures, again.failures) == ([], [])
        assert set(again.commands) <= {"LOGIN", "STATUS"}


def test_nothing_is_marked_read(server, row, sessions):
    import imaplib

    box = server.add_user()
    for n in range(3):
        deliver(box, retail(n))
    deliver(box, personal(1))
    summary = sync_account(sessions, account(server, box), box.password, SyncOptions())
    assert summary.new == 3
    imap = imaplib.IMAP4(server.host, account(server, box).port)
    try:
        imap.login(box.user, box.password)
        imap.select("INBOX", readonly=True)
        typ, data = imap.fetch("1:*", "(FLAGS)")
    finally:
        imap.logout()
    assert typ == "OK" and len(data) == 4
    assert not any(b"\\Seen" in line for line in data), data


def test_an_untrusted_folder_fails_the_command_in_one_line(run_cli, monkeypatch):
    """`darkpool sync` prints its summary, then one error line, and exits 1."""
    require(_mailutils.IMAP4D is not None, _mailutils.INSTALL_HINT)
    server = _mailutils.Mailutils().start()
    try:
        box = server.add_user()
        box.deliver(retail(1))  # no mail client has opened the folder: renumbered per open
        monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", box.password)
        args = ["--host", server.host, "--port", str(server.port), "--plain", "--user", box.user]
        result = run_cli("sync", *args)
    finally:
        server.close()
    assert result.exit_code == 1
    assert "fetched 1, new 1" in result.stdout
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("Error")]
    assert f"{box.user}@127.0.0.1: INBOX: the server renumbers the folder" in line
