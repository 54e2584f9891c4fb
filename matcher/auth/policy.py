"""The one place that decides who may do what.

Two layers, both here:

* the **role gate** ``RULES``: per (resource, action), which roles may call such an endpoint at all
  (anonymous callers are refused everything not marked public). Every API route declares its
  (resource, action) and is checked against this table before its body runs;
* the **record rules** (``can_see_demand``, ``can_see_contact``…): what a permitted role may see or change
  among the records themselves. ``matcher.auth.scoping`` turns the same rules into SQL filters, and a test
  checks the two agree on every combination.

To open a new kind of endpoint, add its resource and one line per action to ``RULES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from matcher.auth.errors import AuthenticationError, PermissionDenied, RoleForbidden
from matcher.auth.principal import AccountRole, Principal
from matcher.errors import NotFoundError


class Resource(StrEnum):
    SESSION = "session"  # log in, who am I
    PARK = "park"
    ENTERPRISE = "enterprise"
    DEMAND = "demand"
    MATCH = "match"  # candidate suppliers of a demand, shortlist and reject
    RECOMMENDATION = "recommendation"  # buyers and demands recommended to an SME
    CHAIN = "chain"  # chain map, gaps, recruitment
    TIER = "tier"  # 梯度培育 assessments and pipeline
    EVENT = "event"  # 对接会: events, shortlists, schedules
    IMPORT = "import"
    EXPORT = "export"
    JOB = "job"  # background jobs and their progress
    ACCOUNT = "account"
    AUDIT = "audit"
    RESPONSE = "response"  # 揭榜: an enterprise's answer to a demand, and the publisher's decision
    INVITATION = "invitation"  # 邀请洽谈: a publisher invites a candidate, the candidate answers
    NOTIFICATION = "notification"  # one's own in-platform messages
    INNOVATION = "innovation"  # 新产品 (首台套/首批次/首版次) an enterprise offers for 先试首用
    TRIAL = "trial"  # 先试首用 trials, from request to adoption


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


R, A = AccountRole, Action
ANYONE_SIGNED_IN = frozenset(AccountRole)
ADMINS = frozenset({R.PLATFORM_ADMIN, R.PARK_ADMIN})
STAFF = ADMINS | {R.ORGANIZER}
PUBLIC = None  # anonymous callers too

RULES: dict[tuple[Resource, Action], frozenset[AccountRole] | None] = {
    (Resource.SESSION, A.CREATE): PUBLIC,
    (Resource.SESSION, A.READ): ANYONE_SIGNED_IN,
    (Resource.SESSION, A.DELETE): ANYONE_SIGNED_IN,
    (Resource.SESSION, A.UPDATE): ANYONE_SIGNED_IN,  # change one's own password
    (Resource.PARK, A.READ): ANYONE_SIGNED_IN,
    (Resource.PARK, A.CREATE): frozenset({R.PLATFORM_ADMIN}),
    (Resource.PARK, A.UPDATE): ADMINS,
    (Resource.PARK, A.DELETE): frozenset({R.PLATFORM_ADMIN}),
    (Resource.ENTERPRISE, A.READ): ANYONE_SIGNED_IN,
    (Resource.ENTERPRISE, A.CREATE): ADMINS,
    (Resource.ENTERPRISE, A.UPDATE): ADMINS | {R.LEADING_USER, R.SME_USER},
    (Resource.ENTERPRISE, A.DELETE): ADMINS,
    (Resource.DEMAND, A.READ): ANYONE_SIGNED_IN,
    (Resource.DEMAND, A.CREATE): ADMINS | {R.LEADING_USER},
    (Resource.DEMAND, A.UPDATE): ADMINS | {R.LEADING_USER},
    (Resource.DEMAND, A.DELETE): ADMINS | {R.LEADING_USER},
    (Resource.MATCH, A.READ): STAFF | {R.LEADING_USER},
    (Resource.MATCH, A.UPDATE): ADMINS | {R.LEADING_USER},
    (Resource.RECOMMENDATION, A.READ): STAFF | {R.SME_USER},
    (Resource.CHAIN, A.READ): STAFF | {R.LEADING_USER},
    (Resource.CHAIN, A.UPDATE): ADMINS,
    (Resource.TIER, A.READ): ADMINS | {R.LEADING_USER, R.SME_USER},
    (Resource.TIER, A.UPDATE): ADMINS,
    (Resource.EVENT, A.READ): ANYONE_SIGNED_IN,
    (Resource.EVENT, A.CREATE): STAFF,
    (Resource.EVENT, A.UPDATE): STAFF,
    (Resource.EVENT, A.DELETE): STAFF,
    (Resource.IMPORT, A.CREATE): frozenset({R.PLATFORM_ADMIN}),
    (Resource.EXPORT, A.READ): STAFF,
    (Resource.JOB, A.READ): ANYONE_SIGNED_IN,
    (Resource.JOB, A.CREATE): STAFF,
    (Resource.ACCOUNT, A.READ): frozenset({R.PLATFORM_ADMIN}),
    (Resource.ACCOUNT, A.CREATE): frozenset({R.PLATFORM_ADMIN}),
    (Resource.ACCOUNT, A.UPDATE): frozenset({R.PLATFORM_ADMIN}),
    (Resource.ACCOUNT, A.DELETE): frozenset({R.PLATFORM_ADMIN}),  # revoke API keys
    (Resource.AUDIT, A.READ): frozenset({R.PLATFORM_ADMIN}),
    (Resource.RESPONSE, A.READ): ANYONE_SIGNED_IN,
    (Resource.RESPONSE, A.CREATE): frozenset({R.SME_USER, R.LEADING_USER}),
    (Resource.RESPONSE, A.UPDATE): ADMINS | {R.LEADING_USER, R.SME_USER},
    (Resource.INVITATION, A.READ): ANYONE_SIGNED_IN,
    (Resource.INVITATION, A.CREATE): ADMINS | {R.LEADING_USER},
    (Resource.INVITATION, A.UPDATE): frozenset({R.SME_USER, R.LEADING_USER}),
    (Resource.NOTIFICATION, A.READ): ANYONE_SIGNED_IN,
    (Resource.NOTIFICATION, A.UPDATE): ANYONE_SIGNED_IN,
    (Resource.INNOVATION, A.READ): ANYONE_SIGNED_IN,
    (Resource.INNOVATION, A.CREATE): ADMINS | {R.SME_USER, R.LEADING_USER},
    (Resource.TRIAL, A.READ): ANYONE_SIGNED_IN,
    (Resource.TRIAL, A.CREATE): ADMINS | {R.SME_USER, R.LEADING_USER},
    (Resource.TRIAL, A.UPDATE): ADMINS | {R.SME_USER, R.LEADING_USER},
}


@dataclass(frozen=True, slots=True)
class Access:
    """What an endpoint declares: the kind of resource and the action it takes."""

    resource: Resource
    action: Action

    def __post_init__(self) -> None:
        if (self.resource, self.action) not in RULES:
            raise ValueError(
                f"访问规则（{self.resource}, {self.action}）未在 matcher.auth.policy.RULES 中定义"
            )

    @property
    def is_public(self) -> bool:
        return RULES[(self.resource, self.action)] is PUBLIC


def allows(principal: Principal | None, access: Access) -> bool:
    """The role gate: may this caller (None = anonymous) use endpoints of this kind?"""
    roles = RULES[(access.resource, access.action)]
    if roles is PUBLIC:
        return True
    return principal is not None and principal.role in roles


def check(principal: Principal | None, access: Access) -> None:
    """Raise 401 for anonymous callers, 403 for a role the gate refuses and for a write with a read-only key."""
    if allows(principal, access):
        if principal is not None and principal.read_only and access.action is not A.READ:
            raise PermissionDenied("只读 API 密钥不能执行写操作：请使用读写范围的密钥")
        return
    if principal is None:
        raise AuthenticationError("请先登录（或在请求头中提供有效的令牌 / API 密钥）")
    raise RoleForbidden(
        f"{principal.role.label}无权{_ACTION_LABELS[access.action]}{_RESOURCE_LABELS[access.resource]}"
    )


_ACTION_LABELS = {A.READ: "查看", A.CREATE: "新建", A.UPDATE: "修改", A.DELETE: "删除"}
_RESOURCE_LABELS = {
    Resource.SESSION: "会话",
    Resource.PARK: "园区",
    Resource.ENTERPRISE: "企业",
    Resource.DEMAND: "需求",
    Resource.MATCH: "候选供应商",
    Resource.RECOMMENDATION: "推荐",
    Resource.CHAIN: "产业链分析",
    Resource.TIER: "梯度培育",
    Resource.EVENT: "对接会",
    Resource.IMPORT: "导入",
    Resource.EXPORT: "导出",
    Resource.JOB: "后台任务",
    Resource.ACCOUNT: "账号",
    Resource.AUDIT: "审计日志",
    Resource.RESPONSE: "需求响应",
    Resource.INVITATION: "洽谈邀请",
    Resource.NOTIFICATION: "消息",
    Resource.INNOVATION: "创新产品",
    Resource.TRIAL: "先试首用",
}


# -- record rules ------------------------------------------------------------------------------------
# Each mirrors a SQL filter in matcher.auth.scoping where lists need one; tests check they agree.


@dataclass(frozen=True, slots=True)
class DemandFacts:
    """What the rules need to know about a demand."""

    publisher_id: int
    publisher_park_id: int | None
    status: str
    visibility: str


def can_see_demand(p: Principal, d: DemandFacts) -> bool:
    """Published public demands: everyone; 园区内可见: the publisher's park; 仅发布方 and drafts: the publisher.

    Park admins also see drafts of their park's firms (not private ones); platform admins see all.
    """
    if p.is_platform_admin or p.acts_for(d.publisher_id):
        return True
    if d.visibility == "private":
        return False
    if p.serves_park(d.publisher_park_id):
        return True
    if d.status == "draft":
        return False
    return d.visibility == "public" or (d.publisher_park_id is not None and d.publisher_park_id in p.park_ids)


def can_change_demand(p: Principal, d: DemandFacts) -> bool:
    """The publisher's leading-firm users, the park admins of its park, platform admins."""
    owner = p.role is AccountRole.LEADING_USER and p.acts_for(d.publisher_id)
    return owner or p.serves_park(d.publisher_park_id)


