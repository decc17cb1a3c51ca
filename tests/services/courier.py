"""A private Courier-IMAP 5.0 on loopback, for the server matrix (tests/integration).

Debian's `courier-imap` conflicts with `dovecot-imapd`: scripts/test.sh installs
its dependencies (`courier-base`, `courier-authlib`, `courier-authlib-userdb`)
and unpacks the package into /opt/darkpool-imap/courier. Courier's authlib has
its paths compiled in (/etc/courier, /run/courier), so the instance runs in a
private mount namespace (`unshare -m`, root only) with both bind-mounted from a
temp dir: a userdb with the test users, `authdaemond`, and `couriertcpd`
running imaplogin + imapd on a free port. The system's Courier files are never
touched. Mail is written into each user's Maildir (Maildir++: `.Promos.Sale`
is `INBOX.Promos.Sale`). Courier's EXAMINE carries no UIDNEXT, and like
Mailutils it renumbers a folder no client has opened read-write (`settle()`).
"""

from __future__ import annotations

import contextlib
import imaplib
import itertools
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from services import free_port
from services.processes import spawn, stop_group, wait_for_port

PREFIX = Path("/opt/darkpool-imap/courier")
IMAPLOGIN = PREFIX / "usr/lib/courier/courier/imaplogin"
IMAPD = PREFIX / "usr/bin/imapd"
SYSTEM = ("/usr/sbin/couriertcpd", "/usr/sbin/authdaemond", "/usr/sbin/makeuserdb")
INSTALLED = (
    os.geteuid() == 0  # a mount namespace needs root
    and shutil.which("unshare") is not None
    and all(Path(p).exists() for p in (IMAPLOGIN, IMAPD, *SYSTEM))
    and Path("/etc/courier").is_dir()
)
INSTALL_HINT = (
    "Courier-IMAP is not set up (or not root): apt-get install courier-base courier-authlib "
    "courier-authlib-userdb, then apt-get download courier-imap && dpkg-deb -x "
    "courier-imap_*.deb /opt/darkpool-imap/courier (scripts/test.sh does this)"
)
CAPABILITY = "IMAP4rev1 UIDPLUS CHILDREN NAMESPACE IDLE"


class CourierBox:
    """One user's Maildir: `deliver()` writes files."""

    def __init__(self, server: Courier, user: str, password: str) -> None:
        self.server, self.user, self.password = server, user, password
        self.home = server.root / "home" / user
        self._seq = itertools.count(1)

    def maildir(self, folder: str = "INBOX") -> Path:
        base = self.home / "Maildir"
        path = base if folder == "INBOX" else base / ("." + folder.replace("/", "."))
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        if path != base:
            (path / "maildirfolder").touch()
        return path

    def deliver(self, data: bytes, folder: str = "INBOX") -> Path:
        """One unread message in `folder`'s new/, as a delivery agent writes it."""
        seq = next(self._seq)
        path = self.maildir(folder) / "new" / f"{int(time.time())}.M{seq}P{os.getpid()}.darkpool"
        path.write_bytes(data.replace(b"\r\n", b"\n"))
        return path

    def settle(self, folder: str = "INBOX") -> None:
        """Open `folder` read-write once, as a mail client does: Courier writes its
        UID list (courierimapuiddb) only then, and until then gives the folder a
        new UIDVALIDITY at every read-only open."""
        imap = imaplib.IMAP4(self.server.host, self.server.port)
        try:
            imap.login(self.user, self.password)
            imap.select("INBOX" if folder == "INBOX" else "INBOX." + folder.replace("/", "."))
            imap.close()
        finally:
            imap.logout()


class Courier:
    """One private Courier instance: `add_user()` before `start()`, then `stop()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="darkpool-courier-"))
        self.root.chmod(0o755)
        self.host, self.port = "127.0.0.1", free_port()
        self.etc, self.run = self.root / "etc", self.root / "run"
        (self.run / "authdaemon").mkdir(parents=True)
        self.etc.mkdir()
        shutil.chown(self.run, "courier", "courier")
        shutil.chown(self.run / "authdaemon", "courier", "courier")
        (self.etc / "authdaemonrc").write_text(
            'authmodulelist="authuserdb"\ndaemons=1\nauthdaemonvar=/run/courier/authdaemon\n'
            'DEBUG_LOGIN=0\nDEFAULTOPTIONS=""\nLOGGEROPTS=""\n'
        )
        self.users: dict[str, CourierBox] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self._spare = [self._new_user() for _ in range(30)]  # userdb is built at start

    def _new_user(self) -> CourierBox:
        box = CourierBox(self, f"shopper{len(self.users) + 1}", secrets.token_hex(8))
        self.users[box.user] = box
        box.maildir()
        return box

    def add_user(self, password: str | None = None) -> CourierBox:
        """One of the users made before start (Courier's userdb is compiled at start)."""
        if password is not None or not self._spare:
            raise RuntimeError("Courier users are made before start(); see _spare")
        return self._spare.pop(0)

    def _write_userdb(self) -> None:
        lines = []
        for box in self.users.values():
            hashed = (
                subprocess.run(
                    ["openssl", "passwd", "-6", "-stdin"],
                    input=box.password.encode(),
                    capture_output=True,
                    check=True,
                )
                .stdout.decode()
                .strip()
            )
            fields = f"uid=0|gid=0|home={box.home}|mail={box.home}/Maildir|systempw={hashed}"
            lines.append(f"{box.user}\t{fields}\n")
        userdb = self.etc / "userdb"
        userdb.write_text("".join(lines))
        userdb.chmod(0o600)

    def start(self) -> Courier:
        self._write_userdb()
        script = self.root / "start.sh"
        script.write_text(
            f"""set -e
mount --bind {self.etc} /etc/courier
mount --bind {self.run} /run/courier
makeuserdb -f /etc/courier/userdb
/usr/sbin/authdaemond start
export IMAP_CAPABILITY="{CAPABILITY}"
exec /usr/sbin/couriertcpd -address={self.host} -nodnslookup -noidentlookup -maxprocs=20 \\
  {self.port} {IMAPLOGIN} {IMAPD} Maildir
"""
        )
        log = self.root / "courier.log"
        self.process = spawn(["unshare", "-m", "--propagation", "private", "sh", str(script)], log)
        wait_for_port(self.host, self.port, 20, "Courier", log)
        return self

    def stop(self) -> None:
        """Stop couriertcpd (our process group) and our authdaemond (its pid file)."""
        pid_file = self.run / "authdaemon" / "pid"
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        stop_group(self.process)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
