"""Reload notices between the processes of one PostgreSQL database: NOTIFY/LISTEN on channel
`quizbot_reload` (see `Store.notify_reload` / `Store.listen_reload`).

The payload is JSON, `{"sender": …, "schema": …}`: a channel is database-wide, so a listener
ignores notices of another schema (another bot, or another test, on the same database). Each
listener has a connection of its own (the store's connection runs one statement function at a
time; a listener waits forever); when it is lost, the listener connects again, with a growing
pause while the server does not answer, and then calls back with sender "" (a notice may have
been missed meanwhile). Nothing here raises into the bot: problems are logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

from bot.storage.postgres.dialect import PgConnection

log = logging.getLogger(__name__)

CHANNEL = "quizbot_reload"
#: Pauses between attempts to connect again: 0 s at first, doubling up to this.
MAX_RETRY = 30.0
#: How long `listen_reload` waits for the first LISTEN before returning anyway (it keeps trying).
FIRST_LISTEN = 10.0


def notify(conn: PgConnection, sender: str) -> None:
    """NOTIFY the channel from the store's connection (autocommit: delivered at once)."""
    conn.raw.execute(
        "SELECT pg_notify(%s, json_build_object('sender', %s::text, 'schema', current_schema())::text)",
        (CHANNEL, sender),
    )


class ReloadListener:
    """One LISTEN connection and the task reading it; `stop()` ends both."""

    def __init__(self, conninfo: str, callback: Callable[[str], Awaitable[None]]) -> None:
        self._conninfo = conninfo
        self._callback = callback
        #: The backend process id of the current connection (None between connections).
        self.pid: int | None = None
        self.listening = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="quizbot-reload-listener")

    async def started(self) -> None:
        """Wait (at most FIRST_LISTEN seconds) until the first LISTEN is in place."""
        try:
            await asyncio.wait_for(self.listening.wait(), FIRST_LISTEN)
        except TimeoutError:
            log.warning("reload notices: not listening yet after %.0fs; still trying", FIRST_LISTEN)

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        delay, first = 0.0, True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True) as conn:
                    schema = await _current_schema(conn)
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.pid = conn.info.backend_pid
                    self.listening.set()
                    if first:
                        log.info("reload notices: listening on %s (schema %s)", CHANNEL, schema)
                    else:
                        log.info("reload notices: listening again on %s", CHANNEL)
                        await self._call("")
                    first, delay = False, 0.0
                    async for notice in conn.notifies():
                        sender = _sender(notice.payload, schema)
                        if sender is not None:
                            await self._call(sender)
            except psycopg.Error as exc:
                log.warning(
                    "reload notices: connection lost or refused (%s); trying again in %.0fs",
                    str(exc).strip() or type(exc).__name__,
                    delay,
                )
            self.pid = None
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(max(1.0, delay * 2), MAX_RETRY)

    async def _call(self, sender: str) -> None:
        try:
            await self._callback(sender)
        except Exception:
            log.exception("reload notices: the handler failed (the next notice is handled anyway)")


async def _current_schema(conn: psycopg.AsyncConnection[Any]) -> str:
    row = await (await conn.execute("SELECT current_schema()")).fetchone()
    return str(row[0]) if row and row[0] else ""


def _sender(payload: str, schema: str) -> str | None:
    """The sender of a notice of this schema; None for another schema's or a malformed one."""
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("sender"), str):
        log.warning("reload notices: ignored a malformed notice %r", payload[:200])
        return None
    if data.get("schema") != schema:
        return None
    return str(data["sender"])
