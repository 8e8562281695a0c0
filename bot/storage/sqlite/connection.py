"""The one place that uses aiosqlite's private internals.

`Storage` runs each of its synchronous functions WHOLE on aiosqlite's worker thread, so a call
with five statements costs one thread hop, not five, and a batch of answers is one function in
one transaction. aiosqlite's public API only runs one statement per hop, so this module uses the
two private members its own methods are built on:

- `Connection._execute(fn, *args)`: queue `fn(*args)` on the connection's worker thread, after the
  calls queued before it (one at a time, in order); await its result or its exception;
- `Connection._conn`: the `sqlite3.Connection` that thread owns (opened there, so it may only be
  used there: `check_same_thread` stays on).

`tests/test_storage_sqlite.py` pins both behaviours, and pyproject.toml pins aiosqlite below its
next minor release, so an upgrade that changes them fails a test, not production.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")


class WorkerConnection:
    """An aiosqlite connection and the `sqlite3.Connection` its worker thread owns."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        if not hasattr(db, "_execute"):  # pragma: no cover - guards an aiosqlite upgrade
            raise RuntimeError("this aiosqlite has no Connection._execute; bot/storage/sqlite needs updating")
        self._db = db
        # The sqlite3 connection the worker thread opened; only ever used on that thread.
        self.raw: sqlite3.Connection = db._conn  # noqa: SLF001 - no public accessor for the sqlite3 connection
        # Queues a callable on the worker thread behind the calls before it (aiosqlite's own methods use it).
        self._execute: Callable[[Callable[[], Any]], Awaitable[Any]] = db._execute  # noqa: SLF001 - one hop per call

    @classmethod
    async def open(cls, path: str) -> WorkerConnection:
        """Connect in autocommit mode (isolation_level=None): our functions BEGIN/COMMIT themselves."""
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            return cls(db)
        except BaseException:
            await db.close()
            raise

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(raw_connection, *args, **kwargs)`, whole, on the worker thread, after the calls before it."""
        result: T = await self._execute(partial(fn, self.raw, *args, **kwargs))
        return result

    async def close(self) -> None:
        await self._db.close()
