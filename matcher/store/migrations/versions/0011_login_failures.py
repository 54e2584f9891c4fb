"""login failures in the database: the log-in throttle is shared by every server process

Before, each process counted failed log-ins apart, so with N workers an account allowed N times the
configured failures before it locked (issue 11, item 10, noted as left alone).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("last", sa.Float, nullable=False),
        sa.Column("locked_until", sa.Float, nullable=False),
    )
    op.create_index("ix_login_failures_last", "login_failures", ["last"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_last", "login_failures")
    op.drop_table("login_failures")