def can_see_candidates(p: Principal, d: DemandFacts) -> bool:
    """A demand's candidate suppliers, shortlist/reject decisions and notes: the publisher's leading-firm
    users and the admins of its park only (organizers and their system keys included: they run events,
    not other firms' sourcing)."""
    return can_change_demand(p, d)


def can_see_contact(p: Principal, enterprise_id: int, park_id: int | None) -> bool:
    """Contacts are private: the enterprise's own users, the park admins of its park, platform admins."""
    return p.acts_for(enterprise_id) or p.serves_park(park_id)


def can_see_financials(p: Principal, enterprise_id: int, park_id: int | None) -> bool:
    """Financial figures (``domain.models.FINANCIAL_FIELDS``: revenue, profit, debt ratio, R&D spend…) and
    the size class derived from them: the enterprise itself, its park's admins, platform admins."""
    return p.acts_for(enterprise_id) or p.serves_park(park_id)


def can_change_enterprise(p: Principal, enterprise_id: int, park_id: int | None) -> bool:
    return p.acts_for(enterprise_id) or p.serves_park(park_id)


def can_see_enterprise_private(p: Principal, enterprise_id: int, park_id: int | None) -> bool:
    """Recommendations for, and tier assessments of, an enterprise: itself, its park, organizers (recs)."""
    return p.acts_for(enterprise_id) or p.serves_park(park_id)


