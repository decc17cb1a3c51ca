"""`darkpool sync` against a real Dovecot on loopback (tests/services/dovecot.py).

One server per module; every test gets its own user, so each starts with an
empty mailbox. What the server sent is checked from the server's own log
(headers and bodies per session), what was stored from the real store.
"""

from __future__ import annotations

import imaplib
import logging
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cells import every_cell
from services.dovecot import Mailbox
from sqlalchemy import func, select

from tracker.db.engine import make_engine, session_factory
from tracker.db.models import ImapAccount, Message, SyncProblem, SyncState
from tracker.errors import AuthError, SyncError
from tracker.mail.imap.accounts import Account
from tracker.mail.imap.sync import SyncOptions, sync_account


@pytest.fixture
def db_url(any_db_url: str) -> str:
    """Every sync test runs on SQLite and on PostgreSQL."""
    return any_db_url


@pytest.fixture
def box(dovecot) -> Mailbox:
    return dovecot.add_user()


def retail_mail(n: int, domain: str = "levi.com", when: datetime | None = None) -> bytes:
    when = when or datetime(2026, 11, 20, 14, 0, tzinfo=UTC) + timedelta(minutes=n)
    return (
        f"From: Shop <hello@e.{domain}>\r\n"
        f"To: shopper@example.org\r\n"
        f"Subject: You left something in your cart ({n})\r\n"
        f"Message-ID: <cart-{n}-{domain}@mail.{domain}>\r\n"
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
        f"List-Unsubscribe: <https://{domain}/unsub?u={n}>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Your cart misses you. Come back within 48 hours for 15% off with code BACK{n}.\r\n"
    ).encode()


def personal_mail(n: int) -> bytes:
    return (
        f"From: Mum <mum@example.net>\r\nTo: shopper@example.org\r\n"
        f"Subject: Sunday lunch {n}\r\nMessage-ID: <lunch-{n}@example.net>\r\n"
        f"Date: Fri, 20 Nov 2026 10:00:00 +0000\r\n\r\nAre you coming on Sunday?\r\n"
    ).encode()


def fill(box: Mailbox, retail: int, personal: int = 0, folder: str = "INBOX", start: int = 0):
    for n in range(start, start + retail):
        box.deliver(retail_mail(n), folder)
    for n in range(start, start + personal):
        box.deliver(personal_mail(n), folder)


def write_netrc(home: Path, text: str, mode: int = 0o600) -> Path:
    home.mkdir(exist_ok=True)
    path = home / ".netrc"
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.fixture
def netrc_home(monkeypatch, tmp_path, dovecot):
    """HOME with a ~/.netrc holding the given mailboxes; no password in the environment."""

    def make(*boxes: Mailbox) -> Path:
        lines = [f"machine {dovecot.host} login {b.user} password {b.password}\n" for b in boxes]
        path = write_netrc(tmp_path / "home", "".join(lines))
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.delenv("DARKPOOL_IMAP_PASSWORD", raising=False)
        return path

    return make


@pytest.fixture
def sync_cli(run_cli, monkeypatch, dovecot):
    """`darkpool sync` on the plain loopback port as `box`'s user."""

    def run(box: Mailbox, *args: str, password: str | None = None):
        monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", password or box.password)
        base = ["sync", "--host", dovecot.host, "--port", str(dovecot.port), "--plain"]
        return run_cli(*base, "--user", box.user, *args)

    return run


@pytest.fixture
def store(db_url):
    """Sessions on the store the CLI writes (`run_cli` uses `db_url`)."""
    engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


def count_messages(sessions) -> int:
    with sessions.begin() as s:
        return s.scalar(select(func.count()).select_from(Message))


def states(sessions) -> dict[str, tuple[int, int]]:
    with sessions.begin() as s:
        rows = s.scalars(select(SyncState)).all()
        return {r.folder: (r.uidvalidity, r.last_uid) for r in rows}


def server_sessions(box: Mailbox, expected: int) -> list[dict]:
    """The server logs a session when it ends; wait for `expected` of them."""
    deadline = time.monotonic() + 10
    while len(box.sessions()) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return box.sessions()


