"""Dated tier assessments in the store, on SQLite and PostgreSQL: save, upsert, history, park pyramid."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tiers_helpers import make

from matcher.domain import Enterprise, Park, Tier
from matcher.domain.models import InstitutionLevel
from matcher.errors import NotFoundError
from matcher.store import Store, tiers_repo
from matcher.store import repository as repo
from matcher.tiers import Assessment, assess, load_criteria, pyramid, tier_paths

N, IN, S = Tier.NONE, Tier.INNOVATIVE, Tier.SPECIALIZED
DAY = dt.date(2024, 6, 30)
# 65 points by hand: class-2 IP 5 + R&D 2.5% 10 + growth 12% 15 + debt 50% 10 + not emerging 5 + main 80% 20;
# innovation group 15 < 20 and no direct route, so 未入库.
SCORED_65: dict[str, Any] = dict(
    employees=50,
    revenue=2000,
    rd_expense=50,
    revenue_growth=12,
    debt_ratio=50,
    strategic_emerging=False,
    main_business_share=80,
    national_award_rank=0,
    provincial_award_rank=0,
    rd_institution_level="none",
    equity_financing_3y=0,
    patents={"utility_model": 2},
)


def in_park(e: Enterprise, park: Park) -> Enterprise:
    return e.model_copy(update={"park": park.name})


def register(store: Store, park: Park, *enterprises: Enterprise) -> None:
    with store.session() as s:
        repo.upsert_parks(s, parks=[park])
        repo.upsert_enterprises(s, enterprises=list(enterprises))


def bare(uscc: str, day: dt.date, tier: Tier) -> Assessment:
    """A stored-history stand-in: the tier is given, not computed."""
    return Assessment(uscc=uscc, name=uscc, as_of=day, tier=tier, possible_tier=tier, next_tier=None)


def test_save_keeps_tier_points_and_gaps(store: Store, park: Park) -> None:
    scored = in_park(make(1, **SCORED_65), park)
    routed = in_park(make(2, employees=50, revenue=2000, rd_institution_level="provincial"), park)
    register(store, park, scored, routed)
    crit = load_criteria()
    with store.session() as s:
        saved = tiers_repo.save_assessments(
            s, assessments=[assess(e, crit, DAY) for e in (scored, routed)], criteria_version="2022-63"
        )
    assert saved == (2, 0)
    with store.session() as s:
        (first,) = tiers_repo.history(s, uscc=scored.uscc)
        (second,) = tiers_repo.history(s, uscc=routed.uscc)
    assert (first.tier, first.points, first.as_of, first.name) == (N, 65.0, DAY, "测试企业1")
    innovative = first.detail["scores"][0]
    assert innovative["tier"] == "innovative" and sum(i["lo"] for i in innovative["indicators"]) == 65
    assert first.detail["gaps"][0]["message"] == "创新型创新能力指标得分 15 分，距 20 分差 5 分"
    assert first.detail["main_gap"].startswith("自主研发的Ⅰ类知识产权 0 项")
    assert second.tier is IN and second.points is None, "专精特新 points unknown: data missing"
    assert second.detail["next_tier"] == "specialized" and "从事特定细分市场时间" in second.detail["missing"]


def test_same_date_and_version_upserts(store: Store, park: Park) -> None:
    e = in_park(make(1, **SCORED_65), park)
    register(store, park, e)
    crit = load_criteria()
    better = e.model_copy(
        update={
            "indicators": e.indicators.model_copy(update={"rd_institution_level": InstitutionLevel.NATIONAL})
        }
    )
    with store.session() as s:
        assert tiers_repo.save_assessments(s, assessments=[assess(e, crit, DAY)], criteria_version="v") == (
            1,
            0,
        )
    with store.session() as s:
        counts = tiers_repo.save_assessments(s, assessments=[assess(better, crit, DAY)], criteria_version="v")
        assert counts == (0, 1)
        assert tiers_repo.save_assessments(s, assessments=[bare(e.uscc, DAY, S)], criteria_version="w") == (
            1,
            0,
        )
    with store.session() as s:
        rows = tiers_repo.history(s, uscc=e.uscc)
    assert [(r.criteria_version, r.tier) for r in rows] == [("v", IN), ("w", S)]


def test_unknown_enterprise_is_refused_and_nothing_written(store: Store, park: Park) -> None:
    e = in_park(make(1), park)
    register(store, park, e)
    with pytest.raises(NotFoundError, match="未登记"), store.session() as s:
        tiers_repo.save_assessments(
            s, assessments=[bare(e.uscc, DAY, IN), bare("X", DAY, IN)], criteria_version="v"
        )
    with store.session() as s:
        assert tiers_repo.history(s, uscc=e.uscc) == []


def test_history_over_two_years_builds_paths_and_pyramid(store: Store, park: Park) -> None:
    a, b, c, d = (in_park(make(k), park) for k in range(1, 5))
    outsider = make(9)  # no park: never in the park's pyramid
    register(store, park, a, b, c, d, outsider)
    y23, early24, y24 = dt.date(2023, 6, 1), dt.date(2024, 3, 1), dt.date(2024, 9, 1)
    runs = [
        [bare(a.uscc, y23, IN), bare(b.uscc, y23, S), bare(c.uscc, y23, N), bare(outsider.uscc, y23, S)],
        [bare(a.uscc, early24, IN)],  # re-assessed later in 2024: the later one counts
        [bare(a.uscc, y24, S), bare(b.uscc, y24, IN), bare(d.uscc, y24, IN)],  # A up, B down, D new, C gone
    ]
    for run in runs:
        with store.session() as s:
            tiers_repo.save_assessments(s, assessments=run, criteria_version="2022-63")
    with store.session() as s:
        records = tiers_repo.park_records(s, park=park.name)
        only_2024 = tiers_repo.park_records(s, park=park.name, years=[2024])
        a_rows = tiers_repo.history(s, uscc=a.uscc)
    assert [(r.as_of, r.tier) for r in a_rows] == [(y23, IN), (early24, IN), (y24, S)]
    assert outsider.uscc not in {r.uscc for r in records} and len(records) == 7
    assert {r.as_of.year for r in only_2024} == {2024} and len(only_2024) == 4
    paths = tier_paths(records)
    assert paths[a.uscc] == [(2023, IN), (2024, S)] and paths[b.uscc] == [(2023, S), (2024, IN)]
    first, second = pyramid(records)
    assert (first.year, first.counts[N], first.counts[IN], first.counts[S]) == (2023, 1, 1, 1)
    assert (second.counts[N], second.counts[IN], second.counts[S]) == (0, 2, 1)
    assert (second.up, second.down, second.same, second.entered, second.left) == (1, 1, 0, 1, 1)
    assert second.moves == {(IN, S): 1, (S, IN): 1}


def test_unknown_park_and_enterprise_deletion(store: Store, park: Park) -> None:
    e = in_park(make(1), park)
    register(store, park, e)
    with store.session() as s:
        tiers_repo.save_assessments(s, assessments=[bare(e.uscc, DAY, IN)], criteria_version="v")
    with pytest.raises(NotFoundError, match="园区“不存在的园区”不存在"), store.session() as s:
        tiers_repo.park_records(s, park="不存在的园区")
    with store.session() as s:
        repo.delete_enterprise(s, id=repo.get_enterprise(s, uscc=e.uscc).id)
    with store.session() as s:
        assert tiers_repo.park_records(s, park=park.name) == []  # assessments go with the enterprise
