"""Storage benchmark: durable answer throughput and leaderboard latency.

    .venv/bin/python bench/storage.py            # full run (1,000,000 answers; a few minutes)
    .venv/bin/python bench/storage.py --quick    # small run (seconds)
    .venv/bin/python bench/storage.py --backend postgresql [--url URL] [--answers N]
                                                 # the same on PostgreSQL (bench/storage_pg.py)

Prints, side by side:
- durable answers/s with 1,000 concurrent submitters through Storage.record_answer (group
  commit) vs raw sqlite3 committing each answer on its own (WAL, same synchronous setting):
  the bare answer INSERT, and the same full write (rules, totals, streaks) per answer;
  plus naive aiosqlite (one awaited execute + commit per answer) for reference;
- leaderboard latency (p50/p99 of Storage.leaderboard, the thread hop included) with 10,000
  and with 1,000,000 stored answers, 50,000 members in one guild.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiosqlite

from bot.core.answers import AnswerRequest
from bot.core.models import LeaderboardMetric
from bot.core.periods import PeriodKind
from bot.core.rules import score_answer
from bot.storage import Storage, bulk, migrate
from bot.storage.sqlite import admin, boards
from bot.storage.sqlite.answers import write_answers
from bot.storage.sqlite.common import configure, to_ms

GUILD = 1
T0 = datetime(2026, 9, 1, tzinfo=UTC)
LETTERS = "ABCDE"


def _fresh(dirpath: Path, name: str) -> Path:
    path = dirpath / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def _raw_connect(path: Path, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    configure(conn, synchronous)
    migrate.migrate(conn)
    return conn


# ------------------------------------------------------------------------------------ writer


async def _bench_writer(
    path: Path, submitters: int, per_submitter: int, synchronous: str
) -> tuple[float, int, int]:
    storage = await Storage.open(path, synchronous=synchronous)
    posts = []
    for i in range(per_submitter):
        kind = "daily" if i % 2 == 0 else "practice"
        posts.append(
            await storage.create_post(
                GUILD, 10, f"bench/Q-{i % 37:03d}", kind, "AD" if i % 5 == 0 else "B", option_letters=LETTERS
            )
        )
    rng = random.Random(1)
    choices = [[rng.choice(("B", "AD", "C", "B")) for _ in posts] for _ in range(submitters)]

    async def submitter(uid: int) -> int:
        stored = 0
        mine = choices[uid]
        for j, post in enumerate(posts):
            outcome = await storage.record_answer(
                GUILD, post.post_id, 1000 + uid, mine[j], display_name=f"m{uid}"
            )
            stored += outcome.status == "stored"
        return stored

    t = time.perf_counter()
    stored = sum(await asyncio.gather(*(submitter(u) for u in range(submitters))))
    elapsed = time.perf_counter() - t
    batches = storage.batches_written
    await storage.close()
    return stored / elapsed, stored, batches


def _bench_baseline(path: Path, n: int, synchronous: str, full: bool) -> float:
    """Raw sqlite3, one transaction + commit per answer, no asyncio."""
    conn = _raw_connect(path, synchronous)
    now = to_ms(T0)
    bulk.load_guild(conn, GUILD, "UTC", now)
    users = 1000
    posts = max(1, n // users)
    bulk.load_members(conn, ((GUILD, 1000 + u, f"m{u}", now, now) for u in range(users)))
    bulk.load_posts(
        conn,
        (
            (
                p + 1,
                GUILD,
                10,
                f"bench/Q-{p % 37:03d}",
                "daily" if p % 2 == 0 else "practice",
                "B",
                LETTERS,
                now,
                now + 10**9,
                None,
            )
            for p in range(posts)
        ),
    )
    rng = random.Random(1)
    day = T0.date().isoformat()
    t = time.perf_counter()
    done = 0
    for p in range(posts):
        for u in range(users):
            letters = rng.choice(("B", "AD", "C", "B"))
            if full:
                write_answers(conn, [AnswerRequest(GUILD, p + 1, 1000 + u, letters, f"m{u}", now + done)])
            else:
                bulk.baseline_insert_one(
                    conn,
                    (
                        p + 1,
                        GUILD,
                        1000 + u,
                        f"bench/Q-{p % 37:03d}",
                        letters,
                        int(letters == "B"),
                        0,
                        now,
                        0,
                        day,
                    ),
                )
            done += 1
    elapsed = time.perf_counter() - t
    conn.close()
    return done / elapsed


async def _bench_naive_aiosqlite(path: Path, submitters: int, per_submitter: int, synchronous: str) -> float:
    """aiosqlite the ordinary way: each answer is an awaited INSERT and an awaited commit. The lock
    keeps each answer in a transaction of its own (without it, concurrent submitters would share
    transactions by accident and a commit could acknowledge another caller's half-written answer)."""
    conn = _raw_connect(path, synchronous)
    now = to_ms(T0)
    bulk.load_guild(conn, GUILD, "UTC", now)
    bulk.load_members(conn, ((GUILD, 1000 + u, f"m{u}", now, now) for u in range(submitters)))
    bulk.load_posts(
        conn,
        (
            (p + 1, GUILD, 10, "bench/Q-001", "daily", "B", LETTERS, now, now + 10**9, None)
            for p in range(per_submitter)
        ),
    )
    conn.close()
    day = T0.date().isoformat()
    lock = asyncio.Lock()
    async with aiosqlite.connect(path) as db:
        await db.execute(f"PRAGMA synchronous = {synchronous}")
        await db.execute("PRAGMA foreign_keys = ON")

        async def submitter(u: int) -> None:
            for p in range(per_submitter):
                async with lock:
                    await db.execute(
                        bulk.BASELINE_INSERT_SQL,
                        (p + 1, GUILD, 1000 + u, "bench/Q-001", "B", 1, 10, now, 0, day),
                    )
                    await db.commit()

        t = time.perf_counter()
        await asyncio.gather(*(submitter(u) for u in range(submitters)))
        elapsed = time.perf_counter() - t
    return submitters * per_submitter / elapsed


# ------------------------------------------------------------------------------- leaderboard


def _populate(path: Path, answers: int, members: int, tz_name: str, seed: int = 7) -> datetime:
    """A guild with `members` members and `answers` answers over ~8 weeks; returns the last instant."""
    rng = random.Random(seed)
    tz = ZoneInfo(tz_name)
    conn = _raw_connect(path, "OFF")
    now = to_ms(T0)
    bulk.load_guild(conn, GUILD, tz_name, now)
    bulk.load_members(conn, ((GUILD, u, f"member {u}", now, now) for u in range(1, members + 1)))
    days = 56
    # One daily per day and practice posts: enough posts that (post, member) pairs stay unique.
    n_posts = days + max(days, answers // 50)
    post_rows = []
    post_info = []
    for p in range(1, n_posts + 1):
        daily = p <= days
        start = T0 + timedelta(days=(p - 1) if daily else rng.uniform(0, days - 1))
        close = start + (timedelta(days=1) if daily else timedelta(minutes=15))
        correct = rng.choice(("A", "B", "C", "D", "AD"))
        qkey = f"bench/Q-{rng.randrange(400):03d}"
        post_rows.append(
            (
                p,
                GUILD,
                10,
                qkey,
                "daily" if daily else "practice",
                correct,
                LETTERS,
                to_ms(start),
                to_ms(close),
                to_ms(close),
            )
        )
        post_info.append((p, qkey, "daily" if daily else "practice", correct, to_ms(start)))
    bulk.load_posts(conn, post_rows)

    seen: set[tuple[int, int]] = set()
    solved: set[tuple[int, str]] = set()
    last_ms = now
    day_cache: dict[int, str] = {}

    def rows():  # type: ignore[no-untyped-def]
        nonlocal last_ms
        made = 0
        while made < answers:
            # Activity is skewed: low user ids answer much more than high ones.
            uid = 1 + int(members * rng.random() ** 1.5)
            p, qkey, kind, correct_letters, start_ms = post_info[rng.randrange(n_posts)]
            if (p, uid) in seen:
                continue
            seen.add((p, uid))
            letters = correct_letters if rng.random() < 0.6 else rng.choice(("A", "B", "C", "E"))
            correct = letters == correct_letters
            already = (uid, qkey) in solved
            if correct:
                solved.add((uid, qkey))
            at = start_ms + rng.randrange(1000, 600_000)
            last_ms = max(last_ms, at)
            hour = at // 3_600_000
            day = day_cache.get(hour)
            if day is None:
                day = datetime.fromtimestamp(at / 1000, tz).date().isoformat()
                day_cache[hour] = day
            made += 1
            yield (
                p,
                GUILD,
                uid,
                qkey,
                letters,
                int(correct),
                score_answer(kind, correct, already),
                at,
                at - start_ms,
                day,
            )

    bulk.load_answers(conn, rows())
    admin.rebuild_aggregates(conn, GUILD)
    active = sorted({uid for _, uid in seen})
    bulk.load_streaks(
        conn,
        (
            (GUILD, uid, (c := rng.choice((0, 0, 1, 2, 3, 5, 8))), c + rng.randrange(0, 6), now)
            for uid in active
        ),
    )
    bulk.analyze(conn)
    conn.close()
    return datetime.fromtimestamp(last_ms / 1000, UTC)


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed_leaderboard(conn: sqlite3.Connection, *args: object) -> float:
    """boards.leaderboard run where Storage runs it (the worker thread), timed there."""
    t = time.perf_counter()
    boards.leaderboard(conn, *args)  # type: ignore[arg-type]
    return (time.perf_counter() - t) * 1000


async def _bench_leaderboard(
    path: Path, members: int, at: datetime, reps: int
) -> dict[str, tuple[float, float, float, float]]:
    """Per case: query p50, query p99 (timed on the worker thread), await p50, await p99 (ms)."""
    storage = await Storage.open(path)
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
    for label, period, metric, deep in cases:
        first = await storage.leaderboard(GUILD, period, metric, at=at)
        pages = first.pages
        for _ in range(50):  # warm the cache
            await storage.leaderboard(GUILD, period, metric, user_id=rng.randint(1, members), at=at)
        inner: list[float] = []
        outer: list[float] = []
        for _ in range(reps):
            page = rng.randint(1, pages) if deep else 1
            user = rng.randint(1, members)
            t = time.perf_counter()
            inner.append(
                await storage.run_sync(_timed_leaderboard, GUILD, period, metric, page, 10, user, at_ms)
            )
            outer.append((time.perf_counter() - t) * 1000)
        out[label] = (
            statistics.median(inner),
            _pct(inner, 0.99),
            statistics.median(outer),
            _pct(outer, 0.99),
        )
    await storage.close()
    return out


# ------------------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--quick", action="store_true", help="small run: fewer answers, 100,000 instead of 1,000,000"
    )
    ap.add_argument("--synchronous", default="FULL", choices=("FULL", "NORMAL"))
    ap.add_argument("--dir", help="where to put the bench databases (default: a temporary folder)")
    ap.add_argument("--skip-writer", action="store_true")
    ap.add_argument("--skip-leaderboard", action="store_true")
    ap.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    ap.add_argument(
        "--url", help="PostgreSQL URL (default: QUIZBOT_TEST_POSTGRES_URL or the local test server)"
    )
    ap.add_argument(
        "--answers", type=int, help="PostgreSQL: answers in the leaderboard database (default 1,000,000)"
    )
    args = ap.parse_args()
    if args.backend == "postgresql":
        return _main_pg(args)

    tmp = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="quizbot-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    sync = args.synchronous
    submitters = 1000
    per = 10 if args.quick else 100
    base_n = 10_000 if args.quick else 50_000
    print(
        f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, aiosqlite {aiosqlite.__version__}, "
        f"{os.cpu_count()} CPUs, synchronous={sync}, WAL, databases in {tmp}"
    )
    try:
        if not args.skip_writer:
            print(
                f"\n== durable answers/s ({submitters} concurrent submitters x {per} answers; baselines {base_n:,}) =="
            )
            rate, stored, batches = asyncio.run(
                _bench_writer(_fresh(tmp, "writer.db"), submitters, per, sync)
            )
            full = _bench_baseline(_fresh(tmp, "base_full.db"), base_n, sync, full=True)
            bare = _bench_baseline(_fresh(tmp, "base_bare.db"), base_n, sync, full=False)
            naive = asyncio.run(
                _bench_naive_aiosqlite(_fresh(tmp, "naive.db"), submitters, max(1, per // 10), sync)
            )
            print(
                f"{'writer (group commit, full rules)':<48}{rate:>12,.0f} /s   ({stored:,} answers in {batches:,} transactions)"
            )
            print(f"{'raw sqlite3, bare INSERT, commit per answer':<48}{bare:>12,.0f} /s")
            print(f"{'raw sqlite3, full rules, commit per answer':<48}{full:>12,.0f} /s")
            print(f"{'naive aiosqlite, INSERT + commit per answer':<48}{naive:>12,.0f} /s")
            print(f"writer / bare baseline: {rate / bare:.2f}x; writer / full baseline: {rate / full:.2f}x")

        if not args.skip_leaderboard:
            members = 50_000
            sizes = (10_000, 100_000) if args.quick else (10_000, 1_000_000)
            reps = 300 if args.quick else 2000
            results = {}
            for n in sizes:
                path = _fresh(tmp, f"lb_{n}.db")
                t = time.perf_counter()
                at = _populate(path, n, members, "Asia/Taipei")
                load_s = time.perf_counter() - t
                size_mib = path.stat().st_size / 2**20
                print(f"\nloaded {n:,} answers, {members:,} members in {load_s:.1f} s ({size_mib:.0f} MiB)")
                results[n] = asyncio.run(_bench_leaderboard(path, members, at, reps))
            small, large = sizes
            print(
                f"\n== leaderboard, ms: p50 / p99 over {reps} calls (one page + total + the caller's rank) =="
            )
            print("query = timed on the worker thread; await = Storage.leaderboard end to end (thread hops)")
            head = f"{'':<30}{f'query @{small:,}':>18}{f'query @{large:,}':>20}{'p99 x':>7}"
            print(head + f"{f'await @{small:,}':>18}{f'await @{large:,}':>20}")
            for label in results[small]:
                a50, a99, c50, c99 = results[small][label]
                b50, b99, d50, d99 = results[large][label]
                print(
                    f"{label:<30}{a50:>8.3f} / {a99:<7.3f}{b50:>10.3f} / {b99:<7.3f}{b99 / a99:>6.2f}"
                    f"{c50:>8.3f} / {c99:<7.3f}{d50:>10.3f} / {d99:<7.3f}"
                )
    finally:
        if not args.dir:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _main_pg(args: argparse.Namespace) -> int:
    import storage_pg as pg  # bench/storage_pg.py, beside this file

    url = args.url or os.environ.get("QUIZBOT_TEST_POSTGRES_URL") or pg.DEFAULT_URL
    schemas = pg.Schema(url)
    submitters = 1000
    per = 10 if args.quick else 30
    base_n = 10_000 if args.quick else 30_000
    print(pg.server_line(url) + "; every run in a schema of its own, dropped after")
    tmp = Path(tempfile.mkdtemp(prefix="quizbot-bench-"))
    try:
        if not args.skip_writer:
            print(
                f"\n== durable answers/s ({submitters} concurrent submitters x {per}; baselines {base_n:,}) =="
            )
            rate, stored, batches = asyncio.run(pg.bench_writer(schemas, submitters, per))
            raw = asyncio.run(pg.bench_raw_psycopg(schemas, base_n))
            pool = 20
            apg = asyncio.run(pg.bench_raw_asyncpg(schemas, submitters, max(1, per // 2), pool))
            full = asyncio.run(pg.bench_full_per_answer(schemas, base_n // 3))
            print(
                f"{'writer (group commit, full rules)':<52}{rate:>10,.0f} /s   ({stored:,} answers in {batches:,} transactions)"
            )
            print(f"{'raw psycopg, 1 connection, INSERT + commit each':<52}{raw:>10,.0f} /s")
            if apg is None:
                print(f"{'raw asyncpg':<52}{'not installed':>10}")
            else:
                print(f"{f'raw asyncpg, pool of {pool}, INSERT + commit each':<52}{apg:>10,.0f} /s")
            print(f"{'full rules, 1 transaction per answer (shim)':<52}{full:>10,.0f} /s")
            best = max(raw, apg or 0.0)
            print(
                f"writer / best raw baseline: {rate / best:.2f}x; writer / full per answer: {rate / full:.2f}x"
            )
        if not args.skip_leaderboard:
            members = 50_000
            n = args.answers or (100_000 if args.quick else 1_000_000)
            reps = 300 if args.quick else 2000
            path = _fresh(tmp, "lb.db")
            t = time.perf_counter()
            at = _populate(path, n, members, "Asia/Taipei")
            print(
                f"\nloaded {n:,} answers, {members:,} members into SQLite in {time.perf_counter() - t:.1f} s"
            )
            copy_s, results = asyncio.run(pg.bench_leaderboard(schemas, path, members, at, reps))
            print(f"copied into PostgreSQL (quizbot migrate-db's copier) in {copy_s:.1f} s")
            print(f"\n== leaderboard at {n:,} answers, ms: p50 / p99 over {reps} calls ==")
            print(f"{'':<32}{'query':>18}{'await':>18}")
            for label, (a50, a99, c50, c99) in results.items():
                print(f"{label:<32}{a50:>8.3f} / {a99:<7.3f}{c50:>8.3f} / {c99:<7.3f}")
    finally:
        schemas.drop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