def options(**kw) -> SyncOptions:
    return SyncOptions(**{"backoff": 0.05, **kw})


def account(dovecot, box, **kw) -> Account:
    return Account(dovecot.host, box.user, dovecot.port, "plain", **kw)


def test_first_sync_downloads_only_commercial_mail(box, sync_cli, store):
    fill(box, retail=6, personal=3)
    result = sync_cli(box)
    assert result.exit_code == 0, result.output
    assert "fetched 6, new 6, duplicate 0, skipped 3 (personal), errors 0" in result.stdout
    assert "--plain sends your password" in result.stderr
    assert count_messages(store) == 6
    (session,) = server_sessions(box, 1)
    assert session["hdr"] == 9 and session["body"] == 6  # personal bodies never left
    with store.begin() as s:
        acc = s.scalars(select(ImapAccount)).one()
        sources = s.scalars(select(Message.source)).all()
    assert (acc.host, acc.username, acc.security, acc.folders) == (
        "127.0.0.1",
        box.user,
        "plain",
        "INBOX",
    )
    assert all(src.startswith(f"imap://{box.user}@127.0.0.1:") for src in sources)
    assert states(store)["INBOX"][1] == 9


def test_resync_with_nothing_new_sends_one_status(box, dovecot, sessions):
    fill(box, retail=4, personal=1)
    first = sync_account(sessions, account(dovecot, box), box.password, options())
    again = sync_account(sessions, account(dovecot, box), box.password, options())
    assert (first.fetched, first.new, first.skipped) == (4, 4, 1)
    assert (again.fetched, again.new, again.skipped) == (0, 0, 0)
    assert again.commands == {"LOGIN": 1, "STATUS": 1}
    assert server_sessions(box, 2)[1] == {"user": box.user, "hdr": 0, "body": 0, "bodybytes": 0}


def test_new_mail_is_picked_up_and_nothing_else(box, dovecot, sessions):
    fill(box, retail=3)
    sync_account(sessions, account(dovecot, box), box.password, options())
    fill(box, retail=2, personal=1, start=100)
    again = sync_account(sessions, account(dovecot, box), box.password, options())
    assert (again.fetched, again.new, again.duplicate, again.skipped) == (2, 2, 0, 1)
    assert count_messages(sessions) == 5
    assert server_sessions(box, 2)[1]["hdr"] == 3  # only the three new ones


def test_uidvalidity_change_rescans_without_duplicates(box, dovecot, sessions):
    fill(box, retail=3)
    sync_account(sessions, account(dovecot, box), box.password, options())
    before = states(sessions)["INBOX"]
    box.drop_folder_state()
    fill(box, retail=1, start=50)
    again = sync_account(sessions, account(dovecot, box), box.password, options())
    after = states(sessions)["INBOX"]
    assert after[0] != before[0]
    assert (again.fetched, again.new, again.duplicate) == (4, 1, 3)
    assert again.failures == []  # renumbered once, with new mail: nothing to report
    assert count_messages(sessions) == 4


def test_server_restart_mid_sync_resumes_without_duplicates(box, dovecot, sessions):
    fill(box, retail=12, personal=2)
    restarted = []

    def restart_once(folder: str, last_uid: int) -> None:
        if not restarted:  # down for a moment: reconnects meet a refused port first
            restarted.append(last_uid)
            dovecot.stop()
            threading.Timer(0.5, dovecot.start).start()

    opts = options(batch_count=3, after_batch=restart_once, retries=8)
    summary = sync_account(sessions, account(dovecot, box), box.password, opts)
    assert restarted == [3]
    assert summary.reconnects >= 1
    assert summary.new == 12 and summary.duplicate == 0
    assert count_messages(sessions) == 12
    assert states(sessions)["INBOX"][1] == 14


