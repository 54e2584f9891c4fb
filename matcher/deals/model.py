"""What the two sides of a deal see: responses, invitations, and one demand's view of both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from matcher.domain.models import Contact
from matcher.errors import ValidationError
from matcher.store.repository import StoredDemand

PROPOSAL_MAX = 2000
ITEMS_MAX = 20
ITEM_MAX = 200
NOTE_MAX = 500


class ResponseStatus(StrEnum):
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "submitted": "待处理",
            "shortlisted": "已入围",
            "accepted": "已接受",
            "declined": "未采纳",
            "withdrawn": "已撤回",
        }[self.value]

    @property
    def final(self) -> bool:
        return self in (ResponseStatus.ACCEPTED, ResponseStatus.DECLINED)


# what a publisher may do to a response (accepting is the publisher's half of the agreement)
PUBLISHER_DECISIONS = (ResponseStatus.SHORTLISTED, ResponseStatus.ACCEPTED, ResponseStatus.DECLINED)


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {"pending": "待回复", "accepted": "已接受", "declined": "已婉拒"}[self.value]


@dataclass(frozen=True, slots=True)
class Response:
    id: int
    demand_id: int
    enterprise_id: int
    enterprise_name: str
    proposal: str
    products: list[str]
    attachments: list[str]
    status: ResponseStatus
    note: str
    created_at: dt.datetime
    contact: Contact | None = None  # the responder's contact, once both sides agreed


@dataclass(frozen=True, slots=True)
class Invitation:
    id: int
    demand_id: int
    demand_title: str
    enterprise_id: int
    enterprise_name: str
    message: str
    status: InvitationStatus
    reply: str
    created_at: dt.datetime
    contact: Contact | None = None  # the invitee's contact, once it accepted


@dataclass(frozen=True, slots=True)
class DealView:
    """One demand as the caller sees its deals: what it may do, and the records it may see."""

    demand: StoredDemand
    publisher_name: str
    may_respond: bool
    manages: bool  # sees every response and invitation, decides and invites
    responses: list[Response] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    publisher_contact: Contact | None = None  # for the supplier side, once both agreed

    @property
    def mine(self) -> Response | None:
        """The caller's own response (a supplier sees only its own)."""
        return None if self.manages or not self.responses else self.responses[0]

    @property
    def my_invitation(self) -> Invitation | None:
        return None if self.manages or not self.invitations else self.invitations[0]


def bounded_text(value: str, limit: int, what: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError([f"{what}为必填项"])
    if len(text) > limit:
        raise ValidationError([f"{what}过长（最多 {limit} 个字符，实为 {len(text)}）"])
    return text


def bounded_items(values: list[str], what: str) -> list[str]:
    """A short list of short lines: at most ITEMS_MAX, each at most ITEM_MAX characters, blanks dropped."""
    items = [v.strip() for v in values if v and v.strip()]
    problems = []
    if len(items) > ITEMS_MAX:
        problems.append(f"{what}最多 {ITEMS_MAX} 项（实为 {len(items)} 项）")
    problems += [f"{what}“{v[:20]}…”过长（最多 {ITEM_MAX} 个字符）" for v in items if len(v) > ITEM_MAX]
    if problems:
        raise ValidationError(problems)
    return items
