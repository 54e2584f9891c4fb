"""Domain records and their validators: Park, Enterprise, Demand; USCC, GB/T 4754, size class."""

from matcher.domain.models import (
    Contact,
    Demand,
    DemandKind,
    DemandStatus,
    Enterprise,
    Indicators,
    Park,
    Patents,
    Product,
    Role,
    Tier,
    Visibility,
)

__all__ = [
    "Contact",
    "Demand",
    "DemandKind",
    "DemandStatus",
    "Enterprise",
    "Indicators",
    "Park",
    "Patents",
    "Product",
    "Role",
    "Tier",
    "Visibility",
]
