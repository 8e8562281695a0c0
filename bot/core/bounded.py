"""`BoundedMap`: an in-memory map with a size bound and an optional age bound. Pure: no I/O.

The bot keeps small per-post and per-member caches (a post's row, when its count was last edited,
a member's recent questions, whether a user is a member of a server). Each one is a BoundedMap, so
none of them can grow with the number of posts or members ever seen: at most `max_size` entries,
the least recently written dropped first, and entries older than `ttl` seconds are treated as
missing (and dropped as they are met).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, overload

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


class BoundedMap(Generic[K, V]):
    """A dict-like cache: `m[k] = v`, `m.get(k)`, `m.pop(k, None)`, `len(m)`, `k in m`.

    Writing a key makes it the newest; reading does not reorder (eviction is by age of the last
    write). `clock` returns seconds (time.monotonic by default; tests pass their own).
    """

    __slots__ = ("_data", "clock", "max_size", "ttl")

    def __init__(
        self, max_size: int, *, ttl: float | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be positive")
        self.max_size = max_size
        self.ttl = ttl
        self.clock = clock
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[K]:
        return iter(list(self._data))

    def __contains__(self, key: K) -> bool:
        return self._live(key) is not None

    def __setitem__(self, key: K, value: V) -> None:
        data = self._data
        if key in data:
            data.move_to_end(key)
        data[key] = (self.clock(), value)
        self._expire()
        while len(data) > self.max_size:
            data.popitem(last=False)

    def __getitem__(self, key: K) -> V:
        entry = self._live(key)
        if entry is None:
            raise KeyError(key)
        return entry[1]

    def __delitem__(self, key: K) -> None:
        del self._data[key]

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: D) -> V | D: ...
    def get(self, key: K, default: object = None) -> object:
        entry = self._live(key)
        return default if entry is None else entry[1]

    def pop(self, key: K, default: D | None = None) -> V | D | None:
        entry = self._live(key)
        if entry is None:
            return default
        del self._data[key]
        return entry[1]

    def setdefault(self, key: K, value: V) -> V:
        entry = self._live(key)
        if entry is None:
            self[key] = value
            return value
        return entry[1]

    def _live(self, key: K) -> tuple[float, V] | None:
        """The entry of `key` (written at, value), or None when there is none or it has expired (it
        is then dropped)."""
        entry = self._data.get(key)
        if entry is not None and self.ttl is not None and self.clock() - entry[0] >= self.ttl:
            del self._data[key]
            return None
        return entry

    def clear(self) -> None:
        self._data.clear()

    def _expire(self) -> None:
        """Drop expired entries from the old end (writes keep the map ordered by write time)."""
        if self.ttl is None:
            return
        limit = self.clock() - self.ttl
        data = self._data
        while data:
            key, (stamp, _) = next(iter(data.items()))
            if stamp > limit:
                break
            del data[key]