def test_counts_are_not_doubled_by_a_reconnect(box, dovecot, sessions):
    """Personal mail triaged after the last commit is triaged again after the
    reconnect; it is counted once, when its batch is committed."""
    fill(box, retail=6)
    fill(box, retail=0, personal=2)  # UIDs 7 and 8, after the batch the restart follows
    fill(box, retail=6, start=6)
    restarted = []

    def restart_once(folder: str, last_uid: int) -> None:
        if not restarted:
            restarted.append(last_uid)
            dovecot.stop()
            threading.Timer(0.5, dovecot.start).start()

    opts = options(batch_count=3, after_batch=restart_once, retries=8)
    summary = sync_account(sessions, account(dovecot, box), box.password, opts)
    assert restarted == [3] and summary.reconnects >= 1
    assert (summary.fetched, summary.new, summary.skipped, summary.duplicate) == (12, 12, 2, 0)


def test_gives_up_after_retries_with_one_line(sessions, box, dovecot):
    gone = Account(dovecot.host, box.user, 1, "plain")  # nothing listens on port 1
    with pytest.raises(SyncError, match=r"cannot connect to 127\.0\.0\.1:1"):
        sync_account(sessions, gone, box.password, options(retries=2, backoff=0.01))


def test_wrong_password_is_one_line_without_the_password(box, dovecot, sync_cli, sessions):
    fill(box, retail=1)
    wrong = "not-the-Pa55word"
    result = sync_cli(box, password=wrong)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: login to 127.0.0.1:") and "refused" in lines[-1]
    assert len([ln for ln in lines if ln.startswith("Error")]) == 1
    assert wrong not in result.output and box.password not in result.output
    with pytest.raises(AuthError):
        sync_account(sessions, account(dovecot, box), wrong, options())


def test_several_folders(box, sync_cli, store):
    fill(box, retail=2, personal=1)
    fill(box, retail=3, folder="Promotions", start=10)
    result = sync_cli(box, "--folder", "INBOX", "--folder", "Promotions")
    assert result.exit_code == 0, result.output
    assert "2 folder(s), fetched 5, new 5" in result.stdout
    assert {k: v[1] for k, v in states(store).items()} == {"INBOX": 3, "Promotions": 3}


def test_since_skips_older_mail(box, sync_cli, store):
    now = datetime.now(UTC)
    for n in range(3):
        box.deliver(retail_mail(n), when=now - timedelta(days=400))
    for n in range(3, 5):
        box.deliver(retail_mail(n), when=now - timedelta(days=1))
    since = (now - timedelta(days=30)).date().isoformat()
    result = sync_cli(box, "--since", since)
    assert result.exit_code == 0, result.output
    assert "fetched 2, new 2" in result.stdout
    assert states(store)["INBOX"][1] == 5  # the older ones are behind the cursor


def test_nothing_is_marked_read(box, sync_cli, dovecot):
    fill(box, retail=3, personal=2)
    assert sync_cli(box, "--all").exit_code == 0
    assert box.flags_on_disk() == [""] * 5
    imap = imaplib.IMAP4(dovecot.host, dovecot.port)
    imap.login(box.user, box.password)
    imap.select("INBOX", readonly=True)
    _typ, unseen = imap.search(None, "UNSEEN")
    imap.logout()
    assert len(unseen[0].split()) == 5


def test_all_downloads_personal_mail_too(box, dovecot, sessions):
    fill(box, retail=2, personal=2)
    summary = sync_account(
        sessions, account(dovecot, box), box.password, options(download_all=True)
    )
    assert (summary.fetched, summary.skipped) == (4, 0)


def test_password_never_stored_or_logged(box, sync_cli, db_url, caplog):
    fill(box, retail=2)
    caplog.set_level(logging.DEBUG)
    result = sync_cli(box)
    assert result.exit_code == 0, result.output
    stored = "\n".join(every_cell(db_url)).encode()
    if db_url.startswith("sqlite:///"):  # and the file's bytes, free pages included
        path = db_url.removeprefix("sqlite:///")
        files = [Path(p) for p in (path, path + "-wal") if os.path.exists(p)]
        stored += b"".join(f.read_bytes() for f in files)
    assert box.user.encode() in stored  # the account is there...
    assert box.password.encode() not in stored  # ...its password is not
    assert box.password not in caplog.text and box.password not in result.output
    assert "LOGIN" in caplog.text  # imapclient did log the commands, redacted


