"""One PostgreSQL connection and the thread that owns it.

Like the SQLite backend (bot/storage/sqlite/connection.py), each public method runs one
synchronous statement-module function WHOLE on the connection's own thread, in the order called:
a method costs one thread hop, and a batch of answers is one function in one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from bot.storage.postgres.dialect import PgConnection

T = TypeVar("T")


class PgWorker:
    """A `PgConnection` used only on its single worker thread."""

    def __init__(self, pool: ThreadPoolExecutor, raw: PgConnection) -> None:
        self._pool = pool
        self.raw = raw

    @classmethod
    async def open(cls, url: str, schema: str | None = None) -> PgWorker:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quizbot-pg")
        try:
            raw = await asyncio.get_running_loop().run_in_executor(pool, PgConnection.connect, url, schema)
        except BaseException:
            pool.shutdown(wait=False)
            raise
        return cls(pool, raw)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(connection, *args, **kwargs)`, whole, on the worker thread, after the calls before it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, self.raw, *args, **kwargs))

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, self.raw.close)
        self._pool.shutdown(wait=True)
