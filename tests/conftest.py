"""Shared fixtures: a real store built by the real migrations in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.db.engine import init_store, make_engine, session_factory

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def postgres():
    """One private PostgreSQL server for the whole run (see tests/pg.py)."""
    from pg import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


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
    """Run `darkpool --db <tmp store> ARGS`; returns the click Result."""
    monkeypatch.setenv("DARKPOOL_DATA_DIR", str(tmp_path / "data"))
    from tracker.cli import cli

    def run(*args: str, input: str | None = None, db: bool = True):
        runner = CliRunner()
        full = ["--db", db_url, *args] if db else list(args)
        return runner.invoke(cli, full, input=input, catch_exceptions=False)

    return run
