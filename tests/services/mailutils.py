"""A private GNU Mailutils imap4d on loopback, for the server matrix (tests/integration).

imap4d runs in the foreground from its own configuration file (never
/etc/mailutils.conf), listens on a free port on 127.0.0.1 and authenticates
users from a virtual-domain passwd file (`user@darkpool.test`, crypt hashes
made with `openssl passwd -6`). Each user's INBOX is the Maildir `HOME/INBOX`,
other folders are `HOME/NAME`; tests fill them by writing files.

Mailutils keeps a message's UID in its file name (`,u=N`), which only a
read-write open writes: a folder that no mail client has opened since new
mail came in is renumbered on every read-only open, with a new UIDVALIDITY per
session. `settle()` opens it read-write once, as the user's mail client would.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from services import free_port
from services.processes import spawn, stop_group, wait_for_port

IMAP4D = shutil.which("imap4d") or (
    "/usr/sbin/imap4d" if Path("/usr/sbin/imap4d").exists() else None
)
INSTALL_HINT = "GNU Mailutils imap4d is not installed: apt-get install mailutils-imap4d"
DOMAIN = "darkpool.test"


class MailutilsBox:
    """One user's mail: `deliver()` writes Maildir files."""

    def __init__(self, server: Mailutils, name: str, password: str) -> None:
        self.server, self.name, self.password = server, name, password
        self.user = f"{name}@{DOMAIN}"
        self.home = server.root / "home" / name
        self._seq = itertools.count(1)

    def maildir(self, folder: str = "INBOX") -> Path:
        path = self.home / folder
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        return path

    def deliver(self, data: bytes, folder: str = "INBOX") -> Path:
        """One unread message in `folder`'s new/, as a delivery agent writes it."""
        seq = next(self._seq)
        name = f"{int(time.time())}.M{seq}P{os.getpid()}.darkpool"
        path = self.maildir(folder) / "new" / name
        path.write_bytes(data.replace(b"\r\n", b"\n"))
        return path

    def settle(self, folder: str = "INBOX") -> None:
        """Open `folder` read-write and close it, as a mail client does: UIDs stick."""
        imap = imaplib.IMAP4(self.server.host, self.server.port)
        try:
            imap.login(self.user, self.password)
            imap.select(folder)
            imap.close()
        finally:
            imap.logout()


class Mailutils:
    """One private imap4d: `start()`, `add_user()`, `stop()`."""

    name = "GNU Mailutils imap4d"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="darkpool-mailutils-"))
        self.host, self.port = "127.0.0.1", free_port()
        self.config = self.root / "imap4d.conf"
        self.log = self.root / "imap4d.log"
        (self.root / "passwd").mkdir()
        self.users: dict[str, MailutilsBox] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.config.write_text(
            f"""
mode daemon;
foreground yes;
pidfile {self.root}/imap4d.pid;
logging {{ syslog no; }};
auth {{ authentication generic; authorization virtdomain; }};
virtdomain {{ passwd-dir {self.root}/passwd; }};
mailbox {{ mailbox-type maildir; }};
server {self.host}:{self.port} {{ }};
"""
        )

    def add_user(self, password: str | None = None) -> MailutilsBox:
        """A user with an empty INBOX (imap4d reads the passwd file at each login)."""
        box = MailutilsBox(self, f"shopper{len(self.users) + 1}", password or secrets.token_hex(8))
        self.users[box.name] = box
        uid, gid = os.geteuid(), os.getegid()
        lines = [
            f"{b.name}:{_crypt(b.password)}:{uid}:{gid}::{b.home}:/bin/sh\n"
            for b in self.users.values()
        ]
        (self.root / "passwd" / DOMAIN).write_text("".join(lines))
        box.maildir()
        return box

    def start(self) -> Mailutils:
        self.process = spawn([IMAP4D, f"--config-file={self.config}"], self.log)
        wait_for_port(self.host, self.port, 15, "imap4d", self.log)
        return self

    def stop(self) -> None:
        """Stop imap4d and the session processes it forked (its own process group)."""
        stop_group(self.process)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def _crypt(password: str) -> str:
    """A SHA-512 crypt(3) hash, as imap4d's generic authentication checks it."""
    return (
        subprocess.run(
            ["openssl", "passwd", "-6", "-stdin"],
            input=password.encode(),
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .strip()
    )
