"""The pool's enterprise records, kept compact: the fields every query or mask reads as columns, each whole
record as compressed JSON, decoded only for the few enterprises a query shows.

A worker holds the pool for its life. As pydantic objects (products, indicators, contact) 100,000 realistic
enterprises take about 1.4 GB per worker; as columns and zlib-compressed JSON 135 MB (5,000 firms of
benchmarks/registry.py measured with tracemalloc, scaled).

>>> from matcher.domain import Enterprise, Product
>>> e = Enterprise(uscc="91320500MA1MXTPD2U", name="苏州某材料有限公司", park="苏州工业园", province="江苏省",
...                industry_code="2651", certifications=["ISO 9001"], products=[Product(name="聚丙烯", share=1.0)])
>>> shelf = Records.of([e])
>>> shelf.names, shelf.certifications
(['苏州某材料有限公司'], [('ISO 9001',)])
>>> shelf[0] == e, len(shelf + shelf)
(True, 2)
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar, overload

from matcher.domain import Enterprise

H = TypeVar("H", bound=Hashable)


class Facts(NamedTuple):
    """What a requirement check reads of one enterprise (``matcher.ranking.constraints.requirement_checks``)."""

    province: str
    city: str
    district: str
    certifications: tuple[str, ...]
    capacity: str


def encode(record: Enterprise) -> bytes:
    """One record as compressed JSON."""
    return zlib.compress(record.model_dump_json().encode("utf-8"), 1)


def decode(blob: bytes) -> Enterprise:
    """The record ``encode`` made ``blob`` from."""
    return Enterprise.model_validate_json(zlib.decompress(blob))


@dataclass(frozen=True)
class Records:
    """Enterprise records by pool position (``ids`` order): ``names``, ``usccs``, ``roles`` (values),
    ``parks``, ``places`` (province, city, district), ``certifications`` and ``capacities`` as columns whose
    repeated values are one object each; ``self[i]`` the whole record, decoded (validated again:
    ~1 ms on a loaded machine, ``benchmarks/bench_records.py``), so query paths read columns and ``facts``."""

    names: list[str]
    usccs: list[str]
    roles: list[str]
    parks: list[str]
    places: list[tuple[str, str, str]]
    certifications: list[tuple[str, ...]]
    capacities: list[str]
    blobs: list[bytes]

    @classmethod
    def of(cls, records: Iterable[Enterprise], blobs: Sequence[bytes] | None = None) -> Records:
        """The records' columns and blobs (``blobs``: their ``encode`` already made, e.g. read from disk)."""
        shared: dict[Hashable, Hashable] = {}

        def one(value: H) -> H:
            return shared.setdefault(value, value)  # type: ignore[return-value]

        out = cls([], [], [], [], [], [], [], [])
        for i, e in enumerate(records):
            out.names.append(e.name)
            out.usccs.append(e.uscc)
            out.roles.append(one(e.role.value))
            out.parks.append(one(e.park))
            out.places.append(one((e.province, e.city, e.district)))
            out.certifications.append(one(tuple(e.certifications)))
            out.capacities.append(one(e.capacity))
            out.blobs.append(encode(e) if blobs is None else blobs[i])
        return out

    def facts(self, i: int) -> Facts:
        """Enterprise ``i``'s location, certifications and capacity, without decoding its record."""
        return Facts(*self.places[i], self.certifications[i], self.capacities[i])

    @property
    def provinces(self) -> list[str]:
        return [place[0] for place in self.places]

    def __len__(self) -> int:
        return len(self.blobs)

    @overload
    def __getitem__(self, i: int) -> Enterprise: ...
    @overload
    def __getitem__(self, i: slice) -> Records: ...
    def __getitem__(self, i: int | slice) -> Enterprise | Records:
        if isinstance(i, slice):
            return Records(*(column[i] for column in self._columns()))
        return decode(self.blobs[i])

    def __iter__(self) -> Iterator[Enterprise]:
        return (self[i] for i in range(len(self)))

    def __add__(self, other: Records) -> Records:
        return Records(*(a + b for a, b in zip(self._columns(), other._columns(), strict=True)))

    def _columns(self) -> tuple[list, ...]:  # type: ignore[type-arg]
        return (
            self.names,
            self.usccs,
            self.roles,
            self.parks,
            self.places,
            self.certifications,
            self.capacities,
            self.blobs,
        )
