"""``matcher demo``: the main job on embedded defaults, from a fresh SQLite store and the bundled sample."""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.auth.principal import AccountRole
from matcher.cli.common import console, open_store, reporting_errors
from matcher.domain import DemandStatus, Role, Tier
from matcher.io import import_file
from matcher.settings import DATA_DIR, Settings, get_settings
from matcher.store import Store
from matcher.store import repository as repo

SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_FILES = ("parks.csv", "enterprises.csv", "demands.csv")
SAMPLE_EVENT = SAMPLE_DIR / "event.yaml"
SAMPLE_EVENT_CODE = "JN-20250716"


def sample_usccs(sample_dir: Path = SAMPLE_DIR) -> set[str]:
    """The 统一社会信用代码 of the bundled sample's enterprises."""
    with (sample_dir / "enterprises.csv").open(encoding="utf-8-sig", newline="") as f:
        return {row["统一社会信用代码"] for row in csv.DictReader(f)}


def holds_other_data(store: Store) -> bool:
    """Whether ``store`` holds enterprises that are not the sample's (a user's own registry)."""
    with store.session() as session:
        held = set(repo.enterprise_ids(session))
    return bool(held - sample_usccs())


def demo_store(settings: Settings) -> tuple[Store, bool]:
    """The store the demo loads: the default store (so every later command works on the demo data without
    setting anything), unless it already holds a user's own enterprises, which the demo never mixes with the
    sample; then a separate store under ``home/demo``. Returns the store and whether it is the default one.
    """
    store = open_store(settings)
    if not holds_other_data(store):
        return store, True
    store.dispose()
    path = settings.home / "demo" / "matcher.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return Store(f"sqlite:///{path}"), False


def load_sample(store: Store, sample_dir: Path = SAMPLE_DIR) -> None:
    """Import the bundled sample through the same validated path as any user file, with progress."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("导入示例数据", total=len(SAMPLE_FILES))
        for name in SAMPLE_FILES:
            progress.update(task, description=f"导入 {name}")
            import_file(store, sample_dir / name)
            progress.advance(task)


def print_registry(store: Store) -> None:
    with store.session() as session:
        parks = repo.list_parks(session)
        by_park = {p: n for p, n in repo.count_enterprises_by(session, "park")}
        by_role_tier = repo.count_enterprises_by(session, "role", "tier")
        open_demands = repo.list_demands(session, status=DemandStatus.OPEN.value)
        publishers = {e.id: e.record.name for e in repo.list_enterprises(session, role=Role.LEADING.value)}

    table = Table(title="园区", title_justify="left")
    for header in ("园区", "地区", "主导产业", "企业数"):
        table.add_column(header)
    for park in parks:
        region = "".join((park.province, park.city, park.district))
        table.add_row(park.name, region, "、".join(park.leading_industries), str(by_park.get(park.name, 0)))
    if None in by_park:
        table.add_row("（园区外）", "", "", str(by_park[None]))
    console.print(table)

    tiers = [t for t in Tier]
    counts = {(role, tier): n for role, tier, n in by_role_tier}
    table = Table(title="企业：按角色与梯度层级", title_justify="left")
    table.add_column("角色")
    for tier in tiers:
        table.add_column(tier.short_label, justify="right")
    table.add_column("合计", justify="right")
    for role in Role:
        row = [counts.get((role.value, t.value), 0) for t in tiers]
        table.add_row(role.label, *map(str, row), str(sum(row)))
    console.print(table)

    table = Table(title=f"开放需求（{len(open_demands)} 条）", title_justify="left")
    for header in ("编号", "类型", "发布企业", "标题", "截止日期"):
        table.add_column(header)
    for demand in open_demands[:15]:
        d = demand.record
        table.add_row(
            d.code, d.kind.label, publishers.get(demand.publisher_id, ""), d.title, str(d.deadline or "")
        )
    if len(open_demands) > 15:
        table.caption = f"另有 {len(open_demands) - 15} 条未列出"
    console.print(table)


def print_matches(store: Store, demands: int = 2) -> None:
    """Suppliers with reasons for the first open procurement demands, and one SME's recommendations."""
    from matcher.cli.matching import print_suppliers, recommendation_tables
    from matcher.engine import Engine

    engine = Engine(store)
    with console.status(f"加载编码器 {engine.settings.encoder}，为登记企业建立匹配索引…"):
        engine.matching.match_pool()
    open_procurement = [d for d in engine.registry.demands(status=DemandStatus.OPEN.value) if d.record.product][
        :demands
    ]
    for d in open_procurement:
        result = engine.matching.suppliers_for(demand_id=d.id, k=5)
        print_suppliers(result, f"需求 {d.record.code}「{d.record.title}」的候选供应商")
    sme = engine.registry.enterprises(role=Role.SME.value, limit=1)
    if sme:
        console.print(f"为中小企业「{sme[0].record.name}」推荐：")
        for table in recommendation_tables(engine.matching.buyers_for(enterprise_id=sme[0].id, k=5)):
            console.print(table)


