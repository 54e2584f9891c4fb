"""揭榜与洽谈 in the web app: an enterprise responds to a demand, the publisher decides on responses and
invites candidates, the invited firm answers; every account reads its messages. Plain HTML forms; the
engine's ``deals`` service applies the policy exactly as for the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import MAX_ID, DemandId, EngineDep
from api.web.forms import split_list
from api.web.pages import engine_errors, page, render
from matcher.auth.policy import Action, Resource
from matcher.auth.principal import Principal

router = APIRouter(include_in_schema=False)
ResponseId = Annotated[int, Path(ge=1, le=MAX_ID)]
InvitationId = Annotated[int, Path(ge=1, le=MAX_ID)]
NoticeId = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Form(max_length=4000)]
Short = Annotated[str, Form(max_length=500)]
DealReader = Annotated[Principal, page(Resource.RESPONSE, Action.READ)]
Responder = Annotated[Principal, page(Resource.RESPONSE, Action.CREATE)]
ResponseEditor = Annotated[Principal, page(Resource.RESPONSE, Action.UPDATE)]
Inviter = Annotated[Principal, page(Resource.INVITATION, Action.CREATE)]
Invitee = Annotated[Principal, page(Resource.INVITATION, Action.UPDATE)]
Reader = Annotated[Principal, page(Resource.NOTIFICATION, Action.READ)]
Marker = Annotated[Principal, page(Resource.NOTIFICATION, Action.UPDATE)]


@router.post("/demands/{demand_id}/respond")
def respond(
    engine: EngineDep,
    who: Responder,
    demand_id: DemandId,
    proposal: Text,
    products: Text = "",
    attachments: Text = "",
) -> Response:
    with engine_errors():
        engine.deals.respond(
            demand_id,
            proposal=proposal,
            products=split_list(products),
            attachments=[line for line in attachments.splitlines() if line.strip()],
            principal=who,
        )
    return RedirectResponse(f"/demands/{demand_id}?sent=1#mine", status_code=303)


@router.post("/responses/{response_id}/decision")
def decide_response(
    engine: EngineDep,
    who: ResponseEditor,
    response_id: ResponseId,
    status: Annotated[str, Form(max_length=16)],
    note: Short = "",
) -> Response:
    with engine_errors():
        found = engine.deals.decide(response_id, status, note=note, principal=who)
    return RedirectResponse(f"/demands/{found.demand_id}#r{response_id}", status_code=303)


@router.post("/responses/{response_id}/withdraw")
def withdraw_response(engine: EngineDep, who: ResponseEditor, response_id: ResponseId) -> Response:
    with engine_errors():
        found = engine.deals.withdraw(response_id, principal=who)
    return RedirectResponse(f"/demands/{found.demand_id}#mine", status_code=303)


@router.post("/demands/{demand_id}/invite")
def invite(
    engine: EngineDep,
    who: Inviter,
    demand_id: DemandId,
    enterprise_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    message: Short = "",
) -> Response:
    with engine_errors():
        engine.deals.invite(demand_id, enterprise_id, message=message, principal=who)
    return RedirectResponse(f"/demands/{demand_id}#c{enterprise_id}", status_code=303)


@router.post("/invitations/{invitation_id}/answer")
def answer(
    engine: EngineDep,
    who: Invitee,
    invitation_id: InvitationId,
    accept: Annotated[str, Form(max_length=8)],
    reply: Short = "",
) -> Response:
    with engine_errors():
        found = engine.deals.answer(invitation_id, accept == "yes", reply=reply, principal=who)
    return RedirectResponse(f"/demands/{found.demand_id}#invitation", status_code=303)


@router.get("/deals", response_class=HTMLResponse)
def deals_page(request: Request, engine: EngineDep, who: DealReader) -> Response:
    """揭榜与洽谈: the responses this firm sent and the invitations it received."""
    ctx = {
        "who": who,
        "responses": engine.deals.responses_of(principal=who),
        "invitations": engine.deals.invitations_for(principal=who),
    }
    return render(request, "deals.html", ctx)


@router.get("/messages", response_class=HTMLResponse)
def messages_page(request: Request, engine: EngineDep, who: Reader) -> Response:
    return render(
        request, "messages.html", {"who": who, "notices": engine.notifications.inbox(who.account_id)}
    )


@router.post("/messages/read")
def read_all(engine: EngineDep, who: Marker) -> Response:
    engine.notifications.mark_read(who.account_id)
    return RedirectResponse("/messages", status_code=303)


@router.post("/messages/{notice_id}/open")
def open_message(engine: EngineDep, who: Marker, notice_id: NoticeId) -> Response:
    """Mark one message read and go to the page it is about (one's own messages only)."""
    link = engine.notifications.open(who.account_id, notice_id)
    safe = link if link.startswith("/") and not link.startswith("//") else "/messages"
    return RedirectResponse(safe, status_code=303)
