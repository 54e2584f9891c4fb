"""``matcher init``, ``import`` and ``export``: the registry's way in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from matcher.cli.common import console, open_store, reporting_errors
from matcher.io import export
from matcher.io.columns import KIND_LABELS, KINDS, Kind
from matcher.io.exporter import Format, Headers


def init() -> None:
    """创建（或升级）数据库：默认在 MATCHER_HOME 下的 SQLite 文件。"""
    with reporting_errors():
        store = open_store()
        console.print(f"数据库已就绪：{store.safe_url}（版本 {store.current_revision()}）")


def import_(
    file: Annotated[Path, typer.Argument(help="CSV、XLSX 或 JSON Lines 文件")],
    kind: Annotated[Optional[str], typer.Option(help="parks / enterprises / demands；默认按列名判断")] = None,  # noqa: UP045
    encoding: Annotated[str, typer.Option(help="CSV/JSONL 文件编码，如 gb18030")] = "utf-8",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验，不写入")] = False,
) -> None:
    """导入园区、企业或需求：整份文件校验通过才写入（按统一社会信用代码/需求编号更新）。"""
    with reporting_errors():
        if kind is not None and kind not in KINDS:
            raise typer.BadParameter(f"--kind 应为 {'/'.join(KINDS)}，实为 {kind!r}")
        from matcher.engine import Engine  # through the engine, so an existing search index follows

        engine = Engine(open_store())
        report = engine.registry.import_file(file, kind=kind, encoding=encoding, dry_run=dry_run)  # type: ignore[arg-type]
        for table_kind, pairs in report.renamed.items():
            console.print(f"{KIND_LABELS[table_kind]}表的列对应（文件中的列 → 平台的列）：")
            for header, column in pairs:
                console.print(f"  {header} → {column}", highlight=False, markup=False)
        if dry_run:
            rows = "；".join(f"{KIND_LABELS[k]} {n} 行" for k, n in report.checked.items())
            console.print(f"[green]校验通过[/]：{file.name}，{rows}（未写入；确认列对应无误后去掉 --dry-run 导入）")
            return
        for table_kind, counts in report.counts.items():
            console.print(
                f"[green]已导入[/]{KIND_LABELS[table_kind]}：新增 {counts.created}，更新 {counts.updated}"
            )


def export_(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件")],
    format: Annotated[
        str | None, typer.Option("--format", "-f", help="csv / xlsx / jsonl；默认按扩展名")
    ] = None,  # noqa: UP045
    kind: Annotated[
        str, typer.Option(help="parks / enterprises / demands / all（all 仅限 xlsx）")
    ] = "enterprises",
    headers: Annotated[str, typer.Option(help="列名语言：zh 或 en")] = "zh",
) -> None:
    """导出为导入格式（往返一致）。"""
    with reporting_errors():
        fmt = format or {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl"}.get(output.suffix.lower())
        if fmt not in ("csv", "xlsx", "jsonl"):
            raise typer.BadParameter(f"--format 应为 csv/xlsx/jsonl，实为 {fmt!r}")
        if headers not in ("zh", "en"):
            raise typer.BadParameter(f"--headers 应为 zh 或 en，实为 {headers!r}")
        kinds: list[Kind] = list(KINDS) if kind == "all" else [kind]  # type: ignore[list-item]
        if any(k not in KINDS for k in kinds):
            raise typer.BadParameter(f"--kind 应为 {'/'.join(KINDS)}/all，实为 {kind!r}")
        fmt_: Format = fmt  # type: ignore[assignment]
        headers_: Headers = headers  # type: ignore[assignment]
        counts = export(open_store(), output, kinds=kinds, fmt=fmt_, headers=headers_)
        summary = "，".join(f"{KIND_LABELS[k]} {n} 条" for k, n in counts.items())
        console.print(f"[green]已导出[/] {output}：{summary}")