def test_netrc_supplies_the_password(box, run_cli, dovecot, monkeypatch, tmp_path):
    fill(box, retail=1)
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text(f"machine {dovecot.host} login {box.user} password {box.password}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("DARKPOOL_IMAP_PASSWORD", raising=False)
    base = ["sync", "--host", dovecot.host, "--port", str(dovecot.port), "--plain"]
    result = run_cli(*base, "--user", box.user)
    assert result.exit_code == 0, result.output
    assert "new 1" in result.stdout


def test_no_password_and_no_terminal_is_a_clear_error(box, run_cli, dovecot, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DARKPOOL_IMAP_PASSWORD", raising=False)
    result = run_cli("sync", "--host", dovecot.host, "--plain", "--user", box.user)
    assert result.exit_code == 1
    assert "DARKPOOL_IMAP_PASSWORD" in result.stderr and "~/.netrc" in result.stderr


def test_no_arguments_resyncs_remembered_accounts(box, dovecot, sync_cli, run_cli, netrc_home):
    assert "no remembered IMAP account" in run_cli("sync").stderr
    fill(box, retail=2)
    assert sync_cli(box).exit_code == 0
    fill(box, retail=1, start=20)
    netrc_home(box)  # an unnamed account takes its password from ~/.netrc, not the environment
    result = run_cli("sync")
    assert result.exit_code == 0, result.output
    assert f"{box.user}@127.0.0.1: 1 folder(s), fetched 1, new 1" in result.stdout


def test_tls_with_cafile_and_starttls(box, run_cli, dovecot, monkeypatch, sessions):
    fill(box, retail=2)
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", box.password)
    tls = ["sync", "--host", dovecot.host, "--user", box.user, "--cafile", str(dovecot.cert)]
    first = run_cli(*tls, "--port", str(dovecot.tls_port))
    assert first.exit_code == 0, first.output
    assert "new 2" in first.stdout and "Warning" not in first.stderr
    fill(box, retail=1, start=30)
    starttls = run_cli(*tls, "--port", str(dovecot.port), "--starttls")
    assert starttls.exit_code == 0, starttls.output
    assert "new 1" in starttls.stdout


def test_resync_remembers_the_ca_file_and_since(
    box, run_cli, dovecot, monkeypatch, tmp_path, netrc_home
):
    now = datetime.now(UTC)
    box.deliver(retail_mail(0), when=now - timedelta(days=400))
    box.deliver(retail_mail(1), when=now - timedelta(days=1))
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", box.password)
    (tmp_path / "ca.pem").write_bytes(Path(dovecot.cert).read_bytes())
    monkeypatch.chdir(tmp_path)  # a relative --cafile, as typed in a shell
    since = (now - timedelta(days=30)).date().isoformat()
    tls = ["--host", dovecot.host, "--port", str(dovecot.tls_port), "--user", box.user]
    first = run_cli("sync", *tls, "--cafile", "ca.pem", "--since", since)
    assert first.exit_code == 0, first.output
    assert "fetched 1, new 1" in first.stdout
    box.deliver(retail_mail(2), when=now - timedelta(days=500))  # old mail, moved in late
    box.deliver(retail_mail(3), when=now)
    elsewhere = tmp_path / "cron"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # cron starts somewhere else
    netrc_home(box)
    again = run_cli("sync")  # no arguments: the remembered CA verifies the server
    assert again.exit_code == 0, again.output
    assert "fetched 1, new 1" in again.stdout  # and --since still holds


def test_tls_verification_failure_is_one_clear_line(box, run_cli, dovecot, monkeypatch):
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", box.password)
    result = run_cli(
        "sync", "--host", dovecot.host, "--port", str(dovecot.tls_port), "--user", box.user
    )
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: TLS certificate of 127.0.0.1:") and "--cafile" in line


def test_unparseable_message_is_recorded_and_skipped(box, dovecot, sessions):
    from tracker.mail.pipeline import process_mail

    fill(box, retail=3)

    def picky(raw):
        record = process_mail(raw)
        if raw.source.endswith(";UID=2"):
            record.error = "cannot decode body"
        return record

    summary = sync_account(sessions, account(dovecot, box), box.password, options(process=picky))
    assert (summary.fetched, summary.new, summary.errors) == (3, 2, 1)
    with sessions.begin() as s:
        problem = s.scalars(select(SyncProblem)).one()
    assert (problem.folder, problem.uid, problem.error) == ("INBOX", 2, "parse: cannot decode body")


def test_a_message_the_server_cannot_return_is_reported(box, dovecot):
    from tracker.mail.imap.client import ImapSession, ServerConfig

    fill(box, retail=3)
    with ImapSession(
        ServerConfig(dovecot.host, box.user, dovecot.port, "plain"), box.password
    ) as imap:
        imap.select("INBOX")
        headers = imap.fetch_headers(imap.search_after(0))
        box.message_files()[1].unlink()  # gone between the header and the body pass
        got = imap.fetch_bodies([h.uid for h in headers])
    assert sorted(got.bodies) == [1, 3]
    assert list(got.refused) == [2]


def test_a_large_sync_parses_in_worker_processes(box, dovecot, sessions):
    fill(box, retail=9, personal=1)
    opts = options(workers=2, pool_threshold=1, batch_count=4)
    summary = sync_account(sessions, account(dovecot, box), box.password, opts)
    assert (summary.fetched, summary.new, summary.skipped, summary.errors) == (9, 9, 1, 0)
    with sessions.begin() as s:
        kinds = s.scalars(select(Message.kind)).all()
    assert len(kinds) == 9 and all(kinds)  # classified by the real pipeline in the workers
    assert states(sessions)["INBOX"][1] == 10


def test_an_unknown_folder_is_one_clear_line(box, sync_cli):
    result = sync_cli(box, "--folder", "No Such Folder")
    assert result.exit_code == 1
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("Error")]
    assert len(errors) == 1 and "STATUS failed" in errors[0] and "No Such Folder" in errors[0]


# -- accounts and credentials ---------------------------------------------------


def test_an_account_is_host_and_user_whatever_the_port(box, run_cli, dovecot, monkeypatch, store):
    fill(box, retail=2)
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", box.password)
    tls = ["sync", "--host", dovecot.host, "--user", box.user, "--cafile", str(dovecot.cert)]
    assert run_cli(*tls, "--port", str(dovecot.port), "--starttls").exit_code == 0
    again = run_cli(*tls, "--port", str(dovecot.tls_port), "--tls")
    assert again.exit_code == 0, again.output
    assert "fetched 0, new 0, duplicate 0" in again.stdout  # nothing downloaded again
    with store.begin() as s:
        rows = s.scalars(select(ImapAccount)).all()
        assert [(r.port, r.security) for r in rows] == [(dovecot.tls_port, "tls")]


def test_forget_removes_one_account_and_its_cursors(dovecot, sync_cli, run_cli, store):
    boxes = [dovecot.add_user(), dovecot.add_user()]
    for i, b in enumerate(boxes):
        fill(b, retail=1, start=100 * i)
        assert sync_cli(b).exit_code == 0
    gone = run_cli("sync", "--forget", f"{boxes[0].user}@{dovecot.host}")
    assert gone.exit_code == 0, gone.output
    assert f"Forgot {boxes[0].user}@{dovecot.host}" in gone.stdout
    with store.begin() as s:
        assert s.scalars(select(ImapAccount.username)).all() == [boxes[1].user]
        assert len(s.scalars(select(SyncState)).all()) == 1
        assert count_messages(store) == 2  # the mail stays in the store
    again = run_cli("sync", "--forget", f"{boxes[0].user}@{dovecot.host}")
    assert again.exit_code == 1 and "no remembered account" in again.stderr


def test_two_mailboxes_on_one_host_each_find_their_netrc_password(
    dovecot, sync_cli, run_cli, netrc_home
):
    boxes = [dovecot.add_user(), dovecot.add_user()]
    for i, b in enumerate(boxes):
        fill(b, retail=1, start=100 * i)
        assert sync_cli(b).exit_code == 0  # remembered
        fill(b, retail=1, start=100 * i + 50)
    netrc_home(*boxes)
    result = run_cli("sync")
    assert result.exit_code == 0, result.output
    for b in boxes:
        assert f"{b.user}@127.0.0.1: 1 folder(s), fetched 1, new 1" in result.stdout


def test_the_environment_password_is_only_for_the_named_account(
    dovecot, sync_cli, run_cli, monkeypatch, tmp_path
):
    boxes = [dovecot.add_user(), dovecot.add_user()]
    for b in boxes:
        assert sync_cli(b).exit_code == 0
    monkeypatch.setenv("HOME", str(tmp_path / "nohome"))
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", boxes[0].password)
    result = run_cli("sync")  # neither account is named: the variable is not theirs
    assert result.exit_code == 1
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("Error")]
    assert len(errors) == 2 and all("no password for" in ln for ln in errors)
    assert boxes[0].password not in result.output


