"""tiers: dated 梯度培育 assessments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tier_assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "enterprise_id",
            sa.Integer,
            sa.ForeignKey("enterprises.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("as_of", sa.Date, nullable=False, index=True),
        sa.Column("tier", sa.String(16), nullable=False, index=True),
        sa.Column("points", sa.Float),
        sa.Column("criteria_version", sa.String(100), nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("enterprise_id", "as_of", "criteria_version", name="uq_tier_assessments_key"),
    )


def downgrade() -> None:
    op.drop_table("tier_assessments")
