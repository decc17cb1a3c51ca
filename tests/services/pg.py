"""A private PostgreSQL server on loopback for the tests.

Debian's postgresql refuses to run as root, so the cluster is created and
started as the `postgres` system user in a temporary directory, listening on
127.0.0.1 only with trust authentication. The `postgres` fixture
(tests/conftest.py) skips without PostgreSQL outside CI and fails in CI.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from services import free_port

INSTALL_HINT = "PostgreSQL not installed: apt-get install postgresql (scripts/test.sh does it)"


def find_bindir() -> Path | None:
    """Debian's newest PostgreSQL binaries (initdb, pg_ctl), or None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, check=True, capture_output=True, text=True, **kwargs)


class PostgresServer:
    def __init__(self) -> None:
        found = find_bindir()
        if found is None:
            raise RuntimeError(INSTALL_HINT)
        self.bindir = found
        self.root = Path(tempfile.mkdtemp(prefix="darkpool-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _as_postgres(
            [
                str(found / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
            ]
        )
        _as_postgres(
            [
                str(found / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "log"),
                "-w",
                "-o",
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off",
                "start",
            ]
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        from sqlalchemy import create_engine, text

        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)

    def stop(self) -> None:
        deadline = time.monotonic() + 30
        try:
            _as_postgres(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            )
        finally:
            while time.monotonic() < deadline and (self.data / "postmaster.pid").exists():
                time.sleep(0.1)
            shutil.rmtree(self.root, ignore_errors=True)
