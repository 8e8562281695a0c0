"""The SQLite backend's own parts: migrations, pragmas, SQL that must agree with bot.core, how
`open_store` picks it, and the aiosqlite internals it relies on (bot/storage/sqlite/connection.py).
The behaviour every backend shares is in test_storage.py (the `Store` contract)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import bucket_keys
from bot.storage import Storage, migrate, open_store
from bot.storage.sqlite.admin import MONTH_SQL, WEEK_SQL
from bot.storage.sqlite.connection import WorkerConnection

G1 = 111_111_111_111_111_111
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


# ------------------------------------------------------------------------------ migrations


async def test_migrations_from_an_empty_file_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    s = await Storage.open(path)
    try:
        assert await s.schema_version() == len(migrate.load_migrations()) >= 1
        assert await s.pragma("journal_mode") == "wal"
        assert await s.pragma("foreign_keys") == 1
        assert await s.pragma("synchronous") == 2  # FULL
        assert await s.integrity_check() == []
    finally:
        await s.close()


async def test_migrations_rerun_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "quiz.sqlite3"
    s = await Storage.open(path)
    post = await s.create_post(
        G1, 3, "q/1", "daily", "E", option_letters="ABCDE", created_at=T0, closes_at=T0 + timedelta(days=1)
    )
    await s.record_answer(G1, post.post_id, 1, "E", answered_at=T0 + timedelta(minutes=1))
    await s.close()
    s = await Storage.open(path)  # runs migrate() again
    try:
        assert await s.schema_version() == len(migrate.load_migrations())
        assert (await s.get_answer(post.post_id, 1)) is not None
    finally:
        await s.close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert migrate.migrate(conn) == []
        assert migrate.migrate(conn) == []
    finally:
        conn.close()


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    try:
        good = migrate.load_migrations()
        bad = migrate.Migration(
            len(good) + 1, "9999_bad.sql", "CREATE TABLE half_done (x INTEGER);\nSELEC oops;"
        )
        with pytest.raises(sqlite3.OperationalError):
            migrate.migrate(conn, [*good, bad])
        assert migrate.schema_version(conn) == len(good)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "half_done" not in tables
        assert "answers" in tables
        assert not conn.in_transaction
    finally:
        conn.close()


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    try:
        conn.execute("PRAGMA user_version = 999")
        with pytest.raises(RuntimeError, match="newer"):
            migrate.migrate(conn)
    finally:
        conn.close()


def test_sql_week_and_month_keys_match_python() -> None:
    """rebuild_aggregates buckets stored local days in SQL; it must agree with bot.core.periods."""
    conn = sqlite3.connect(":memory:")
    try:
        day = date(2023, 12, 20)
        for _ in range(800):
            week, month = conn.execute(
                f"SELECT {WEEK_SQL.replace('local_day', '?')}, {MONTH_SQL.replace('local_day', '?')}",
                (day.isoformat(), day.isoformat()),
            ).fetchone()
            assert ("all", week, month) == bucket_keys(day), day
            day += timedelta(days=1)
    finally:
        conn.close()


# ------------------------------------------------------------------------------ open_store


async def test_open_store_opens_sqlite_for_a_path(tmp_path: Path) -> None:
    targets = {"a.sqlite3": tmp_path / "a.sqlite3", "b.sqlite3": str(tmp_path / "b.sqlite3")}
    for name, target in targets.items():
        s = await open_store(target)
        try:
            assert isinstance(s, Storage)
            assert s.path == str(tmp_path / name)
            assert await s.schema_version() == len(migrate.load_migrations())
        finally:
            await s.close()


async def test_open_store_refuses_a_backend_it_does_not_have(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no storage backend for mysql://"):
        await open_store("mysql://quizbot@localhost/quizbot")
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == []  # nothing was created


# ------------------------------------------------------------------------------ aiosqlite internals
# What bot/storage/sqlite/connection.py relies on in aiosqlite's private Connection._execute and
# Connection._conn. An aiosqlite release that changes it fails here.


async def test_a_call_runs_whole_on_the_thread_that_owns_the_connection(tmp_path: Path) -> None:
    conn = await WorkerConnection.open(str(tmp_path / "w.sqlite3"))
    try:

        def work(raw: sqlite3.Connection, a: int, *, b: int) -> tuple[bool, int, int]:
            raw.execute("CREATE TABLE t (x INTEGER)")
            raw.execute("INSERT INTO t VALUES (?), (?)", (a, b))
            total = raw.execute("SELECT sum(x) FROM t").fetchone()[0]
            return raw is conn.raw, threading.get_ident(), total

        same, thread_id, total = await conn.run(work, 2, b=40)
        assert same  # the function is given the sqlite3 connection aiosqlite uses
        assert total == 42
        assert thread_id != threading.get_ident()  # not the event loop's thread
        assert conn.raw.isolation_level is None  # autocommit: our functions BEGIN/COMMIT themselves
        with pytest.raises(sqlite3.ProgrammingError):  # it belongs to the worker thread alone
            conn.raw.execute("SELECT 1")
    finally:
        await conn.close()


async def test_calls_run_one_at_a_time_in_the_order_they_were_queued(tmp_path: Path) -> None:
    conn = await WorkerConnection.open(str(tmp_path / "w.sqlite3"))
    try:
        events: list[tuple[str, int]] = []

        def step(raw: sqlite3.Connection, i: int) -> int:
            events.append(("start", i))
            raw.execute("SELECT 1").fetchone()
            events.append(("end", i))
            return i

        results = await asyncio.gather(*(conn.run(step, i) for i in range(50)))
        assert results == list(range(50))
        assert events == [(what, i) for i in range(50) for what in ("start", "end")]
    finally:
        await conn.close()


async def test_an_error_in_a_call_reaches_its_caller_and_the_connection_goes_on(tmp_path: Path) -> None:
    conn = await WorkerConnection.open(str(tmp_path / "w.sqlite3"))
    try:
        await conn.run(lambda raw: raw.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
        await conn.run(lambda raw: raw.execute("INSERT INTO t VALUES (1)"))
        with pytest.raises(sqlite3.IntegrityError):
            await conn.run(lambda raw: raw.execute("INSERT INTO t VALUES (1)"))
        assert await conn.run(lambda raw: raw.execute("SELECT count(*) FROM t").fetchone()[0]) == 1
    finally:
        await conn.close()


async def test_a_closed_connection_refuses_calls(tmp_path: Path) -> None:
    conn = await WorkerConnection.open(str(tmp_path / "w.sqlite3"))
    await conn.close()
    with pytest.raises(ValueError, match="closed"):
        await conn.run(lambda raw: raw.execute("SELECT 1"))
