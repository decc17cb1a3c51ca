"""A private Dovecot on loopback for the IMAP tests and the sync benchmark.

`Dovecot` writes its own configuration into a fresh directory (never the
system one), listens on free ports on 127.0.0.1 (IMAP with STARTTLS, and
IMAPS), authenticates users from a passwd-file, and stores each user's mail
as a Maildir the tests fill by writing files directly. The server logs, per IMAP
session, how many headers and bodies it sent (`imap_logout_format`), so tests
can check what was fetched from the server's side.

With `oauth2_introspection=URL`, Dovecot also accepts XOAUTH2 and OAUTHBEARER
logins and checks each token at that RFC 7662 introspection endpoint (one the
test runs, tests/services/oauth2.py); password logins still use the passwd-file.
Special-use folders (RFC 6154) are declared for `All Mail`, `Archive` and
`Junk`, as Gmail and most providers mark theirs.

As root, Dovecot's login processes refuse to run as root: they run as
`dovenull`, and the mail user gets the uid/gid of `dovecot` (see
/work/shared/NOTES.md). As another user, everything runs as that user.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import itertools
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from services import free_port

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
INSTALL_HINT = "Dovecot is not installed: apt-get install dovecot-imapd (Debian/Ubuntu)"
_counter = itertools.count()

LOGOUT_RE = re.compile(
    r"imap\((?P<user>[^)]+)\).*?(?:Logged out|Disconnected).*?"
    r"hdr=(?P<hdr>\d+) body=(?P<body>\d+) bodybytes=(?P<bodybytes>\d+)"
)


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1/localhost: (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "darkpool test IMAP")])
    now = dt.datetime.now(dt.UTC)
    alt = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(alt, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class Mailbox:
    """One user's mail on the server: fill it by writing Maildir files."""

    def __init__(self, server: Dovecot, user: str, password: str) -> None:
        self.server, self.user, self.password = server, user, password
        self.home = server.root / "home" / user
        self._seq = itertools.count(1)

    def maildir(self, folder: str = "INBOX") -> Path:
        """The Maildir of a folder (Maildir++: other folders are `.Name`), created."""
        base = self.home / "Maildir"
        path = base if folder == "INBOX" else base / f".{folder}"
        for d in (self.home, base, path, path / "cur", path / "new", path / "tmp"):
            if not d.exists():
                d.mkdir()
                os.chown(d, self.server.uid, self.server.gid)
        return path

    def deliver(self, data: bytes, folder: str = "INBOX", when: dt.datetime | None = None) -> Path:
        """Write one unread message into `folder`'s new/ (INTERNALDATE = `when`)."""
        seq = next(self._seq)
        name = f"{int(time.time())}.M{seq}P{os.getpid()}.darkpool"
        path = self.maildir(folder) / "new" / name
        path.write_bytes(data.replace(b"\r\n", b"\n"))
        os.chown(path, self.server.uid, self.server.gid)
        if when is not None:
            os.utime(path, (when.timestamp(), when.timestamp()))
        return path

    def drop_folder_state(self, folder: str = "INBOX") -> None:
        """Forget UIDs: remove dovecot-uidlist and indexes, so UIDVALIDITY changes."""
        path = self.maildir(folder)
        for f in path.iterdir():
            if f.name.startswith(("dovecot-uidlist", "dovecot.index")):
                f.unlink()
        for f in (path / "cur").iterdir():  # back to new/, as if just delivered
            f.rename(path / "new" / f.name.split(":")[0])

    def message_files(self, folder: str = "INBOX") -> list[Path]:
        path = self.maildir(folder)
        return sorted(f for sub in ("cur", "new") for f in (path / sub).iterdir())

    def flags_on_disk(self, folder: str = "INBOX") -> list[str]:
        """Maildir flag letters of every message in `folder` ('' for none)."""
        names = [f.name for f in self.message_files(folder)]
        return [n.split(":2,", 1)[1] if ":2," in n else "" for n in names]

    def sessions(self) -> list[dict[str, int]]:
        """Per finished IMAP session of this user: headers, bodies, body bytes sent."""
        return [s for s in self.server.sessions() if s["user"] == self.user]


