"""Download the registry in the import format (what ``matcher export`` writes), scoped to the caller:
a platform admin gets everything, a park admin or organizer the records of the parks they serve."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from api.audit import audit_read
from api.auth import require
from api.deps import EngineDep
from matcher.auth import Action, Principal, Resource
from matcher.io.columns import KIND_LABELS

router = APIRouter(tags=["登记"])
Exporter = Annotated[Principal, require(Resource.EXPORT, Action.READ)]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}


@router.get(
    "/exports/{kind}.{fmt}",
    summary="导出园区 / 企业 / 需求（CSV、XLSX 或 JSON Lines，导入格式，按权限范围）",
    response_class=Response,
)
def export_registry(
    request: Request,
    engine: EngineDep,
    who: Exporter,
    kind: Literal["parks", "enterprises", "demands"],
    fmt: Literal["csv", "xlsx", "jsonl"],
    headers: Literal["zh", "en"] = "zh",
) -> Response:
    data = engine.exports.export_registry(kind, fmt, headers=headers, principal=who)
    audit_read(request, what="export", kind=kind, format=fmt)
    name = f"{KIND_LABELS[kind]}.{fmt}"
    disposition = f"attachment; filename=\"{kind}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})
