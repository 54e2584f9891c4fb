"""API schemas of the two-sided workflow and the inbox (kept beside ``api.schemas``, one class per purpose)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas import DemandPublic
from matcher.deals import DealView, Invitation, Response
from matcher.domain import Contact
from matcher.domain.clean import Lines
from matcher.notify import Notice

Line = str


class ResponseIn(BaseModel):
    proposal: Lines = Field(min_length=1, max_length=2000, description="响应方案（简述如何满足需求）")
    products: list[Line] = Field(default_factory=list, max_length=20, description="拟供产品，每项一行")
    attachments: list[Line] = Field(
        default_factory=list, max_length=20, description="附件说明（如检测报告、案例），每项一行"
    )


class ResponseDecisionIn(BaseModel):
    status: Literal["shortlisted", "accepted", "declined"] = Field(
        description="shortlisted 入围 / accepted 接受（双方联系方式互相可见）/ declined 不采纳"
    )
    note: Lines = Field(default="", max_length=500, description="处理意见")


class InvitationIn(BaseModel):
    enterprise_id: int = Field(ge=1, le=2**63 - 1, description="被邀请的候选企业编号")
    message: Lines = Field(default="", max_length=500, description="邀请留言")


class AnswerIn(BaseModel):
    accept: bool = Field(description="true 接受（双方联系方式互相可见）/ false 婉拒")
    reply: Lines = Field(default="", max_length=500, description="回复留言")


class ReadIn(BaseModel):
    id: int | None = Field(default=None, ge=1, le=2**63 - 1, description="消息编号；省略则全部标为已读")


class ResponsePublic(BaseModel):
    id: int
    demand_id: int
    enterprise_id: int
    enterprise_name: str
    proposal: str
    products: list[str]
    attachments: list[str]
    status: str
    status_label: str
    note: str
    created_at: dt.datetime
    contact: Contact | None = Field(default=None, description="双方达成一致后才有")

    @classmethod
    def of(cls, r: Response) -> ResponsePublic:
        fields = {k: getattr(r, k) for k in cls.model_fields if k not in ("status", "status_label")}
        return cls(**fields, status=r.status.value, status_label=r.status.label)


class InvitationPublic(BaseModel):
    id: int
    demand_id: int
    demand_title: str
    enterprise_id: int
    enterprise_name: str
    message: str
    status: str
    status_label: str
    reply: str
    created_at: dt.datetime
    contact: Contact | None = Field(default=None, description="被邀请方接受后才有")

    @classmethod
    def of(cls, i: Invitation) -> InvitationPublic:
        fields = {k: getattr(i, k) for k in cls.model_fields if k not in ("status", "status_label")}
        return cls(**fields, status=i.status.value, status_label=i.status.label)


class DealPublic(BaseModel):
    demand: DemandPublic
    publisher_name: str
    may_respond: bool = Field(description="调用方可以响应（揭榜）该需求")
    manages: bool = Field(description="调用方处理该需求的响应与邀请（发布企业、所在园区管理员）")
    responses: list[ResponsePublic] = Field(description="发布方看到全部响应；企业只看到本企业的")
    invitations: list[InvitationPublic]
    publisher_contact: Contact | None = Field(default=None, description="供应方在双方达成一致后才看到")

    @classmethod
    def of(cls, v: DealView) -> DealPublic:
        return cls(
            demand=DemandPublic.of(v.demand),
            publisher_name=v.publisher_name,
            may_respond=v.may_respond,
            manages=v.manages,
            responses=[ResponsePublic.of(r) for r in v.responses],
            invitations=[InvitationPublic.of(i) for i in v.invitations],
            publisher_contact=v.publisher_contact,
        )


class NoticePublic(BaseModel):
    id: int
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read: bool


class InboxPublic(BaseModel):
    data: list[NoticePublic]
    unread: int

    @classmethod
    def of(cls, notices: list[Notice], unread: int) -> InboxPublic:
        return cls(data=[NoticePublic(**n._asdict()) for n in notices], unread=unread)
