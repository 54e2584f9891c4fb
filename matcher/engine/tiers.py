"""The gradient-cultivation service (梯度培育): assessments run, kept, reported, and targeted support."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher import clock
from matcher.auth import policy, scoping
from matcher.auth.principal import Principal
from matcher.domain import Enterprise, Tier
from matcher.engine.matching import Matching
from matcher.engine.registry import Registry
from matcher.store import Store, tiers_repo
from matcher.store import repository as repo
from matcher.tiers import (
    SupportPlan,
    TierRecord,
    assess,
    assess_many,
    load_criteria,
    pyramid,
    pyramid_chart,
    support_plan,
    write_park_report,
)
from matcher.tiers.summary import points_of

if TYPE_CHECKING:
    from matcher.tiers import Assessment, BatchAssessment, Criteria, PyramidYear


class Tiers:
    """梯度培育: assessments run and kept, pyramids and park reports, and targeted support (which asks the
    matching service for demands the enterprise could answer).

    ``principal`` (None = a trusted local caller): a park's assessments are private to its park admins;
    an enterprise's also to its own users (``policy.can_see_enterprise_private``).
    """

    def __init__(self, store: Store, registry: Registry, matching: Matching) -> None:
        self.store = store
        self.registry = registry
        self.matching = matching

    def tier_criteria(self, overrides: Overrides = None) -> tuple[Criteria, str]:
        """The criteria with a park's overrides (dict or YAML path) and the version label stored with runs."""
        crit = load_criteria(overrides=overrides)
        return crit, crit.version if overrides is None else f"{crit.version}+{crit.park or '园区覆盖'}"

    def _tier_park_access(self, park: str | None, principal: Principal | None) -> None:
        """NotFoundError for an unknown park; PermissionDenied unless ``principal`` serves it (all: platform)."""
        with self.store.session() as s:
            if park is not None:
                repo.get_park(s, name=park)  # NotFoundError: 园区“…”不存在
            if principal is not None:
                park_id = None if park is None else repo.park_ids(s)[park]
                where = f"园区“{park}”" if park else "全部园区"
                policy.ensure(
                    principal.serves_park(park_id), f"{principal.role.label}无权查看或评估{where}的梯度培育"
                )

    def _tier_enterprise_access(self, enterprise_id: int, principal: Principal | None) -> None:
        if principal is None:
            return
        with self.store.session() as s:
            park_id = scoping.enterprise_park(s, enterprise_id)
        allowed = policy.can_see_enterprise_private(principal, enterprise_id, park_id)
        policy.ensure(allowed, f"{principal.role.label}无权查看该企业的梯度培育评估")

    def _tier_batch(
        self, park: str | None, as_of: dt.date | None, overrides: Overrides
    ) -> tuple[list[repo.StoredEnterprise], BatchAssessment, str]:
        crit, version = self.tier_criteria(overrides)
        with self.store.session() as s:
            stored = repo.list_enterprises(s, park=park)
        return stored, assess_many([e.record for e in stored], crit, as_of or clock.today()), version

    def assess_tiers(
        self,
        *,
        park: str | None = None,
        as_of: dt.date | None = None,
        overrides: Overrides = None,
        save: bool = True,
        on_progress: ProgressFn | None = None,
        principal: Principal | None = None,
    ) -> TierRun:
        """Assess every enterprise of ``park`` (all when None) as of ``as_of`` (today) and keep the dated
        result unless ``save`` is False; ``on_progress(done, total)`` follows the per-enterprise details."""
        self._tier_park_access(park, principal)
        stored, batch, version = self._tier_batch(park, as_of, overrides)
        assessments = _explain_all(batch, on_progress)
        saved = None
        if save and assessments:
            with self.store.session() as s:
                saved = tiers_repo.save_assessments(s, assessments=assessments, criteria_version=version)
        ids, declared = [e.id for e in stored], [e.record.tier for e in stored]
        return TierRun(park, batch.as_of, version, ids, declared, assessments, saved)

    def tier_assessment(
        self,
        enterprise_id: int,
        *,
        as_of: dt.date | None = None,
        overrides: Overrides = None,
        principal: Principal | None = None,
    ) -> Assessment:
        """One enterprise assessed now (not saved): tier, points per indicator, gaps in Chinese."""
        found = self.registry.enterprise(enterprise_id)
        self._tier_enterprise_access(enterprise_id, principal)
        return assess(found.record, self.tier_criteria(overrides)[0], as_of or clock.today())

    def tier_history(
        self, enterprise: int | str, *, principal: Principal | None = None
    ) -> list[tiers_repo.StoredTierAssessment]:
        """Stored assessments of an enterprise (by id or 统一社会信用代码), oldest first."""
        key = enterprise if isinstance(enterprise, int) else None
        with self.store.session() as s:
            found = repo.get_enterprise(s, id=key, uscc=None if key is not None else str(enterprise))
            rows = tiers_repo.history(s, enterprise_id=found.id)
        self._tier_enterprise_access(found.id, principal)
        return rows

    def tier_pyramid(self, park: str, *, principal: Principal | None = None) -> list[PyramidYear]:
        """The park's pyramid per year from stored assessments (empty before the first saved run)."""
        self._tier_park_access(park, principal)
        with self.store.session() as s:
            return pyramid(tiers_repo.park_records(s, park=park))

    def tier_report(
        self,
        park: str,
        path: str | Path,
        *,
        chart: str | Path | None = None,
        as_of: dt.date | None = None,
        overrides: Overrides = None,
        on_progress: ProgressFn | None = None,
        principal: Principal | None = None,
    ) -> TierReport:
        """Write the park's XLSX report (and chart): assessed now, pyramid from history plus this run."""
        run = self.assess_tiers(
            park=park,
            as_of=as_of,
            overrides=overrides,
            save=False,
            on_progress=on_progress,
            principal=principal,
        )
        with self.store.session() as s:
            records = tiers_repo.park_records(s, park=park)
        years = pyramid([*records, *run.records()])
        out = write_park_report(path, run.assessments, years, chart)
        return TierReport(out, None if chart is None else Path(chart), run, years)

    def tier_pyramid_chart(
        self, park: str, path: str | Path, *, as_of: dt.date | None = None, principal: Principal | None = None
    ) -> Path:
        """Draw the park's pyramid: the newest stored year, or an unsaved assessment when none is stored."""
        years = self.tier_pyramid(park, principal=principal)
        if years:
            return pyramid_chart(years[-1].counts, path, title=f"{park} {years[-1].year} 年梯度培育金字塔")
        _, batch, _ = self._tier_batch(park, as_of, None)
        return pyramid_chart(batch.counts(), path, title=f"{park} 梯度培育金字塔（{batch.as_of} 评估）")

    def tier_support(
        self,
        enterprise_id: int,
        *,
        as_of: dt.date | None = None,
        demands: int = 3,
        principal: Principal | None = None,
    ) -> SupportPlan:
        """梯度培育 targeted support: the cheapest gap to the next tier, then open demands of leading firms
        the enterprise could answer (from the matching service) as concrete next steps."""
        assessment = self.tier_assessment(enterprise_id, as_of=as_of, principal=principal)

        def answerable(_: Enterprise) -> list[str]:
            found = self.matching.buyers_for(enterprise_id=enterprise_id, k=demands, principal=principal)
            return [f"{d.code}「{d.title}」（{d.publisher}，匹配度 {d.score:g}）" for d in found.demands]

        record = self.registry.enterprise(enterprise_id).record
        return support_plan(assessment, record, answerable, limit=demands)


