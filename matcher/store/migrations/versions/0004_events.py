"""events: 对接会, schedule versions, meeting outcomes (the ranker's labels)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("park_id", sa.Integer, sa.ForeignKey("parks.id", ondelete="SET NULL"), index=True),
        sa.Column("data", sa.JSON, nullable=False),
        _created(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "event_schedules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("objective", sa.BigInteger, nullable=False),
        sa.Column("bound", sa.BigInteger),
        sa.Column("gap", sa.Float),
        sa.Column("data", sa.JSON, nullable=False),
        _created(),
        sa.UniqueConstraint("event_id", "version", name="uq_event_schedules_version"),
    )
    op.create_table(
        "meeting_outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("buyer_participant", sa.String(64), nullable=False),
        sa.Column("sme_participant", sa.String(64), nullable=False),
        sa.Column(
            "buyer_enterprise_id",
            sa.Integer,
            sa.ForeignKey("enterprises.id", ondelete="SET NULL"),
            index=True,
        ),
        sa.Column(
            "sme_enterprise_id", sa.Integer, sa.ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
        ),
        sa.Column("buyer_uscc", sa.String(18), index=True),
        sa.Column("sme_uscc", sa.String(18), index=True),
        sa.Column("slot", sa.Integer, nullable=False),
        sa.Column("held", sa.Boolean, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False, index=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint(
            "event_id", "buyer_participant", "sme_participant", name="uq_meeting_outcomes_pair"
        ),
    )


def downgrade() -> None:
    op.drop_table("meeting_outcomes")
    op.drop_table("event_schedules")
    op.drop_table("events")
