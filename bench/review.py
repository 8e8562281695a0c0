"""Spaced repetition at size: 10,000 members x 300 cards (3,000,000 cards) in one SQLite file.

    .venv/bin/python bench/review.py                       # 10,000 x 300 (builds a ~1 GB file, a few minutes)
    .venv/bin/python bench/review.py --members 1000        # smaller
    .venv/bin/python bench/review.py --keep DIR            # build once into DIR, reuse it next time

The cards are real FSRS states (py-fsrs card dicts as JSON, as `bot.core.review.schedule` writes
them): 2,000 histories of 1-8 answers each are simulated through FSRS, and every card takes one of
them, its last review placed so that its due instant falls anywhere in its interval around the
bench day (2026-12-06); one card in ten is overdue by up to 30 days (members who do not review).

Figures, each beside a baseline measured in the same run:

1. **A day's review schedule**: for every member, how many cards are due by the end of the day
   and which one /review serves first (what the reminders' pass and a session's start read:
   the member's pending answers folded, a count and one row of the `cards_due` index); bot CPU
   (time.process_time: SQLite runs in this process), a first pass (the file's pages not all in
   memory yet) and again. Also every due card of every member built as a `CardView`. Baseline:
   the same number of statements, one primary-key read of one card per member.
   Goal: at most 1 s of CPU.
2. **Scheduling those reviews**: the day's due cards answered (90% right, rated Good; the rest
   Again) through the real path: one pending row per answer as the answer writer adds it, then
   `Store.fold_reviews` (FSRS per card, in batches of 500 on the storage thread). CPU per review
   and for the day. Baseline: the same fold with FSRS replaced by a copy of the stored state (the
   SQL alone).
3. **/review's next card**: `Store.next_due_card` for random members, p50/p99 over 2,000 calls,
   query time on the storage thread and the whole await. Baseline: `Store.get_card` (one
   primary-key read) the same way. Goal: p99 under 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.review import CardState, Rating, schedule  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.storage.sqlite import review as sqlite_review  # noqa: E402
from bot.storage.sqlite.common import to_ms  # noqa: E402

GUILD = 1
DAY0 = datetime(2026, 12, 6, tzinfo=UTC)  # the bench day (the guild's zone is UTC)
DAY_END = DAY0 + timedelta(days=1)
NOW = DAY0 + timedelta(hours=9)
TEMPLATES = 2000


def _histories(rng: random.Random) -> list[tuple[dict[str, object], int, int, int]]:
    """(card dict, reps, lapses, last rating) of simulated cards: first answered 0-365 days before
    the bench day (80% right), then reviewed whenever due (90% right) until the next due date
    falls on or after the bench day."""
    out = []
    for _ in range(TEMPLATES):
        at = DAY0 - timedelta(days=rng.uniform(0, 365))
        rating = Rating.GOOD if rng.random() < 0.8 else Rating.AGAIN
        state = schedule(None, rating, at)
        reps, lapses = 1, int(rating == Rating.AGAIN)
        while state.due < DAY0:
            rating = Rating.GOOD if rng.random() < 0.9 else Rating.AGAIN
            state = schedule(state.state_json, rating, state.due)
            reps += 1
            lapses += rating == Rating.AGAIN
        out.append((json.loads(state.state_json), reps, lapses, int(rating)))
    return out


def _rows(members: int, cards: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """The cards: a template each, shifted by up to 12 hours; one in ten overdue by 0-30 days."""
    templates = _histories(rng)
    for user in range(1, members + 1):
        for n in range(cards):
            card, reps, lapses, rating = templates[rng.randrange(TEMPLATES)]
            due = datetime.fromisoformat(str(card["due"]))
            last = datetime.fromisoformat(str(card["last_review"]))
            shift = (
                DAY0 - timedelta(days=rng.uniform(0, 30)) - due
                if rng.random() < 0.1
                else timedelta(hours=rng.uniform(-12, 12))
            )
            due, last = (due + shift).replace(microsecond=0), (last + shift).replace(microsecond=0)
            card = {**card, "due": due.isoformat(), "last_review": last.isoformat()}
            yield (
                GUILD,
                user,
                f"bank/Q-{n:04d}",
                to_ms(due),
                to_ms(last),
                reps,
                lapses,
                rating,
                json.dumps(card, separators=(",", ":")),
            )


def build(path: Path, members: int, cards: int) -> None:
    t0 = time.perf_counter()
    asyncio.run(_create(path))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    rows = _rows(members, cards, random.Random(6))
    conn.execute("BEGIN")
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 50_000:
            conn.executemany(f"INSERT INTO cards VALUES ({','.join('?' * 9)})", batch)
            batch.clear()
    conn.executemany(f"INSERT INTO cards VALUES ({','.join('?' * 9)})", batch)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    print(
        f"built {members:,} members x {cards} cards in {time.perf_counter() - t0:.0f} s "
        f"({path.stat().st_size / 2**20:,.0f} MiB)"
    )


async def _create(path: Path) -> None:
    s = await Storage.open(path)
    await s.set_guild_settings(GUILD, timezone="UTC")
    await s.close()


def day_schedule(conn: sqlite3.Connection, members: int) -> tuple[dict[str, float], int]:
    """CPU s of each way to read the day's schedule for every member, and the cards due today."""
    end = to_ms(DAY_END) - 1
    now = to_ms(NOW)
    cpu: dict[str, float] = {}
    for run in ("first pass", "again"):
        t0 = time.process_time()
        due = 0
        for user in range(1, members + 1):
            sqlite_review.fold_member(conn, GUILD, user)
            due += sqlite_review.due_count(conn, GUILD, user, end, frozenset())
            sqlite_review.due_cards(conn, GUILD, user, now, 1, frozenset())
        cpu[f"due today + next card, per member ({run})"] = time.process_time() - t0
    t0 = time.process_time()
    for user in range(1, members + 1):
        sqlite_review.due_cards(conn, GUILD, user, end, 10_000, frozenset())
    cpu["every due card as a CardView, per member"] = time.process_time() - t0
    t0 = time.process_time()
    for user in range(1, members + 1):
        conn.execute(
            "SELECT * FROM cards WHERE guild_id = ? AND user_id = ? AND question_key = ?",
            (GUILD, user, "bank/Q-0001"),
        ).fetchone()
    cpu["baseline: one primary-key read per member"] = time.process_time() - t0
    return cpu, due


