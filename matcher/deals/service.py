"""Responses (揭榜) and invitations (邀请洽谈) on demands, with the notifications each step sends.

Every write checks the caller against ``matcher.auth.policy`` and validates before it stores anything;
the notification is written in the same transaction, so a refused or failed step leaves no trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.auth import policy, scoping
from matcher.auth.policy import DemandFacts
from matcher.auth.principal import Principal
from matcher.deals.model import (
    NOTE_MAX,
    PROPOSAL_MAX,
    PUBLISHER_DECISIONS,
    DealView,
    Invitation,
    InvitationStatus,
    Response,
    ResponseStatus,
    bounded_items,
    bounded_text,
)
from matcher.domain.models import Contact
from matcher.errors import NotFoundError, ValidationError
from matcher.notify import Notifier
from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.tables import DemandResponseRow, DemandRow, EnterpriseRow, InvitationRow

T = TypeVar("T", Response, Invitation)


class Deals:
    """``engine.deals``: the workflow between a demand's publisher and the enterprises that could supply it."""

    def __init__(self, store: Store, notifier: Notifier) -> None:
        self.store = store
        self.notifier = notifier

    # -- reading ---------------------------------------------------------------------------------------

    def view(self, demand_id: int, *, principal: Principal) -> DealView:
        """The demand with what ``principal`` may see of its deals (NotFoundError when it may not see it)."""
        with self.store.session() as s:
            demand, facts = self._visible(s, demand_id, principal)
            manages = policy.can_see_candidates(principal, facts)
            mine = None if manages else principal.enterprise_id
            responses = self._responses(s, demand_id, only=mine)
            invitations = self._invitations(s, demand_id=demand_id, only=mine)
            agreed = any(r.status is ResponseStatus.ACCEPTED for r in responses) or any(
                i.status is InvitationStatus.ACCEPTED for i in invitations
            )
            publisher = s.get(EnterpriseRow, demand.publisher_id)
            assert publisher is not None
            contact = Contact.model_validate(publisher.contact or {}) if agreed and not manages else None
            return DealView(
                demand,
                publisher.name,
                policy.can_respond(principal, facts),
                manages,
                [_with_contact(s, principal, demand, r) for r in responses],
                [_with_contact(s, principal, demand, i) for i in invitations],
                contact,
            )

    def invitations_for(self, *, principal: Principal) -> list[Invitation]:
        """The invitations an enterprise user's firm received, newest first."""
        if principal.enterprise_id is None:
            return []
        with self.store.session() as s:
            return self._invitations(s, only=principal.enterprise_id)

    def responses_of(self, *, principal: Principal) -> list[tuple[Response, str]]:
        """The caller's firm's own responses with the demand titles, newest first."""
        if principal.enterprise_id is None:
            return []
        with self.store.session() as s:
            rows = s.execute(
                select(DemandResponseRow, DemandRow.title)
                .join(DemandRow, DemandRow.id == DemandResponseRow.demand_id)
                .where(DemandResponseRow.enterprise_id == principal.enterprise_id)
                .order_by(DemandResponseRow.id.desc())
            ).all()
            return [(self._response(s, r), title) for r, title in rows]

    def agreed(self, demand_id: int, enterprise_id: int) -> bool:
        """Both sides agreed on this demand: the publisher accepted the response, or the supplier the invitation."""
        with self.store.session() as s:
            return self._pair_agreed(s, demand_id, enterprise_id)

    # -- the supplier side ------------------------------------------------------------------------------

    def respond(
        self,
        demand_id: int,
        *,
        proposal: str,
        products: list[str],
        attachments: list[str],
        principal: Principal,
    ) -> Response:
        """揭榜: store (or revise, while undecided) the caller's firm's response and tell the publisher."""
        text = bounded_text(proposal, PROPOSAL_MAX, "响应方案", required=True)
        offered = bounded_items(products, "拟供产品")
        files = bounded_items(attachments, "附件说明")
        with self.store.session() as s:
            demand, facts = self._visible(s, demand_id, principal)
            policy.ensure(
                policy.can_respond(principal, facts), "只有发布企业以外的企业用户可以响应开放中的需求"
            )
            assert principal.enterprise_id is not None
            row = self._response_row(s, demand_id, principal.enterprise_id)
            if row is not None and row.status not in (ResponseStatus.SUBMITTED, ResponseStatus.WITHDRAWN):
                label = ResponseStatus(row.status).label
                raise ValidationError([f"该响应{label}，不能再修改；如有新方案请联系发布企业"])
            if row is None:
                row = DemandResponseRow(demand_id=demand_id, enterprise_id=principal.enterprise_id)
                s.add(row)
            row.proposal, row.products, row.attachments = text, offered, files
            row.status, row.note, row.account_id = ResponseStatus.SUBMITTED.value, "", principal.account_id
            s.flush()
            name = self._name(s, principal.enterprise_id)
            self.notifier.tell_enterprise(
                s,
                demand.publisher_id,
                f"新的需求响应：{demand.record.title}",
                f"{name} 响应了需求 {demand.record.code}：{text[:80]}",
                f"/demands/{demand_id}#responses",
            )
            return self._response(s, row)

    def withdraw(self, response_id: int, *, principal: Principal) -> Response:
        """The responder takes its response back (not once the publisher decided)."""
        with self.store.session() as s:
            row = self._response_by_id(s, response_id, principal)
            policy.ensure(principal.acts_for(row.enterprise_id), "只有响应企业本身可以撤回响应")
            if ResponseStatus(row.status).final:
                raise ValidationError(
                    [f"发布企业已处理该响应（{ResponseStatus(row.status).label}），不能撤回"]
                )
            row.status = ResponseStatus.WITHDRAWN.value
            s.flush()
            return self._response(s, row)

    def answer(
        self, invitation_id: int, accept: bool, *, reply: str = "", principal: Principal
    ) -> Invitation:
        """The invited firm accepts or declines; accepting reveals both sides' contact to each other."""
        note = bounded_text(reply, NOTE_MAX, "回复")
        with self.store.session() as s:
            row = s.get(InvitationRow, invitation_id)
            if row is None or not (principal.acts_for(row.enterprise_id) or self._manages(s, row, principal)):
                raise NotFoundError(f"洽谈邀请不存在（编号 {invitation_id}）")
            policy.ensure(policy.can_answer(principal, row.enterprise_id), "只有被邀请的企业可以回复邀请")
            if row.status != InvitationStatus.PENDING:
                raise ValidationError([f"该邀请已{InvitationStatus(row.status).label}，不能再次回复"])
            row.status = (InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED).value
            row.reply, row.answered_at = note, dt.datetime.now(dt.UTC)
            s.flush()
            demand = repo.get_demand(s, id=row.demand_id)
            verb = "接受" if accept else "婉拒"
            self.notifier.tell_enterprise(
                s,
                demand.publisher_id,
                f"{self._name(s, row.enterprise_id)} {verb}了洽谈邀请",
                f"需求 {demand.record.code}「{demand.record.title}」"
                + ("：双方联系方式已互相可见。" if accept else f"。{note}"),
                f"/demands/{row.demand_id}#invitations",
            )
            return self._invitation(s, row)

    # -- the publisher side -----------------------------------------------------------------------------

    def decide(
        self, response_id: int, status: ResponseStatus | str, *, note: str = "", principal: Principal
    ) -> Response:
        """入围, 接受 or 不采纳 a response; accepting reveals both sides' contact to each other."""
        try:
            choice = ResponseStatus(status)
        except ValueError:
            choice = None
        if choice not in PUBLISHER_DECISIONS:
            allowed = "、".join(d.value for d in PUBLISHER_DECISIONS)
            raise ValidationError([f"处理结果须为 {allowed}（实为 {status!r}）"])
        assert choice is not None
        text = bounded_text(note, NOTE_MAX, "处理意见")
        with self.store.session() as s:
            row = self._response_by_id(s, response_id, principal)
            demand, facts = self._visible(s, row.demand_id, principal)
            policy.ensure(
                policy.can_change_demand(principal, facts), "只有发布企业和所在园区的管理员可以处理响应"
            )
            if row.status == ResponseStatus.WITHDRAWN:
                raise ValidationError(["响应企业已撤回该响应"])
            row.status, row.note, row.decided_at = choice.value, text, dt.datetime.now(dt.UTC)
            s.flush()
            after = "：双方联系方式已互相可见。" if choice is ResponseStatus.ACCEPTED else f"。{text}"
            self.notifier.tell_enterprise(
                s,
                row.enterprise_id,
                f"您对「{demand.record.title}」的响应{choice.label}",
                f"{self._name(s, demand.publisher_id)} 处理了您的响应{after}",
                f"/demands/{row.demand_id}",
            )
            return self._response(s, row)

    def invite(
        self, demand_id: int, enterprise_id: int, *, message: str = "", principal: Principal
    ) -> Invitation:
        """邀请洽谈: the publisher invites a candidate to talk about an open demand (again after a refusal)."""
        text = bounded_text(message, NOTE_MAX, "邀请留言")
        with self.store.session() as s:
            demand, facts = self._visible(s, demand_id, principal)
            policy.ensure(
                policy.can_change_demand(principal, facts), "只有发布企业和所在园区的管理员可以邀请洽谈"
            )
            if demand.record.status.value != "open":
                raise ValidationError(["需求未开放，不能邀请洽谈（请先重新开放需求）"])
            if enterprise_id == demand.publisher_id:
                raise ValidationError(["不能邀请发布企业自己"])
            name = self._name(s, enterprise_id)
            row = s.scalar(
                select(InvitationRow).where(
                    InvitationRow.demand_id == demand_id, InvitationRow.enterprise_id == enterprise_id
                )
            )
            if row is not None and row.status != InvitationStatus.DECLINED:
                raise ValidationError(
                    [f"已邀请 {name}（{InvitationStatus(row.status).label}），无需重复邀请"]
                )
            if row is None:
                row = InvitationRow(demand_id=demand_id, enterprise_id=enterprise_id)
                s.add(row)
            row.message, row.status, row.reply = text, InvitationStatus.PENDING.value, ""
            row.account_id, row.answered_at = principal.account_id, None
            s.flush()
            self.notifier.tell_enterprise(
                s,
                enterprise_id,
                f"洽谈邀请：{demand.record.title}",
                f"{self._name(s, demand.publisher_id)} 邀请贵企业就需求 {demand.record.code} 洽谈。{text}",
                f"/demands/{demand_id}#invitation",
            )
            return self._invitation(s, row)

    # -- helpers ---------------------------------------------------------------------------------------

    def _pair_agreed(self, s: Session, demand_id: int, enterprise_id: int) -> bool:
        response = s.scalar(
            select(DemandResponseRow.id).where(
                DemandResponseRow.demand_id == demand_id,
                DemandResponseRow.enterprise_id == enterprise_id,
                DemandResponseRow.status == ResponseStatus.ACCEPTED.value,
            )
        )
        invitation = s.scalar(
            select(InvitationRow.id).where(
                InvitationRow.demand_id == demand_id,
                InvitationRow.enterprise_id == enterprise_id,
                InvitationRow.status == InvitationStatus.ACCEPTED.value,
            )
        )
        return response is not None or invitation is not None

    def _visible(
        self, s: Session, demand_id: int, principal: Principal
    ) -> tuple[repo.StoredDemand, DemandFacts]:
        demand = repo.get_demand(s, id=demand_id)
        facts = scoping.demand_facts(s, demand)
        policy.demand_or_not_found(policy.can_see_demand(principal, facts), demand_id)
        return demand, facts

    def _manages(self, s: Session, row: InvitationRow | DemandResponseRow, principal: Principal) -> bool:
        demand = repo.get_demand(s, id=row.demand_id)
        return policy.can_see_candidates(principal, scoping.demand_facts(s, demand))

    def _response_by_id(self, s: Session, response_id: int, principal: Principal) -> DemandResponseRow:
        """The response when ``principal`` may see it; another enterprise's response does not exist for it."""
        row = s.get(DemandResponseRow, response_id)
        if row is not None:
            demand = repo.get_demand(s, id=row.demand_id)
            facts = scoping.demand_facts(s, demand)
            if policy.can_see_demand(principal, facts) and policy.can_see_response(
                principal, facts, row.enterprise_id
            ):
                return row
        raise NotFoundError(f"需求响应不存在（编号 {response_id}）")

    def _response_row(self, s: Session, demand_id: int, enterprise_id: int) -> DemandResponseRow | None:
        return s.scalar(
            select(DemandResponseRow).where(
                DemandResponseRow.demand_id == demand_id, DemandResponseRow.enterprise_id == enterprise_id
            )
        )

    def _responses(self, s: Session, demand_id: int, *, only: int | None) -> list[Response]:
        query = select(DemandResponseRow).where(DemandResponseRow.demand_id == demand_id)
        if only is not None:
            query = query.where(DemandResponseRow.enterprise_id == only)
        return [self._response(s, r) for r in s.scalars(query.order_by(DemandResponseRow.id))]

    def _invitations(self, s: Session, *, demand_id: int | None = None, only: int | None) -> list[Invitation]:
        query = select(InvitationRow)
        if demand_id is not None:
            query = query.where(InvitationRow.demand_id == demand_id)
        if only is not None:
            query = query.where(InvitationRow.enterprise_id == only)
        return [self._invitation(s, r) for r in s.scalars(query.order_by(InvitationRow.id.desc()))]

    def _response(self, s: Session, r: DemandResponseRow) -> Response:
        return Response(
            r.id,
            r.demand_id,
            r.enterprise_id,
            self._name(s, r.enterprise_id),
            r.proposal,
            list(r.products),
            list(r.attachments),
            ResponseStatus(r.status),
            r.note,
            r.created_at,
        )

    def _invitation(self, s: Session, r: InvitationRow) -> Invitation:
        title = s.scalar(select(DemandRow.title).where(DemandRow.id == r.demand_id)) or ""
        return Invitation(
            r.id,
            r.demand_id,
            title,
            r.enterprise_id,
            self._name(s, r.enterprise_id),
            r.message,
            InvitationStatus(r.status),
            r.reply,
            r.created_at,
        )

    def _name(self, s: Session, enterprise_id: int) -> str:
        name = s.scalar(select(EnterpriseRow.name).where(EnterpriseRow.id == enterprise_id))
        if name is None:
            raise NotFoundError(f"企业不存在（编号 {enterprise_id}）")
        return name


def _with_contact(s: Session, p: Principal, demand: repo.StoredDemand, item: T) -> T:
    """The supplier's contact on the record, for the publisher's side, once both agreed."""
    agreed = item.status in (ResponseStatus.ACCEPTED, InvitationStatus.ACCEPTED)
    if p.acts_for(item.enterprise_id) or not policy.can_see_counterpart_contact(
        p, demand.publisher_id, item.enterprise_id, agreed
    ):
        return item  # one's own contact is on one's profile page
    row = s.get(EnterpriseRow, item.enterprise_id)
    return item if row is None else replace(item, contact=Contact.model_validate(row.contact or {}))
