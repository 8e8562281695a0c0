"""Rendered parts of questions, kept per Question object and built off the event loop.

Rendering Markdown costs from a fraction of a millisecond to, for hostile text (a table with
65,536 cells, 100 KB of lines), hundreds of milliseconds. A click or a live-count edit must not
pay that, and the event loop must never wait for it. So every renderer in ``bot/render`` keeps
what it renders for a question in a :class:`RenderCache`:

* **Keyed by the Question object**: its identity (``id(q)``) starts the key, and the object is
  kept with the value and checked on every hit, so an id reused by another object never hits.
  A reloaded bank is made of new Question objects: it renders anew, nothing to invalidate by
  hand; the old entries are dropped as new ones come in.
* **Bounded**: at most ``maxsize`` entries, the oldest dropped first.
* **Built off the loop**: the cogs ask through :meth:`RenderCache.get_or_build_off_loop`, which
  answers a hit with a dict lookup and builds a miss in a worker thread
  (``asyncio.to_thread``), once however many callers wait for it. The synchronous
  :meth:`RenderCache.get_or_build` (tests, tools, the terminal) builds in the caller's thread.

Builders run in worker threads: they must be pure (no event loop, no discord.py views, no
writes to shared state); discord.Embed objects and plain data are fine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from bot.bank.model import Question

__all__ = ["RenderCache", "cache_key", "clear_all"]

V = TypeVar("V")

Key = tuple[Hashable, ...]

_ALL: list[RenderCache[Any]] = []  # every cache, whatever it holds (clear_all only clears them)


def cache_key(q: Question, *parts: Hashable) -> Key:
    """The key of a rendering of *q*: its identity, then what else the rendering depends on."""
    return (id(q), *parts)


class RenderCache(Generic[V]):
    """At most *maxsize* renderings, each kept with its Question (see the module docstring)."""

    def __init__(self, name: str, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.name = name
        self.maxsize = maxsize
        #: key -> (question, value). Read directly on the hottest path (answer feedback).
        self.entries: dict[Key, tuple[Question, V]] = {}
        self._building: dict[Key, tuple[Question, asyncio.Task[V]]] = {}
        _ALL.append(self)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, q: Question, key: Key) -> V | None:
        hit = self.entries.get(key)
        return hit[1] if hit is not None and hit[0] is q else None

    def put(self, q: Question, key: Key, value: V) -> V:
        entries = self.entries
        if key not in entries:
            while len(entries) >= self.maxsize:
                entries.pop(next(iter(entries)), None)
        entries[key] = (q, value)
        return value

    def get_or_build(self, q: Question, key: Key, build: Callable[[], V]) -> V:
        """The cached value, or *build*'s (called here, in the caller's thread), kept."""
        hit = self.entries.get(key)
        if hit is not None and hit[0] is q:
            return hit[1]
        return self.put(q, key, build())

    async def get_or_build_off_loop(self, q: Question, key: Key, build: Callable[[], V]) -> V:
        """The cached value, or *build*'s, called in a worker thread so the loop goes on meanwhile.

        Callers asking for the same key while it is being built wait for that one build. A
        caller cancelled while waiting does not cancel the build (the others still want it).
        """
        hit = self.entries.get(key)
        if hit is not None and hit[0] is q:
            return hit[1]
        building = self._building.get(key)
        if building is None or building[0] is not q:
            task = asyncio.ensure_future(self._build(q, key, build))
            task.add_done_callback(_retrieve)
            building = self._building[key] = (q, task)
        return await asyncio.shield(building[1])

    async def _build(self, q: Question, key: Key, build: Callable[[], V]) -> V:
        try:
            value = await asyncio.to_thread(build)
        finally:
            current = self._building.get(key)
            if current is not None and current[0] is q:
                del self._building[key]
        return self.put(q, key, value)

    def clear(self) -> None:
        self.entries.clear()


def _retrieve(task: asyncio.Task[object]) -> None:
    """Mark a build's exception as seen: every waiter got it already (or none is left)."""
    if not task.cancelled():
        task.exception()


def clear_all() -> None:
    """Empty every render cache (tests; a bank reload does not need it, see the docstring)."""
    for cache in _ALL:
        cache.clear()
