"""What every command group shares: the console, settings, opening the store, and error reporting."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from matcher.errors import MatcherError, ValidationError
from matcher.settings import Settings, get_settings
from matcher.store import Store

console = Console()
err_console = Console(stderr=True)


def open_store(settings: Settings | None = None, url: str | None = None) -> Store:
    settings = settings or get_settings()
    return Store(url or settings.resolved_database_url)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn matcher's errors into a red Chinese message and exit status 1 (2 for refused input)."""
    try:
        yield
    except ValidationError as exc:
        err_console.print(f"[bold red]已拒绝：共 {len(exc.problems)} 个问题，未写入任何数据[/]")
        for problem in exc.problems:
            err_console.print(f"  • {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except MatcherError as exc:
        err_console.print(f"[bold red]错误：[/]{exc}", highlight=False)
        raise typer.Exit(1) from None
