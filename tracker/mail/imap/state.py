"""The sync's rows: per account and folder, UIDVALIDITY and the highest UID done
(`sync_state`), and the messages the server would not return or that did not
parse (`sync_problems`). Written in the same transaction as each batch.

IMAP's UIDVALIDITY is any 32-bit unsigned number (pymap picks them at random,
above 2**31); the columns are 32-bit signed INTEGERs, which PostgreSQL
enforces. A UIDVALIDITY is only ever compared for equality, so it is stored
folded into the signed range (`to_column`) and unfolded when read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.bounds import fit_row
from tracker.db.models import SyncProblem, SyncState
from tracker.db.store import dialect_insert

_WRAP = 1 << 32


def to_column(uidvalidity: int) -> int:
    """UIDVALIDITY (0 .. 2**32-1) as a signed 32-bit value: 3572889346 -> -722077950."""
    return uidvalidity - _WRAP if uidvalidity >= 1 << 31 else uidvalidity


def from_column(value: int | None) -> int | None:
    return value + _WRAP if value is not None and value < 0 else value


def load_cursor(session: Session, account_id: int, folder: str) -> tuple[int | None, int]:
    """(UIDVALIDITY, highest UID done) of one folder; (None, 0) before its first sync."""
    state = session.scalars(
        select(SyncState).where(SyncState.account_id == account_id, SyncState.folder == folder)
    ).first()
    return (from_column(state.uidvalidity), state.last_uid) if state else (None, 0)


def save_state(
    session: Session, account_id: int, folder: str, uidvalidity: int, last_uid: int
) -> None:
    stmt = dialect_insert(session, SyncState.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "folder"],
        set_={k: stmt.excluded[k] for k in ("uidvalidity", "last_uid", "updated_at")},
    )
    row = {
        "account_id": account_id,
        "folder": folder,
        "uidvalidity": to_column(uidvalidity),
        "last_uid": last_uid,
        "updated_at": datetime.now(UTC),
    }
    session.execute(stmt, fit_row(SyncState.__table__, row))


def save_problems(
    session: Session, account_id: int, folder: str, uidvalidity: int, problems: dict[int, str]
) -> None:
    if not problems:
        return
    stmt = dialect_insert(session, SyncProblem.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "folder", "uidvalidity", "uid"],
        set_={"error": stmt.excluded.error, "created_at": stmt.excluded.created_at},
    )
    now = datetime.now(UTC)
    rows = [
        {
            "account_id": account_id,
            "folder": folder,
            "uidvalidity": to_column(uidvalidity),
            "uid": uid,
            "error": error[:2000],
            "created_at": now,
        }
        for uid, error in sorted(problems.items())
    ]
    session.execute(stmt, [fit_row(SyncProblem.__table__, row) for row in rows])
