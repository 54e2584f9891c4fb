"""credentials: API keys carry a scope (read / write) and expire; audit entries can be filtered by time

Keys issued before this revision had no expiry without anyone choosing it: they now expire 90 days after
the upgrade (``matcher accounts key --no-expiry`` issues a lasting one on purpose).

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="write"))
    tokens = sa.table(
        "api_tokens", sa.column("kind", sa.String), sa.column("expires_at", sa.DateTime(timezone=True))
    )
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    op.execute(
        tokens.update()
        .where(tokens.c.kind == "api_key", tokens.c.expires_at.is_(None))
        .values(expires_at=expiry)
    )
    op.create_index("ix_audit_log_username", "audit_log", ["username"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_username", "audit_log")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scope")
