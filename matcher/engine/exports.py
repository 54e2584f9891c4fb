"""The export service: the registry as an import-format file, scoped to the caller.

A platform admin (or a trusted local caller) exports everything; anyone else only the records of the
parks they serve: those parks, their enterprises (contacts and financial figures blanked where the policy
says so) and the demands of their enterprises that they may see (``policy.can_see_demand``).

>>> data = engine.export_registry("enterprises", "xlsx", principal=who)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.auth import scoping
from matcher.auth.principal import Principal
from matcher.errors import MatcherError
from matcher.io import render
from matcher.io.columns import KIND_LABELS, Kind
from matcher.io.exporter import Format, Headers
from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.tables import EnterpriseRow

FORMATS: tuple[Format, ...] = ("csv", "xlsx", "jsonl")


class Exports:
    """The registry written out in the import format, scoped to the caller."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def export_registry(
        self, kind: Kind, fmt: Format, *, headers: Headers = "zh", principal: Principal | None = None
    ) -> bytes:
        """The bytes of an export file of ``kind`` (``parks``/``enterprises``/``demands``) in ``fmt``."""
        if kind not in KIND_LABELS:
            raise MatcherError(f"导出数据类型应为 {'/'.join(KIND_LABELS)}，实为“{kind}”")
        if fmt not in FORMATS:
            raise MatcherError(f"导出格式应为 {'/'.join(FORMATS)}，实为“{fmt}”")
        with self.store.session() as s:
            records = _scoped(s, kind, principal)
        return render({kind: records}, fmt, headers=headers)


def _scoped(s: Session, kind: Kind, p: Principal | None) -> list[BaseModel]:
    everything = p is None or p.is_platform_admin
    if kind == "parks":
        return [x for x in repo.list_parks(s) if everything or x.name in p.park_names]  # type: ignore[union-attr]
    if kind == "enterprises":
        rows = repo.list_enterprises(s)
        if p is not None and not everything:
            rows = scoping.mask_private(s, p, [e for e in rows if e.record.park in p.park_names])
        return [e.record for e in rows]
    demands: list[Any] = scoping.list_demands(s, None if everything else p)
    if p is not None and not everything:
        parks: dict[int, int | None] = {
            i: park for i, park in s.execute(select(EnterpriseRow.id, EnterpriseRow.park_id))
        }
        demands = [d for d in demands if parks.get(d.publisher_id) in p.park_ids]
    return [d.record for d in demands]
