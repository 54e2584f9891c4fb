"""A bounded, thread-safe memory of recent results (least recently used dropped), for what queries repeat:
query vectors of items (``MatchCore``) and the names near graph products (``CandidateIndex``).

>>> memo = Memo(2)
>>> memo.put_many({"a": 1, "b": 2})
>>> memo.get_many(["a", "z"])
{'a': 1}
>>> memo.put_many({"c": 3})  # "b" was read least recently
>>> memo.keys()
['a', 'c']
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most ``size`` entries (0: none kept); a read moves an entry to the most recent end."""

    def __init__(self, size: int) -> None:
        self.size = int(size)
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The remembered ones of ``keys``."""
        with self._lock:
            found = {k: self._entries[k] for k in keys if k in self._entries}
            for k in found:
                self._entries.move_to_end(k)
        return found

    def put_many(self, entries: Mapping[K, V]) -> None:
        with self._lock:
            if self.size <= 0:
                return
            self._entries.update(entries)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def keys(self) -> list[K]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
