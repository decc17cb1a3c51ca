"""The CLI over a store in trouble: one line per failure, private files, bounded dates.

Each failure is real: a corrupt file, a read-only or full filesystem, a lock
held by another connection, a PostgreSQL port nobody listens on.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailmaker import mbox, message, write
from sqlalchemy import text

from tracker.cli import error_line
from tracker.db.engine import init_store, make_engine
from tracker.db.models import Cart, Message, Retailer

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mail"
LEAKS = ("Traceback", "SELECT", "INSERT", "[SQL", "[parameters")


def assert_one_error_line(result, *expected: str) -> str:
    """Exit 1 and exactly one 'Error: ...' line on stderr, holding `expected`."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for leak in LEAKS:
        assert leak not in result.output
    for part in expected:
        assert part in lines[0]
    return lines[0]


# -- dates bounded on entry ---------------------------------------------------


def test_cart_add_at_now_is_the_default(run_cli):
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    logged = run_cli("cart", "add", "levi.com")
    after = datetime.now(UTC)
    assert logged.exit_code == 0, logged.output
    found = re.fullmatch(
        r"Logged cart #1 at levi\.com \(Levi's\), left (.{16}) UTC\.\n", logged.stdout
    )
    assert found is not None
    left = datetime.strptime(found[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert before <= left <= after
    assert run_cli("cart", "add", "zara.com", "--at", "now").exit_code == 0


@pytest.mark.parametrize(
    "when, error",
    [
        ("3026-11-20 14:03", "outside 1980-01-01 to 2100-01-01"),
        ("0001-01-01", "outside 1980-01-01 to 2100-01-01"),
        ("9999-12-31 23:59:59+00:00", "outside 1980-01-01 to 2100-01-01"),
        ("2099-01-01", "in the future"),
    ],
)
def test_cart_add_refuses_a_time_no_cart_was_left_at(run_cli, when, error):
    assert_one_error_line(run_cli("cart", "add", "levi.com", "--at", when), error)


@pytest.mark.parametrize("value", ["inf", "nan", "-5"])
def test_cart_add_refuses_a_value_no_cart_has(run_cli, value):
    result = run_cli("cart", "add", "levi.com", "--value", value, "--currency", "USD")
    assert_one_error_line(result, "not a cart value")


def _store_out_of_range_rows(url: str) -> None:
    """Rows a store may hold from before entry was bounded (written past fit_row)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        rid = conn.execute(text("SELECT id FROM retailers ORDER BY id")).scalars().first()
        if rid is None:
            rid = conn.execute(
                Retailer.__table__.insert().returning(Retailer.id),
                {"domain": "levi.com", "name": "Levi's"},
            ).scalar_one()
        now = datetime.now(UTC)
        for year in (3026, 1):
            conn.execute(
                Cart.__table__.insert(),
                {
                    "contributor": "me",
                    "retailer_id": rid,
                    "left_at": datetime(year, 1, 2, tzinfo=UTC),
                    "created_at": now,
                },
            )
        conn.execute(
            Message.__table__.insert(),
            {
                "key": "far-future",
                "content_hash": "0" * 64,
                "source": "test",
                "contributor": "me",
                "retailer_id": rid,
                "sent_at": datetime(3026, 1, 2, tzinfo=UTC),
                "kind": "abandoned_cart",
                "imported_at": now,
            },
        )
    engine.dispose()


def test_stats_publish_and_journeys_skip_rows_stored_out_of_range(
    run_cli, any_db_url: str, tmp_path: Path
):
    def run(*args: str):
        return run_cli("--db", any_db_url, *args, db=False)

    assert run("import", str(FIXTURES)).exit_code == 0
    assert run("cart", "add", "levi.com", "--at", "2026-11-20 14:03").exit_code == 0
    _store_out_of_range_rows(any_db_url)
    warning = "warning: skipped 2 carts and 1 message dated outside 1980-01-01 to 2100-01-01\n"
    for args in (["stats", "--jsonl"], ["journeys"], ["publish", str(tmp_path / "snap.sqlite")]):
        result = run(*args)
        assert (result.exit_code, result.stderr) == (0, warning), result.output
    assert (tmp_path / "snap.sqlite").exists()


# -- one line for every store failure -----------------------------------------


def test_a_database_error_is_one_line_without_sql_or_values(any_db_url: str):
    engine = make_engine(any_db_url)
    init_store(engine)
    with pytest.raises(Exception) as caught, engine.begin() as conn:
        conn.execute(
            Message.__table__.insert(),
            {"key": None, "content_hash": "x", "source": "secret-source", "contributor": "alice",
             "subject": "Secret subject", "imported_at": datetime.now(UTC)},
        )  # fmt: skip
    engine.dispose()
    line = error_line(caught.value)
    assert "\n" not in line and "null" in line.lower()
    for leak in ("INSERT", "secret-source", "alice", "Secret subject", *LEAKS):
        assert leak not in line


def test_a_locked_store_is_one_line(tmp_path: Path):
    path = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            sqlite3.connect(path, timeout=0).execute("INSERT INTO t VALUES (1)")
    finally:
        holder.close()
    assert error_line(caught.value) == (
        "the database is locked by another process; try again (database is locked)"
    )


def store_commands(tmp_path: Path) -> list[list[str]]:
    """Every command that opens the store, with arguments that would otherwise work."""
    return [
        ["init"], ["import", str(FIXTURES)], ["messages"], ["journeys"], ["stats", "--jsonl"],
        ["publish", str(tmp_path / "snapshot.sqlite")], ["cart", "add", "levi.com"],
        ["reports"], ["sources", "list"], ["crawl", "https://127.0.0.1:9/reports"],
        ["sync", "--host", "127.0.0.1", "--port", "9", "--user", "me", "--plain"],
    ]  # fmt: skip


def test_a_corrupt_store_is_one_line_for_every_command(run_cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", "imap-pw")
    store = write(tmp_path / "corrupt.sqlite", b"this is not a database\n" * 500)
    for args in store_commands(tmp_path):
        result = run_cli("--db", str(store), *args, db=False)
        assert_one_error_line(result, "corrupt or not a database", str(store))


def test_a_read_only_store_is_one_line(run_cli, tmp_path: Path):
    store = tmp_path / "ro.sqlite"
    assert run_cli("--db", str(store), "init", db=False).exit_code == 0
    read_only = f"sqlite:///file:{store}?mode=ro&uri=true"
    result = run_cli("--db", read_only, "cart", "add", "levi.com", db=False)
    assert_one_error_line(result, "read-only")


def test_unreachable_postgresql_is_one_line_without_the_password(
    run_cli, free_port, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("DARKPOOL_IMAP_PASSWORD", "imap-pw")
    url = f"postgresql+psycopg://me:s3cret-pw@127.0.0.1:{free_port()}/darkpool"
    for args in store_commands(tmp_path):
        line = assert_one_error_line(run_cli("--db", url, *args, db=False), "cannot reach")
        assert "s3cret-pw" not in line and "me:***@127.0.0.1" in line


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 320 KiB tmpfs: a real ENOSPC (needs root; skipped elsewhere)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_store_on_a_read_only_filesystem_is_one_line(run_cli, tiny_disk: Path):
    store = tiny_disk / "store.sqlite"
    assert run_cli("--db", str(store), "init", db=False).exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    for args in (["cart", "add", "levi.com"], ["import", str(FIXTURES)]):
        assert_one_error_line(run_cli("--db", str(store), *args, db=False), "read-only")


def test_a_full_disk_is_one_line(run_cli, tiny_disk: Path, tmp_path: Path):
    store = tiny_disk / "store.sqlite"
    assert run_cli("--db", str(store), "init", db=False).exit_code == 0
    msgs = [message(i, subject=f"Cart {i} " + "x" * 900) for i in range(2000)]
    box = write(tmp_path / "big.mbox", mbox(msgs))
    result = run_cli("--db", str(store), "import", str(box), db=False)
    assert_one_error_line(result, "disk")


# -- private files ------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_store_and_its_wal_are_private_whatever_the_umask(run_cli, tmp_path: Path):
    store = tmp_path / "private" / "store.sqlite"
    old = os.umask(0)
    try:
        assert run_cli("--db", str(store), "init", db=False).exit_code == 0
        reader = sqlite3.connect(store)  # keeps -wal and -shm in place
        reader.execute("SELECT count(*) FROM messages").fetchone()
        imported = run_cli("--db", str(store), "import", str(FIXTURES), db=False)
        assert imported.exit_code == 0, imported.output
        files = [store, Path(f"{store}-wal"), Path(f"{store}-shm")]
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        reader.close()
    finally:
        os.umask(old)


def test_the_default_store_lives_in_a_private_data_dir(run_cli, tmp_path: Path, monkeypatch):
    data = tmp_path / "fresh" / "darkpool"
    monkeypatch.setenv("DARKPOOL_DATA_DIR", str(data))
    monkeypatch.delenv("DARKPOOL_DB", raising=False)
    old = os.umask(0o022)
    try:
        assert run_cli("init", db=False).exit_code == 0
    finally:
        os.umask(old)
    assert (_mode(data), _mode(data / "darkpool.sqlite")) == (0o700, 0o600)


def test_init_masks_the_password_in_the_store_url(run_cli, postgres):
    url = postgres.new_database().replace("://postgres@", "://postgres:s3cret-pw@")
    result = run_cli("--db", url, "init", db=False)  # trust auth: any password logs in
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output
    assert result.stdout.startswith("Store ready at postgresql+psycopg://postgres:***@127.0.0.1:")


def test_a_store_left_readable_by_others_is_made_private(run_cli, tmp_path: Path):
    store = tmp_path / "old.sqlite"
    assert run_cli("--db", str(store), "init", db=False).exit_code == 0
    store.chmod(0o644)  # as darkpool created it before
    assert run_cli("--db", str(store), "stats", db=False).exit_code == 0
    assert _mode(store) == 0o600
