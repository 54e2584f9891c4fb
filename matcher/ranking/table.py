"""The product table: every (company, product) row of the fitted pool, with aligned arrays.

Scores are computed per product row and then reduced to companies (``scoring.group_max``), so the
table keeps the row -> company index and the revenue share of each row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.text.normalize import product_key
from matcher.text.profiles import ProfileDoc


@dataclass(frozen=True)
class ProductTable:
    """Companies (``ids``, ``names``, ``industries``) and their product rows (``product_*`` arrays)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    industries: tuple[str, ...]
    product_names: tuple[str, ...]
    product_keys: tuple[str, ...]
    product_company: np.ndarray
    product_weight: np.ndarray

    @classmethod
    def from_docs(cls, docs: Sequence[ProfileDoc]) -> ProductTable:
        names: list[str] = []
        company: list[int] = []
        weight: list[float] = []
        for i, doc in enumerate(docs):
            for name, share in doc.products:
                names.append(name)
                company.append(i)
                weight.append(share)
        return cls(
            ids=tuple(d.id for d in docs),
            names=tuple(d.name for d in docs),
            industries=tuple(str(d.extra.get("industry_l3") or d.industry) for d in docs),
            product_names=tuple(names),
            product_keys=tuple(product_key(n) for n in names),
            product_company=np.asarray(company, dtype=np.int64),
            product_weight=np.asarray(weight, dtype=np.float32),
        )

    @property
    def n_companies(self) -> int:
        return len(self.ids)

    def company_index(self, ids: Sequence[str]) -> list[int]:
        """Row numbers of the given company ids (unknown ids are skipped)."""
        where = {cid: i for i, cid in enumerate(self.ids)}
        return [where[c] for c in ids if c in where]
