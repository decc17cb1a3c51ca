"""pymap (a Python IMAP server, from PyPI) on loopback, for the server matrix.

scripts/test.sh installs it into its own virtualenv, /opt/darkpool-imap/pymap
($DARKPOOL_PYMAP names another `pymap` executable), so its dependencies never
meet darkpool's. Its `dict` backend keeps mail in memory and serves one user,
so every `add_user()` starts a fresh server on its own free port: each box
carries its `host` and `port`. Mail arrives by APPEND, as a client sends it.
"""

from __future__ import annotations

import imaplib
import os
import secrets
from pathlib import Path

from services import free_port
from services.processes import spawn, stop_group, wait_for_port

PYMAP = os.environ.get("DARKPOOL_PYMAP") or "/opt/darkpool-imap/pymap/bin/pymap"
INSTALLED = Path(PYMAP).exists()
INSTALL_HINT = (
    "pymap is not installed: python3 -m venv /opt/darkpool-imap/pymap && "
    "/opt/darkpool-imap/pymap/bin/pip install pymap (scripts/test.sh does this)"
)


class PymapBox:
    """One user on their own pymap process; `deliver()` APPENDs."""

    def __init__(self, host: str, user: str, password: str) -> None:
        self.host, self.port, self.user, self.password = host, free_port(), user, password
        self.process = spawn(
            [PYMAP, "--host", host, "--port", str(self.port), "--no-tls", "dict"]
            + ["--demo-user", user, "--demo-password", password]
        )
        wait_for_port(host, self.port, 30, "pymap")

    def deliver(self, data: bytes, folder: str = "INBOX") -> None:
        imap = imaplib.IMAP4(self.host, self.port)
        try:
            imap.login(self.user, self.password)
            if folder != "INBOX":
                imap.create(folder)  # NO when it exists: fine
            crlf = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            typ, detail = imap.append(folder, None, None, crlf)
            if typ != "OK":
                raise RuntimeError(f"APPEND to {folder} failed: {detail}")
        finally:
            imap.logout()

    def stop(self) -> None:
        stop_group(self.process)


class Pymap:
    """Hands out one pymap process per user; `close()` stops them all."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = 0  # each box has its own
        self.boxes: list[PymapBox] = []

    def start(self) -> Pymap:
        return self

    def add_user(self, password: str | None = None) -> PymapBox:
        box = PymapBox(self.host, f"shopper{len(self.boxes) + 1}", password or secrets.token_hex(8))
        self.boxes.append(box)
        return box

    def close(self) -> None:
        for box in self.boxes:
            box.stop()