# -- tiers: results of the service ------------------------------------------------------------------------

Overrides = Mapping[str, Any] | str | Path | None
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TierRun:
    """One assessment run: the enterprises (ids, declared tiers), their assessments, what was saved."""

    park: str | None
    as_of: dt.date
    criteria_version: str
    enterprise_ids: list[int]
    declared: list[Tier]
    assessments: list[Assessment]
    saved: repo.UpsertCounts | None = None

    def counts(self) -> dict[Tier, int]:
        counts = {t: 0 for t in Tier}
        for a in self.assessments:
            counts[a.tier] += 1
        return counts

    def records(self) -> list[TierRecord]:
        return [TierRecord(a.uscc, a.as_of, a.tier, points_of(a)[1]) for a in self.assessments]


@dataclass(frozen=True, slots=True)
class TierReport:
    path: Path
    chart: Path | None
    run: TierRun
    years: list[PyramidYear]


def _explain_all(
    batch: BatchAssessment, on_progress: ProgressFn | None, every: int = 100
) -> list[Assessment]:
    """Every row's detailed assessment (about 2.5 ms each), reporting progress every ``every`` rows."""
    total = len(batch.enterprises)
    out: list[Assessment] = []
    for i in range(total):
        out.append(batch.assessment(i))
        if on_progress is not None and ((i + 1) % every == 0 or i + 1 == total):
            on_progress(i + 1, total)
    return out
