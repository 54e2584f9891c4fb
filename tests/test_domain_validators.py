"""USCC check characters, GB/T 4754 codes and the 2017 size rule, on cases worked out by hand."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from matcher.domain import Enterprise, Park
from matcher.domain.industry import industry_problem
from matcher.domain.size import size_class
from matcher.domain.uscc import check_character, uscc_problem


def test_check_character_of_the_standards_example() -> None:
    # GB 32100-2015 appendix example: 91350100M000100Y4 + 3
    assert check_character("91350100M000100Y4") == "3"
    assert uscc_problem("91350100M000100Y43") is None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "校验位错误"),
        ("91350100M000100Y4", "应为 18 位"),
        ("91350100M000100I43", "非法字符"),
        ("913501AAM000100Y43", "行政区划码"),
        ("", "为空"),
    ],
)
def test_bad_codes_say_what_is_wrong(code: str, fragment: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None and fragment in problem


def test_lower_case_and_blanks_are_normalized() -> None:
    assert uscc_problem(" 91350100m000100y43 ") is None


def test_industry_codes_resolve_at_every_level() -> None:
    assert industry_problem("C") is None and industry_problem("384") is None and industry_problem("3841") is None
    assert "不在 GB/T 4754-2017" in (industry_problem("3899x") or "")


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        (1000, 40000, "大型"),
        (999, 40000, "中型"),  # large needs both lower bounds, so it falls one class
        (1000, 39999, "中型"),
        (300, 2000, "中型"),
        (299, 2000, "小型"),
        (300, 1999, "小型"),
        (20, 300, "小型"),
        (19, 300, "微型"),
        (20, 299, "微型"),
        (5000, 100, "微型"),
        (0, 0, "微型"),
    ],
)
def test_size_class_at_the_thresholds(employees: int, revenue: float, expected: str) -> None:
    assert size_class(employees=employees, revenue_wan=revenue) == expected


def test_size_class_unknown_when_an_indicator_is_missing() -> None:
    assert size_class(employees=None, revenue_wan=100) is None


def test_more_than_three_leading_industries_cites_the_guideline() -> None:
    with pytest.raises(ValidationError) as info:
        Park(name="园区", leading_industries=["新能源汽车", "集成电路", "生物医药", "光伏"])
    assert "不得超过 3 个" in str(info.value) and "工业园区高质量发展指引" in str(info.value)


def test_enterprise_refuses_bad_uscc_and_unknown_industry() -> None:
    with pytest.raises(ValidationError) as info:
        Enterprise(uscc="91350100M000100Y44", name="甲", industry_code="0000")
    text = str(info.value)
    assert "校验位错误" in text and "行业代码 0000" in text


def test_product_shares_cannot_exceed_the_whole() -> None:
    with pytest.raises(ValidationError, match="超过 100%"):
        Enterprise(
            uscc="91350100M000100Y43",
            name="甲",
            industry_code="3841",
            products=[{"name": "A", "share": 0.7}, {"name": "B", "share": 0.5}],
        )
