"""The generated sample: deterministic, valid, realistic, and with the chain gaps it claims."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from matcher.domain import Demand, DemandKind, DemandStatus, Enterprise, Park, Role, Tier
from matcher.domain.models import MAX_LEADING_INDUSTRIES
from matcher.sample.chains import load_templates, upstream_closure
from matcher.sample.generator import Sample, generate_sample


@pytest.fixture(scope="module")
def sample() -> Sample:
    return generate_sample(seed=2025, n_enterprises=300)


def _dump(s: Sample) -> str:
    records = [r.model_dump(mode="json") for r in (*s.parks, *s.enterprises, *s.demands)]
    return json.dumps([records, s.expected_gaps, s.expected_weak_links], ensure_ascii=False, sort_keys=True)


def _produces(product: str, terms: tuple[str, ...]) -> bool:
    """Independent of the generator's matcher: plain containment, case- and space-insensitive."""
    name = product.lower().replace(" ", "")
    return any(t.lower().replace(" ", "") in name for t in terms)


def test_same_seed_same_sample_other_seed_differs() -> None:
    a, b = generate_sample(seed=7, n_enterprises=60), generate_sample(seed=7, n_enterprises=60)
    assert _dump(a) == _dump(b)
    assert _dump(a) != _dump(generate_sample(seed=8, n_enterprises=60))


def test_too_few_enterprises_refused() -> None:
    with pytest.raises(ValueError, match="n_enterprises"):
        generate_sample(n_enterprises=10)


def test_all_records_validate_and_are_unique(sample: Sample) -> None:
    assert len(sample.enterprises) == 300
    for e in sample.enterprises:
        Enterprise.model_validate(e.model_dump())
        assert sum(p.share or 0 for p in e.products) <= 1.0
    for d in sample.demands:
        Demand.model_validate(d.model_dump())
    for p in sample.parks:
        Park.model_validate(p.model_dump())
    assert len({e.uscc for e in sample.enterprises}) == len(sample.enterprises)
    assert len({e.name for e in sample.enterprises}) == len(sample.enterprises)


def test_uscc_region_is_the_parks_city(sample: Sample) -> None:
    city_prefix = {"苏州市": "3205", "武汉市": "4201", "长沙市": "4301"}
    for e in sample.enterprises:
        if e.park:
            assert e.uscc[2:6] == city_prefix[e.city], e
    assert sum(not e.park for e in sample.enterprises) >= 30


def test_parks_have_at_most_three_known_leading_industries(sample: Sample) -> None:
    templates = load_templates()
    assert len(sample.parks) >= 2
    for park in sample.parks:
        assert 1 <= len(park.leading_industries) <= MAX_LEADING_INDUSTRIES
        assert set(park.leading_industries) <= set(templates)


def test_expected_gaps_have_no_local_producer_and_weak_links_exactly_one(sample: Sample) -> None:
    templates = load_templates()
    for park, by_industry in sample.expected_gaps.items():
        local = [e for e in sample.enterprises if e.park == park]
        for industry, gaps in by_industry.items():
            t = templates[industry]
            assert gaps, f"{park}/{industry} should have gaps"
            for lid in gaps:
                terms = t.link(lid).terms
                assert not any(_produces(p.name, terms) for e in local for p in e.products), (park, lid)
            weak = sample.expected_weak_links[park][industry]
            assert weak and not set(weak) & set(gaps)
            for lid in weak:
                terms = t.link(lid).terms
                assert sum(any(_produces(p.name, terms) for p in e.products) for e in local) == 1
            assert set(sample.planned_gaps[park][industry]) <= set(gaps)


def test_deliberate_gaps_have_candidates_outside_the_parks(sample: Sample) -> None:
    templates = load_templates()
    outside = [e for e in sample.enterprises if not e.park]
    for by_industry in sample.planned_gaps.values():
        for industry, gaps in by_industry.items():
            for lid in gaps:
                terms = templates[industry].link(lid).terms
                assert any(_produces(p.name, terms) for e in outside for p in e.products), lid


def test_roles_and_tiers_form_a_pyramid(sample: Sample) -> None:
    roles = Counter(e.role for e in sample.enterprises)
    assert roles[Role.SME] > 5 * roles[Role.LEADING] > 0 and roles[Role.OTHER] > 0
    tiers = Counter(e.tier for e in sample.enterprises if e.role is Role.SME)
    assert tiers[Tier.NONE] > tiers[Tier.INNOVATIVE] > tiers[Tier.SPECIALIZED] > tiers[Tier.LITTLE_GIANT] > 0
    leaders = [e for e in sample.enterprises if e.role is Role.LEADING]
    assert all(e.size_class == "大型" for e in leaders)
    assert all(e.size_class != "大型" for e in sample.enterprises if e.role is Role.SME)


def test_industry_specific_certifications_appear(sample: Sample) -> None:
    certs = {c for e in sample.enterprises for c in e.certifications}
    assert {"IATF 16949", "ISO 9001", "ISO 13485", "药品 GMP"} <= certs
    devices = [e for e in sample.enterprises if e.industry_code.startswith("358")]
    assert not any("IATF 16949" in e.certifications for e in devices)


def test_demands_come_from_leaders_and_target_upstream_links(sample: Sample) -> None:
    templates = load_templates()
    by_uscc = {e.uscc: e for e in sample.enterprises}
    assert 40 <= len(sample.demands) <= 60
    assert {d.kind for d in sample.demands} == set(DemandKind)
    assert set(DemandStatus) == {d.status for d in sample.demands}
    assert Counter(d.status for d in sample.demands).most_common(1)[0][0] is DemandStatus.OPEN
    for d in sample.demands:
        publisher = by_uscc[d.publisher_uscc]
        assert publisher.role is Role.LEADING and publisher.park
        if d.kind is DemandKind.PROCUREMENT:
            own = sample.enterprise_links[publisher.uscc][0]
            ref = sample.demand_links[d.code]
            assert ref.link in upstream_closure(templates[own.industry], own.link, depth=2)
            assert d.product in templates[ref.industry].link(ref.link).keywords
            assert d.quantity and d.unit and d.budget_min and d.delivery_date
        else:
            assert d.problem and d.target_indicators and d.cooperation_mode


def test_demand_dates_are_relative_to_the_reference_date(sample: Sample) -> None:
    ref = dt.date(2025, 6, 30)
    assert sample.reference_date == ref
    for d in sample.demands:
        if d.deadline and d.status is DemandStatus.CLOSED:
            assert d.deadline < ref
        elif d.deadline:
            assert d.deadline > ref
        if d.delivery_date and d.deadline:
            assert d.delivery_date > d.deadline
    assert len({d.title for d in sample.demands}) >= 0.9 * len(sample.demands)
