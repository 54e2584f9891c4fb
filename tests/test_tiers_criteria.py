"""Criteria loading, validation and park overrides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tiers_helpers import make

from matcher.domain.models import Tier
from matcher.tiers import CriteriaError, assess, available_versions, load_criteria
from matcher.tiers.criteria import Leaf
from matcher.tiers.loader import CRITERIA_DIR

EXAMPLE = CRITERIA_DIR / "park-example.yaml"


def test_default_version_covers_all_tiers_with_citations() -> None:
    crit = load_criteria()
    assert crit.version == "2022-63" and "2022-63" in available_versions()
    assert [t.tier for t in crit.tiers] == [Tier.INNOVATIVE, Tier.SPECIALIZED, Tier.LITTLE_GIANT, Tier.CHAMPION,
                                            Tier.PILOT]
    tables = {s.id: s for t in crit.tiers for s in t.scores}
    assert len(tables["innovative.points"].indicators) == 6
    assert len(tables["specialized.points"].indicators) == 13
    assert sum(i.max for i in tables["specialized.points"].indicators) == 100
    assert sum(i.max for i in tables["innovative.points"].indicators) == 100
    for t in crit.tiers[:3]:
        assert t.source.startswith("附件")
    assert crit.disabled == ("little_giant.rd_staff_15", "champion.main_share")


def test_example_park_file_applies() -> None:
    crit = load_criteria("2022-63", EXAMPLE)
    assert crit.park == "示例园区"
    rule = crit.rule("specialized.rd_ratio")
    assert isinstance(rule, Leaf) and rule.value == 3.5
    debt = crit.rule("little_giant.debt")
    assert isinstance(debt, Leaf) and debt.metric == "debt_ratio_avg_2y"
    assert "little_giant.rd_staff_15" not in crit.disabled
    local = [i for t in crit.tiers for s in t.scores for i in s.indicators if i.group == "characteristic"]
    assert [i.id for i in local] == ["specialized.local.growth", "specialized.local.chain"]
    assert crit.tier(Tier.SPECIALIZED).requires == ()
    assert crit.costs.per_unit["class1_ip"] == 12


def test_local_indicators_score_the_characteristic_group() -> None:
    crit = load_criteria("2022-63", EXAMPLE)
    a = assess(make(revenue_growth=20, six_basics=True), crit, dt.date(2024, 1, 1))
    local = {i.id: i.points for i in a.results[Tier.SPECIALIZED].indicators if i.group == "characteristic"}
    assert local == {"specialized.local.growth": 8, "specialized.local.chain": 7}


def test_band_points_override() -> None:
    crit = load_criteria(overrides={"rules": {"innovative.rd_share.A": {"points": 18}}})
    a = assess(make(revenue=100, rd_expense=5), crit, dt.date(2024, 1, 1))
    assert {i.id: i.points for i in a.results[Tier.INNOVATIVE].indicators}["innovative.rd_share"] == 18


@pytest.mark.parametrize(("overrides", "message"), [
    ({"rules": {"no.such.rule": 3}}, "no.such.rule"),
    ({"rules": {"specialized.rd_ratio": {"op": "=>"}}}, "比较符"),
    ({"rules": {"specialized.rd_ratio": {"metric": "rd_rate"}}}, "rd_rate"),
    ({"rules": {"specialized.rd_ratio": "三"}}, "不是数值"),
    ({"tiers": {"gold": {"requires": []}}}, "gold"),
    ({"local_indicators": [{"id": "x", "title": "x", "max": 16, "value": {"metric": "local_score"}}]}, "15"),
])
def test_bad_overrides_are_refused_with_the_culprit(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        load_criteria(overrides=overrides)


def test_unknown_version(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match="1999"):
        load_criteria("1999")
