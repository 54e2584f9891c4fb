"""Dependencies of the routes: the engine (overridable in tests) and paging parameters."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Response

from matcher.engine import Engine
from matcher.errors import MatcherError


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
MAX_VERSION = 2**31 - 1
_ETAG = re.compile(r'(?:W/)?"?(\d{1,10})"?')


def if_match(
    value: Annotated[
        str | None,
        Header(alias="If-Match", max_length=40, description='修改所基于的版本（GET 返回的 ETag，如 "3"）'),
    ] = None,
) -> int | None:
    """The version named by an ``If-Match`` header (``"3"``, ``W/"3"`` or ``3``), or None without one."""
    if value is None or value.strip() == "*":
        return None
    found = _ETAG.fullmatch(value.strip())
    if found is None or int(found.group(1)) > MAX_VERSION:
        raise MatcherError(f'If-Match 应为记录的 ETag（如 "3"），实为“{value[:40]}”')
    return int(found.group(1))


IfMatch = Annotated[int | None, Depends(if_match)]


def tag(response: Response, version: int) -> None:
    """Send a record's version as its ETag, for the next write's ``If-Match``."""
    response.headers["ETag"] = f'"{version}"'


def expected_version(header: int | None, body: int | None) -> int | None:
    """The version a write is based on: ``If-Match`` or the body's ``version`` (both must agree)."""
    if header is not None and body is not None and header != body:
        raise MatcherError(f"If-Match（{header}）与请求体中的 version（{body}）不一致")
    return header if header is not None else body
