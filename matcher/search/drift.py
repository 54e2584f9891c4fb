"""Drift between the store and the search index: which records are missing, stale or orphaned.

Pure functions of two fingerprint tables (record id -> sha1 of its texts): the one saved with the index
and the one computed from the store now. ``missing``: in the store, not indexed; ``stale``: indexed with
other texts than the store now has; ``orphaned``: indexed, no longer in the store (or without text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matcher.search.texts import KINDS, KindName


@dataclass(frozen=True, slots=True)
class KindDrift:
    """Drift of one kind (``products`` by enterprise id, ``demands`` by demand id); ids sorted."""

    kind: KindName
    missing: tuple[int, ...] = ()
    stale: tuple[int, ...] = ()
    orphaned: tuple[int, ...] = ()
    expected: int = 0  # records the store has for this kind
    indexed: int = 0  # records the index held when planned

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.orphaned)

    @property
    def to_encode(self) -> tuple[int, ...]:
        return tuple(sorted((*self.missing, *self.stale)))


@dataclass(frozen=True, slots=True)
class Drift:
    """Drift of both kinds; ``reset`` when the saved index was made by another encoder (all re-encoded)."""

    products: KindDrift
    demands: KindDrift
    model_id: str = ""
    reset: bool = False

    @property
    def empty(self) -> bool:
        return self.products.total == 0 and self.demands.total == 0 and not self.reset

    @property
    def total(self) -> int:
        return self.products.total + self.demands.total

    def of(self, kind: KindName) -> KindDrift:
        return self.products if kind == "products" else self.demands

    def kinds(self) -> tuple[KindDrift, ...]:
        return tuple(self.of(k) for k in KINDS)


def kind_drift(kind: KindName, held: Mapping[int, str], current: Mapping[int, str]) -> KindDrift:
    """Compare the saved fingerprints ``held`` with the store's ``current`` ones.

    >>> kind_drift("demands", {1: "a", 2: "b"}, {2: "c", 3: "d"})
    KindDrift(kind='demands', missing=(3,), stale=(2,), orphaned=(1,), expected=2, indexed=2)
    """
    missing = sorted(i for i in current if i not in held)
    stale = sorted(i for i, fp in current.items() if i in held and held[i] != fp)
    orphaned = sorted(i for i in held if i not in current)
    return KindDrift(kind, tuple(missing), tuple(stale), tuple(orphaned), len(current), len(held))