@pytest.mark.parametrize("problem", ["others can read it", "another user owns it"])
def test_an_unsafe_netrc_is_refused_in_one_line(box, run_cli, dovecot, netrc_home, problem):
    fill(box, retail=1)
    path = netrc_home(box)
    if problem == "others can read it":
        path.chmod(0o666)
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a file to another user needs root")
        os.chown(path, 65534, 65534)  # nobody
    base = ["sync", "--host", dovecot.host, "--port", str(dovecot.port), "--plain"]
    result = run_cli(*base, "--user", box.user)
    assert result.exit_code == 1
    (line,) = [ln for ln in result.stderr.splitlines() if ln.startswith("Error")]
    assert ".netrc" in line and ("chmod 600" in line or "another user" in line)
    assert box.password not in result.output


def test_password_command_supplies_the_password(box, run_cli, dovecot, monkeypatch, tmp_path):
    fill(box, retail=1)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DARKPOOL_IMAP_PASSWORD", raising=False)
    secret = tmp_path / "secret"
    secret.write_text(box.password + "\n")
    base = ["sync", "--host", dovecot.host, "--port", str(dovecot.port), "--plain"]
    result = run_cli(*base, "--user", box.user, "--password-command", f"cat {secret}")
    assert result.exit_code == 0, result.output
    assert "new 1" in result.stdout and box.password not in result.output
    failing = run_cli(*base, "--user", box.user, "--password-command", "echo oops; exit 3")
    assert failing.exit_code == 1
    assert "--password-command exited with status 3" in failing.stderr
    assert "oops" not in failing.output  # a failed command's output is never shown


