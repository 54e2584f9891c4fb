"""Hand-built enterprises for the tiers tests (valid USCCs made with the check-character rule)."""

from __future__ import annotations

from typing import Any

from matcher.domain.models import Enterprise, Indicators, Patents
from matcher.domain.uscc import check_character


def uscc(n: int) -> str:
    body = f"91440300MB{n:07d}"[:17]
    return body + check_character(body)


def make(n: int = 1, *, certs: list[str] | None = None, patents: dict[str, Any] | None = None,
         industry: str = "3841", **ind: Any) -> Enterprise:
    """An enterprise with the given indicators (everything else unreported)."""
    return Enterprise(uscc=uscc(n), name=f"测试企业{n}", industry_code=industry, certifications=certs or [],
                      indicators=Indicators(patents=Patents(**(patents or {})), **ind))
