"""Enterprise size class (大/中/小/微) for industrial enterprises.

The rule of the National Bureau of Statistics, 《统计上大中小微型企业划分办法（2017）》, 工业 row:

| class | employees (人) | revenue (万元) |
|---|---|---|
| 大型 | >= 1000 | >= 40000 |
| 中型 | 300 - 999 | 2000 - 39999 |
| 小型 | 20 - 299 | 300 - 1999 |
| 微型 | < 20 | < 300 |

Large, medium and small enterprises must meet the lower bound of *both* indicators, otherwise they fall
one class (``须同时满足所列指标的下限，否则下划一档``); a micro enterprise needs only one of them.

>>> size_class(employees=500, revenue_wan=50_000)
'中型'
>>> size_class(employees=15, revenue_wan=5_000)
'微型'
"""

from __future__ import annotations

from typing import Literal

SizeClass = Literal["大型", "中型", "小型", "微型"]

# (class, minimum employees, minimum revenue in 万元), largest first.
INDUSTRIAL_THRESHOLDS: tuple[tuple[SizeClass, int, float], ...] = (
    ("大型", 1000, 40_000),
    ("中型", 300, 2_000),
    ("小型", 20, 300),
)


def size_class(*, employees: int | None, revenue_wan: float | None) -> SizeClass | None:
    """The size class, or None when either indicator is unknown (never guessed)."""
    if employees is None or revenue_wan is None:
        return None
    for name, min_staff, min_revenue in INDUSTRIAL_THRESHOLDS:
        if employees >= min_staff and revenue_wan >= min_revenue:
            return name
    return "微型"