async def fold_day(path: Path, members: int, fsrs: bool) -> tuple[float, int]:
    """Answer every card due today (pending rows, as the writer adds them), then fold them; CPU s
    of the fold and how many. Without `fsrs`, the state is copied instead of scheduled."""
    rng = random.Random(7)
    conn = sqlite3.connect(path, isolation_level=None)
    end = to_ms(DAY_END)
    rows = conn.execute(
        "SELECT guild_id, user_id, question_key, due FROM cards WHERE guild_id = ? AND due < ? ORDER BY due",
        (GUILD, end),
    ).fetchall()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO review_pending (guild_id, user_id, question_key, correct, answered_at) VALUES (?, ?, ?, ?, ?)",
        [(g, u, q, int(rng.random() < 0.9), max(due, to_ms(DAY0)) + 60_000) for g, u, q, due in rows],
    )
    conn.execute("COMMIT")
    conn.close()
    real = sqlite_review.schedule
    if not fsrs:
        sqlite_review.schedule = lambda state, rating, at: CardState(
            state or "{}", at + timedelta(days=1), at
        )  # type: ignore[assignment]
    s = await Storage.open(path)
    try:
        t0 = time.process_time()
        n = await s.fold_reviews(limit=10**9)
        return time.process_time() - t0, n
    finally:
        sqlite_review.schedule = real
        await s.close()


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


async def next_card(path: Path, members: int, calls: int) -> dict[str, tuple[float, float]]:
    """name -> (p50, p99) ms."""
    rng = random.Random(8)
    s = await Storage.open(path)
    s.cache_open_dailies = True  # as the bot runs
    try:
        out: dict[str, list[float]] = {
            "next card, query": [],
            "next card, await": [],
            "get_card, query": [],
            "get_card, await": [],
        }
        hidden: frozenset[str] = frozenset()
        for _ in range(calls):
            user = rng.randint(1, members)

            def query(conn: sqlite3.Connection, user: int = user) -> tuple[float, float]:
                t0 = time.perf_counter()
                sqlite_review.due_cards(conn, GUILD, user, to_ms(NOW), 1, hidden)
                t1 = time.perf_counter()
                sqlite_review.get_card(conn, GUILD, user, "bank/Q-0150")
                return t1 - t0, time.perf_counter() - t1

            q_next, q_get = await s.run_sync(query)
            t0 = time.perf_counter()
            await s.next_due_card(GUILD, user, now=NOW)
            t1 = time.perf_counter()
            await s.get_card(GUILD, user, "bank/Q-0150")
            t2 = time.perf_counter()
            out["next card, query"].append(q_next * 1000)
            out["get_card, query"].append(q_get * 1000)
            out["next card, await"].append((t1 - t0) * 1000)
            out["get_card, await"].append((t2 - t1) * 1000)
        return {k: (statistics.median(v), _pct(v, 0.99)) for k, v in out.items()}
    finally:
        await s.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=10_000)
    ap.add_argument("--cards", type=int, default=300)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--keep", type=Path, help="build the database in this folder (reused if there)")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="quizbot-review-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"review-{args.members}x{args.cards}.sqlite3"
    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {path}")
    if not path.exists():
        build(path, args.members, args.cards)

    conn = sqlite3.connect(path, isolation_level=None)
    cpu, due = day_schedule(conn, args.members)
    conn.close()
    print(f"\n== a day's review schedule: {args.members:,} members ({due:,} cards due today), CPU s ==")
    for name, seconds in cpu.items():
        goal = "   goal <= 1 s" if name.startswith("due today") else ""
        print(f"{name:<52}{seconds:>8.3f}{goal}")

    print("\n== scheduling the day's reviews: every due card answered, then folded, CPU s ==")
    work_path = folder / "fold.sqlite3"
    for fsrs in (False, True):
        work_path.write_bytes(path.read_bytes())
        cpu, n = asyncio.run(fold_day(work_path, args.members, fsrs))
        label = "fold with FSRS (Store.fold_reviews)" if fsrs else "baseline: the same fold, state copied"
        print(f"{label:<52}{cpu:>8.3f} s CPU   {n:,} reviews, {cpu / max(n, 1) * 1e6:.1f} µs each")
    work_path.unlink()

    print(f"\n== /review's next card, ms over {args.calls:,} calls: p50 / p99 ==")
    for name, (p50, p99) in asyncio.run(next_card(path, args.members, args.calls)).items():
        goal = "   goal p99 < 5 ms" if name.startswith("next card") else ""
        print(f"{name:<52}{p50:>8.3f} / {p99:.3f}{goal}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
