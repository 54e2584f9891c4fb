"""The record rules: who sees which demand and contact, worked out by hand, and SQL agreeing with Python."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from auth_helpers import DEMANDS, PARK_A, World, build_world, make_uscc

from matcher.auth import policy, scoping
from matcher.auth.principal import AccountRole, Principal
from matcher.domain import Demand, Enterprise, Park
from matcher.engine import Engine
from matcher.io import import_records
from matcher.store import Store
from matcher.store import repository as repo


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('policy') / 'w.db'}")
    return build_world(store)


def _principal(world: World, persona: str) -> Principal:
    from matcher.auth.accounts import principal_for_token

    return principal_for_token(world.store, world.tokens[persona])


# Worked out by hand from the rules: published public demands reach everyone; 园区内可见 only the
# publisher's park; 仅发布方 and drafts only the publisher (park admins also see their park's drafts).
EXPECTED = {
    "platform": set(DEMANDS),
    "park_a": {"X-PUB", "X-PARK", "X-DRAFT", "W-PUB"},
    "organizer": {"X-PUB", "X-PARK", "W-PUB"},  # serves 甲园区: its 园区内可见 demands too
    "leader_x": {"X-PUB", "X-PARK", "X-PRIV", "X-DRAFT", "W-PUB"},
    "sme_y": {"X-PUB", "X-PARK", "W-PUB"},
    "sme_z": {"X-PUB", "W-PUB", "W-PARK"},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_demand_lists_are_scoped(world: World, persona: str) -> None:
    engine = Engine(world.store)
    who = _principal(world, persona)
    seen = {d.record.code for d in engine.registry.demands(principal=who)}
    assert seen == EXPECTED[persona]
    for code, demand_id in world.demand_ids.items():  # single reads agree with the list
        if code in EXPECTED[persona]:
            assert engine.registry.demand(demand_id, principal=who).record.code == code
        else:
            with pytest.raises(Exception, match="需求不存在"):
                engine.registry.demand(demand_id, principal=who)


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("platform", {"X", "Y", "W", "Z"}),
        ("park_a", {"X", "Y"}),
        ("organizer", set()),
        ("leader_x", {"X"}),
        ("sme_y", {"Y"}),
        ("sme_z", {"Z"}),
    ],
)
def test_contacts_are_private(world: World, persona: str, visible: set[str]) -> None:
    engine = Engine(world.store)
    who = _principal(world, persona)
    by_id = {v: k for k, v in world.enterprise_ids.items()}
    shown = {by_id[e.id] for e in engine.registry.enterprises(principal=who) if e.record.contact.phone}
    assert shown == visible
    y = engine.registry.enterprise(world.enterprise_ids["Y"], principal=who)
    assert bool(y.record.contact.person) == ("Y" in visible)
    assert engine.registry.enterprise(world.enterprise_ids["Y"]).record.contact.person == "联系人Y", "trusted caller"


def test_sql_filter_agrees_with_python_rule_on_every_combination(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'grid.db'}")
    parks = [Park(name="甲"), Park(name="乙")]
    firms = [
        Enterprise(uscc=make_uscc(20 + i), name=f"发布方{i}", park=p, industry_code="3841", role="leading")
        for i, p in enumerate(["甲", "乙", ""])
    ]
    grid = list(itertools.product(range(3), ["draft", "open", "closed"], ["public", "park", "private"]))
    demands = [
        Demand(
            code=f"D{n}",
            kind="procurement",
            title="t",
            publisher_uscc=firms[f].uscc,
            product="p",
            status=st,
            visibility=vis,
        )
        for n, (f, st, vis) in enumerate(grid)
    ]
    import_records(store, parks=parks, enterprises=firms, demands=demands)
    with store.session() as s:
        pid = repo.park_ids(s)
        eid = repo.enterprise_ids(s)
        stored = repo.list_demands(s)
        facts = {d.id: scoping.demand_facts(s, d) for d in stored}
    a, b, own = pid["甲"], pid["乙"], eid[firms[0].uscc]
    R = AccountRole
    principals = [
        Principal(1, R.PLATFORM_ADMIN),
        Principal(2, R.PARK_ADMIN, park_ids=frozenset({a})),
        Principal(3, R.PARK_ADMIN, park_ids=frozenset({a, b})),
        Principal(4, R.ORGANIZER),
        Principal(5, R.ORGANIZER, park_ids=frozenset({b})),
        Principal(6, R.LEADING_USER, park_ids=frozenset({a}), enterprise_id=own),
        Principal(7, R.SME_USER, park_ids=frozenset({a}), enterprise_id=999),
        Principal(8, R.SME_USER, enterprise_id=998),
    ]
    for p in principals:
        with store.session() as s:
            sql = {d.id for d in scoping.list_demands(s, p)}
        python = {i for i, f in facts.items() if policy.can_see_demand(p, f)}
        assert sql == python, p
    assert len({d.id for d in stored}) == 27


def test_change_rules() -> None:
    x = policy.DemandFacts(publisher_id=1, publisher_park_id=10, status="open", visibility="public")
    R = AccountRole
    assert policy.can_change_demand(Principal(1, R.LEADING_USER, enterprise_id=1), x)
    assert not policy.can_change_demand(Principal(1, R.SME_USER, enterprise_id=1), x), "SMEs publish nothing"
    assert not policy.can_change_demand(Principal(1, R.LEADING_USER, enterprise_id=2), x)
    assert policy.can_change_demand(Principal(1, R.PARK_ADMIN, park_ids=frozenset({10})), x)
    assert not policy.can_change_demand(Principal(1, R.PARK_ADMIN, park_ids=frozenset({11})), x)
    # organizers (and their system keys) never see another firm's candidates, decisions or notes
    assert not policy.can_see_candidates(Principal(1, R.ORGANIZER, park_ids=frozenset({10})), x)
    assert policy.can_see_candidates(Principal(1, R.PARK_ADMIN, park_ids=frozenset({10})), x)
    assert not policy.can_see_candidates(
        Principal(1, R.SME_USER, enterprise_id=5, park_ids=frozenset({10})), x
    )
    organizer = Principal(1, R.ORGANIZER, park_ids=frozenset({10}), event_ids=frozenset({3}))
    assert policy.can_manage_event(organizer, 3, 10)
    assert not policy.can_manage_event(organizer, 4, 10)
    assert policy.can_manage_event(organizer, None, 10), "creates events in its own park"
    assert not policy.can_manage_event(organizer, None, 11), "not in another park"
    assert not policy.can_manage_event(organizer, 3, 11), "nor runs an assigned event of another park"
    assert not policy.can_manage_event(organizer, None, None), "an event names its park"
    assert not policy.can_manage_event(Principal(1, R.SME_USER), None, None)


def test_every_rule_names_known_roles_and_access_rejects_unknown_pairs() -> None:
    for roles in policy.RULES.values():
        assert roles is None or roles <= set(AccountRole)
    with pytest.raises(ValueError, match="未在"):
        policy.Access(policy.Resource.AUDIT, policy.Action.DELETE)
    assert PARK_A == "甲园区"
