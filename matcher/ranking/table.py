"""The product table: every (company, product) row of the fitted pool, with aligned arrays.

Scores are computed per distinct product name, then read per row and reduced to companies
(``scoring.Segments``): a large registry repeats a few hundred names over hundreds of thousands of rows.
The table keeps the row -> company and row -> name indexes and the revenue share of each row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matcher.ranking.scoring import Segments
from matcher.text.normalize import product_key
from matcher.text.profiles import ProfileDoc


def text_hash(text: str) -> int:
    """A 64-bit BLAKE2b hash of ``text``, the same in every process (``hash`` is salted per process)."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


@dataclass(frozen=True)
class StringIndex:
    """What a dict from each text of ``texts`` (its first position, or ``values`` there) would answer,
    looked up in sorted 64-bit hashes: arrays that a saved pool maps read-only for every worker, where a
    dict of ~1M product names is private to each process (``matcher.ranking.shared``).

    >>> index = StringIndex.build(("锌锭", "铜", "锌锭"))
    >>> index["锌锭"], "铝" in index, len(index)
    (0, False, 2)
    """

    texts: Sequence[str]
    hashes: np.ndarray  # sorted
    positions: np.ndarray  # the position in ``texts`` of each hash; ascending among equal hashes
    count: int  # distinct texts
    values: np.ndarray | None = None  # per position: what the lookup answers (None: the position)

    @classmethod
    def build(cls, texts: Sequence[str], values: np.ndarray | None = None) -> StringIndex:
        hashes = np.fromiter(map(text_hash, texts), np.int64, len(texts))
        order = np.argsort(hashes, kind="stable")
        return cls(texts, hashes[order], order.astype(np.int64), len(set(texts)), values)

    def get(self, text: str, default: int | None = None) -> int | None:
        h = text_hash(text)
        i = int(np.searchsorted(self.hashes, h))
        while i < len(self.hashes) and self.hashes[i] == h:
            at = int(self.positions[i])
            if self.texts[at] == text:
                return at if self.values is None else int(self.values[at])
            i += 1
        return default

    def __getitem__(self, text: str) -> int:
        found = self.get(text)
        if found is None:
            raise KeyError(text)
        return found

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.get(text) is not None

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True)
class ProductTable:
    """Companies (``ids``, ``names``, ``industries``) and their product rows (``product_*`` arrays)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    industries: tuple[str, ...]
    product_names: tuple[str, ...]
    product_keys: tuple[str, ...]
    product_company: np.ndarray  # non-decreasing: a company's rows are contiguous
    product_weight: np.ndarray
    distinct_names: tuple[str, ...]  # the distinct product names, in order of first appearance
    distinct_keys: tuple[str, ...]  # their ``product_key``s
    product_name: np.ndarray  # row -> index into ``distinct_names``
    segments: Segments  # each company's rows as name ids, for company-level reductions
    lookups: Mapping[str, np.ndarray] = field(default_factory=dict)  # ``lookup_arrays`` of a saved pool

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
        distinct = {n: i for i, n in enumerate(dict.fromkeys(names))}
        row_name = np.asarray([distinct[n] for n in names], dtype=np.int64)
        row_company = np.asarray(company, dtype=np.int64)
        keys = {n: product_key(n) for n in distinct}
        return cls(
            ids=tuple(d.id for d in docs),
            names=tuple(d.name for d in docs),
            industries=tuple(str(d.extra.get("industry_l3") or d.industry) for d in docs),
            product_names=tuple(names),
            product_keys=tuple(keys[n] for n in names),
            product_company=row_company,
            product_weight=np.asarray(weight, dtype=np.float32),
            distinct_names=tuple(distinct),
            distinct_keys=tuple(keys.values()),
            product_name=row_name,
            segments=Segments.build(row_name, row_company, len(docs)),
        )

    @property
    def n_companies(self) -> int:
        return len(self.ids)

    @cached_property
    def name_rows(self) -> StringIndex:
        """Distinct product name -> its index in ``distinct_names``."""
        known = self.lookups
        if "names.hashes" in known:
            return StringIndex(
                self.distinct_names, known["names.hashes"], known["names.positions"], len(self.distinct_names)
            )
        return StringIndex.build(self.distinct_names)

    @cached_property
    def key_codes(self) -> tuple[StringIndex, np.ndarray]:
        """Each distinct ``product_key`` numbered, and the number of each distinct name's key."""
        known = self.lookups
        if "keys.of_name" in known:
            of_name = known["keys.of_name"]
            count = int(of_name.max()) + 1 if len(of_name) else 0
            index = StringIndex(
                self.distinct_keys, known["keys.hashes"], known["keys.positions"], count, of_name
            )
            return index, of_name
        codes: dict[str, int] = {}
        of_name = np.fromiter(
            (codes.setdefault(k, len(codes)) for k in self.distinct_keys), np.int64, len(self.distinct_keys)
        )
        return StringIndex.build(self.distinct_keys, of_name), of_name

    def lookup_arrays(self) -> dict[str, np.ndarray]:
        """The arrays behind ``name_rows`` and ``key_codes``, for a saved pool's ``lookups``."""
        names, (keys, of_name) = self.name_rows, self.key_codes
        return {
            "names.hashes": names.hashes,
            "names.positions": names.positions,
            "keys.hashes": keys.hashes,
            "keys.positions": keys.positions,
            "keys.of_name": of_name,
        }

    def names_containing(self, terms: Sequence[str]) -> np.ndarray | None:
        """Which distinct names contain one of ``terms`` (their ``product_key``s); None without terms.
        Each term's mask is remembered (a refusal such as 贸易 recurs across demands, and a scan reads
        every distinct name).

        >>> table = ProductTable.from_docs([ProfileDoc("1", "甲", (("锌锭贸易", 0.5), ("锌锭", 0.5)))])
        >>> table.names_containing(["贸易"]).tolist()
        [True, False]
        """
        masks = [self._term_mask(product_key(t)) for t in terms if product_key(t)]
        return np.logical_or.reduce(masks) if masks else None

    @cached_property
    def _term_masks(self) -> dict[str, np.ndarray]:
        return {}

    def _term_mask(self, key: str) -> np.ndarray:
        known = self._term_masks
        mask = known.get(key)
        if mask is None:  # two threads may both scan: the same mask, no lock needed
            mask = np.fromiter((key in n for n in self.distinct_keys), bool, len(self.distinct_keys))
            if len(known) >= 256:
                known.clear()
            known[key] = mask
        return mask

    def exact_names(self, keys: Sequence[str], names: np.ndarray) -> np.ndarray:
        """``exact_scores(keys, ...)`` of the ``names`` ids only: 1.0 where the name's key is one of ``keys``."""
        codes, of_name = self.key_codes
        wanted = [c for c in map(codes.get, keys) if c is not None]
        return np.isin(of_name[names], wanted).astype(np.float32)

    @cached_property
    def _where(self) -> dict[str, int]:
        return {cid: i for i, cid in enumerate(self.ids)}

    def company_index(self, ids: Sequence[str]) -> list[int]:
        """Row numbers of the given company ids (unknown ids are skipped)."""
        return [self._where[c] for c in ids if c in self._where]
