"""GB/T 4754-2017 国民经济行业分类: the code table shipped in ``data/gbt4754_2017_codes.csv``.

Codes are the standard's own: a section letter (``C``), a 2-digit division (``38``), a 3-digit group
(``384``) or a 4-digit class (``3841``). An enterprise may be registered at any level.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matcher.settings import DATA_DIR

CODES_FILE = DATA_DIR / "gbt4754_2017_codes.csv"
LEVEL_NAMES = ("门类", "大类", "中类", "小类")


@dataclass(frozen=True, slots=True)
class IndustryCode:
    code: str
    name: str
    parent: str
    level: int

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]


@lru_cache(maxsize=4)
def load_codes(path: Path = CODES_FILE) -> dict[str, IndustryCode]:
    """All codes of the table, by code."""
    with path.open(encoding="utf-8", newline="") as f:
        return {
            row["code"]: IndustryCode(row["code"], row["name"], row["parent"], int(row["level"]))
            for row in csv.DictReader(f)
        }


def industry_name(code: str) -> str | None:
    found = load_codes().get(code.strip())
    return found.name if found else None


def industry_problem(code: str) -> str | None:
    """A Chinese message if ``code`` is not in GB/T 4754-2017, else None."""
    code = code.strip()
    if not code:
        return "行业代码为空"
    if code not in load_codes():
        return f"行业代码 {code} 不在 GB/T 4754-2017 国民经济行业分类中"
    return None
