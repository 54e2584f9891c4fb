"""``matcher accounts``: create accounts, list them, issue API keys for systems."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from matcher.auth.principal import AccountRole
from matcher.cli.common import console, open_store, reporting_errors

app = typer.Typer(help="账号：创建、列出、停用与启用、重置密码；签发、列出与吊销 API 密钥。", no_args_is_help=True)
ROLES = "/".join(r.value for r in AccountRole)


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="用户名（字母、数字、_ . @ -）")],
    role: Annotated[str, typer.Option(help=f"角色：{ROLES}")],
    enterprise: Annotated[
        Optional[str], typer.Option(help="企业用户所属企业的统一社会信用代码")  # noqa: UP045
    ] = None,
    park: Annotated[Optional[list[str]], typer.Option(help="园区管理员/组织方所辖园区，可重复")] = None,  # noqa: UP045
    event: Annotated[Optional[list[int]], typer.Option(help="组织方负责的对接会编号，可重复")] = None,  # noqa: UP045
    display_name: Annotated[str, typer.Option(help="显示名称；默认为企业名称或用户名")] = "",
    system: Annotated[bool, typer.Option("--system", help="系统账号：无密码，仅用 API 密钥")] = False,
) -> None:
    """创建账号；密码从环境变量 MATCHER_PASSWORD 读取，否则交互输入。"""
    with reporting_errors():
        try:
            role_ = AccountRole(role)
        except ValueError:
            raise typer.BadParameter(f"--role 应为 {ROLES}，实为 {role!r}") from None
        password = None
        if not system:
            password = os.environ.get("MATCHER_PASSWORD") or typer.prompt(
                "密码", hide_input=True, confirmation_prompt=True
            )
        from matcher.auth import accounts  # argon2 loads only when a command runs

        account_id = accounts.create_account(
            open_store(),
            username=username,
            role=role_,
            password=password,
            display_name=display_name,
            enterprise=enterprise,
            parks=park or [],
            event_ids=event or [],
        )
        console.print(f"[green]已创建[/]账号 {username}（{role_.label}，编号 {account_id}）")


@app.command("list")
def list_() -> None:
    """列出全部账号。"""
    with reporting_errors():
        from matcher.auth import accounts

        for a in accounts.list_accounts(open_store()):
            scope = a.enterprise or "、".join(a.parks) or "—"
            state = "" if a.active else "（已停用）"
            console.print(f"{a.id:>4}  {a.username:<20} {a.role.label:<8} {scope}{state}", highlight=False)


@app.command("key")
def key(
    username: Annotated[str, typer.Argument(help="以哪个账号的身份访问")],
    name: Annotated[str, typer.Option(help="密钥用途，如 “ERP 对接”")] = "",
    scope: Annotated[str, typer.Option(help="read 只读（默认）/ write 读写")] = "read",
    days: Annotated[int, typer.Option(min=1, max=3650, help="有效天数")] = 90,
    no_expiry: Annotated[bool, typer.Option("--no-expiry", help="永不过期（须有意为之）")] = False,
) -> None:
    """签发 API 密钥（只显示这一次；请求头 X-API-Key 或 Authorization: Bearer）。"""
    with reporting_errors():
        import datetime as dt

        from matcher.auth import accounts
        from matcher.auth.tokens import KeyScope

        try:
            scope_ = KeyScope(scope)
        except ValueError:
            raise typer.BadParameter(f"--scope 应为 read 或 write，实为 {scope!r}") from None
        ttl = None if no_expiry else dt.timedelta(days=days)
        token = accounts.issue_api_key(open_store(), username=username, name=name, scope=scope_, ttl=ttl)
        until = f"{token.expires_at:%Y-%m-%d} 过期" if token.expires_at else "永不过期"
        console.print(f"API 密钥（{scope_.label}，{until}；请妥善保存，只显示这一次）：", highlight=False)
        console.print(token.plain, highlight=False, soft_wrap=True)


@app.command("keys")
def keys(username: Annotated[Optional[str], typer.Argument(help="只列此账号的")] = None) -> None:  # noqa: UP045
    """列出 API 密钥（编号、用途、范围、状态；不含密钥本身）。"""
    with reporting_errors():
        from matcher.auth import manage

        for k in manage.list_keys(open_store(), username=username):
            until = f"{k.expires_at:%Y-%m-%d}" if k.expires_at else "永不过期"
            line = f"{k.id:>5}  {k.username:<20} {k.scope.label}  {k.state}  至 {until}  {k.name}"
            console.print(line, highlight=False)


@app.command("revoke")
def revoke(key_id: Annotated[int, typer.Argument(help="密钥编号（见 accounts keys）")]) -> None:
    """吊销 API 密钥，立即失效。"""
    with reporting_errors():
        from matcher.auth import manage

        found = manage.revoke_key(open_store(), key_id=key_id)
        console.print(f"[green]已吊销[/]密钥 {found.id}（{found.username} {found.name}）", highlight=False)


def _set_active(username: str, active: bool) -> None:
    with reporting_errors():
        from matcher.auth import manage

        manage.set_active(open_store(), username=username, active=active)
        console.print(f"[green]已{'启用' if active else '停用'}[/]账号 {username}", highlight=False)


@app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用账号：其会话与 API 密钥立即失效（会话同时注销）。"""
    _set_active(username, False)


@app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """重新启用账号。"""
    _set_active(username, True)


@app.command("password")
def password(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """重置密码（从环境变量 MATCHER_PASSWORD 读取，否则交互输入）；该账号的会话全部结束。"""
    with reporting_errors():
        from matcher.auth import manage

        new = os.environ.get("MATCHER_PASSWORD") or typer.prompt("新密码", hide_input=True, confirmation_prompt=True)
        manage.reset_password(open_store(), username=username, password=new)
        console.print(f"[green]已重置[/]账号 {username} 的密码，其会话已全部注销", highlight=False)