class Dovecot:
    """One private Dovecot instance: `start()`, `add_user()`, `stop()`."""

    def __init__(
        self,
        spare_users: int = 40,
        oauth2_introspection: str | None = None,
        oauth2_mechanisms: tuple[str, ...] = ("xoauth2", "oauthbearer"),
    ) -> None:
        # Not under pytest's 0700 tmp dirs: the mail processes run as another uid.
        self.root = Path(tempfile.mkdtemp(prefix="darkpool-dovecot-"))
        self.root.chmod(0o755)
        self.port, self.tls_port = free_port(), free_port()
        self.host = "127.0.0.1"
        self.name = f"darkpool-test-{os.getpid()}-{next(_counter)}"
        if os.geteuid() == 0:
            mail = pwd.getpwnam("dovecot")
            self.uid, self.gid = mail.pw_uid, mail.pw_gid
            self.login_user, self.internal_user = "dovenull", "dovecot"
        else:
            me = pwd.getpwuid(os.geteuid())
            self.uid, self.gid = me.pw_uid, me.pw_gid
            self.login_user = self.internal_user = me.pw_name
        self.cert, self.key = make_certificate(self.root)
        self.config = self.root / "dovecot.conf"
        self.log = self.root / "dovecot.log"
        self.passwd = self.root / "passwd"
        self.users: dict[str, Mailbox] = {}
        self._spare: list[Mailbox] = []
        self.oauth2_introspection = oauth2_introspection
        self.oauth2_mechanisms = oauth2_mechanisms
        self._write_config()
        self._write_users(spare_users)

    def add_user(self, password: str | None = None) -> Mailbox:
        """A fresh user with an empty INBOX, and `password` if given (else a random one).

        Dovecot re-reads its passwd-file at most once a second, so users are
        made in advance (`spare_users`); only past those, or for a chosen
        password, does this wait.
        """
        if password is not None:
            self._write_users(1, password)
            time.sleep(1.1)
            box = self._spare.pop()
        else:
            if not self._spare:
                self._write_users(10)
                time.sleep(1.1)
            box = self._spare.pop(0)
        box.maildir()
        return box

    def _write_users(self, count: int, password: str | None = None) -> None:
        for _ in range(count):
            user = f"shopper{len(self.users) + 1}"
            box = Mailbox(self, user, password or "pw-" + secrets.token_urlsafe(12))
            self.users[user] = box
            self._spare.append(box)
        lines = [
            f"{b.user}:{{PLAIN}}{b.password}:{self.uid}:{self.gid}::{b.home}\n"
            for b in self.users.values()
        ]
        tmp = self.passwd.with_suffix(".new")
        tmp.write_text("".join(lines))
        tmp.chmod(0o600)
        os.chown(tmp, self.uid, self.gid)  # read by auth, running as the internal user
        tmp.replace(self.passwd)

    # -- configuration ---------------------------------------------------
    def _oauth2_config(self) -> tuple[str, str]:
        """(extra auth mechanisms, passdb block) for token logins, or nothing."""
        if self.oauth2_introspection is None:
            return "", ""
        ext = self.root / "dovecot-oauth2.conf.ext"
        ext.write_text(
            f"introspection_mode = post\nintrospection_url = {self.oauth2_introspection}\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
        )
        mechanisms = " ".join(self.oauth2_mechanisms)
        block = f"""passdb {{
  driver = oauth2
  mechanisms = {mechanisms}
  args = {ext}
}}
"""
        return " " + mechanisms, block

    def _write_config(self) -> None:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir()
        mechanisms, oauth2_passdb = self._oauth2_config()
        self.config.write_text(
            f"""
instance_name = {self.name}
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.log}
info_log_path = {self.log}
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = no
auth_mechanisms = plain login{mechanisms}
auth_cache_size = 0
auth_failure_delay = 0
default_login_user = {self.login_user}
default_internal_user = {self.internal_user}
first_valid_uid = 1
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  mailbox "All Mail" {{
    special_use = \\All
  }}
  mailbox Archive {{
    special_use = \\Archive
  }}
  mailbox Junk {{
    special_use = \\Junk
  }}
}}
imap_logout_format = hdr=%{{fetch_hdr_count}} body=%{{fetch_body_count}} bodybytes=%{{fetch_body_bytes}}
{oauth2_passdb}passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.passwd}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = {self.tls_port}
    ssl = yes
  }}
}}
"""
        )

    # -- lifecycle -------------------------------------------------------
    def start(self) -> Dovecot:
        # Dovecot daemonizes; its children inherit our fds, so no pipes here.
        with open(self.root / "start.err", "wb") as err:
            done = subprocess.run(
                [DOVECOT, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=err
            )
        if done.returncode != 0:
            raise RuntimeError((self.root / "start.err").read_text(errors="replace"))
        self._wait_port()
        return self

    def stop(self) -> None:
        """Stop the master and every process of this instance (open IMAP sessions too).

        `doveadm stop` leaves running imap processes serving their clients;
        a restart test needs those connections cut, as a real restart does.
        """
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        deadline = time.monotonic() + 15
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        for pid in self._instance_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _instance_pids(self) -> list[int]:
        """Our master (`dovecot -c <our config>`) and the processes titled
        `dovecot-<our instance name>/...` — only ours: both names are unique."""
        prefix = f"dovecot-{self.name}/".encode()
        master = f"-c\0{self.config}\0".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    cmdline = (entry / "cmdline").read_bytes()
                    if cmdline.startswith(prefix) or master in cmdline:
                        pids.append(int(entry.name))
        return pids

    def restart(self) -> None:
        """Stop the server (dropping every client connection) and start it again."""
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _wait_port(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not start; log:\n{self.log_text()}")

    # -- logs --------------------------------------------------------------
    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def sessions(self) -> list[dict]:
        """Per finished IMAP session: user, headers, bodies and body bytes sent."""
        return [
            {k: (v if k == "user" else int(v)) for k, v in m.groupdict().items()}
            for m in LOGOUT_RE.finditer(self.log_text())
        ]
