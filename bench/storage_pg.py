"""The PostgreSQL half of bench/storage.py (`--backend postgresql [--url URL]`).

Everything runs in a schema of its own (`bench_<pid>`, dropped after) of the database at the URL
(default QUIZBOT_TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/test). Side by side:
- durable answers/s, 1,000 concurrent submitters through PostgresStore.record_answer (group
  commit: one transaction per batch);
- raw psycopg, one connection, the bare answer INSERT + COMMIT per answer;
- raw asyncpg (when installed), a pool of connections shared by the 1,000 submitters, one
  autocommitted INSERT per answer;
- the full write (rules, totals, streaks) per answer, one transaction each, through the same
  statement module and dialect shim the store uses;
- leaderboard latency (p50/p99, the thread hop included) at N answers, 50,000 members: the data is
  made in SQLite by bench/storage.py's loader and copied in with `quizbot migrate-db`'s copier
  (whose time is printed too).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from bot.core.answers import AnswerRequest
from bot.core.models import LeaderboardMetric
from bot.core.periods import PeriodKind
from bot.storage.postgres import PostgresStore
from bot.storage.postgres.copy import copy_sqlite_to_postgres
from bot.storage.postgres.dialect import PgConnection
from bot.storage.sqlite import boards
from bot.storage.sqlite.answers import write_answers
from bot.storage.sqlite.common import to_ms

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
GUILD = 1
LETTERS = "ABCDE"


def schema_url(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-c search_path={schema}')}"


class Schema:
    """A fresh schema per measurement, dropped afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    async def store(self) -> tuple[PostgresStore, str]:
        name = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.made.append(name)
        store = await PostgresStore.open(self.url, schema=name)
        return store, schema_url(self.url, name)

    def drop(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


async def _setup(store: PostgresStore, posts: int, members: int) -> list[int]:
    ids = []
    for i in range(posts):
        kind = "daily" if i % 2 == 0 else "practice"
        post = await store.create_post(
            GUILD, 10, f"bench/Q-{i % 37:03d}", kind, "AD" if i % 5 == 0 else "B", option_letters=LETTERS
        )
        ids.append(post.post_id)
    for u in range(members):
        await store.upsert_member(GUILD, 1000 + u, f"m{u}")
    return ids


async def bench_writer(schemas: Schema, submitters: int, per: int) -> tuple[float, int, int]:
    store, _ = await schemas.store()
    posts = await _setup(store, per, 0)
    rng = random.Random(1)
    choices = [[rng.choice(("B", "AD", "C", "B")) for _ in posts] for _ in range(submitters)]

    async def submitter(uid: int) -> int:
        stored = 0
        for j, post_id in enumerate(posts):
            out = await store.record_answer(
                GUILD, post_id, 1000 + uid, choices[uid][j], display_name=f"m{uid}"
            )
            stored += out.status == "stored"
        return stored

    t = time.perf_counter()
    stored = sum(await asyncio.gather(*(submitter(u) for u in range(submitters))))
    elapsed = time.perf_counter() - t
    batches = store.batches_written
    await store.close()
    return stored / elapsed, stored, batches


_INSERT = (
    "INSERT INTO answers (post_id, guild_id, user_id, question_key, letters, correct, points, "
    "answered_at, latency_ms, local_day) VALUES ({})"
)


async def bench_raw_psycopg(schemas: Schema, n: int) -> float:
    """One connection, autocommit: each answer one INSERT, committed on its own."""
    store, url = await schemas.store()
    users = 1000
    posts = await _setup(store, max(1, n // users), users)
    await store.close()
    sql = _INSERT.format(", ".join(["%s"] * 10))
    with psycopg.connect(url, autocommit=True) as conn:
        t = time.perf_counter()
        done = 0
        for p in posts:
            for u in range(users):
                conn.execute(sql, (p, GUILD, 1000 + u, "bench/Q-001", "B", 1, 10, done, 0, "2026-09-01"))
                done += 1
        return done / (time.perf_counter() - t)


async def bench_raw_asyncpg(schemas: Schema, submitters: int, per: int, pool_size: int) -> float | None:
    """`submitters` tasks sharing a pool; each answer one autocommitted INSERT. None without asyncpg."""
    try:
        import asyncpg  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    store, _ = await schemas.store()
    posts = await _setup(store, per, submitters)
    await store.close()
    schema = schemas.made[-1]
    sql = _INSERT.format(", ".join(f"${i}" for i in range(1, 11)))
    pool = await asyncpg.create_pool(
        schemas.url, min_size=pool_size, max_size=pool_size, server_settings={"search_path": schema}
    )

    async def submitter(u: int) -> None:
        for p in posts:
            async with pool.acquire() as conn:
                await conn.execute(sql, p, GUILD, 1000 + u, "bench/Q-001", "B", 1, 10, 0, 0, "2026-09-01")

    try:
        t = time.perf_counter()
        await asyncio.gather(*(submitter(u) for u in range(submitters)))
        return submitters * len(posts) / (time.perf_counter() - t)
    finally:
        await pool.close()


async def bench_full_per_answer(schemas: Schema, n: int) -> float:
    """The store's own write (rules, totals, streaks, histograms), one transaction per answer."""
    store, url = await schemas.store()
    users = 1000
    posts = await _setup(store, max(1, n // users), users)
    await store.close()
    conn = PgConnection.connect(url)
    rng = random.Random(1)
    try:
        t = time.perf_counter()
        done = 0
        for p in posts:
            for u in range(users):
                letters = rng.choice(("B", "AD", "C", "B"))
                write_answers(
                    conn, [AnswerRequest(GUILD, p, 1000 + u, letters, f"m{u}", 1_790_000_000_000 + done)]
                )
                done += 1
        return done / (time.perf_counter() - t)
    finally:
        conn.close()


def _timed_leaderboard(conn: Any, *args: object) -> float:
    t = time.perf_counter()
    boards.leaderboard(conn, *args)  # type: ignore[arg-type]
    return (time.perf_counter() - t) * 1000


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench_leaderboard(
    schemas: Schema, sqlite_path: Path, members: int, at: Any, reps: int
) -> tuple[float, dict[str, tuple[float, float, float, float]]]:
    """(seconds to copy the SQLite file in, per case: query p50/p99, await p50/p99 in ms)."""
    store, url = await schemas.store()
    await store.close()
    t = time.perf_counter()
    await asyncio.to_thread(copy_sqlite_to_postgres, sqlite_path, url)
    copy_s = time.perf_counter() - t
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    store = await PostgresStore.open(schemas.url, schema=schemas.made[-1])
    rng = random.Random(3)
    at_ms = to_ms(at)
    cases: list[tuple[str, PeriodKind, LeaderboardMetric, bool]] = [
        ("points all-time, page 1", "all", "points", False),
        ("points this week, page 1", "week", "points", False),
        ("accuracy all-time, page 1", "all", "accuracy", False),
        ("current streak, page 1", "all", "current_streak", False),
        ("points all-time, random page", "all", "points", True),
    ]
    out: dict[str, tuple[float, float, float, float]] = {}
    run: Callable[..., Any] = store.run_sync
    for label, period, metric, deep in cases:
        pages = (await store.leaderboard(GUILD, period, metric, at=at)).pages
        for _ in range(50):
            await store.leaderboard(GUILD, period, metric, user_id=rng.randint(1, members), at=at)
        inner: list[float] = []
        outer: list[float] = []
        for _ in range(reps):
            page = rng.randint(1, pages) if deep else 1
            t = time.perf_counter()
            inner.append(
                await run(_timed_leaderboard, GUILD, period, metric, page, 10, rng.randint(1, members), at_ms)
            )
            outer.append((time.perf_counter() - t) * 1000)
        out[label] = (
            statistics.median(inner),
            _pct(inner, 0.99),
            statistics.median(outer),
            _pct(outer, 0.99),
        )
    await store.close()
    return copy_s, out


def server_line(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT current_setting('server_version'), current_setting('synchronous_commit'),"
            " current_setting('fsync'), current_setting('shared_buffers')"
        ).fetchone()
    assert row is not None
    return (
        f"PostgreSQL {row[0]} (synchronous_commit={row[1]}, fsync={row[2]}, shared_buffers={row[3]}), "
        f"psycopg {psycopg.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
