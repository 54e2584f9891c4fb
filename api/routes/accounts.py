"""Accounts, API keys and the audit log, for platform admins (``matcher accounts`` does the same locally)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.audit import audit_read
from api.auth import require
from api.deps import EngineDep, Limit, Offset
from api.schemas import Page
from matcher.auth import Action, Principal, Resource, accounts, manage
from matcher.auth.accounts import AccountInfo
from matcher.auth.audit import AuditFilters, AuditRecord, recent
from matcher.auth.manage import KeyInfo
from matcher.auth.principal import AccountRole
from matcher.auth.tokens import API_KEY_TTL, KeyScope

router = APIRouter(tags=["账号与审计"])
Username = Annotated[str, Path(min_length=1, max_length=64, description="用户名")]
Reader = Annotated[Principal, require(Resource.ACCOUNT, Action.READ)]
Creator = Annotated[Principal, require(Resource.ACCOUNT, Action.CREATE)]
Updater = Annotated[Principal, require(Resource.ACCOUNT, Action.UPDATE)]
Revoker = Annotated[Principal, require(Resource.ACCOUNT, Action.DELETE)]


class AccountPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: AccountRole
    role_label: str
    enterprise: str = Field(description="企业用户所属企业名称")
    parks: list[str]
    active: bool

    @classmethod
    def of(cls, a: AccountInfo) -> AccountPublic:
        return cls(
            id=a.id,
            username=a.username,
            display_name=a.display_name,
            role=a.role,
            role_label=a.role.label,
            enterprise=a.enterprise,
            parks=list(a.parks),
            active=a.active,
        )


class AccountCreate(BaseModel):
    username: str = Field(max_length=64)
    role: AccountRole
    password: str | None = Field(default=None, max_length=256, description="为空：系统账号，仅用 API 密钥")
    display_name: str = Field(default="", max_length=100)
    enterprise: str | None = Field(default=None, max_length=18, description="企业用户：统一社会信用代码")
    parks: list[str] = Field(default_factory=list, max_length=100, description="园区管理员/组织方所辖园区")


class AccountUpdate(BaseModel):
    """Only the fields sent change."""

    role: AccountRole | None = None
    display_name: str | None = Field(default=None, max_length=100)
    enterprise: str | None = Field(default=None, max_length=18)
    parks: list[str] | None = Field(default=None, max_length=100)
    active: bool | None = Field(default=None, description="false 停用（立即结束其会话）；true 启用")


class PasswordReset(BaseModel):
    password: str = Field(max_length=256)


class KeyCreate(BaseModel):
    name: str = Field(default="", max_length=100, description="用途，如“ERP 对接”")
    scope: KeyScope = Field(default=KeyScope.READ, description="read 只读 / write 读写")
    days: int | None = Field(
        default=API_KEY_TTL.days, ge=1, le=3650, description="有效天数；null 为永不过期（须有意为之）"
    )


class KeyPublic(BaseModel):
    id: int
    username: str
    name: str
    scope: KeyScope
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    state: str

    @classmethod
    def of(cls, k: KeyInfo) -> KeyPublic:
        return cls(**{f: getattr(k, f) for f in cls.model_fields})


class NewKey(KeyPublic):
    key: str = Field(description="API 密钥，只显示这一次")


@router.get("/accounts", summary="账号列表")
def list_accounts(engine: EngineDep, _: Reader) -> Page[AccountPublic]:
    rows = [AccountPublic.of(a) for a in accounts.list_accounts(engine.store)]
    return Page(data=rows, count=len(rows))


@router.post("/accounts", summary="新建账号（密码须符合密码规则）", status_code=201)
def create_account(request: Request, engine: EngineDep, _: Creator, body: AccountCreate) -> AccountPublic:
    request.state.audit_detail = {"username": body.username[:64], "role": body.role.value}
    accounts.create_account(engine.store, **body.model_dump())
    return AccountPublic.of(manage.account(engine.store, body.username))


@router.get("/accounts/{username}", summary="账号详情")
def get_account(engine: EngineDep, _: Reader, username: Username) -> AccountPublic:
    return AccountPublic.of(manage.account(engine.store, username))


@router.patch("/accounts/{username}", summary="修改角色、所属企业或园区，停用或启用")
def update_account(engine: EngineDep, _: Updater, username: Username, body: AccountUpdate) -> AccountPublic:
    changes = body.model_dump(exclude_unset=True)
    active = changes.pop("active", None)
    if changes:
        manage.update_account(engine.store, username=username, **changes)
    if active is not None:
        manage.set_active(engine.store, username=username, active=active)
    return AccountPublic.of(manage.account(engine.store, username))


@router.post("/accounts/{username}/password", summary="重置密码（结束该账号的全部会话）", status_code=204)
def reset_password(engine: EngineDep, _: Updater, username: Username, body: PasswordReset) -> None:
    manage.reset_password(engine.store, username=username, password=body.password)


@router.get("/accounts/{username}/keys", summary="账号的 API 密钥（不含密钥本身）")
def list_keys(engine: EngineDep, _: Reader, username: Username) -> Page[KeyPublic]:
    manage.account(engine.store, username)  # 404 for an unknown account
    rows = [KeyPublic.of(k) for k in manage.list_keys(engine.store, username=username)]
    return Page(data=rows, count=len(rows))


@router.post("/accounts/{username}/keys", summary="签发 API 密钥（默认只读、90 天有效）", status_code=201)
def issue_key(engine: EngineDep, _: Creator, username: Username, body: KeyCreate) -> NewKey:
    ttl = None if body.days is None else dt.timedelta(days=body.days)
    token = accounts.issue_api_key(engine.store, username=username, name=body.name, scope=body.scope, ttl=ttl)
    issued = manage.list_keys(engine.store, username=username)[0]
    return NewKey(**KeyPublic.of(issued).model_dump(), key=token.plain)


@router.delete("/keys/{key_id}", summary="吊销 API 密钥（立即失效）")
def revoke_key(engine: EngineDep, _: Revoker, key_id: Annotated[int, Path(ge=1, le=2**63 - 1)]) -> KeyPublic:
    return KeyPublic.of(manage.revoke_key(engine.store, key_id=key_id))


Text = Annotated[str, Query(max_length=100)]


@router.get("/audit", summary="审计日志（写操作与敏感数据读取），新的在前，可筛选")
def audit_log(
    request: Request,
    engine: EngineDep,
    _: Annotated[Principal, require(Resource.AUDIT, Action.READ)],
    limit: Limit = 100,
    offset: Offset = 0,
    username: Text = "",
    resource: Text = "",
    action: Text = "",
    path: Text = "",
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Page[AuditRecord]:
    audit_read(request, what="audit")
    filters = AuditFilters(username, resource, action, path, status, since, until)
    found = recent(engine.store, filters=filters, limit=limit, offset=offset)
    return Page(data=found.entries, count=found.total)
