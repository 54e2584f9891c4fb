"""Dependencies of the routes: the engine (overridable in tests) and paging parameters."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Path, Query

from matcher.engine import Engine


@lru_cache(maxsize=1)
def _default_engine() -> Engine:
    return Engine.from_settings()


def get_engine() -> Engine:
    """The process-wide engine; tests replace it with ``app.dependency_overrides[get_engine]``."""
    return _default_engine()


EngineDep = Annotated[Engine, Depends(get_engine)]
Limit = Annotated[int, Query(ge=1, le=500, description="每页条数")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="跳过条数")]
MAX_ID = 2**63 - 1  # SQLite and PostgreSQL BIGINT: a larger id is refused as 422, not a database overflow
EnterpriseId = Annotated[int, Path(ge=1, le=MAX_ID, description="企业编号")]
DemandId = Annotated[int, Path(ge=1, le=MAX_ID, description="需求编号")]
