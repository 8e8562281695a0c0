"""Notices between the processes of one PostgreSQL database (NOTIFY/LISTEN), on two channels:

- `quizbot_reload`: `/quizadmin reload` in one process makes every process reload its bank (see
  `Store.notify_reload` / `Store.listen_reload`); payload `{"sender": …, "schema": …}`.
- `quizbot_dailies`: the open daily posts changed (a daily posted, closed, given up or deleted).
  Sent by the database itself: the triggers of migration 0009 on `posts` call `pg_notify` in the
  transaction that makes the change, so the notice is delivered at its COMMIT, atomically with
  it, whichever process (or psql session) made it. Payload `{"schema": …}`. Each process's
  `PostgresStore` keeps the open dailies' question keys in memory only while it listens here.

A channel is database-wide, so a listener ignores notices of another schema (another bot, or
another test, on the same database). Each listener has a connection of its own (the store's
connection runs one statement function at a time; a listener waits forever); when it is lost,
the listener connects again, with a growing pause while the server does not answer, and says so
(`on_state(False)` at once; `on_state(True)` and `on_again()` once LISTENing again: a notice
may have been missed meanwhile). Its connection sends TCP keepalives (unless the URL sets its
own), so a connection dropped silently on the way (a firewall's idle timeout) is found within
~25 s rather than never. Nothing here raises into the bot: problems are logged.
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
#: The open daily posts changed (migration 0009's triggers on `posts` send it).
DAILIES_CHANNEL = "quizbot_dailies"
#: Pauses between attempts to connect again: 0 s at first, doubling up to this.
MAX_RETRY = 30.0
#: A connection that listened this long before it was lost starts the pauses again from 0 s; one
#: lost sooner (a server that drops it right after LISTEN) keeps doubling them.
STABLE = 30.0
#: How long `listen_reload` waits for the first LISTEN before returning anyway (it keeps trying).
FIRST_LISTEN = 10.0
#: libpq's TCP keepalive settings for a listening connection, where the URL sets none: an idle
#: connection is probed after 10 s, every 5 s, and given up after 3 unanswered probes.
KEEPALIVES = {"keepalives": "1", "keepalives_idle": "10", "keepalives_interval": "5", "keepalives_count": "3"}

#: Opens a listening connection (autocommit). The default connects to the store's URL; tests
#: put a gate in front of it.
Connect = Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]


def notify(conn: PgConnection, sender: str) -> None:
    """NOTIFY the reload channel from the store's connection (autocommit: delivered at once)."""
    conn.raw.execute(
        "SELECT pg_notify(%s, json_build_object('sender', %s::text, 'schema', current_schema())::text)",
        (CHANNEL, sender),
    )


def with_keepalives(conninfo: str) -> str:
    """`conninfo` with `KEEPALIVES` added where it sets none of its own."""
    given = psycopg.conninfo.conninfo_to_dict(conninfo)
    missing = {k: v for k, v in KEEPALIVES.items() if k not in given}
    return psycopg.conninfo.make_conninfo(conninfo, **missing) if missing else conninfo


