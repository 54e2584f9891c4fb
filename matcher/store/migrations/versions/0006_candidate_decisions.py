"""candidate decisions: a leading firm's 入围 / 淘汰 of the candidate suppliers of its demands

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "candidate_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "demand_id", sa.Integer, sa.ForeignKey("demands.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column(
            "enterprise_id",
            sa.Integer,
            sa.ForeignKey("enterprises.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("score", sa.Float),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("demand_id", "enterprise_id", name="uq_candidate_decisions_pair"),
    )


def downgrade() -> None:
    op.drop_table("candidate_decisions")