def test_all_folders_of_an_account_share_one_login(box, dovecot, sessions):
    for i, folder in enumerate(("INBOX", "Promotions", "Deals")):
        fill(box, retail=1, folder=folder, start=10 * i)
    acc = account(dovecot, box, folders=("INBOX", "Promotions", "Deals"))
    summary = sync_account(sessions, acc, box.password, options())
    assert (summary.folders, summary.new, summary.commands["LOGIN"]) == (3, 3, 1)
    assert len(server_sessions(box, 1)) == 1


def test_a_resumed_sync_stores_what_one_uninterrupted_sync_stores(dovecot, any_db_url, tmp_path):
    """Triage may not depend on what the store knew: a retailer's plain mail is decided
    by its headers alone, before and after the retailer is in the store."""
    box = dovecot.add_user()
    fill(box, retail=3)
    for n in range(3):
        box.deliver(
            f"From: Jane at Levi's <jane.doe@levi.com>\r\nTo: shopper@example.org\r\n"
            f"Subject: About your return {n}\r\nMessage-ID: <ret-{n}@levi.com>\r\n"
            f"Date: Fri, 20 Nov 2026 16:00:00 +0000\r\n\r\nThanks.\r\n".encode()
        )

    def stored(url: str, interrupt: bool) -> set[str]:
        engine = make_engine(url)
        from tracker.db.engine import init_store

        init_store(engine)
        factory = session_factory(engine)

        def stop_after_first(folder: str, last_uid: int) -> None:
            raise KeyboardInterrupt

        if interrupt:
            with pytest.raises(KeyboardInterrupt):
                opts = options(batch_count=1, after_batch=stop_after_first)
                sync_account(factory, account(dovecot, box), box.password, opts)
        sync_account(factory, account(dovecot, box), box.password, options(batch_count=1))
        with factory.begin() as s:
            ids = set(s.scalars(select(Message.message_id)))
        engine.dispose()
        return ids

    whole = stored(any_db_url, interrupt=False)
    resumed = stored(f"sqlite:///{tmp_path / 'resumed.sqlite'}", interrupt=True)
    assert resumed == whole and len(whole) == 3


