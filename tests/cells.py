"""Every value a database holds, as text: what the leak and secret scans search."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, create_engine


def every_cell(db: str | Path) -> list[str]:
    """Each non-null value of every table; `db` is a SQLAlchemy URL or a SQLite file.

    A plain engine, not tracker's: its WAL pragma would rewrite a snapshot file.
    """
    url = db if isinstance(db, str) and "://" in db else f"sqlite:///{db}"
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    with engine.connect() as conn:
        cells = [
            str(value)
            for table in tables.sorted_tables
            for row in conn.execute(table.select())
            for value in row
            if value is not None
        ]
    engine.dispose()
    return cells
