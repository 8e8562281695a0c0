"""What the bot did: every HTTP call and gateway frame, and event-driven waits on them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


@dataclass
class UploadedFile:
    field_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One HTTP request the bot made, and what the fake answered."""

    seq: int
    method: str
    #: The route template, without the `/api/v10` prefix, e.g. "/channels/{channel_id}/messages".
    route: str
    #: The concrete path, without the prefix.
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    headers: dict[str, str]
    status: int = 0
    response: Any = None
    #: Name of the injected fault that answered it (None: the fake's normal handler).
    fault: str | None = None
    started: float = field(default_factory=time.perf_counter)
    finished: float = 0.0

    @property
    def token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[4:] if auth.startswith("Bot ") else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def matches(self, method: str | None = None, route: str | None = None, **params: object) -> bool:
        if method is not None and method != "*" and method.upper() != self.method:
            return False
        if route is not None and route != self.route:
            return False
        return all(str(self.params.get(k)) == str(v) for k, v in params.items())

    def __repr__(self) -> str:
        fault = f" fault={self.fault}" if self.fault else ""
        return f"<Call #{self.seq} {self.method} {self.path} -> {self.status}{fault}>"


@dataclass
class Frame:
    """One gateway frame. `direction` is "recv" (bot -> fake) or "send" (fake -> bot)."""

    seq: int
    direction: str
    connection: int
    op: int | None
    t: str | None
    s: int | None
    d: Any
    at: float = field(default_factory=time.perf_counter)

    def __repr__(self) -> str:
        what = self.t or f"op={self.op}"
        return f"<Frame #{self.seq} {self.direction} conn={self.connection} {what}>"


class _Waiter(Generic[T]):
    __slots__ = ("future", "predicate")

    def __init__(self, predicate: Callable[[T], bool], future: asyncio.Future[T]) -> None:
        self.predicate = predicate
        self.future = future


class Log(Generic[T]):
    """An append-only list of records that tests can wait on (no polling, no sleeps)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[T] = []
        self._waiters: list[_Waiter[T]] = []

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self.items))

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        """`fake.calls[-1]`, `fake.calls[mark:]` (a copy)."""
        return self.items[index]

    def append(self, item: T) -> None:
        self.items.append(item)
        if not self._waiters:
            return
        keep: list[_Waiter[T]] = []
        for w in self._waiters:
            if w.future.done():
                continue
            try:
                hit = w.predicate(item)
            except Exception as exc:  # a broken predicate fails the test that wrote it
                w.future.set_exception(exc)
                continue
            if hit:
                w.future.set_result(item)
            else:
                keep.append(w)
        self._waiters = keep

    def find(self, predicate: Callable[[T], bool], since: int = 0) -> T | None:
        for item in self.items[since:]:
            if predicate(item):
                return item
        return None

    def filter(self, predicate: Callable[[T], bool], since: int = 0) -> list[T]:
        return [i for i in self.items[since:] if predicate(i)]

    async def wait_for(self, predicate: Callable[[T], bool], timeout: float = 5.0, *, since: int = 0) -> T:  # noqa: ASYNC109
        """The first record from index `since` on (already there or still to come) matching `predicate`."""
        found = self.find(predicate, since)
        if found is not None:
            return found
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(predicate, fut)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            recent = self.items[max(since, len(self.items) - 8) :]
            raise TimeoutError(
                f"no {self.what} matched within {timeout}s; last {len(recent)} of {len(self.items)}: {recent}"
            ) from None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