# -- folders as users type them -------------------------------------------------


def test_list_folders_and_folders_by_role(box, sync_cli, store):
    fill(box, retail=2, folder="All Mail")
    fill(box, retail=1, folder="Junk", start=10)
    fill(box, retail=1, folder="Promos.Sale", start=20)  # Maildir++: Promos/Sale on Dovecot
    listed = sync_cli(box, "--list-folders")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert "All Mail\t:all" in lines and "Junk\t:junk" in lines
    assert "Promos.Sale\tPromos/Sale" in lines  # name, then what to type
    assert count_messages(store) == 0  # listing syncs nothing
    result = sync_cli(box, "--folder", ":all", "--folder", ":junk", "--folder", "Promos/Sale")
    assert result.exit_code == 0, result.output
    assert "3 folder(s), fetched 4, new 4" in result.stdout
    assert set(states(store)) == {"All Mail", "Junk", "Promos.Sale"}
    missing = sync_cli(box, "--folder", ":archive")  # declared, but not created for this user
    assert missing.exit_code == 1 and "role \\Archive" in missing.stderr


def test_the_command_timeout_grows_with_the_folder_and_can_be_set(box, dovecot):
    from tracker.mail.imap.client import ImapSession, ServerConfig

    config = ServerConfig(dovecot.host, box.user, dovecot.port, "plain", timeout=30)
    with ImapSession(config, box.password) as imap:
        assert imap.client.socket().gettimeout() == 30
        assert imap.scale_timeout(50_000) == 30 + 500  # 10 ms a message
        assert imap.client.socket().gettimeout() == 530
        assert imap.scale_timeout(0) == 30


def test_timeout_option_reaches_the_connection(box, sync_cli, monkeypatch):
    from tracker.mail.imap import sync as sync_module

    seen = []
    real = sync_module.ImapSession

    def recording(config, secret):
        seen.append(config.timeout)
        return real(config, secret)

    monkeypatch.setattr(sync_module, "ImapSession", recording)
    assert sync_cli(box, "--timeout", "300").exit_code == 0
    assert seen == [300.0]


def test_examine_without_uidnext_costs_one_status_on_resync(box, dovecot, sessions):
    """Courier's EXAMINE has no UIDNEXT: when the newest message is gone, the cursor
    still reaches UIDNEXT - 1 (from STATUS), so a re-sync stays one STATUS."""
    from services.quirks import COURIER_EXAMINE, QuirkProxy

    fill(box, retail=3)
    imap = imaplib.IMAP4(dovecot.host, dovecot.port)  # the server gives out UIDs 1-3 ...
    imap.login(box.user, box.password)
    imap.status("INBOX", "(UIDNEXT)")
    imap.logout()
    box.message_files()[-1].unlink()  # ... and the newest is deleted: UIDNEXT stays 4
    with QuirkProxy(dovecot.port, drop=COURIER_EXAMINE) as proxy:
        acc = Account(proxy.host, box.user, proxy.port, "plain")
        first = sync_account(sessions, acc, box.password, options())
        assert first.new == 2 and proxy.dropped == 1
        for _ in range(2):
            again = sync_account(sessions, acc, box.password, options())
            assert set(again.commands) == {"LOGIN", "STATUS"}, again.commands
