"""event minimum score on the 0-100 scale

An event's 最低匹配分 was stored on the 0-1 scale while every page, export and the API's pair scores showed
0-100 (issue 12: one scale everywhere). The threshold is now typed and stored on 0-100: stored events are
rescaled once here.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

_events = sa.table("events", sa.column("id", sa.Integer), sa.column("data", sa.JSON))


def _rescale(factor: float) -> None:
    bind = op.get_bind()
    for row_id, data in bind.execute(sa.select(_events.c.id, _events.c.data)).all():
        if isinstance(data, dict) and data.get("min_score"):
            data = {**data, "min_score": round(float(data["min_score"]) * factor, 4)}
            bind.execute(sa.update(_events).where(_events.c.id == row_id).values(data=data))


def upgrade() -> None:
    _rescale(100.0)


def downgrade() -> None:
    _rescale(0.01)
