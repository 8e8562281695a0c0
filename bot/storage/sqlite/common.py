"""What every SQLite statement module shares: transactions, rows by column name, instants, chunks,
per-connection settings, the guild row every write needs, and the guilds' time zones.

These functions are synchronous, on a `sqlite3.Connection` in autocommit mode; `Storage` runs
each public one whole on aiosqlite's worker thread (`bot/storage/sqlite/connection.py`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.core.shards import ShardFilter

T = TypeVar("T")
CHUNK = 500  # bound parameters per IN (...) list


def to_ms(instant: datetime) -> int:
    """A timezone-aware instant as stored: integer milliseconds since the epoch."""
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return int(instant.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def opt_dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def marks(n: int) -> str:
    """`?, ?, ?` for an IN (...) list of n values."""
    return ",".join("?" * n)


def and_owned(shards: ShardFilter | None, column: str = "guild_id") -> tuple[str, tuple[int, ...]]:
    """` AND ((guild_id >> 22) % ?) IN (?, …)`: the condition keeping a query to the servers of
    `shards` (Discord's rule, bot.core.shards), to append to a WHERE, and its parameters; ("", ())
    for None (every server). One text per number of shard ids, so a process's statement is
    prepared once (PostgreSQL). Integer operators in both SQLite and PostgreSQL (guild_id is a
    BIGINT there; the dialect shim escapes the `%` for psycopg)."""
    if shards is None:
        return "", ()
    ids = shards.shard_ids
    return f" AND (({column} >> 22) % ?) IN ({marks(len(ids))})", (shards.shard_count, *ids)


@contextmanager
def pipelined(conn: sqlite3.Connection) -> Iterator[None]:
    """Writes whose results nobody reads, sent one after the other without waiting for each
    (PostgreSQL's pipeline mode, bot/storage/postgres/dialect.py: the server runs one while the
    next is being built). Nothing changes on SQLite, which runs in this thread anyway."""
    enter = getattr(conn, "pipelined", None)
    if enter is None:
        yield
        return
    with enter():
        yield


def named(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """Run `sql`; its rows are `sqlite3.Row`s, read by column name (`row["closes_at"]`)."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params)


def named_one(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
    row: sqlite3.Row | None = named(conn, sql, params).fetchone()
    return row


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read snapshot for several SELECTs (a deferred transaction, ended by COMMIT)."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


def configure(conn: sqlite3.Connection, synchronous: str = "FULL", cache_mib: int = 64) -> None:
    """Per-connection settings. WAL and FULL: a committed (acknowledged) answer survives a crash
    of the process and of the machine; see docs/storage.md. OFF is for bulk loads only."""
    if synchronous.upper() not in ("FULL", "NORMAL", "EXTRA", "OFF"):
        raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise RuntimeError(f"could not switch the database to WAL (journal_mode={mode})")
    conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = {-1024 * cache_mib}")


def pragma(conn: sqlite3.Connection, name: str) -> Any:
    if not name.replace("_", "").isalpha():
        raise ValueError(name)
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


def ensure_guild(conn: sqlite3.Connection, guild_id: int, now_ms: int) -> None:
    """The guild's settings row (every post, member and setting hangs from it)."""
    conn.execute(
        "INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id) DO NOTHING",
        (guild_id, now_ms, now_ms),
    )


def guild_timezones(conn: sqlite3.Connection, guild_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    """Each guild's time zone; UTC for a guild without settings or with a zone tzdata dropped."""
    ids = list(set(guild_ids))
    found: dict[int, ZoneInfo] = {}
    for chunk in chunks(ids):
        for gid, tzname in conn.execute(
            f"SELECT guild_id, timezone FROM guild_settings WHERE guild_id IN ({marks(len(chunk))})", chunk
        ):
            try:
                found[gid] = ZoneInfo(tzname)
            except (KeyError, ValueError):  # a zone removed from tzdata: fall back to UTC
                found[gid] = ZoneInfo("UTC")
    return {gid: found.get(gid, ZoneInfo("UTC")) for gid in ids}