def can_manage_event(p: Principal, event_id: int | None, park_id: int | None) -> bool:
    """Park admins run their park's events; organizers create events in the parks they serve and run
    those of them they are assigned (``event_id`` None: creating a new one)."""
    if p.serves_park(park_id):
        return True
    if p.role is not AccountRole.ORGANIZER or park_id is None or park_id not in p.park_ids:
        return False
    return event_id is None or event_id in p.event_ids


def feeds_events(visibility: str, status: str) -> bool:
    """Whether a demand may feed a 对接会's scores and shortlist reasons. Those are read by everyone who
    runs the event and shown to participants, whoever asks for them, so only what every one of them may
    read is used: published public demands (not drafts, 园区内可见 or 仅发布方 ones)."""
    return visibility == "public" and status != "draft"


class EventAccess(StrEnum):
    FULL = "full"  # wishes, shortlists, schedules, outcomes, every export
    PARTICIPANT = "participant"  # that the event exists, and one's own agenda
    NONE = "none"


def event_access(manages: bool, participates: bool) -> EventAccess:
    """Event internals (who wants whom, scores, the schedule, outcomes) are for those who run the event;
    an enterprise taking part sees the event and its own agenda; anyone else does not see the event."""
    if manages:
        return EventAccess.FULL
    return EventAccess.PARTICIPANT if participates else EventAccess.NONE


