"""The two-sided workflow over HTTP: respond to a demand (揭榜), decide on responses, invite a candidate
(邀请洽谈) and answer, and read one's in-platform messages. The engine applies the record rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.auth import require
from api.deal_schemas import (
    AnswerIn,
    DealPublic,
    InboxPublic,
    InvitationIn,
    InvitationPublic,
    ReadIn,
    ResponseDecisionIn,
    ResponseIn,
    ResponsePublic,
)
from api.deps import MAX_ID, DemandId, EngineDep
from matcher.auth import Action, Principal, Resource

router = APIRouter(tags=["揭榜与洽谈"])
ResponseId = Annotated[int, Path(ge=1, le=MAX_ID, description="响应编号")]
InvitationId = Annotated[int, Path(ge=1, le=MAX_ID, description="邀请编号")]
Reader = Annotated[Principal, require(Resource.RESPONSE, Action.READ)]
Responder = Annotated[Principal, require(Resource.RESPONSE, Action.CREATE)]
ResponseEditor = Annotated[Principal, require(Resource.RESPONSE, Action.UPDATE)]


@router.get("/demands/{demand_id}/deals", summary="需求的响应与洽谈邀请（发布方看全部，企业只看本企业的）")
def demand_deals(engine: EngineDep, who: Reader, demand_id: DemandId) -> DealPublic:
    return DealPublic.of(engine.deals.view(demand_id, principal=who))


@router.post(
    "/demands/{demand_id}/responses", summary="响应需求（揭榜）：方案、拟供产品、附件说明", status_code=201
)
def respond(engine: EngineDep, who: Responder, demand_id: DemandId, body: ResponseIn) -> ResponsePublic:
    found = engine.deals.respond(demand_id, **body.model_dump(), principal=who)
    return ResponsePublic.of(found)


@router.put("/responses/{response_id}/decision", summary="发布方处理响应：入围、接受或不采纳")
def decide_response(
    engine: EngineDep, who: ResponseEditor, response_id: ResponseId, body: ResponseDecisionIn
) -> ResponsePublic:
    return ResponsePublic.of(engine.deals.decide(response_id, body.status, note=body.note, principal=who))


@router.post("/responses/{response_id}/withdraw", summary="响应企业撤回尚未处理的响应")
def withdraw_response(engine: EngineDep, who: ResponseEditor, response_id: ResponseId) -> ResponsePublic:
    return ResponsePublic.of(engine.deals.withdraw(response_id, principal=who))


@router.post("/demands/{demand_id}/invitations", summary="邀请候选企业洽谈（邀请洽谈）", status_code=201)
def invite(
    engine: EngineDep,
    who: Annotated[Principal, require(Resource.INVITATION, Action.CREATE)],
    demand_id: DemandId,
    body: InvitationIn,
) -> InvitationPublic:
    found = engine.deals.invite(demand_id, body.enterprise_id, message=body.message, principal=who)
    return InvitationPublic.of(found)


@router.get("/invitations", summary="本企业收到的洽谈邀请")
def my_invitations(
    engine: EngineDep, who: Annotated[Principal, require(Resource.INVITATION, Action.READ)]
) -> list[InvitationPublic]:
    return [InvitationPublic.of(i) for i in engine.deals.invitations_for(principal=who)]


@router.put("/invitations/{invitation_id}/answer", summary="被邀请企业接受或婉拒洽谈邀请")
def answer_invitation(
    engine: EngineDep,
    who: Annotated[Principal, require(Resource.INVITATION, Action.UPDATE)],
    invitation_id: InvitationId,
    body: AnswerIn,
) -> InvitationPublic:
    found = engine.deals.answer(invitation_id, body.accept, reply=body.reply, principal=who)
    return InvitationPublic.of(found)


@router.get("/notifications", summary="本账号的站内消息（最新在前）与未读数")
def notifications(
    engine: EngineDep, who: Annotated[Principal, require(Resource.NOTIFICATION, Action.READ)]
) -> InboxPublic:
    inbox = engine.notifications
    return InboxPublic.of(inbox.inbox(who.account_id), inbox.unread(who.account_id))


@router.post("/notifications/read", summary="标记消息已读（省略编号则全部标为已读）")
def mark_read(
    engine: EngineDep, who: Annotated[Principal, require(Resource.NOTIFICATION, Action.UPDATE)], body: ReadIn
) -> InboxPublic:
    engine.notifications.mark_read(who.account_id, body.id)
    inbox = engine.notifications
    return InboxPublic.of(inbox.inbox(who.account_id), inbox.unread(who.account_id))
