"""The published snapshot's schema: the contract between publish and the site.

The snapshot is a plain SQLite file holding aggregates only. `publish.py`
writes it through `create_snapshot`; the site opens it read-only through
`open_snapshot`. Changing a table here means changing both sides.

Units: hours are floats; rates are 0..1; offer values are percents for
`percent` and amounts in `currency` for `amount`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,      -- created_at, darkpool_version, schema_version,
    value TEXT NOT NULL        -- min_contributors, retailers, contributors, carts, messages
);
CREATE TABLE retailers (
    domain TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT,
    country TEXT,
    contributors INTEGER NOT NULL,
    carts INTEGER NOT NULL,
    cart_emails INTEGER NOT NULL,
    discount_rate REAL, discount_rate_low REAL, discount_rate_high REAL,
    first_email_median_h REAL, first_email_p25_h REAL, first_email_p75_h REAL,
    first_email_n INTEGER,
    discount_median_h REAL, discount_p25_h REAL, discount_p75_h REAL,
    discount_n INTEGER, discount_censored INTEGER,
    first_offer_type TEXT, first_offer_value REAL, first_offer_currency TEXT,
    max_offer_type TEXT, max_offer_value REAL, max_offer_currency TEXT,
    escalates INTEGER,           -- 1 when later steps offer more than earlier ones
    shared_code_share REAL,      -- share of coded offers whose code is shared
    expiry_median_h REAL,        -- median hours from offer mail to its expiry
    reports INTEGER NOT NULL,    -- public reports found by the spiders
    report_value_median REAL, report_wait_median_h REAL,
    reports_agree INTEGER,       -- 1 agree, 0 disagree, NULL cannot tell
    exposure INTEGER,            -- 0..100, see tracker/analysis/stats.py
    first_seen TEXT, last_seen TEXT   -- ISO months (YYYY-MM)
);
CREATE TABLE ladder (
    domain TEXT NOT NULL, step INTEGER NOT NULL,
    median_hours REAL, n INTEGER NOT NULL,
    offer_type TEXT, offer_value REAL, offer_currency TEXT,
    PRIMARY KEY (domain, step)
);
CREATE TABLE survival (       -- Kaplan-Meier: share of carts still without a discount
    domain TEXT NOT NULL, hours REAL NOT NULL,
    survival REAL NOT NULL, low REAL, high REAL, at_risk INTEGER,
    PRIMARY KEY (domain, hours)
);
CREATE TABLE offer_distribution (
    domain TEXT NOT NULL, type TEXT NOT NULL, value REAL, currency TEXT,
    messages INTEGER NOT NULL
);
CREATE TABLE reports (         -- what the web claims; host only, never a full URL
    domain TEXT NOT NULL, offer_type TEXT, value REAL, value_max REAL, currency TEXT,
    wait_min_h REAL, wait_max_h REAL, source_host TEXT, seen_month TEXT
);
CREATE TABLE codes (           -- only codes seen by at least K contributors
    domain TEXT NOT NULL, code TEXT NOT NULL, contributors INTEGER NOT NULL,
    PRIMARY KEY (domain, code)
);
CREATE TABLE monthly (         -- for the period filter of the explore page
    domain TEXT NOT NULL, month TEXT NOT NULL,
    cart_emails INTEGER NOT NULL, discounts INTEGER NOT NULL,
    PRIMARY KEY (domain, month)
);
"""


def create_snapshot(path: Path) -> sqlite3.Connection:
    """A new, empty snapshot at `path` (an existing file is replaced by the caller)."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    return conn


def open_snapshot(path: Path) -> sqlite3.Connection:
    """Open a snapshot read-only; the site never writes."""
    uri = f"file:{Path(path).resolve()}?mode=ro"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def insert_rows(conn: sqlite3.Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows by column name: a column added to the schema cannot shift the others."""
    if not rows:
        return
    columns = list(rows[0])
    names, marks = ", ".join(columns), ", ".join(f":{c}" for c in columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
