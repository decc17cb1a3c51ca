"""The sync's rows: per account and folder, UIDVALIDITY and the highest UID done
(`sync_state`), and the messages the server would not return or that did not
parse (`sync_problems`). Written in the same transaction as each batch."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import SyncProblem, SyncState
from tracker.db.store import dialect_insert


def load_state(session: Session, account_id: int, folder: str) -> SyncState | None:
    return session.scalars(
        select(SyncState).where(SyncState.account_id == account_id, SyncState.folder == folder)
    ).first()


def save_state(
    session: Session, account_id: int, folder: str, uidvalidity: int, last_uid: int
) -> None:
    stmt = dialect_insert(session, SyncState.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["account_id", "folder"],
        set_={k: stmt.excluded[k] for k in ("uidvalidity", "last_uid", "updated_at")},
    )
    session.execute(
        stmt,
        {
            "account_id": account_id,
            "folder": folder,
            "uidvalidity": uidvalidity,
            "last_uid": last_uid,
            "updated_at": datetime.now(UTC),
        },
    )


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
    session.execute(
        stmt,
        [
            {
                "account_id": account_id,
                "folder": folder,
                "uidvalidity": uidvalidity,
                "uid": uid,
                "error": error[:2000],
                "created_at": now,
            }
            for uid, error in sorted(problems.items())
        ],
    )
