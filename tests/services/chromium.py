"""Debian's headless Chromium and a served site, for the browser tests and scripts/screenshots.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services import free_port

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = f"headless Chromium is not installed at {CHROMIUM}: apt-get install chromium"
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


def installed() -> bool:
    """Debian's chromium is there (Playwright drives it; it downloads no browser)."""
    return Path(CHROMIUM).exists() and shutil.which("chromium") is not None


def launch(playwright):
    """Playwright driving Debian's Chromium binary (no browser download needed)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


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
