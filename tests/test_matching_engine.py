"""Matching through the engine's matching service on a hand-built registry, with the deterministic fake encoder.

The registry: leader L1 (park A, 动力电池电芯) publishes D1 for 三元正极材料 requiring IATF 16949. S1 (park A)
and S2 (park B) both make 三元正极材料; only S1 holds IATF 16949. The expected answers follow by hand.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.deps import get_engine
from api.main import create_app
from matcher.auth.accounts import create_account, login
from matcher.auth.principal import AccountRole
from matcher.domain import Demand, Enterprise, Park
from matcher.engine import Engine
from matcher.errors import MatcherError, NotFoundError, ValidationError
from matcher.io import import_records
from matcher.ranking.constraints import Constraints
from matcher.settings import Settings
from matcher.store import Store
from tests.conftest import make_uscc

PARK_A = Park(name="甲园", province="江苏省", city="苏州市", leading_industries=["新能源汽车"])
PARK_B = Park(name="乙园", province="湖南省", city="长沙市", leading_industries=["工程机械"])
# key -> (park, province, role, products, certifications)
FIRMS = {
    "L1": ("甲园", "江苏省", "leading", ["动力电池电芯"], ["ISO 9001"]),
    "L2": ("乙园", "湖南省", "leading", ["挖掘机"], ["ISO 9001"]),
    "S1": ("甲园", "江苏省", "sme", ["三元正极材料"], ["ISO 9001", "IATF 16949:2016"]),
    "S2": ("乙园", "湖南省", "sme", ["三元正极材料"], ["ISO 9001"]),
    "S3": ("", "广东省", "sme", ["磷酸铁锂正极"], []),
    "S4": ("甲园", "江苏省", "sme", ["锂电池隔膜"], ["ISO 9001"]),
    "S5": ("乙园", "湖南省", "sme", ["锂电池电解液"], ["IATF 16949"]),
    "S6": ("乙园", "湖南省", "other", ["液压油缸"], ["ISO 9001"]),
}


def firm(key: str, serial: int) -> Enterprise:
    park, province, role, products, certs = FIRMS[key]
    return Enterprise(
        uscc=make_uscc(serial),
        name=f"{key}公司",
        park=park,
        province=province,
        industry_code="3841",
        role=role,
        products=[{"name": p} for p in products],
        certifications=certs,
    )


@pytest.fixture
def engine(store: Store, tmp_path: Path) -> Engine:
    firms = [firm(key, n) for n, key in enumerate(FIRMS, start=1)]
    demand = Demand(
        code="D1",
        kind="procurement",
        title="采购三元正极材料",
        product="三元正极材料",
        publisher_uscc=firms[0].uscc,
        required_certifications=["IATF 16949"],
        quantity=100,
        unit="吨",
    )
    import_records(store, parks=[PARK_A, PARK_B], enterprises=firms, demands=[demand])
    return Engine(store, Settings(home=tmp_path, encoder="fake"))


def ids_by_name(engine: Engine) -> dict[str, int]:
    return {e.record.name.removesuffix("公司"): e.id for e in engine.registry.enterprises(limit=100)}


def test_stored_demand_applies_its_certifications_and_leaves_out_the_publisher(engine: Engine) -> None:
    names = ids_by_name(engine)
    result = engine.matching.suppliers_for(demand_id=engine.registry.demands()[0].id, k=5)
    found = [m.name for m in result.matches]
    assert found[0] == "S1公司", found
    assert "S2公司" not in found and "L1公司" not in found
    assert result.eligible == 2  # S1 and S5 hold IATF 16949 (S1 under its 2016 name)
    top = result.matches[0]
    assert top.enterprise_id == names["S1"] and top.product == "三元正极材料"
    assert {r.label: r.status for r in top.requirements} == {
        "资质 IATF 16949": "met",
        "供货量 100吨": "unknown",
    }
    assert "三元正极材料" in top.explanation and "满足：资质 IATF 16949" in top.explanation


def test_soft_boosts_are_named_and_come_from_the_chain_templates(engine: Engine, tmp_path: Path) -> None:
    unfloored = Engine(engine.store, Settings(home=tmp_path, encoder="fake", relevance_floor=0))
    result = unfloored.matching.suppliers_for(demand_id=engine.registry.demands()[0].id, k=5)
    boosts = {m.name: m.boosts for m in result.matches}
    # 正极材料 feeds 动力电池电芯 in the 新能源汽车 template; S1 is in L1's park and province
    assert set(boosts["S1公司"]) == {"同园区", "同省", "产业链上游"}
    assert "同园区" not in boosts["S5公司"] and "产业链上游" in boosts["S5公司"]  # 电解液 also feeds cells


def test_free_text_finds_the_product_makers(engine: Engine) -> None:
    result = engine.matching.suppliers_for(text="为动力电池寻找三元正极材料供应商", k=2)
    assert {m.name for m in result.matches} == {"S1公司", "S2公司"}
    assert "三元正极材料" in result.items


def test_top_k_is_filled_from_the_eligible_set(engine: Engine) -> None:
    result = engine.matching.suppliers_for(
        text="寻找三元正极材料供应商", k=3, constraints=Constraints(regions=("湖南",))
    )
    # the top 3 come from 湖南 (all in 乙园); only the 三元正极材料 maker clears the relevance floor
    assert len(result.matches) + result.hidden == 3 and [m.park for m in result.matches] == ["乙园"]
    assert result.matches[0].name == "S2公司"


def test_no_text_and_unknown_demand_are_refused(engine: Engine) -> None:
    with pytest.raises(MatcherError, match="请提供需求编号或需求文本"):
        engine.matching.suppliers_for(text="  ")
    with pytest.raises(NotFoundError):
        engine.matching.suppliers_for(demand_id=999)


def test_buyers_for_an_sme_are_leading_firms_and_open_demands(engine: Engine) -> None:
    names = ids_by_name(engine)
    rec = engine.matching.buyers_for(enterprise_id=names["S1"], k=5)
    assert {b.name for b in rec.buyers} <= {"L1公司", "L2公司"}
    assert rec.buyers[0].name == "L1公司"  # its cells are made from cathode material
    assert [d.code for d in rec.demands] == ["D1"]
    assert rec.demands[0].publisher == "L1公司" and 0 < rec.demands[0].reciprocal <= 100


def test_the_pool_follows_the_registry(engine: Engine, store: Store) -> None:
    first = engine.matching.match_pool()
    assert engine.matching.match_pool() is first  # unchanged registry: no refit
    import_records(store, enterprises=[firm("S3", 40).model_copy(update={"name": "新正极公司"})])
    time.sleep(engine.settings.pool_poll_seconds)  # another process's write: seen at the next read of the log
    assert engine.matching.match_pool().size == first.size + 1



def test_warm_up_and_pool_cache_sizes_come_from_settings(store: Store, tmp_path: Path) -> None:
    engine = Engine(store, Settings(home=tmp_path, encoder="fake", warm_pool_at=2, ranking_cache_size=1))
    assert not engine.matching.warm_pool()  # an empty registry: nothing to fit
    import_records(store, parks=[PARK_A], enterprises=[firm("S1", 1), firm("S4", 2)])
    assert engine.matching.warm_pool() and engine.matching._pool_cache is not None
    pool = engine.matching.match_pool()
    assert (pool.cache_size, pool.search_cache_size) == (1, 2048)
    pool.rank_suppliers("采购三元正极材料")
    pool.rank_suppliers("采购锂电池隔膜")
    assert list(pool._rankings) == ["采购锂电池隔膜"]  # one ranking remembered, the older one dropped
    busy = Engine(store, Settings(home=tmp_path, encoder="fake", warm_pool_at=3))
    assert not busy.matching.warm_pool()  # 2 enterprises < 3: left to the first query

CERTS = ("ISO 9001", "IATF 16949")
REGIONS = ("江苏", "湖南", "广东")


def satisfies(record: Enterprise, c: Constraints) -> bool:
    """Written apart from matcher.ranking.constraints, so the property test checks it independently."""
    held = {x.replace(" ", "").split(":")[0].upper() for x in record.certifications}
    return (
        all(x.replace(" ", "").upper() in held for x in c.certifications)
        and (not c.regions or any(record.province.startswith(r) for r in c.regions))
        and (c.park is None or record.park == c.park)
        and (not c.roles or record.role.value in c.roles)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    certs=st.lists(st.sampled_from(CERTS), unique=True, max_size=2),
    regions=st.lists(st.sampled_from(REGIONS), unique=True, max_size=2),
    park=st.sampled_from([None, "甲园", "乙园"]),
    roles=st.lists(st.sampled_from(["leading", "sme", "other"]), unique=True, max_size=2),
    k=st.integers(1, 9),
    text=st.sampled_from(["寻找三元正极材料供应商", "采购锂电池隔膜", "需要液压油缸", "求购挖掘机配件"]),
)
def test_hard_constraints_are_never_violated_and_k_is_filled(
    engine: Engine,
    certs: list[str],
    regions: list[str],
    park: str | None,
    roles: list[str],
    k: int,
    text: str,
) -> None:
    c = Constraints(tuple(certs), tuple(regions), park, tuple(roles))
    records = {e.id: e.record for e in engine.registry.enterprises(limit=100)}
    expected = sum(satisfies(r, c) for r in records.values())
    result = engine.matching.suppliers_for(text=text, k=k, constraints=c)
    assert all(satisfies(records[m.enterprise_id], c) for m in result.matches)
    # the top k is filled from the eligible set; the relevance floor then hides some of it
    assert len(result.matches) + result.hidden == min(k, expected) and result.eligible == expected
    assert all(m.relevance >= result.floor for m in result.matches)


def test_a_constraint_that_keeps_relevant_firms_out_is_named_and_can_be_relaxed(engine: Engine) -> None:
    demand_id = engine.registry.demands()[0].id
    result = engine.matching.suppliers_for(demand_id=demand_id, k=5)
    assert [m.name for m in result.matches] == ["S1公司"]  # S2 makes it too, without IATF 16949
    (removed,) = result.removed
    assert removed.key == "cert:IATF 16949" and removed.label == "资质 IATF 16949"
    assert removed.message.startswith(f"{removed.firms} 家生产三元正极材料")
    assert removed.message.endswith("的企业未满足资质 IATF 16949") and removed.message in result.notice
    relaxed = engine.matching.suppliers_for(demand_id=demand_id, k=5, relax=[removed.key])
    certs = {m.name: engine.registry.enterprise(m.enterprise_id).record.certifications for m in relaxed.matches}
    lacking = [name for name, held in certs.items() if not any("16949" in c for c in held)]
    assert "S2公司" in lacking and len(lacking) == removed.firms  # exactly the firms it reported
    assert [p.key for p in relaxed.relaxed] == [removed.key] and not relaxed.removed
    assert "L1公司" not in certs  # relaxing a certification keeps the publisher out
    with pytest.raises(ValidationError, match="无法放宽条件“park”"):
        engine.matching.suppliers_for(demand_id=demand_id, relax=["park"])


def test_no_relevant_supplier_says_so_instead_of_listing_strangers(engine: Engine) -> None:
    result = engine.matching.suppliers_for(text="寻找冷库保温板供应商", k=5)
    assert result.matches == [] and result.hidden == 5
    assert "未找到主营所需产品的企业" in result.notice


def test_relaxing_over_http(engine: Engine) -> None:
    leader = engine.registry.enterprises(role="leading", limit=10)[0]
    assert leader.record.name == "L1公司"
    create_account(
        engine.store,
        username="leader1",
        role=AccountRole.LEADING_USER,
        password="pass-word-42",
        enterprise=leader.record.uscc,
    )
    token = login(engine.store, username="leader1", password="pass-word-42").plain
    app = create_app()
    app.dependency_overrides[get_engine] = lambda: engine
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        url = f"/api/demands/{engine.registry.demands()[0].id}/suppliers"
        body = client.get(url, params={"top": 5}).json()
        assert [m["name"] for m in body["data"]] == ["S1公司"]
        (removed,) = body["removed"]
        assert removed["constraint"] == "cert:IATF 16949" and "未满足资质 IATF 16949" in removed["message"]
        assert all(0 <= m["score"] <= 100 and m["reason"] and m["details"] for m in body["data"])
        wider = client.get(url, params={"top": 5, "relax": removed["constraint"]}).json()
        assert "S2公司" in [m["name"] for m in wider["data"]] and wider["relaxed"] == ["cert:IATF 16949"]
        refused = client.get(url, params={"relax": "regions"})
        assert refused.status_code == 422 and "无法放宽条件" in refused.text


def test_a_used_learned_model_reorders_the_candidates_and_an_unused_one_does_not(engine: Engine) -> None:
    """The learned ranker's hook: a model file that beat the hand-set weights re-orders what is shown
    (here one that prefers the lowest score: the list comes back in ascending score); with ``used`` false, no change."""
    from matcher.learning import RankerModel

    before = [m.name for m in engine.matching.suppliers_for(text="采购锂电池正极材料、隔膜与电解液", k=4).matches]
    assert len(before) == 4
    model = RankerModel(["score"], [-1.0], "2026-12-06T00:00:00+00:00", {"入围/淘汰": 500}, used=False)
    model.save(engine.settings.ranker_path)
    again = [m.name for m in engine.matching.suppliers_for(text="采购锂电池正极材料、隔膜与电解液 ", k=4).matches]
    assert again == before
    model.used = True
    model.save(engine.settings.ranker_path)
    learned = engine.matching.suppliers_for(text="采购锂电池正极材料 隔膜与电解液", k=4).matches
    scores = [m.score for m in learned]
    assert sorted(m.name for m in learned) == sorted(before) and scores == sorted(scores)
    assert scores != sorted(scores, reverse=True)  # the hand-set order was descending: it did change
