"""Cached, read-only access to the published snapshot for the site's pages.

The site never opens the private store: everything comes from the snapshot
file named by $DARKPOOL_SNAPSHOT (``darkpool site --snapshot`` sets it). Reads
go through `st.cache_data`, keyed by the file's path and modification time, so
a republished snapshot is picked up without restarting the server.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from tracker.config import default_snapshot
from tracker.snapshot.schema import open_snapshot

TABLES = (
    "retailers",
    "ladder",
    "survival",
    "offer_distribution",
    "reports",
    "codes",
    "monthly",
)


@dataclass(frozen=True)
class SnapshotState:
    """Where the snapshot is and whether it can be shown.

    `status` is "ok", "empty" (no retailer passed the K threshold), "missing"
    (no file) or "unreadable" (not a darkpool snapshot).
    """

    path: Path
    status: str
    detail: str = ""
    mtime: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def snapshot_path() -> Path:
    """The snapshot the site shows: $DARKPOOL_SNAPSHOT, else the data dir's."""
    return default_snapshot()


def current() -> SnapshotState:
    """Check the configured snapshot without raising."""
    path = snapshot_path()
    if not path.is_file():
        return SnapshotState(path, "missing")
    mtime = path.stat().st_mtime
    try:
        meta = _read_meta(str(path), mtime)
        count = len(_read_table(str(path), mtime, "retailers"))
    except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:
        return SnapshotState(path, "unreadable", str(exc), mtime)
    if count == 0:
        return SnapshotState(path, "empty", meta.get("min_contributors", ""), mtime)
    return SnapshotState(path, "ok", "", mtime)


@st.cache_data(show_spinner=False, max_entries=64)
def _read_table(path: str, mtime: float, table: str) -> pd.DataFrame:
    if table not in TABLES:  # never interpolate anything but a known name
        raise ValueError(f"unknown snapshot table {table!r}")
    conn = open_snapshot(Path(path))
    try:
        return pd.read_sql_query(f"SELECT * FROM {table}", conn)
    finally:
        conn.close()


@st.cache_data(show_spinner=False, max_entries=16)
def _read_meta(path: str, mtime: float) -> dict[str, str]:
    conn = open_snapshot(Path(path))
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()


def load_table(state: SnapshotState, table: str) -> pd.DataFrame:
    """One snapshot table as a DataFrame (a copy: pages may filter it freely)."""
    return _read_table(str(state.path), state.mtime, table).copy()


def load_meta(state: SnapshotState) -> dict[str, str]:
    """The snapshot's own metadata (created_at, darkpool_version, K, totals)."""
    return dict(_read_meta(str(state.path), state.mtime))


def load_retailer(state: SnapshotState, table: str, domain: str) -> pd.DataFrame:
    """The rows of `table` for one retailer."""
    frame = load_table(state, table)
    return frame[frame["domain"] == domain].reset_index(drop=True)
