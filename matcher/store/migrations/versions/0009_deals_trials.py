"""deals, notifications and trials: 揭榜 responses, 邀请洽谈 invitations, in-platform messages, 先试首用

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def _ref(table: str, ondelete: str = "CASCADE", *, nullable: bool = False, index: bool = True) -> sa.Column:
    column = f"{table.rstrip('s')}_id"
    return sa.Column(
        column, sa.Integer, sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, index=index
    )


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def _account() -> sa.Column:
    return sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="SET NULL"))


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        _ref("accounts"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("link", sa.String(300), nullable=False, server_default=""),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "demand_responses",
        sa.Column("id", sa.Integer, primary_key=True),
        _ref("demands"),
        _ref("enterprises"),
        sa.Column("proposal", sa.Text, nullable=False),
        sa.Column("products", sa.JSON, nullable=False),
        sa.Column("attachments", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        _account(),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        *_stamps(),
        sa.UniqueConstraint("demand_id", "enterprise_id", name="uq_demand_responses_pair"),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer, primary_key=True),
        _ref("demands"),
        _ref("enterprises"),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("reply", sa.Text, nullable=False, server_default=""),
        _account(),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        *_stamps(),
        sa.UniqueConstraint("demand_id", "enterprise_id", name="uq_invitations_pair"),
    )
    op.create_table(
        "innovation_products",
        sa.Column("id", sa.Integer, primary_key=True),
        _ref("enterprises"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("specs", sa.Text, nullable=False, server_default=""),
        sa.Column("reports", sa.JSON, nullable=False),
        sa.Column("first_sale", sa.String(16), nullable=False),
        *_stamps(),
    )
    op.create_table(
        "trials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "product_id", sa.Integer, sa.ForeignKey("innovation_products.id", ondelete="SET NULL"), index=True
        ),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column(
            "supplier_id",
            sa.Integer,
            sa.ForeignKey("enterprises.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "buyer_id",
            sa.Integer,
            sa.ForeignKey("enterprises.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("demand_id", sa.Integer, sa.ForeignKey("demands.id", ondelete="SET NULL")),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id", ondelete="SET NULL")),
        sa.Column("initiator", sa.String(16), nullable=False),
        sa.Column("scope", sa.Text, nullable=False, server_default=""),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("criteria", sa.Text, nullable=False, server_default=""),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("result", sa.Text, nullable=False, server_default=""),
        _account(),
        *_stamps(),
    )


def downgrade() -> None:
    for table in ("trials", "innovation_products", "invitations", "demand_responses", "notifications"):
        op.drop_table(table)
