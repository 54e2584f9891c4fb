"""``matcher demo``: the main job on embedded defaults, from a fresh SQLite store and the bundled sample."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.cli.common import console, reporting_errors
from matcher.domain import DemandStatus, Role, Tier
from matcher.io import import_file
from matcher.settings import DATA_DIR, get_settings
from matcher.store import Store
from matcher.store import repository as repo

SAMPLE_DIR = DATA_DIR / "sample"
SAMPLE_FILES = ("parks.csv", "enterprises.csv", "demands.csv")


def fresh_demo_store(home: Path) -> Store:
    """A new SQLite store under ``home/demo`` (any previous demo store is replaced)."""
    path = home / "demo" / "matcher.db"
    for leftover in path.parent.glob("matcher.db*"):
        leftover.unlink()
    return Store(f"sqlite:///{path}")


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
        engine.match_pool()
    open_procurement = [d for d in engine.demands(status=DemandStatus.OPEN.value) if d.record.product][
        :demands
    ]
    for d in open_procurement:
        result = engine.suppliers_for(demand_id=d.id, k=5)
        print_suppliers(result, f"需求 {d.record.code}「{d.record.title}」的候选供应商")
    sme = engine.enterprises(role=Role.SME.value, limit=1)
    if sme:
        console.print(f"为中小企业「{sme[0].record.name}」推荐：")
        for table in recommendation_tables(engine.buyers_for(enterprise_id=sme[0].id, k=5)):
            console.print(table)


def demo(
    keep: Annotated[bool, typer.Option(help="保留已有的演示数据库，不重新导入")] = False,
    matches: Annotated[bool, typer.Option(help="打印带理由的匹配结果（--no-matches 只看登记数据）")] = True,
) -> None:
    """演示：新建 SQLite 库，导入内置示例，打印园区、企业分布、开放需求与带理由的匹配结果。"""
    with reporting_errors():
        settings = get_settings()
        demo_db = settings.home / "demo" / "matcher.db"
        store = Store(f"sqlite:///{demo_db}") if keep else fresh_demo_store(settings.home)
        if not keep:
            load_sample(store)
        console.print(f"演示数据库：{store.safe_url}")
        print_registry(store)
        if matches:
            print_matches(store)
