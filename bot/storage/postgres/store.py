"""`PostgresStore`: the PostgreSQL `Store` (bot/storage/interface.py).

It runs the SAME statement modules as the SQLite store (bot/storage/sqlite/: answers, posts,
boards, daily, admin, exams, review, reports), each public method one function whole on the
connection's thread (connection.py), through `PgConnection` (dialect.py), which speaks the part
of the sqlite3 API they use and translates their few SQLite spellings. One set of statements for
both backends: the same results by construction, and the contract tests hold both to them. The
schema is PostgreSQL's own (postgres/migrations, same version numbers). Answers go through the
shared group-commit writer (bot/storage/writer.py): one transaction per batch, each caller's
await returning after its batch's COMMIT.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psycopg

from bot.storage import migrate as sqlite_migrate
from bot.storage.postgres import migrate
from bot.storage.postgres.connection import PgWorker
from bot.storage.postgres.dialect import PgConnection
from bot.storage.postgres.notify import DAILIES_CHANNEL, Connect, Listener, ReloadListener, notify
from bot.storage.sqlite.store import Storage, Worker

log = logging.getLogger(__name__)


class PostgresStore(Storage):
    """The PostgreSQL store. Open with `await PostgresStore.open(url)`; `schema` puts its tables in
    that schema (created if missing) instead of the URL's search_path (the tests use one per test).

    The open dailies' cache (`cache_open_dailies`, `open_daily_key_set`): every process hears every
    change, because the database sends it (migration 0009's triggers on `posts` NOTIFY
    `quizbot_dailies` in the changing transaction). Setting `cache_open_dailies` starts the
    listener (`dailies_listener`); the keys are kept only while it LISTENs, each notice makes the
    next call read again, and after a lost connection the cache starts empty."""

    #: See `Store.hears_daily_changes`: the database notifies every change (migration 0009).
    hears_daily_changes = True

    def __init__(self, conn: Worker, path: str, max_batch: int, conninfo: str) -> None:
        super().__init__(conn, path, max_batch)
        self._conninfo = conninfo  # for connections of its own (the listeners)
        #: The running reload listeners (`listen_reload`), stopped by `close`.
        self.reload_listeners: list[ReloadListener] = []
        #: The listener of `quizbot_dailies`, from the first `cache_open_dailies = True` to `close`.
        self.dailies_listener: Listener | None = None
        #: How the listeners connect (None: to the store's URL); the tests put a gate here.
        self.listener_connect: Connect | None = None
        self._dailies.suspend()  # not listening yet

    @property
    def cache_open_dailies(self) -> bool:
        """Whether the bot asked for the cache (see `Store.cache_open_dailies`); in effect while
        `dailies_listener` LISTENs. Set back to False, the cache is not used; the listener runs
        until `close`."""
        return self._dailies.enabled

    @cache_open_dailies.setter
    def cache_open_dailies(self, value: bool) -> None:
        self._dailies.enabled = value
        if value and self.dailies_listener is None and not self._closed:
            self.dailies_listener = Listener(
                self._conninfo,
                DAILIES_CHANNEL,
                self._on_dailies_notice,
                on_state=self._on_dailies_listening,
                connect=self.listener_connect,
            )

    async def _on_dailies_notice(self, payload: dict[str, Any]) -> None:
        self._dailies.changed()  # (a read in flight keeps nothing; the next call reads)

    def _on_dailies_listening(self, listening: bool) -> None:
        if listening:
            self._dailies.resume()
        else:
            self._dailies.suspend()

    @classmethod
    async def open(  # type: ignore[override]  # a URL, not a file path, and no SQLite settings
        cls, url: str | os.PathLike[str], *, max_batch: int = 4096, schema: str | None = None
    ) -> PostgresStore:
        url_s = os.fspath(url)
        if schema is not None:
            await _create_schema(url_s, schema)
        conn = await PgWorker.open(url_s, schema)
        try:
            applied = await conn.run(migrate.migrate)
        except BaseException:
            await conn.close()
            raise
        if applied:
            log.info("PostgreSQL database: applied migrations %s", applied)
        conninfo = (
            psycopg.conninfo.make_conninfo(url_s, options=f"-c search_path={schema}") if schema else url_s
        )
        return cls(conn, _redact(url_s), max_batch, conninfo)

    async def notify_reload(self, sender: str) -> None:
        """NOTIFY `quizbot_reload` (bot/storage/postgres/notify.py); every process's listener hears it."""
        await self._run(notify, sender)

    async def listen_reload(
        self, callback: Callable[[str], Awaitable[None]]
    ) -> Callable[[], Awaitable[None]]:
        """LISTEN on a connection of its own (returns once listening, or after FIRST_LISTEN seconds
        of trying); see `Store.listen_reload`."""
        listener = ReloadListener(self._conninfo, callback, connect=self.listener_connect)
        self.reload_listeners.append(listener)
        await listener.started()

        async def stop() -> None:
            if listener in self.reload_listeners:
                self.reload_listeners.remove(listener)
            await listener.stop()

        return stop

    async def close(self) -> None:
        """Stop the listeners, then close as `Storage.close` does."""
        for listener in self.reload_listeners:
            await listener.stop()
        self.reload_listeners = []
        if self.dailies_listener is not None:
            await self.dailies_listener.stop()
        await super().close()

    async def schema_version(self) -> int:
        return await self._run(migrate.schema_version)

    async def integrity_check(self) -> list[str]:
        """PostgreSQL checks every constraint as it writes; this reads what it cannot: rows of the
        kept rank histograms that went negative, and JSON columns that do not parse."""
        return await self._run(_integrity)

    async def pragma(self, name: str) -> Any:
        raise NotImplementedError("PRAGMA is SQLite's; PostgreSQL has none")

    async def backup(self, path: str | os.PathLike[str]) -> Path:
        """A consistent copy as an SQLite file at `path` (one REPEATABLE READ snapshot, every
        table, same schema version), which `open_store(path)` opens. For a PostgreSQL copy of a
        PostgreSQL database use pg_dump."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        await self.flush()
        copy = await Storage.open(target)
        await copy.close()
        await self._run(_copy_to_sqlite, str(target))
        return target


async def _create_schema(url: str, schema: str) -> None:
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"a schema name is letters, digits and _, not {schema!r}")
    worker = await PgWorker.open(url)
    try:
        await worker.run(lambda c: c.raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    finally:
        await worker.close()


def _redact(url: str) -> str:
    """The URL without its password (it is shown in logs)."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user_pass = head.partition("//")
    return f"{scheme}//{user_pass.split(':', 1)[0]}:***@{tail}"


