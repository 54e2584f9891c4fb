"""Entity linking: map free-text product names and demands to chain nodes.

Four steps, first hit wins: exact name → normalized name (full-width, case, 系列/产品/类 suffixes) →
containment (the item contains a node's name or keyword, longest first) → embedding nearest neighbour
above a threshold. Items that link nowhere are returned in ``unlinked``, never dropped.

Example::

    index = LinkIndex({"link:新能源汽车/cathode": ["正极材料", "三元正极"]})
    index.link(["三元正极材料系列", "轮胎"])
    # LinkResult(linked=[Link("三元正极材料系列", "link:新能源汽车/cathode", "contains", 0.9)], unlinked=["轮胎"])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import networkx as nx
import numpy as np

from matcher.encoders.base import Encoder
from matcher.graph.schema import NodeKind

SUFFIX = re.compile(r"(?:系列产品|系列|产品|制品|类|等)+$")
SUFFIX_ENDS = frozenset("列品类等")
DROP = re.compile(r"[\s\-_·•/\\|()（）\[\]【】「」《》“”\"'、,，.。:：;；!！?？]+")
REGEX_MAX = 5000  # indexes up to this many surfaces use one compiled alternation for containment
METHOD_SCORE = {"exact": 1.0, "normalized": 0.95, "contains": 0.9}


class Link(NamedTuple):
    """An item linked to a node, how, and how sure (1 exact … threshold for embeddings)."""

    item: str
    node: str
    method: str
    score: float


class LinkResult(NamedTuple):
    linked: list[Link]
    unlinked: list[str]


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, no punctuation or spaces, without 系列/产品/类 suffixes."""
    text = DROP.sub("", unicodedata.normalize("NFKC", text).lower())
    if not text or text[-1] not in SUFFIX_ENDS:
        return text
    match = SUFFIX.search(text)
    return text[: match.start()] if match and match.start() >= 2 else text


class LinkIndex:
    """Surfaces (names, keywords) of nodes, indexed once for exact, normalized, containment and NN lookup."""

    def __init__(
        self,
        surfaces: Mapping[str, Iterable[str]],
        *,
        encoder: Encoder | None = None,
        threshold: float = 0.8,
        contains: bool = True,
        min_contains: int = 2,
    ) -> None:
        self.exact: dict[str, str] = {}
        self.normal: dict[str, str] = {}
        for node, names in surfaces.items():
            for name in names:
                self.exact.setdefault(name.strip(), node)
                if key := normalize(name):
                    self.normal.setdefault(key, node)
        self.contains = contains
        self.lengths = sorted({len(k) for k in self.normal if len(k) >= min_contains}, reverse=True)
        self.encoder, self.threshold = encoder, threshold
        self.keys = list(self.normal)
        self._vectors: np.ndarray | None = None
        small = contains and len(self.normal) <= REGEX_MAX
        alternatives = sorted((k for k in self.normal if len(k) >= min_contains), key=lambda k: (-len(k), k))
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if small and alternatives else None

    @classmethod
    def from_graph(cls, G: nx.DiGraph, kind: NodeKind = NodeKind.LINK, **options: object) -> LinkIndex:
        """An index of every node of ``kind``: its name, plus its keywords (template links)."""
        surfaces = {
            n: [d.get("name", ""), *d.get("keywords", ())]
            for n, d in G.nodes(data=True)
            if d.get("kind") == kind.value
        }
        return cls(surfaces, **options)  # type: ignore[arg-type]

    def lookup(self, item: str) -> Link | None:
        """Exact, normalized or containment link of one item, without embeddings."""
        if node := self.exact.get(item.strip()):
            return Link(item, node, "exact", METHOD_SCORE["exact"])
        key = normalize(item)
        if node := self.normal.get(key):
            return Link(item, node, "normalized", METHOD_SCORE["normalized"])
        if self.contains and (sub := self._contained(key)):
            return Link(item, self.normal[sub], "contains", METHOD_SCORE["contains"])
        return None

    def _contained(self, key: str) -> str | None:
        """The longest surface inside ``key`` (leftmost among equals), or None."""
        if self._pattern is not None:
            hits = self._pattern.findall(key)
            return max(hits, key=len) if hits else None
        spans = self.spans(key, normalized=True)
        return spans[0][1] if spans else None

    def spans(self, text: str, *, normalized: bool = False) -> list[tuple[int, str]]:
        """(start, surface) of each mention in the normalized text, longest first, not overlapping."""
        key = text if normalized else normalize(text)
        taken = [False] * len(key)
        found: list[tuple[int, str]] = []
        for length in self.lengths:
            for i in range(len(key) - length + 1):
                sub = key[i : i + length]
                if sub in self.normal and not any(taken[i : i + length]):
                    found.append((i, sub))
                    taken[i : i + length] = [True] * length
        return found

    def resolve(self, items: Iterable[str]) -> dict[str, Link | None]:
        """The link (or None) of each distinct non-blank item; embeddings only for what the rest missed."""
        cache = {item: self.lookup(item) for item in dict.fromkeys(items) if item and item.strip()}
        rest = [i for i, lk in cache.items() if lk is None]
        if rest and self.encoder is not None and self.keys:
            cache.update(self._nearest(rest))
        return cache

    def link(self, items: Iterable[str]) -> LinkResult:
        """Link each item; those below every step (and the threshold) come back unlinked, in order."""
        order = [i for i in items if i and i.strip()]
        cache = self.resolve(order)
        linked = [lk if lk.item == i else lk._replace(item=i) for i in order if (lk := cache[i]) is not None]
        return LinkResult(linked, [i for i in order if cache[i] is None])

    def _nearest(self, items: Sequence[str]) -> dict[str, Link | None]:
        assert self.encoder is not None
        if self._vectors is None:
            self._vectors = self.encoder.encode(self.keys)
        scores = self.encoder.encode(list(items)) @ self._vectors.T
        best = scores.argmax(axis=1)
        return {
            item: Link(item, self.normal[self.keys[j]], "embedding", float(scores[r, j]))
            if scores[r, j] >= self.threshold
            else None
            for r, (item, j) in enumerate(zip(items, best, strict=True))
        }