class Listener:
    """One LISTEN connection on one channel and the task reading it; `stop()` ends both.

    `on_notice(payload)` is awaited for every notice of this schema (the payload a JSON object),
    in order. `on_state(True)` is called right after each LISTEN is in place, before any notice is
    read; `on_state(False)` as soon as the connection is found lost or refused, and when the
    listener stops. `on_state` is synchronous: nothing else runs on the event loop between the
    LISTEN and it. `on_again()` is awaited after `on_state(True)` when the listener connected
    again (not the first time). A failing callback is logged; the listener goes on.
    """

    def __init__(
        self,
        conninfo: str,
        channel: str,
        on_notice: Callable[[dict[str, Any]], Awaitable[None]],
        *,
        on_state: Callable[[bool], None] | None = None,
        on_again: Callable[[], Awaitable[None]] | None = None,
        connect: Connect | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.channel = channel
        self._sleep = sleep  # the pause between connections (tests record it)
        self._conninfo = with_keepalives(conninfo)
        self._on_notice = on_notice
        self._on_state = on_state
        self._on_again = on_again
        self._connect = connect or self._default_connect
        #: The backend process id of the current connection (None between connections).
        self.pid: int | None = None
        #: Set while LISTENing.
        self.listening = asyncio.Event()
        #: Notices of this schema handled so far (after `on_notice` returned).
        self.notices = 0
        self._tick = asyncio.Event()  # set (and replaced) at each change of the above: `wait_until`
        self._task = asyncio.create_task(self._run(), name=f"quizbot-listener-{channel}")

    async def started(self) -> None:
        """Wait (at most FIRST_LISTEN seconds) until the first LISTEN is in place."""
        try:
            await asyncio.wait_for(self.listening.wait(), FIRST_LISTEN)
        except TimeoutError:
            log.warning("%s notices: not listening yet after %.0fs; still trying", self.channel, FIRST_LISTEN)

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Return once `condition()` holds, looked at after each notice and each change of state
        (for tests, instead of sleeping: bound it with `asyncio.timeout`)."""
        while not condition():
            await self._tick.wait()

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _default_connect(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)

    async def _run(self) -> None:
        delay, first = 0.0, True
        loop = asyncio.get_running_loop()
        while True:
            up_at: float | None = None
            try:
                async with await self._connect() as conn:
                    try:
                        schema = await _current_schema(conn)
                        await conn.execute(f"LISTEN {self.channel}")
                        self.pid = conn.info.backend_pid
                        self._state(True)
                        if first:
                            log.info("%s notices: listening (schema %s)", self.channel, schema)
                        else:
                            log.info("%s notices: listening again", self.channel)
                            if self._on_again is not None:
                                await self._call(self._on_again)
                        first, up_at = False, loop.time()
                        async for notice in conn.notifies():
                            payload = _payload(notice.payload, schema, self.channel)
                            if payload is not None:
                                await self._call(self._on_notice, payload)
                                self.notices += 1
                                self._changed()
                    finally:
                        self._state(False)
            except (psycopg.Error, OSError) as exc:
                log.warning(
                    "%s notices: connection lost or refused (%s); trying again in %.0fs",
                    self.channel,
                    str(exc).strip() or type(exc).__name__,
                    delay,
                )
            except Exception:
                log.exception("%s notices: the listener failed; trying again in %.0fs", self.channel, delay)
            if up_at is not None and loop.time() - up_at >= STABLE:
                delay = 0.0  # it was up a while: connect again at once (else keep backing off)
            await self._sleep(delay)
            delay = min(max(1.0, delay * 2), MAX_RETRY)

    def _state(self, listening: bool) -> None:
        if not listening:
            self.pid = None
        if listening == self.listening.is_set():
            return
        if listening:
            self.listening.set()
        else:
            self.listening.clear()
        if self._on_state is not None:
            try:
                self._on_state(listening)
            except Exception:
                log.exception("%s notices: the state handler failed", self.channel)
        self._changed()

    def _changed(self) -> None:
        self._tick.set()
        self._tick = asyncio.Event()

    async def _call(self, callback: Callable[..., Awaitable[None]], *args: Any) -> None:
        try:
            await callback(*args)
        except Exception:
            log.exception("%s notices: the handler failed (the next notice is handled anyway)", self.channel)


class ReloadListener(Listener):
    """The reload channel: `callback(sender)` for each notice of this schema, `callback("")` after
    the connection was lost and made again."""

    def __init__(
        self, conninfo: str, callback: Callable[[str], Awaitable[None]], *, connect: Connect | None = None
    ) -> None:
        async def on_notice(payload: dict[str, Any]) -> None:
            sender = payload.get("sender")
            if not isinstance(sender, str):
                log.warning("%s notices: ignored a notice without a sender %r", CHANNEL, payload)
                return
            await callback(sender)

        async def on_again() -> None:
            await callback("")

        super().__init__(conninfo, CHANNEL, on_notice, on_again=on_again, connect=connect)


async def _current_schema(conn: psycopg.AsyncConnection[Any]) -> str:
    row = await (await conn.execute("SELECT current_schema()")).fetchone()
    return str(row[0]) if row and row[0] else ""


def _payload(payload: str, schema: str, channel: str) -> dict[str, Any] | None:
    """The payload of a notice of this schema; None for another schema's or a malformed one."""
    try:
        data = json.loads(payload)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        log.warning("%s notices: ignored a malformed notice %r", channel, payload[:200])
        return None
    if data.get("schema") != schema:
        return None
    return data
