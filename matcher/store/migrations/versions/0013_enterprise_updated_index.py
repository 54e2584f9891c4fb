"""index on enterprises.updated_at: the registry's newest change becomes an index look-up

Every worker reads max(updated_at) every few seconds (``Registry.fingerprint``) and after each update of
its matching pool by enterprise id: a scan of the table at 100,000 enterprises (issue 13).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_enterprises_updated_at", "enterprises", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_enterprises_updated_at", table_name="enterprises")