def can_see_job(p: Principal, owner_id: int | None) -> bool:
    """A background job is its owner's; platform admins see every job (``Jobs.jobs`` lists by owner)."""
    return p.is_platform_admin or (owner_id is not None and owner_id == p.account_id)


# -- the two-sided workflow and 先试首用 (matcher.deals, matcher.trials) ------------------------------------


def can_respond(p: Principal, d: DemandFacts) -> bool:
    """揭榜: a user of any enterprise but the publisher, on an open demand it can see."""
    own = p.enterprise_id is not None and not p.acts_for(d.publisher_id)
    return own and d.status == "open" and can_see_demand(p, d)


def can_see_response(p: Principal, d: DemandFacts, responder_id: int) -> bool:
    """A response: its own enterprise, and those who see the demand's candidates; never another SME."""
    return p.acts_for(responder_id) or can_see_candidates(p, d)


def can_answer(p: Principal, invitee_id: int) -> bool:
    """An invitation is answered by the invited enterprise's own users only."""
    return p.acts_for(invitee_id)


def can_see_counterpart_contact(p: Principal, publisher_id: int, supplier_id: int, agreed: bool) -> bool:
    """The two sides of a deal see each other's contact only once both agreed (a response the publisher
    accepted, or an invitation the supplier accepted); admins see contacts under ``can_see_contact``."""
    return agreed and (p.acts_for(publisher_id) or p.acts_for(supplier_id))


def can_take_trial_part(p: Principal, enterprise_id: int, park_id: int | None) -> bool:
    """A trial side's own users act for it; the park admins of that side's park on its behalf."""
    return p.acts_for(enterprise_id) or p.serves_park(park_id)


def can_see_trial(p: Principal, sides: tuple[tuple[int, int | None], ...]) -> bool:
    """A trial is seen by its buyer, its supplier and the admins of either side's park."""
    return any(can_take_trial_part(p, e, park) for e, park in sides)


def demand_or_not_found(allowed: bool, demand_id: int) -> None:
    """Invisible records are reported as missing, so their existence does not leak."""
    if not allowed:
        raise NotFoundError(f"需求不存在（编号 {demand_id}）")


def ensure(allowed: bool, message: str) -> None:
    """Raise PermissionDenied (403) with ``message`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)
