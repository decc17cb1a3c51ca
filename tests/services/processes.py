"""What the IMAP servers' starters share: a server process in its own process
group, logged to a file; waiting until its port answers; stopping the group."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path


def spawn(argv: list[str], log: Path | None = None) -> subprocess.Popen:
    """`argv` in a new session (so a stop reaches the children it forks), output to `log`."""
    out = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    finally:
        if log is not None:
            out.close()  # the child holds its own copy


def wait_for_port(host: str, port: int, seconds: float, what: str, log: Path | None = None) -> None:
    """Return once `host:port` accepts a connection; RuntimeError (with the log) if not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), 0.5):
            return
        time.sleep(0.05)
    detail = log.read_text(errors="replace") if log is not None and log.exists() else ""
    raise RuntimeError(f"{what} did not start: {detail}")


def stop_group(process: subprocess.Popen | None) -> None:
    """SIGTERM the process's group, SIGKILL it after 10 s."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
