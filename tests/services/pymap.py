"""pymap (a Python IMAP server, from PyPI) on loopback, for the server matrix.

scripts/test.sh installs it into its own virtualenv, /opt/darkpool-imap/pymap
($DARKPOOL_PYMAP names another `pymap` executable), so its dependencies never
meet darkpool's. Its `dict` backend keeps mail in memory and serves one user,
so every `add_user()` starts a fresh server on its own free port: each box
carries its `host` and `port`. Mail arrives by APPEND, as a client sends it.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

from services import free_port

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
        self.process = subprocess.Popen(
            [PYMAP, "--host", host, "--port", str(self.port), "--no-tls", "dict"]
            + ["--demo-user", user, "--demo-password", password],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((host, self.port), 0.5):
                return
            time.sleep(0.05)
        raise RuntimeError("pymap did not start")

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
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


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
