"""Run the site: `streamlit run` in a subprocess, pointed at one snapshot.

What runs is `tracker/site/asgi.py`, which serves app.py's pages behind the
public site's security headers (see that module).

A subprocess keeps Streamlit's server (and its event loop) out of the caller,
so `darkpool demo` can serve after crawling, and tests can start and stop it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from tracker.config import ENV_SNAPSHOT
from tracker.errors import SiteError


def app_path() -> Path:
    """The repository's app.py when running from a checkout (or an editable
    install), else the copy shipped inside the package."""
    package = Path(__file__).resolve().parent
    repo_app = package.parent.parent / "app.py"
    return repo_app if repo_app.is_file() else package / "app.py"


def site_url(host: str, port: int) -> str:
    shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    return f"http://{shown}:{port}/"


def start_site(
    snapshot: Path, port: int = 8501, host: str = "127.0.0.1", quiet: bool = False
) -> subprocess.Popen:
    """Start Streamlit headless on `snapshot`; returns the process (not yet ready)."""
    env = dict(os.environ, **{ENV_SNAPSHOT: str(Path(snapshot).resolve())})
    args = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(Path(__file__).with_name("asgi.py")),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={host}",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--theme.base=light",
        "--client.toolbarMode=minimal",
        "--logger.level=warning",
    ]
    # Streamlit's own banner goes nowhere (we print the address); its errors stay visible.
    return subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else None,
        cwd=app_path().parent,
    )


def wait_until_ready(proc: subprocess.Popen, host: str, port: int, timeout: float = 60) -> str:
    """Poll Streamlit's health endpoint; returns the site URL or raises SiteError."""
    probe = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    health = f"http://{probe}:{port}/_stcore/health"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SiteError(f"streamlit exited with code {proc.returncode} (is port {port} free?)")
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return site_url(host, port)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SiteError(f"the site did not answer on {health} within {timeout:g} s")


def stop_site(proc: subprocess.Popen) -> None:
    """Terminate the server, killing it if it does not stop within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def serve(snapshot: Path, port: int, host: str, announce: Callable[[str], object]) -> int:
    """Serve until interrupted; `announce(url)` is called once the site answers."""
    proc = start_site(snapshot, port, host)
    # a plain SIGTERM would end this process without `finally` and orphan the server
    signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        announce(wait_until_ready(proc, host, port))
        return proc.wait()
    finally:
        stop_site(proc)
