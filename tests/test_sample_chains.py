"""Chain templates in data/chains/ validate, and the validator catches each kind of mistake."""

from __future__ import annotations

import pytest

from matcher.sample.chains import LinkRef, load_templates, parse_template, upstream_closure
from matcher.sample.problems import PROBLEMS
from matcher.sample.validate import find_cycle, keyword_clashes, validate_template

REQUIRED = {"新能源汽车", "集成电路", "生物医药", "光伏", "工程机械"}


def _template(links: list[dict[str, object]]) -> object:
    return parse_template({"industry": "测试", "version": 1, "links": links})


def test_required_industries_present_with_enough_links() -> None:
    templates = load_templates()
    assert set(templates) >= REQUIRED
    for t in templates.values():
        assert 30 <= len(t.links) <= 70, t.industry
        assert {lk.stage for lk in t.links} == {"上游", "中游", "下游"}, t.industry


@pytest.mark.parametrize("industry", sorted(load_templates()))
def test_shipped_template_validates(industry: str) -> None:
    assert validate_template(load_templates()[industry]) == []


def test_no_keyword_is_part_of_another_links_keyword_across_all_templates() -> None:
    assert keyword_clashes(*load_templates().values()) == []


def test_problem_bank_refers_to_existing_links() -> None:
    templates = load_templates()
    for industry, problems in PROBLEMS.items():
        ids = {lk.id for lk in templates[industry].links}
        assert {p[0] for p in problems} <= ids, industry


def test_validator_reports_duplicate_unknown_upstream_bad_code_and_stage() -> None:
    t = _template(
        [
            {"id": "a", "name": "甲", "stage": "上游", "gbt": "9999", "keywords": ["甲材料"]},
            {"id": "a", "name": "乙", "stage": "中部", "keywords": ["乙部件"], "upstream": ["zz"]},
        ]
    )
    problems = " ".join(validate_template(t))  # type: ignore[arg-type]
    assert "id 重复" in problems
    assert "zz 不存在" in problems
    assert "9999" in problems
    assert "stage" in problems


def test_validator_finds_cycle() -> None:
    t = _template(
        [
            {"id": "a", "name": "甲", "stage": "上游", "keywords": ["甲"], "upstream": ["c"]},
            {"id": "b", "name": "乙", "stage": "中游", "keywords": ["乙"], "upstream": ["a"]},
            {"id": "c", "name": "丙", "stage": "下游", "keywords": ["丙"], "upstream": ["b"]},
        ]
    )
    cycle = find_cycle(t)  # type: ignore[arg-type]
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert any("环路" in p for p in validate_template(t))  # type: ignore[arg-type]


def test_clash_detection_and_upstream_closure_on_tiny_chain() -> None:
    t = _template(
        [
            {"id": "ore", "name": "石墨矿", "stage": "上游", "keywords": ["石墨"]},
            {
                "id": "anode",
                "name": "负极材料",
                "stage": "中游",
                "keywords": ["人造石墨"],
                "upstream": ["ore"],
            },
            {"id": "cell", "name": "电芯", "stage": "中游", "keywords": ["方形电芯"], "upstream": ["anode"]},
            {"id": "pack", "name": "电池包", "stage": "下游", "keywords": ["电池模组"], "upstream": ["cell"]},
        ]
    )
    # 石墨 (ore) is inside 人造石墨 (anode); 电芯 inside 方形电芯 is the same link and fine.
    assert keyword_clashes(t) == ["“石墨”（测试/ore）包含于“人造石墨”（测试/anode）"]  # type: ignore[arg-type]
    assert upstream_closure(t, "pack", depth=2) == ["cell", "anode"]  # type: ignore[arg-type]
    assert upstream_closure(t, "pack", depth=3) == ["cell", "anode", "ore"]  # type: ignore[arg-type]
    assert LinkRef("测试", "ore").link == "ore"
