"""What one process's due-work queries cost while another process's due rows pile up.

    .venv/bin/python bench/shard_due.py                       # SQLite, 1,000 / 10,000 / 100,000 rows
    .venv/bin/python bench/shard_due.py --pg postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/shard_due.py --rows 100000 --repeat 50

With shards over processes (docs/deploy.md, "Shards") each process asks for the due work of its
own servers only: `due_posts`, `due_exams` and `next_exam_deadline` with `shards=` (the condition
is in the SQL, docs/storage.md "Due work of one process's shards"). Here shard 1 of 2 is "down":
ROWS of its posts are past their closing time and ROWS of its exams past their deadline, all older
than shard 0's 3 posts and 3 exams. Each query of shard 0 (`mine`) is timed beside the same
query without the filter (`every`: what the bot read before, one batch LIMIT of any server's
rows, which then held none of shard 0's). Median and p99 of REPEAT calls, in ms; the rows found
are printed too (mine must be 3). PostgreSQL runs in a schema of its own, dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.shards import ShardFilter  # noqa: E402
from bot.storage import Store, open_store  # noqa: E402

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MINE = 3
PEER_GUILDS = 200


def guild(shard: int, n: int) -> int:
    """The n-th server id of `shard` of 2."""
    return ((40_000_000_000 + 2 * n + shard) << 22) | 7


async def pile(store: Store, rows: int) -> None:
    """ROWS due posts and open exams past their deadline of shard 1, then MINE of each of shard 0."""
    ms = int(T0.timestamp() * 1000)
    peers = [guild(1, n) for n in range(PEER_GUILDS)]
    mine = [guild(0, n) for n in range(MINE)]

    def fill(conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES (?, ?, ?)",
            [(g, ms, ms) for g in peers + mine],
        )
        owners = [(peers[i % PEER_GUILDS], i) for i in range(rows)] + [
            (g, rows + i) for i, g in enumerate(mine)
        ]
        conn.executemany(
            "INSERT INTO members (guild_id, user_id, first_seen, last_seen) VALUES (?, ?, ?, ?)",
            [(g, u, ms, ms) for g, u in owners],
        )
        conn.executemany(
            "INSERT INTO posts (guild_id, channel_id, question_key, kind, correct_letters, option_letters, "
            "created_at, closes_at) VALUES (?, 1, ?, 'practice', 'A', 'ABCD', ?, ?)",
            [(g, f"q/{u}", ms, ms + u) for g, u in owners],
        )
        conn.executemany(
            "INSERT INTO exams (guild_id, user_id, blueprint, started_at, deadline, pass_mark) "
            "VALUES (?, ?, 'professional', ?, ?, 70.0)",
            [(g, u, ms - 1, ms + u) for g, u in owners],
        )
        conn.execute("COMMIT")

    await store.run_sync(fill)


async def timed(call: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, float, int]:
    """(median ms, p99 ms, rows of the last call) of `repeat` calls after one not counted."""
    found = await call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        found = await call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    rows = len(found) if isinstance(found, list) else int(found is not None)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], rows


async def measure(target: str, backend: str, rows: int, repeat: int) -> None:
    store = await open_store(target)
    try:
        await pile(store, rows)
        now = T0 + timedelta(days=1)
        zero = ShardFilter((0,), 2)
        queries: list[tuple[str, Callable[[ShardFilter | None], Awaitable[Any]]]] = [
            ("due_posts (limit 100)", lambda f: store.due_posts(now=now, shards=f)),
            ("due_exams (limit 50)", lambda f: store.due_exams(now=now, shards=f)),
            ("next_exam_deadline", lambda f: store.next_exam_deadline(shards=f)),
        ]
        for name, query in queries:
            every = await timed(lambda q=query: q(None), repeat)
            mine = await timed(lambda q=query: q(zero), repeat)
            print(
                f"{backend:<10} {rows:>7} {name:<22} mine {mine[0]:6.2f} ms (p99 {mine[1]:6.2f}, {mine[2]:>3} rows)"
                f"   every {every[0]:6.2f} ms (p99 {every[1]:6.2f}, {every[2]:>3} rows)"
            )
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, action="append", help="due rows of the stopped shard (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed calls of each query")
    parser.add_argument("--pg", metavar="URL", help="also measure PostgreSQL at this URL")
    args = parser.parse_args()
    sizes = args.rows or [1_000, 10_000, 100_000]
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            await measure(str(Path(tmp) / "bench.sqlite3"), "sqlite", rows, args.repeat)
        if args.pg:
            import psycopg

            schema = f"bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            try:
                sep = "&" if "?" in args.pg else "?"
                url = f"{args.pg}{sep}options={quote(f'-c search_path={schema}')}"
                await measure(url, "postgresql", rows, args.repeat)
            finally:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    asyncio.run(main())
