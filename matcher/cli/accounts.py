"""``matcher accounts``: create accounts, list them, issue API keys for systems."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from matcher.auth.principal import AccountRole
from matcher.cli.common import console, open_store, reporting_errors

app = typer.Typer(help="账号：创建、列出、签发 API 密钥。", no_args_is_help=True)
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
) -> None:
    """签发 API 密钥（只显示这一次；请求头 X-API-Key 或 Authorization: Bearer）。"""
    with reporting_errors():
        from matcher.auth import accounts

        token = accounts.issue_api_key(open_store(), username=username, name=name)
        console.print(f"API 密钥（请妥善保存，只显示这一次）：\n{token.plain}", highlight=False)