NEXT_STEPS = """接下来（都作用于上面的演示数据，无需任何设置）：
  matcher match "为动力电池电芯寻找正极材料供应商"       候选供应商与理由
  matcher recommend --enterprise {sme:<24} 为中小企业推荐买方与可响应的需求
  matcher chain coverage --park 江南新能源与集成电路产业园   产业链覆盖、缺失与薄弱环节
  matcher tiers assess                                     梯度培育评估
  matcher event shortlist JN-20250716                      对接会推荐名单（再 event schedule 排程）
  matcher serve --demo                                     网页：每个角色一个现成账号，启动时打印"""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: AccountRole
    password: str
    bound_to: str  # the park or enterprise the account acts for, shown beside it


def _personas(store: Store) -> dict[AccountRole, tuple[str | None, tuple[str, ...], str]]:
    """Who each demo account acts for: the first park, a leading firm there that publishes demands, an SME
    of that park; the organizer runs the sample 对接会. Role -> (enterprise USCC, parks, shown as)."""
    with store.session() as s:
        park = repo.list_parks(s)[0].name
        members = repo.list_enterprises(s, park=park)
        publishers = {d.publisher_id for d in repo.list_demands(s)}
        leader = next(e for e in members if e.record.role is Role.LEADING and e.id in publishers)
        sme = next(e for e in members if e.record.role is Role.SME)
    return {
        AccountRole.PLATFORM_ADMIN: (None, (), "全部园区"),
        AccountRole.PARK_ADMIN: (None, (park,), park),
        AccountRole.ORGANIZER: (None, (park,), f"对接会 {SAMPLE_EVENT_CODE}"),  # organizers serve parks
        AccountRole.LEADING_USER: (leader.record.uscc, (), leader.record.name),
        AccountRole.SME_USER: (sme.record.uscc, (), sme.record.name),
    }


def demo_accounts(store: Store) -> list[DemoAccount]:
    """One ready account per role on the demo data (``demo_<role>``), each with a fresh random password:
    created the first time, given a new password on every later call, so the printed passwords are the
    only valid ones."""
    from matcher.auth import accounts, manage
    from matcher.store import events_repo

    made = []
    for role, (uscc, parks, shown) in _personas(store).items():
        # 15 characters with letters, a digit and a symbol: passes any reasonable password policy
        username, password = f"demo_{role.value}", f"{secrets.token_urlsafe(9)}-{secrets.randbelow(90) + 10}"
        if accounts.account_exists(store, username):
            manage.reset_password(store, username=username, password=password)  # old sessions end too
        else:
            accounts.create_account(
                store, username=username, role=role, password=password, enterprise=uscc, parks=parks
            )
        made.append(DemoAccount(username, role, password, shown))
    with store.session() as s:  # again on every start: reloading the sample replaces the 对接会
        organizer = next(a for a in accounts.list_accounts(store) if a.username == "demo_organizer")
        event = events_repo.get_event(s, code=SAMPLE_EVENT_CODE)
        events_repo.assign_organizer(s, account_id=organizer.id, event_id=event.id)
    return made


def accounts_table(made: list[DemoAccount]) -> Table:
    table = Table(title="演示账号（密码每次启动重新生成）", title_justify="left")
    table.add_column("角色", no_wrap=True)
    table.add_column("用户名", no_wrap=True)
    table.add_column("密码", no_wrap=True)  # never cut: it is the only place the password appears
    table.add_column("代表", overflow="fold")
    for a in made:
        table.add_row(a.role.label, a.username, a.password, a.bound_to)
    return table


def load_demo(settings: Settings) -> tuple[Store, bool]:
    """Load the sample (parks, enterprises, demands, the 对接会) into the demo's store; see ``demo_store``."""
    from matcher.engine import Engine

    store, default = demo_store(settings)
    load_sample(store)
    Engine(store).events.create_event(SAMPLE_EVENT, replace=True)
    return store, default


def demo(
    keep: Annotated[bool, typer.Option(help="不重新导入示例数据，直接展示已有的演示数据")] = False,
    matches: Annotated[bool, typer.Option(help="打印带理由的匹配结果（--no-matches 只看登记数据）")] = True,
) -> None:
    """演示：把内置示例导入默认数据库（其中已有你自己的企业时改用单独的演示库），打印园区、企业分布、开放需求与带理由的匹配结果。"""
    with reporting_errors():
        settings = get_settings()
        store, default = demo_store(settings) if keep else load_demo(settings)
        console.print(f"演示数据库：{store.safe_url}")
        print_registry(store)
        if matches:
            print_matches(store)
        if default:
            with store.session() as session:
                sme = repo.list_enterprises(session, role=Role.SME.value, limit=1)[0].id
            console.print(NEXT_STEPS.format(sme=sme), highlight=False, soft_wrap=True)
        else:
            console.print(
                "[yellow]默认数据库里已有你自己的企业，演示数据放在单独的库中，未与之混合。[/]"
                f"要在演示库上运行其它命令：export MATCHER_DATABASE_URL={store.url}",
                highlight=False,
            )
