"""MatchCore on a tiny hand-built pool with the fake encoder."""

import numpy as np
import pytest

from matcher.encoders.fake import FakeEncoder
from matcher.ranking.chain import UpstreamPairs, without_material_links, without_pairs
from matcher.ranking.core import MatchCore
from matcher.ranking.explain import Requirement, explain_requirements
from matcher.text.profiles import ProfileDoc

POOL = [
    ProfileDoc("A", "甲化工", (("硫酸", 0.6), ("钛白粉", 0.4))),
    ProfileDoc("B", "乙钢铁", (("不锈钢", 0.7), ("钢材", 0.3))),
    ProfileDoc("C", "丙管业", (("PVC管", 0.9), ("管件", 0.1))),
    ProfileDoc("D", "丁食品", (("白酒", 1.0),)),
    ProfileDoc("E", "戊化肥", (("复合肥", 1.0),)),
]
# PVC管 is made from PVC树脂; 复合肥 from 硫酸; 不锈钢保温杯 (not in the pool) from 不锈钢.
UPSTREAM = UpstreamPairs(frozenset({("pvc管", "pvc树脂"), ("复合肥", "硫酸"), ("不锈钢保温杯", "不锈钢")}))


@pytest.fixture(scope="module")
def core() -> MatchCore:
    return MatchCore(FakeEncoder(), upstream=UPSTREAM).fit(POOL)


def test_supplier_is_the_company_selling_the_wanted_item_not_the_context(core: MatchCore) -> None:
    matches = core.suppliers_for("需要硫酸供应，应用场景为复合肥，优先考虑本地企业。", k=3)
    assert matches[0].id == "A"
    assert matches[0].product == "硫酸"
    assert matches[0].channels["exact"] == 1.0
    assert "硫酸" in matches[0].explanation


def test_exclude_removes_the_asking_company(core: MatchCore) -> None:
    ids = [m.id for m in core.suppliers_for("寻找硫酸的长期合格供应商", k=5, exclude=["A"])]
    assert "A" not in ids and len(ids) == 4


def test_buyer_found_through_similar_known_input(core: MatchCore) -> None:
    top = core.buyers_for("本企业专业生产PVC树脂颗粒，希望对接下游企业。", k=2)
    assert top[0].id == "C"
    assert top[0].channels["inputs"] > 0


def test_lexical_only_core_still_ranks() -> None:
    core = MatchCore(None).fit(POOL)
    scores = core.rank_suppliers("采购不锈钢").scores
    assert int(np.argmax(scores)) == 1


def test_rrf_fusion_runs_and_agrees_on_the_obvious(core: MatchCore) -> None:
    rrf_core = MatchCore(FakeEncoder(), fusion="rrf").fit(POOL)
    assert rrf_core.suppliers_for("采购钛白粉", k=1)[0].id == "A"


def test_unfitted_core_says_so() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        MatchCore(None).rank_suppliers("采购硫酸")


def test_leave_pair_out_removal() -> None:
    assert ("复合肥", "硫酸") not in without_pairs(UPSTREAM, [("复合肥", "硫酸")]).pairs
    kept = without_material_links(UPSTREAM, ["不锈钢", "PVC树脂"], ["PVC管", "钢材"])
    assert kept.pairs == frozenset({("复合肥", "硫酸"), ("不锈钢保温杯", "不锈钢")})


def test_requirement_explanation() -> None:
    text = explain_requirements(
        [
            Requirement("ISO 9001", "met"),
            Requirement("年产能", "unknown", "未填报"),
            Requirement("本地企业", "unmet"),
        ]
    )
    assert text == "满足：ISO 9001；不满足：本地企业；待核实：年产能（未填报）"


def _feedback_pool() -> list[ProfileDoc]:
    """甲 describes the wanted crystal in its profile; 乙 sells the same product and says little else; the
    rest sell other things and share a word of the demand."""
    others = [
        ("C", "丙钢铁", "钢材"),
        ("D", "丁建材", "水泥"),
        ("E", "戊酒业", "白酒"),
        ("F", "己包装", "纸箱"),
    ]
    return [
        ProfileDoc("A", "甲光电", (("氮化镓外延片", 1.0),), capabilities="蓝绿光发光晶粒"),
        ProfileDoc("B", "乙半导体", (("氮化镓外延片", 1.0),), capabilities="寻求合作"),
        *(ProfileDoc(i, n, ((p, 1.0),), capabilities="发光晶粒稳定供应") for i, n, p in others),
    ]


def test_feedback_lifts_a_supplier_of_the_first_matches_product() -> None:
    """A demand that never names the product finds 甲 by its description; 乙 sells what 甲 sells and
    gains on the others with feedback, its reason saying why; without feedback (weight 0) it does not."""
    from dataclasses import replace

    from matcher.ranking.core import Weights

    demand = "寻求蓝绿光发光晶粒的稳定供应"
    cores = {
        fb: MatchCore(FakeEncoder(), weights=replace(Weights(), feedback=fb, feedback_from=1)).fit(
            _feedback_pool()
        )
        for fb in (3.0, 0.0)
    }
    lead = {}
    for fb, core in cores.items():
        ranking = core.rank_suppliers(demand)
        assert int(np.argmax(ranking.scores)) == 0  # 甲 first either way
        lead[fb] = ranking.scores[1] - ranking.scores[2:].max()  # 乙 over the best of the rest
    assert lead[3.0] > lead[0.0] + 0.1, lead
    ranking = cores[3.0].rank_suppliers(demand)
    assert ranking.feedback == ("氮化镓外延片",) and ranking.feedback_from == (0,)
    assert ranking.channels["feedback"].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    first, second = cores[3.0].suppliers_for(demand, k=2)
    assert "feedback" not in first.channels  # the company read is not shown as like itself
    assert second.id == "B" and second.channels["feedback"] == 1.0
    assert "排名前列的供应商所供产品同类" in second.explanation
    assert "feedback" not in cores[0.0].suppliers_for(demand, k=2)[1].channels
