"""The IMAP password stays secret, and TLS verification cannot be switched off silently.

The same holds for an OAuth2 access token (`--auth oauth2`), checked against a
real Dovecot whose oauth2 passdb asks a loopback introspection endpoint
(tests/services/oauth2.py), and for a password from --password-command. A
running sync cannot dump core. The password must not reach the store file (with its WAL), darkpool's output,
the data dir, Dovecot's log, any error message (wrong host, wrong password,
TLS failure, a server that echoes the LOGIN line back), nor the command line
or title of a running `darkpool sync` (what `ps` shows). The environment
may hold it only in the variable the user set. Each case runs a real
`darkpool` process against the private Dovecot or a hostile loopback server
(tests/hostile/imapfake.py).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from hostile.crash import varied_messages
from hostile.imapfake import EchoServer, SilentServer
from services.dovecot import Dovecot
from services.oauth2 import Introspection

from tracker.db.engine import init_store, make_engine, session_factory
from tracker.errors import SyncError
from tracker.mail.imap.accounts import Account
from tracker.mail.imap.sync import SyncOptions, sync_account

ENV = "DARKPOOL_IMAP_PASSWORD"
# Quotes and backslashes change on the wire (IMAP quoting) and in error text (repr).
HOSTILE_PASSWORD = "Tr0ub4dor&3 \"horse\" \\battery\\ 'staple'"
# Not ASCII: LOGIN cannot carry it, AUTHENTICATE PLAIN (base64 of UTF-8) must.
UMLAUT_PASSWORD = "Grüße aus Köln – 42"


@pytest.fixture
def box(dovecot):
    mailbox = dovecot.add_user()
    for data in varied_messages(12, seed=3):
        mailbox.deliver(data)
    return mailbox


def forms(secret: str, user: str = "bob") -> list[bytes]:
    """The secret as bytes in the encodings it could be written in."""
    raw = secret.encode()
    return [
        raw,
        secret.encode("utf-16-le"),
        base64.b64encode(raw),
        base64.b64encode(b"\0" + user.encode() + b"\0" + raw),  # AUTHENTICATE PLAIN
        secret.replace("\\", "\\\\").replace('"', '\\"').encode(),
    ]


def assert_absent(secret: str, where: str, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    for form in forms(secret):
        assert form not in data, f"the password is in {where}"


def darkpool(tmp_path: Path, *args: str, password: str, debug: bool = False, env=None):
    """Run a real `darkpool` with the password in its environment only."""
    argv = [sys.executable, "-m", "tracker", "--db", str(tmp_path / "store.sqlite")]
    argv += ["--debug"] if debug else []
    full_env = {
        **os.environ,
        ENV: password,
        "DARKPOOL_DATA_DIR": str(tmp_path / "data"),
        "HOME": str(tmp_path / "home"),  # no ~/.netrc of the machine's user
        **(env or {}),
    }
    return subprocess.run([*argv, *args], capture_output=True, env=full_env, timeout=120)


def sync_args(server, user: str, port: int | None = None) -> list[str]:
    return ["sync", "--host", server.host, "--port", str(port or server.port), "--user", user]


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_password_not_in_store_output_data_or_server_log(dovecot, box, tmp_path):
    for args in (
        [*sync_args(dovecot, box.user), "--plain"],
        [*sync_args(dovecot, box.user, port=dovecot.tls_port), "--tls"],
    ):
        cafile = ["--cafile", str(dovecot.cert)] if "--tls" in args else []
        done = darkpool(tmp_path, *args, *cafile, password=box.password)
        assert done.returncode == 0, done.stderr.decode()
        assert b"fetched" in done.stdout
        assert_absent(box.password, "the output", done.stdout + done.stderr)
    stored = files_under(tmp_path)
    assert any(p.name == "store.sqlite" for p in stored)
    for path in stored:  # store.sqlite, its -wal and -shm, the data dir
        assert_absent(box.password, str(path), path.read_bytes())
    for path in files_under(dovecot.root):
        if path.name not in ("passwd", "passwd.new"):  # the server's own user list
            assert_absent(box.password, str(path), path.read_bytes())


def error_cases(dovecot, box) -> dict[str, tuple[list[str], str]]:
    return {
        "wrong password": ([*sync_args(dovecot, box.user), "--plain"], "refused"),
        "tls untrusted": (
            [*sync_args(dovecot, box.user, port=dovecot.tls_port), "--tls"],
            "not trusted",
        ),
        "starttls untrusted": ([*sync_args(dovecot, box.user), "--starttls"], "not trusted"),
    }


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_errors_do_not_carry_the_password(dovecot, box, tmp_path, debug):
    for name, (args, expected) in error_cases(dovecot, box).items():
        secret = HOSTILE_PASSWORD if name == "wrong password" else box.password
        done = darkpool(tmp_path, *args, password=secret, debug=debug)
        output = (done.stdout + done.stderr).decode(errors="replace")
        assert done.returncode == 1, (name, output)
        assert expected in output, (name, output)
        if not debug:
            assert len(done.stderr.decode().strip().splitlines()) <= 2, output  # warning + error
        assert_absent(secret, f"the {name} error", output)
    assert_absent(HOSTILE_PASSWORD, "Dovecot's log", dovecot.log_text())


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_server_echoing_the_login_line_gets_it_scrubbed(tmp_path, debug):
    with EchoServer() as server:
        args = ["sync", "--host", "127.0.0.1", "--port", str(server.port), "--user", "bob"]
        done = darkpool(tmp_path, *args, "--plain", password=HOSTILE_PASSWORD, debug=debug)
        received = b"".join(server.received)
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 1 and "refused" in output, output
    assert b"LOGIN" in received  # the server did get (and echo) the password ...
    assert_absent(HOSTILE_PASSWORD, "the echoed error", output)  # ... the user never sees it


def test_wrong_host_error_has_no_password(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    init_store(engine)
    options = SyncOptions(retries=1, backoff=0.01, timeout=5)
    for host, port in (("127.0.0.1", 1), ("no-such-host.invalid", 993)):
        account = Account(host, "bob", port, "tls")
        with pytest.raises(SyncError) as info:
            sync_account(session_factory(engine), account, HOSTILE_PASSWORD, options)
        text = "".join(traceback.format_exception(info.value))
        assert host in str(info.value)
        assert_absent(HOSTILE_PASSWORD, f"the error for {host}", text)
    engine.dispose()


def process_views(pid: int) -> dict[str, bytes]:
    """What other users see of a process: its command line, title and `ps` line."""
    proc = Path(f"/proc/{pid}")
    views = {"cmdline": (proc / "cmdline").read_bytes(), "comm": (proc / "comm").read_bytes()}
    for task in (proc / "task").iterdir():  # thread names are titles too
        views[f"task {task.name}"] = (task / "comm").read_bytes()
    views["ps"] = subprocess.run(
        ["ps", "-ww", "-eo", "pid,args,comm"], capture_output=True, check=True
    ).stdout
    return views


def test_a_running_sync_shows_no_password_in_ps(tmp_path):
    with SilentServer() as server:  # accepts, never answers: the sync waits, connected
        argv = [sys.executable, "-m", "tracker", "--db", str(tmp_path / "s.sqlite"), "sync"]
        argv += ["--host", "127.0.0.1", "--port", str(server.port), "--user", "bob", "--plain"]
        env = {**os.environ, ENV: HOSTILE_PASSWORD, "HOME": str(tmp_path)}
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert server.connected.wait(60), "darkpool sync never connected"
            time.sleep(0.2)  # connected means the password has been read
            assert proc.poll() is None
            for where, data in process_views(proc.pid).items():
                assert_absent(HOSTILE_PASSWORD, where, data)
            environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
            holding = [v for v in environ if HOSTILE_PASSWORD.encode() in v]
            assert holding == [f"{ENV}={HOSTILE_PASSWORD}".encode()]
        finally:
            proc.kill()
            proc.wait()


def test_tls_verification_cannot_be_switched_off_silently(dovecot, box, tmp_path):
    tls = [*sync_args(dovecot, box.user, port=dovecot.tls_port), "--tls"]
    # Knobs that turn verification off elsewhere in Python do nothing here.
    lax = {"PYTHONHTTPSVERIFY": "0", "CURL_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": ""}
    refused = darkpool(tmp_path, *tls, password=box.password, env=lax)
    assert refused.returncode == 1
    assert b"not trusted" in refused.stderr and b"--cafile" in refused.stderr
    trusted = darkpool(tmp_path, *tls, "--cafile", str(dovecot.cert), password=box.password)
    assert trusted.returncode == 0, trusted.stderr.decode()
    assert b"Warning" not in trusted.stderr
    help_text = darkpool(tmp_path, "sync", "--help", password="x").stdout.decode().lower()
    assert "insecure" not in help_text and "no-verify" not in help_text
    plain = darkpool(tmp_path, *sync_args(dovecot, box.user), "--plain", password=box.password)
    assert plain.returncode == 0
    assert b"--plain sends your password and mail unencrypted" in plain.stderr


def test_a_non_ascii_password_logs_in_and_stays_secret(dovecot, tmp_path):
    box = dovecot.add_user(password=UMLAUT_PASSWORD)
    for data in varied_messages(3, seed=4):
        box.deliver(data)
    args = [*sync_args(dovecot, box.user), "--plain"]
    done = darkpool(tmp_path, *args, password=UMLAUT_PASSWORD)
    assert done.returncode == 0, done.stderr.decode()
    wrong = darkpool(tmp_path, *args, password=UMLAUT_PASSWORD + "ß")
    assert wrong.returncode == 1 and b"refused" in wrong.stderr, wrong.stderr
    with EchoServer() as server:
        args = ["sync", "--host", "127.0.0.1", "--port", str(server.port), "--user", "bob"]
        echoed = darkpool(tmp_path, *args, "--plain", password=UMLAUT_PASSWORD)
        received = b"".join(server.received)
    assert echoed.returncode == 1 and b"refused" in echoed.stderr, echoed.stderr
    assert b"AUTHENTICATE PLAIN" in received.upper()
    for output in (done, wrong, echoed):
        assert_absent(UMLAUT_PASSWORD, "the output", output.stdout + output.stderr)
    for path in files_under(tmp_path):
        assert_absent(UMLAUT_PASSWORD, str(path), path.read_bytes())


@pytest.fixture(scope="module")
def oauth2_dovecot(dovecot):  # the plain fixture first: it skips (or fails in CI) without Dovecot
    with Introspection() as idp:
        server = Dovecot(spare_users=4, oauth2_introspection=idp.url).start()
        yield server, idp
        server.close()


@pytest.mark.parametrize("where", ["--token-command", "DARKPOOL_IMAP_TOKEN"])
def test_xoauth2_login_with_a_token_that_stays_secret(oauth2_dovecot, tmp_path, where):
    server, idp = oauth2_dovecot
    box = server.add_user()
    for data in varied_messages(4, seed=8):
        box.deliver(data)
    token = idp.issue(box.user)
    args = [*sync_args(server, box.user), "--plain", "--auth", "oauth2"]
    if where == "--token-command":
        (tmp_path / "token").write_text(token + "\n")
        args += ["--token-command", f"cat {tmp_path / 'token'}"]
        env = {}
    else:
        env = {"DARKPOOL_IMAP_TOKEN": token}
    done = darkpool(tmp_path, *args, password="not-used", env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert b"1 folder(s), fetched" in done.stdout
    assert token in idp.seen  # Dovecot checked this very token at the endpoint
    assert "method=XOAUTH2" in server.log_text()
    idp.revoke(token)
    again = darkpool(
        tmp_path, *[a for a in args if a != "--plain"], "--plain", password="x", env=env
    )
    assert again.returncode == 1 and b"refused" in again.stderr, again.stderr
    for output in (done, again):
        assert_absent(token, "the output", output.stdout + output.stderr)
    for path in files_under(tmp_path / "store.sqlite", tmp_path / "data", server.root):
        if path.name != "token":
            assert_absent(token, str(path), path.read_bytes())


def test_oauthbearer_when_the_server_offers_no_xoauth2(dovecot, tmp_path):
    with Introspection() as idp:
        server = Dovecot(
            spare_users=2, oauth2_introspection=idp.url, oauth2_mechanisms=("oauthbearer",)
        )
        server.start()
        try:
            box = server.add_user()
            token = idp.issue(box.user)
            args = [*sync_args(server, box.user), "--plain", "--auth", "oauth2"]
            done = darkpool(tmp_path, *args, password="x", env={"DARKPOOL_IMAP_TOKEN": token})
            assert done.returncode == 0, done.stderr.decode()
            assert "method=OAUTHBEARER" in server.log_text()
        finally:
            server.close()


def test_a_running_sync_cannot_dump_core(tmp_path):
    with SilentServer() as server:
        argv = [sys.executable, "-m", "tracker", "--db", str(tmp_path / "s.sqlite"), "sync"]
        argv += ["--host", "127.0.0.1", "--port", str(server.port), "--user", "bob", "--plain"]
        env = {**os.environ, ENV: HOSTILE_PASSWORD, "HOME": str(tmp_path)}
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert server.connected.wait(60), "darkpool sync never connected"
            limits = Path(f"/proc/{proc.pid}/limits").read_text()
            (line,) = [ln for ln in limits.splitlines() if ln.startswith("Max core file size")]
            assert line.split()[4:6] == ["0", "0"], line  # soft and hard limit
        finally:
            proc.kill()
            proc.wait()
    check = (
        "import ctypes; from tracker.mail.imap.credentials import disable_core_dumps; "
        "disable_core_dumps(); print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))"  # PR_GET_DUMPABLE
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, check=True)
    assert done.stdout.strip() == b"0"
