"""record versions and job cancellation

Enterprises and demands carry a version bumped by every change (optimistic locking): a PATCH naming an
older version than the stored one is refused with 409 instead of silently undoing the change made
meanwhile (issue 11, item 8). Jobs carry ``cancel_requested``, set by their owner and read by the
process running them (item 5).

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("enterprises", "demands")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("cancel_requested")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
