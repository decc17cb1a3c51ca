"""reports carry an explicit outcome

A report of "only a reminder" or "nothing sent" is a finding, not a missing
offer: `outcome` says which (discount | reminder_only | nothing_sent |
unspecified), so agreement with mail can count "no discount" reports. Rows
written before this revision get it from what they hold: an offer is a
discount; no offer and no wait was the old "sent nothing" report; no offer with
a wait cannot be told apart.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column("outcome", sa.String(length=16), nullable=False, server_default="unspecified")
        )
    op.execute("UPDATE reports SET outcome = 'discount' WHERE offer_type IS NOT NULL")
    op.execute(
        "UPDATE reports SET outcome = 'nothing_sent'"
        " WHERE offer_type IS NULL AND wait_min IS NULL AND wait_max IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("outcome")
