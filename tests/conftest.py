"""The suite's one conftest: layer markers from the path, and every shared fixture.

Tests live by what they need:

- tests/unit/         no service, no spawned process; a temp SQLite file at most
- tests/integration/  real services (Dovecot, PostgreSQL) or the CLI in a subprocess
- tests/system/       kills, hostile input, Chromium, soak, scale-out, benchmarks, demo

Each test gets the marker of its directory (`-m unit`, `-m "not system"`), and
`imap` or `browser` when it uses the Dovecot or Chromium fixture.
The service fixtures below are the only ones: each starts the one
implementation in tests/services/, and skips when the service is missing
locally but fails in CI (`services.require`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import TESTS
from services import dovecot as _dovecot
from services import free_port as _free_port
from services import pg as _pg
from services import require
from services.chromium import INSTALL_HINT as CHROMIUM_HINT
from services.chromium import installed as chromium_installed
from services.chromium import launch

from tracker.db.engine import init_store, make_engine, session_factory

LAYERS = ("unit", "integration", "system")
# A unit test that reaches any of these is in the wrong directory.
SERVICE_FIXTURES = {"postgres", "any_db_url", "dovecot", "browser"}
# Markers that follow from a fixture: `-m "not imap"` leaves out every Dovecot test.
FIXTURE_MARKERS = {"dovecot": "imap", "browser": "browser"}


def _layer(item: pytest.Item) -> str | None:
    """unit, integration or system, from the test's directory (None outside tests/)."""
    if not item.path.is_relative_to(TESTS):
        return None
    parts = item.path.relative_to(TESTS).parts
    if len(parts) < 2 or parts[0] not in LAYERS:
        raise pytest.UsageError(f"{item.nodeid}: tests live in tests/{{{','.join(LAYERS)}}}/")
    return parts[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        layer = _layer(item)
        if layer is None:
            continue
        item.add_marker(layer)
        fixtures = set(getattr(item, "fixturenames", ()))
        for fixture, marker in FIXTURE_MARKERS.items():
            if fixture in fixtures:
                item.add_marker(marker)
        used = SERVICE_FIXTURES & fixtures
        if layer == "unit" and used:
            raise pytest.UsageError(
                f"{item.nodeid} uses {', '.join(sorted(used))}: move it to tests/integration/"
            )


# -- ports and services ------------------------------------------------------


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """`free_port()`: a TCP port on 127.0.0.1 for a server the test starts."""
    return _free_port


@pytest.fixture(scope="session")
def postgres() -> Iterator[_pg.PostgresServer]:
    """One private PostgreSQL server for the whole run (tests/services/pg.py)."""
    require(_pg.find_bindir() is not None, _pg.INSTALL_HINT)
    server = _pg.PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dovecot() -> Iterator[_dovecot.Dovecot]:
    """A private Dovecot per module (tests/services/dovecot.py); `add_user()` gives a mailbox."""
    require(_dovecot.DOVECOT is not None, _dovecot.INSTALL_HINT)
    server = _dovecot.Dovecot().start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's binary) driven by Playwright, one per module."""
    require(chromium_installed(), CHROMIUM_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


# -- the store ---------------------------------------------------------------


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite store URL (the embedded default)."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path: Path) -> str:
    """A fresh store URL on each backend: tests using it run on SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def engine(any_db_url: str):
    eng = make_engine(any_db_url)
    init_store(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def run_cli(db_url: str, monkeypatch, tmp_path: Path):
    """Run `darkpool --db <tmp store> ARGS` in-process; returns the click Result."""
    monkeypatch.setenv("DARKPOOL_DATA_DIR", str(tmp_path / "data"))
    from tracker.cli import cli

    def run(*args: str, input: str | None = None, db: bool = True):
        runner = CliRunner()
        full = ["--db", db_url, *args] if db else list(args)
        return runner.invoke(cli, full, input=input, catch_exceptions=False)

    return run