def _integrity(conn: PgConnection) -> list[str]:
    problems: list[str] = []
    for table in ("points_hist", "acc_hist", "streak_hist"):
        n = conn.raw.execute(f"SELECT count(*) FROM {table} WHERE n < 0").fetchone()
        if n and n[0]:
            problems.append(f"{table}: {n[0]} rows with a negative count")
    for table, column in (("guild_settings", "extra"), ("daily_schedule", "topics"), ("cards", "state")):
        n = conn.raw.execute(f"SELECT count(*) FROM {table} WHERE NOT json_valid({column})").fetchone()
        if n and n[0]:
            problems.append(f"{table}.{column}: {n[0]} values that are not JSON")
    return problems


def _copy_to_sqlite(conn: PgConnection, path: str) -> None:
    """Copy every table of the PostgreSQL schema into the (migrated, empty) SQLite file at `path`."""
    target = sqlite3.connect(path, isolation_level=None)
    try:
        if sqlite_migrate.schema_version(target) != migrate.schema_version(conn):
            raise RuntimeError("the SQLite copy and the PostgreSQL database are at different schema versions")
        tables = [
            r[0]
            for r in target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        tables.sort(key=lambda t: t == "streak_hist")  # after streaks, whose triggers fill it
        target.execute("PRAGMA foreign_keys = OFF")
        target.execute("BEGIN IMMEDIATE")
        with conn.raw.transaction():
            conn.raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table in tables:
                columns = [
                    r[1] for r in target.execute(f"PRAGMA table_xinfo({table})") if r[6] == 0
                ]  # hidden 0: not a generated column
                names = ", ".join(columns)
                target.execute(f"DELETE FROM {table}")
                rows = conn.raw.execute(f"SELECT {names} FROM {table}").fetchall()
                target.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows
                )
        target.execute("COMMIT")
    finally:
        target.close()
