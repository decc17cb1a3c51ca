"""A private Cyrus IMAP 3.6 on loopback, for the server matrix (tests/integration).

Debian's `cyrus-imapd` conflicts with `dovecot-imapd`, which every other IMAP
test needs, so only its library dependencies are installed (`cyrus-common`,
`sasl2-bin`) and the package itself is unpacked into a private prefix with
`apt-get download` + `dpkg-deb -x` (scripts/test.sh; $DARKPOOL_CYRUS_IMAPD
points elsewhere). `cyrmaster` runs in the foreground from its own imapd.conf
and cyrus.conf in a temp dir, users live in a private sasldb, mailboxes are
created by an admin login, and mail arrives by APPEND, as a client delivers
it. Folders are `INBOX.Name` (unixhierarchysep off, Cyrus's classic layout).
"""

from __future__ import annotations

import imaplib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from services import free_port
from services.processes import spawn, stop_group, wait_for_port

PREFIX = Path("/opt/darkpool-imap/cyrus")
IMAPD = os.environ.get("DARKPOOL_CYRUS_IMAPD") or str(PREFIX / "usr/lib/cyrus/bin/imapd")
MASTER = "/usr/lib/cyrus/bin/master"
CTL_CYRUSDB = "/usr/lib/cyrus/bin/ctl_cyrusdb"
SASLPASSWD = shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"
INSTALLED = all(Path(p).exists() for p in (IMAPD, MASTER, CTL_CYRUSDB, SASLPASSWD))
INSTALL_HINT = (
    "Cyrus IMAP is not set up: apt-get install cyrus-common sasl2-bin, then "
    "apt-get download cyrus-imapd && dpkg-deb -x cyrus-imapd_*.deb /opt/darkpool-imap/cyrus "
    "(scripts/test.sh does this)"
)
ADMIN = "cyrusadm"


class CyrusBox:
    """One user's mailbox; `deliver()` APPENDs, creating the folder when needed."""

    def __init__(self, server: Cyrus, user: str, password: str) -> None:
        self.server, self.user, self.password = server, user, password
        self._folders = {"INBOX"}

    def deliver(self, data: bytes, folder: str = "INBOX") -> None:
        name = folder if folder == "INBOX" else "INBOX." + folder.replace("/", ".")
        imap = self.server.connect(self.user, self.password)
        try:
            if name not in self._folders:
                imap.create(name)
                self._folders.add(name)
            crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # IMAP wants CRLF
            typ, detail = imap.append(name, None, None, crlf)
            if typ != "OK":
                raise RuntimeError(f"APPEND to {name} failed: {detail}")
        finally:
            imap.logout()


class Cyrus:
    """One private Cyrus instance: `start()`, `add_user()`, `stop()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="darkpool-cyrus-"))
        self.root.chmod(0o755)
        self.host, self.port = "127.0.0.1", free_port()
        self.config, self.services = self.root / "imapd.conf", self.root / "cyrus.conf"
        self.sasldb = self.root / "sasldb2"
        self.admin_password = secrets.token_hex(8)
        self.users: dict[str, CyrusBox] = {}
        self.process: subprocess.Popen[bytes] | None = None
        for sub in ("config", "spool", "run"):
            (self.root / sub).mkdir()
        self.config.write_text(
            f"""configdirectory: {self.root}/config
partition-default: {self.root}/spool
admins: {ADMIN}
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {self.sasldb}
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
unixhierarchysep: no
altnamespace: no
idlesocket: {self.root}/run/idle
notifysocket: {self.root}/run/notify
lmtpsocket: {self.root}/run/lmtp
syslog_prefix: darkpool-cyrus
"""
        )
        self.services.write_text(
            f"""START {{
  recover cmd="{CTL_CYRUSDB} -r -C {self.config}"
}}
SERVICES {{
  imap cmd="{IMAPD} -C {self.config}" listen="{self.host}:{self.port}" prefork=0
}}
EVENTS {{
}}
"""
        )
        self._set_password(ADMIN, self.admin_password)

    def _set_password(self, user: str, password: str) -> None:
        subprocess.run(
            [SASLPASSWD, "-f", str(self.sasldb), "-c", "-p", user],
            input=password.encode(),
            check=True,
            capture_output=True,
        )
        self._own()

    def _own(self) -> None:
        """As root, cyrmaster runs its services as `cyrus`: give it the instance's files."""
        if os.geteuid() != 0:
            return
        cyrus = pwd.getpwnam("cyrus")
        for path in [self.root, *self.root.rglob("*")]:
            os.chown(path, cyrus.pw_uid, cyrus.pw_gid)

    def connect(self, user: str, password: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port)
        imap.login(user, password)
        return imap

    def add_user(self, password: str | None = None) -> CyrusBox:
        """A user with an empty INBOX (created by the admin, as Cyrus wants)."""
        box = CyrusBox(self, f"shopper{len(self.users) + 1}", password or secrets.token_hex(8))
        self._set_password(box.user, box.password)
        admin = self.connect(ADMIN, self.admin_password)
        try:
            typ, detail = admin.create(f"user.{box.user}")
            if typ != "OK":
                raise RuntimeError(f"cannot create user.{box.user}: {detail}")
        finally:
            admin.logout()
        self.users[box.user] = box
        return box

    def start(self) -> Cyrus:
        log = self.root / "master.log"
        self.process = spawn([MASTER, "-C", str(self.config), "-M", str(self.services), "-D"], log)
        wait_for_port(self.host, self.port, 20, "Cyrus", log)
        return self

    def stop(self) -> None:
        """Stop cyrmaster and its imapd children (their own process group)."""
        stop_group(self.process)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
