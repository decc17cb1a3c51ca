"""Debian's headless Chromium and a served site, for the browser tests and scripts/screenshots.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(playwright):
    """Playwright driving Debian's Chromium binary (no browser download needed)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def browser_or_skip() -> Iterator:
    """A module fixture's body: the browser; CI fails without Chromium, elsewhere it skips."""
    import pytest

    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Debian's chromium at {CHROMIUM}")
        pytest.skip("headless Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@contextmanager
def served_site(snapshot: Path, where: Path) -> Iterator[str]:
    """`darkpool site` on a free port, started as a user would; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "tracker", "site", "--snapshot", str(snapshot)]
    with (
        (where / "stderr.txt").open("w+") as errors,
        subprocess.Popen(
            [*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=errors, text=True
        ) as proc,
    ):
        try:
            line = proc.stdout.readline()  # printed once the server answers its health check
            errors.seek(0)
            assert f"darkpool site running at http://localhost:{port}/" in line, errors.read()
            yield f"http://127.0.0.1:{port}/"
        finally:
            proc.terminate()
            proc.wait(timeout=20)
