"""What the search index holds for the store: the texts of each enterprise's products and of each demand.

Products are encoded exactly as :mod:`matcher.ranking` encodes them (the cleaned product names of
``ProfileDoc.from_enterprise``, in their order, documents role), so both share the embedding cache. A
product's vector id is ``enterprise_id * 1024 + position`` (:data:`SLOTS` positions per enterprise; names
past that are not indexed). A demand's vector id is its store id and its text ``demand_profile(demand)``.

Each indexed record has a fingerprint, the sha1 of its texts; comparing the fingerprints saved with the
index against the store's current ones shows what is missing, stale or orphaned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlalchemy import select

from matcher.store import Store
from matcher.store import repository as repo
from matcher.store.tables import EnterpriseRow
from matcher.text.normalize import clean_products
from matcher.text.profiles import ProfileDoc, demand_profile

KindName = Literal["products", "demands"]
KINDS: tuple[KindName, ...] = ("products", "demands")
SLOTS = 1024  # product vector ids per enterprise: id = enterprise_id * SLOTS + position

Texts = Mapping[int, tuple[str, ...]]  # record id -> the texts whose vectors it owns


@dataclass(frozen=True, slots=True)
class StoreTexts:
    """The texts the index should hold, per kind, keyed by record id (records without text left out)."""

    products: dict[int, tuple[str, ...]]
    demands: dict[int, tuple[str, ...]]

    def of(self, kind: KindName) -> dict[int, tuple[str, ...]]:
        return self.products if kind == "products" else self.demands


def store_texts(store: Store) -> StoreTexts:
    """Read every enterprise's product names and every demand's profile text from the store.

    Product names come from the ``products`` column alone (validating whole enterprise records took most
    of the time); :func:`clean_names` keeps what ``ProfileDoc.from_enterprise`` keeps, and a test checks
    that the two agree.
    """
    with store.session() as s:
        rows = s.execute(select(EnterpriseRow.id, EnterpriseRow.products))
        products = {i: clean_names([str(p["name"]) for p in items or []]) for i, items in rows}
        demands: dict[int, tuple[str, ...]] = {
            d.id: (demand_profile(d.record),) for d in repo.list_demands(s)
        }
    return StoreTexts({i: t for i, t in products.items() if t}, demands)


def product_texts(doc: ProfileDoc) -> tuple[str, ...]:
    """The product names the index encodes for one enterprise (the first :data:`SLOTS`)."""
    return tuple(doc.product_names[:SLOTS])


def clean_names(names: list[str]) -> tuple[str, ...]:
    """What ``ProfileDoc.from_enterprise`` keeps of raw product names (accounting items and duplicates
    dropped, order kept; shares do not change which are kept), the first :data:`SLOTS`."""
    return tuple(name for name, _ in clean_products([(n, 0.0) for n in names]))[:SLOTS]


def fingerprint(texts: tuple[str, ...]) -> str:
    """sha1 of the texts joined by a separator no text contains (order matters: it fixes the ids)."""
    return hashlib.sha1("\x1f".join(texts).encode("utf-8")).hexdigest()


def fingerprints(texts: Texts) -> dict[int, str]:
    return {i: fingerprint(t) for i, t in texts.items()}


def vector_ids(kind: KindName, record_id: int, n: int) -> np.ndarray:
    """The vector ids of a record's ``n`` texts."""
    base = record_id * SLOTS if kind == "products" else record_id
    return np.arange(base, base + n, dtype=np.int64)


def owners(kind: KindName, ids: np.ndarray) -> np.ndarray:
    """The record id owning each vector id (enterprise id for products)."""
    ids = np.asarray(ids, dtype=np.int64)
    return ids // SLOTS if kind == "products" else ids
