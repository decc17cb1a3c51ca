"""remember an IMAP account's CA file and --since date

A re-sync with no arguments (cron) must verify a self-hosted server against
the CA it was first synced with, and keep skipping mail older than --since
after a UIDVALIDITY change forces a rescan.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("imap_accounts") as batch:
        batch.add_column(sa.Column("cafile", sa.Text(), nullable=True))
        batch.add_column(sa.Column("since", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("imap_accounts") as batch:
        batch.drop_column("since")
        batch.drop_column("cafile")
