"""A park's industrial chains over HTTP: coverage, gaps and weak links, 链式招商, 融入供应链, the
leading-industry check, and chain maps (interactive HTML and static SVG)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth import require
from api.deps import EngineDep
from api.schemas import (
    ChainCandidatePublic,
    ChainCheckPublic,
    ChainCoveragePublic,
    ChainExposurePublic,
    ChainFirmPublic,
    ChainGapsPublic,
    ChainIntegrationPublic,
    ChainLinkPublic,
    ChainSupplierPublic,
    GapCandidatesPublic,
    OutsideCountPublic,
    Page,
    ParkChainsPublic,
)
from matcher.auth import Action, Principal, Resource
from matcher.graph import ChainCoverage, Firm, LinkCoverage

router = APIRouter(tags=["产业链"])
# The role gate; the engine applies the record rule (the platform, or accounts bound to the park).
Reader = Annotated[Principal, require(Resource.CHAIN, Action.READ)]
IndustryQuery = Annotated[
    str | None, Query(max_length=100, description="只看一个产业链；默认园区的全部主导产业")
]
NO_STORE = {"Cache-Control": "no-store"}


def firm_public(firm: Firm, product: str = "") -> ChainFirmPublic:
    return ChainFirmPublic(
        id=firm.id,
        name=firm.name,
        park=firm.park,
        role=firm.role.value,
        tier=firm.tier,
        tier_label=firm.tier_label,
        product=product,
    )


def link_public(lc: LinkCoverage) -> ChainLinkPublic:
    exposed = [
        ChainExposurePublic(firm=firm_public(e.firm), via=e.via, distance=e.distance) for e in lc.exposed
    ]
    return ChainLinkPublic(
        id=lc.node.rsplit("/", 1)[-1],
        name=lc.name,
        stage=lc.stage,
        depth=lc.depth,
        status=lc.status.value,
        status_label=lc.status.label,
        note=lc.note,
        outside_only=lc.outside_only,
        local=[firm_public(p.firm, p.link.item) for p in lc.local],
        outside_count=len({p.firm.id for p in lc.outside}),
        exposed=exposed,
    )


def coverage_public(cov: ChainCoverage) -> ChainCoveragePublic:
    return ChainCoveragePublic(
        industry=cov.industry,
        coverage=round(cov.coverage, 4),
        gaps=[link_public(lc).id for lc in cov.gaps],
        weak=[link_public(lc).id for lc in cov.weak],
        links=[link_public(lc) for lc in cov.links],
        unlinked_count=len(cov.unlinked),
    )


@router.get("/parks/{park}/chain", summary="园区各主导产业链的逐环节覆盖（上游在前）")
def park_chain(engine: EngineDep, who: Reader, park: str, industry: IndustryQuery = None) -> ParkChainsPublic:
    chains = engine.chain.park_chains(park, industry=industry, principal=who)
    return ParkChainsPublic(
        park=park, data=[coverage_public(c) for c in chains.coverages], untemplated=chains.untemplated
    )


@router.get("/parks/{park}/chain/gaps", summary="缺失环节与薄弱环节，及受影响的龙头企业")
def park_chain_gaps(
    engine: EngineDep, who: Reader, park: str, industry: IndustryQuery = None
) -> Page[ChainGapsPublic]:
    chains = engine.chain.park_chains(park, industry=industry, principal=who)
    rows = [
        ChainGapsPublic(
            industry=c.industry,
            coverage=round(c.coverage, 4),
            gaps=[link_public(lc) for lc in c.gaps],
            weak=[link_public(lc) for lc in c.weak],
        )
        for c in chains.coverages
    ]
    return Page(data=rows, count=len(rows))


@router.get("/parks/{park}/chain/recruitment", summary="链式招商：每个缺失环节的园区外候选企业及理由")
def park_chain_recruitment(
    engine: EngineDep,
    who: Reader,
    park: str,
    industry: IndustryQuery = None,
    top: Annotated[int, Query(ge=1, le=100, description="每个缺失环节的候选企业数")] = 10,
) -> Page[GapCandidatesPublic]:
    rows = [
        GapCandidatesPublic(
            industry=g.industry,
            link=link_public(g.link),
            candidates=[
                ChainCandidatePublic(
                    firm=firm_public(c.firm),
                    province=c.firm.province,
                    city=c.firm.city,
                    source=c.firm.source,
                    score=c.score,
                    reasons=list(c.reasons),
                )
                for c in g.candidates
            ],
        )
        for g in engine.chain.chain_recruitment(park, industry=industry, top=top, principal=who)
    ]
    return Page(data=rows, count=len(rows))


@router.get("/parks/{park}/chain/integration", summary="融入供应链：龙头企业上游环节的本地中小企业及层级")
def park_chain_integration(
    engine: EngineDep, who: Reader, park: str, industry: IndustryQuery = None
) -> Page[ChainIntegrationPublic]:
    rows = [
        ChainIntegrationPublic(
            industry=chain.industry,
            leading=firm_public(row.leading),
            link=row.link,
            upstream=row.upstream,
            suppliers=[
                ChainSupplierPublic(firm=firm_public(s.firm, s.product), tier_label=s.tier_label)
                for s in row.suppliers
            ],
        )
        for chain in engine.chain.chain_integration(park, industry=industry, principal=who)
        for row in chain.rows
    ]
    return Page(data=rows, count=len(rows))


@router.get("/parks/{park}/chain/check", summary="主导产业检查：不超过 3 个，企业是否集中在主导产业链外")
def park_chain_check(engine: EngineDep, who: Reader, park: str) -> ChainCheckPublic:
    found = engine.chain.chain_check(park, principal=who)
    return ChainCheckPublic(
        park=park,
        leading_industries=found.park.leading_industries,
        ok=found.check.ok,
        in_chains=round(found.check.in_chains, 4),
        problems=list(found.check.problems),
        top_outside=[OutsideCountPublic(industry=k, count=n) for k, n in found.check.top_outside],
        untemplated=found.untemplated,
    )


@router.get(
    "/parks/{park}/chain/map/{industry}.html",
    summary="产业链图谱（交互式 HTML 页面）",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
def park_chain_map_html(engine: EngineDep, who: Reader, park: str, industry: str) -> Response:
    html, _ = engine.chain.chain_map(park, industry, principal=who)
    return Response(html, media_type="text/html; charset=utf-8", headers=NO_STORE)


@router.get(
    "/parks/{park}/chain/map/{industry}.svg",
    summary="产业链图谱（静态 SVG）",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def park_chain_map_svg(engine: EngineDep, who: Reader, park: str, industry: str) -> Response:
    _, svg = engine.chain.chain_map(park, industry, principal=who)
    return Response(svg, media_type="image/svg+xml; charset=utf-8", headers=NO_STORE)
