"""registry: parks, enterprises, demands

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "parks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("province", sa.String(50), nullable=False),
        sa.Column("city", sa.String(50), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("leading_industries", sa.JSON, nullable=False),
        *_timestamps(),
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("park_id", sa.Integer, sa.ForeignKey("parks.id", ondelete="SET NULL"), index=True),
        sa.Column("province", sa.String(50), nullable=False),
        sa.Column("city", sa.String(50), nullable=False),
        sa.Column("district", sa.String(50), nullable=False),
        sa.Column("industry_code", sa.String(8), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False, index=True),
        sa.Column("tier", sa.String(16), nullable=False, index=True),
        sa.Column("size_class", sa.String(4)),
        sa.Column("capabilities", sa.Text, nullable=False),
        sa.Column("capacity", sa.Text, nullable=False),
        sa.Column("products", sa.JSON, nullable=False),
        sa.Column("certifications", sa.JSON, nullable=False),
        sa.Column("indicators", sa.JSON, nullable=False),
        sa.Column("contact", sa.JSON, nullable=False),
        *_timestamps(),
    )
    op.create_table(
        "demands",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column(
            "publisher_id",
            sa.Integer,
            sa.ForeignKey("enterprises.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("quantity", sa.Float),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("budget_min", sa.Float),
        sa.Column("budget_max", sa.Float),
        sa.Column("delivery_date", sa.Date),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("target_indicators", sa.Text, nullable=False),
        sa.Column("cooperation_mode", sa.String(100), nullable=False),
        sa.Column("required_certifications", sa.JSON, nullable=False),
        sa.Column("preferred_regions", sa.JSON, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("visibility", sa.String(16), nullable=False),
        *_timestamps(),
    )


def downgrade() -> None:
    op.drop_table("demands")
    op.drop_table("enterprises")
    op.drop_table("parks")
