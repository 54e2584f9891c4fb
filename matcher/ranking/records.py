"""The pool's enterprise records, kept compact: the fields every query or mask reads as columns, each whole
record as compressed JSON, decoded only for the few enterprises a query shows.

A worker holds the pool for its life. As pydantic objects (products, indicators, contact) 100,000 realistic
enterprises take about 1.4 GB per worker; as columns and zlib-compressed JSON 150 MB (5,000 firms of
benchmarks/registry.py measured with tracemalloc, scaled).

>>> from matcher.domain import Enterprise, Product
>>> e = Enterprise(uscc="91320500MA1MXTPD2U", name="苏州某材料有限公司", park="苏州工业园", province="江苏省",
...                industry_code="2651", certifications=["ISO 9001"], products=[Product(name="聚丙烯", share=1.0)])
>>> shelf = Records.of([e])
>>> shelf.names[0], shelf.certifications
('苏州某材料有限公司', [('ISO 9001',)])
>>> shelf[0] == e, len(shelf + shelf)
(True, 2)
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

import numpy as np

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


class Packed:
    """Byte strings back to back in one array per part, with their end offsets: no Python object per item.

    A worker decodes every record when it fits its pool; anything kept that points into those objects (a
    name, an identifier) pins the allocator's arenas they share with what is freed, and the process keeps
    the memory (at 100k enterprises, hundreds of MB). Packed items are copied out once. ``+`` joins parts
    without copying them (the pool's main part and its delta), and a part may be a memory map (a snapshot).
    """

    def __init__(self, parts: Sequence[tuple[np.ndarray, np.ndarray]] = ()) -> None:
        self.parts = tuple(parts)
        self._firsts = np.cumsum([0, *(len(ends) for _, ends in self.parts)])  # first item of each part

    @classmethod
    def of(cls, values: Iterable[bytes]) -> Packed:
        items = list(values)
        data = np.frombuffer(b"".join(items), dtype=np.uint8)
        return cls([(data, np.cumsum([len(v) for v in items], dtype=np.int64))])

    def __len__(self) -> int:
        return int(self._firsts[-1])

    def _bytes(self, i: int) -> bytes:
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        p = int(np.searchsorted(self._firsts, i, side="right")) - 1
        data, ends = self.parts[p]
        j = i - int(self._firsts[p])
        return data[int(ends[j - 1]) if j else 0 : int(ends[j])].tobytes()

    def __getitem__(self, i: int) -> bytes:
        return self._bytes(i)

    def __iter__(self) -> Iterator[bytes]:
        """Every item in order, sliced from one copy of each part (not looked up one by one)."""
        for data, ends in self.parts:
            raw, start = data.tobytes(), 0
            for end in ends.tolist():
                yield raw[start:end]
                start = end

    def __add__(self, other: Packed) -> Packed:
        return type(self)(self.parts + other.parts)

    def joined(self) -> tuple[np.ndarray, np.ndarray]:
        """The items as one part: the data back to back and each item's end offset in it."""
        if not self.parts:
            return np.zeros(0, np.uint8), np.zeros(0, np.int64)
        starts = np.cumsum([0, *(len(data) for data, _ in self.parts[:-1])])
        data = np.concatenate([d for d, _ in self.parts])
        ends = np.concatenate(
            [np.asarray(e, np.int64) + s for (_, e), s in zip(self.parts, starts, strict=True)]
        )
        return data, ends


class Texts:
    """Strings kept ``Packed`` as UTF-8."""

    def __init__(self, packed: Packed) -> None:
        self.packed = packed

    def __len__(self) -> int:
        return len(self.packed)

    def __getitem__(self, i: int) -> str:
        return self.packed[i].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return (b.decode("utf-8") for b in self.packed)

    def __add__(self, other: Texts) -> Texts:
        return Texts(self.packed + other.packed)


def _fresh(value: H) -> H:
    """A copy of a string or tuple of strings in new objects (see ``Packed``: the original pins memory)."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("utf-8")  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)  # type: ignore[return-value]
    return value


@dataclass(frozen=True)
class Records:
    """Enterprise records by pool position (``ids`` order): ``names``, ``usccs`` and ``capacities`` packed,
    ``roles`` (values), ``parks``, ``places`` (province, city, district) and
    ``certifications`` as lists whose repeated values are one object each; ``self[i]`` the whole record,
    decoded (validated again: 0.09-1.3 ms by machine load, ``benchmarks/bench_records.py``), so query paths
    read columns and ``facts``."""

    names: Texts
    usccs: Texts
    roles: list[str]
    parks: list[str]
    places: list[tuple[str, str, str]]
    certifications: list[tuple[str, ...]]
    capacities: Texts
    blobs: Packed

    @classmethod
    def of(cls, records: Iterable[Enterprise], blobs: Packed | None = None) -> Records:
        """The records' columns and blobs (``blobs``: their ``encode`` already made, e.g. read from disk),
        in one pass: ``records`` may be a stream whose objects are dropped as it goes."""
        shared: dict[Hashable, Hashable] = {}

        def one(value: H) -> H:
            return shared.setdefault(value, _fresh(value))  # type: ignore[return-value]

        names, usccs, capacities, encoded = [], [], [], []
        roles, parks, places, certifications = [], [], [], []
        for e in records:
            names.append(e.name.encode("utf-8"))
            usccs.append(e.uscc.encode("utf-8"))
            capacities.append(e.capacity.encode("utf-8"))
            roles.append(one(e.role.value))
            parks.append(one(e.park))
            places.append(one((e.province, e.city, e.district)))
            certifications.append(one(tuple(e.certifications)))
            if blobs is None:
                encoded.append(encode(e))
        return cls(
            Texts(Packed.of(names)),
            Texts(Packed.of(usccs)),
            roles,
            parks,
            places,
            certifications,
            Texts(Packed.of(capacities)),
            Packed.of(encoded) if blobs is None else blobs,
        )

    def facts(self, i: int) -> Facts:
        """Enterprise ``i``'s location, certifications and capacity, without decoding its record."""
        return Facts(*self.places[i], self.certifications[i], self.capacities[i])

    @property
    def provinces(self) -> list[str]:
        return [place[0] for place in self.places]

    def __len__(self) -> int:
        return len(self.blobs)

    def __getitem__(self, i: int) -> Enterprise:
        return decode(self.blobs[i])

    def __iter__(self) -> Iterator[Enterprise]:
        return (decode(b) for b in self.blobs)

    def __add__(self, other: Records) -> Records:
        return Records(*(a + b for a, b in zip(self._columns(), other._columns(), strict=True)))

    def _columns(self) -> tuple:  # type: ignore[type-arg]
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
