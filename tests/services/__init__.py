"""The real services the tests drive: Dovecot, PostgreSQL and Chromium, on loopback.

One implementation each (dovecot.py, pg.py, chromium.py); tests/conftest.py
turns them into the fixtures. These modules do not import pytest at import
time, so the benchmarks and scripts/screenshots.py can use them as well.
"""

from __future__ import annotations

import os
import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_ci() -> bool:
    """True under CI (CI=true, as CI services set it): missing services fail there."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(found: bool, hint: str) -> None:
    """Skip the test when a service is missing locally; fail it in CI.

    CI runs scripts/test.sh, which installs every service, so a missing one
    there is a broken set-up, not a reason to pass quietly.
    """
    if found:
        return
    import pytest

    if in_ci():
        pytest.fail(f"{hint}; it is required in CI", pytrace=False)
    pytest.skip(hint)
