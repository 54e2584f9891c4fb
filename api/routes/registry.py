"""Parks, enterprises and demands: read the registry, import files."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, UploadFile

from api.audit import audit_read
from api.auth import require
from api.deps import DemandId, EngineDep, EnterpriseId, Limit, Offset, tag
from api.schemas import DemandPublic, EnterprisePublic, ImportResult, Page, ParkPublic
from matcher.auth import Action, Principal, Resource
from matcher.domain import Contact
from matcher.errors import ImportRefusedError, MatcherError
from matcher.io.readers import FORMATS, text_encoding_problem
from matcher.store.repository import StoredEnterprise

router = APIRouter(tags=["登记"])
MAX_UPLOAD = 20 * 1024 * 1024


Reader = Annotated[Principal, require(Resource.ENTERPRISE, Action.READ)]
DemandReader = Annotated[Principal, require(Resource.DEMAND, Action.READ)]


@router.get("/parks", summary="园区列表", dependencies=[require(Resource.PARK, Action.READ)])
def list_parks(engine: EngineDep) -> Page[ParkPublic]:
    parks = [ParkPublic(**p.model_dump(), enterprise_count=n) for p, n in engine.registry.parks()]
    return Page(data=parks, count=len(parks))


def _audit_contacts(request: Request, who: Principal, rows: list[StoredEnterprise]) -> None:
    """Reading other enterprises' contact details is audited (the engine blanked those not allowed)."""
    shown = [e.id for e in rows if e.id != who.enterprise_id and e.record.contact != Contact()]
    if shown:
        audit_read(request, what="contacts", count=len(shown))


@router.get("/enterprises", summary="企业列表")
def list_enterprises(
    request: Request,
    engine: EngineDep,
    who: Reader,
    limit: Limit = 50,
    offset: Offset = 0,
    park: str | None = None,
    role: str | None = None,
) -> Page[EnterprisePublic]:
    rows = engine.registry.enterprises(park=park, role=role, limit=limit, offset=offset, principal=who)
    # the engine has already blanked the contacts and financial figures this caller may not see
    _audit_contacts(request, who, rows)
    shown = [EnterprisePublic.of(e.id, e.record, private=True, version=e.version) for e in rows]
    return Page(data=shown, count=len(rows))


@router.get("/enterprises/{enterprise_id}", summary="企业详情")
def get_enterprise(
    request: Request, engine: EngineDep, who: Reader, enterprise_id: EnterpriseId, response: Response
) -> EnterprisePublic:
    found = engine.registry.enterprise(enterprise_id, principal=who)
    _audit_contacts(request, who, [found])
    tag(response, found.version)
    return EnterprisePublic.of(found.id, found.record, private=True, version=found.version)


@router.get("/demands", summary="需求列表")
def list_demands(
    engine: EngineDep, who: DemandReader, limit: Limit = 50, offset: Offset = 0, status: str | None = None
) -> Page[DemandPublic]:
    rows = engine.registry.demands(status=status, limit=limit, offset=offset, principal=who)
    return Page(
        data=[DemandPublic.of(d) for d in rows],
        count=len(rows),
    )


@router.get("/demands/{demand_id}", summary="需求详情")
def get_demand(engine: EngineDep, who: DemandReader, demand_id: DemandId, response: Response) -> DemandPublic:
    d = engine.registry.demand(demand_id, principal=who)
    tag(response, d.version)
    return DemandPublic.of(d)


@router.post(
    "/imports",
    summary="导入文件（CSV / XLSX / JSON Lines）",
    dependencies=[require(Resource.IMPORT, Action.CREATE)],
)
def import_upload(
    engine: EngineDep, file: UploadFile, encoding: Annotated[str, Query(max_length=40)] = "utf-8"
) -> ImportResult:
    """Synchronous import: a plain ``def`` so FastAPI runs it in a worker thread, never on the event loop
    (big files belong in ``POST /api/jobs/imports``)."""
    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in FORMATS:
        raise ImportRefusedError(
            [f"不支持的文件类型“{suffix or file.filename}”：请使用 CSV、XLSX 或 JSON Lines"]
        )
    problem = text_encoding_problem(encoding)
    if problem:
        raise MatcherError(problem)
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ImportRefusedError([f"文件超过 {MAX_UPLOAD // 1024 // 1024} MB 上限"])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        report = engine.registry.import_file(path, encoding=encoding)
    return ImportResult(counts={k: c._asdict() for k, c in report.counts.items()})
