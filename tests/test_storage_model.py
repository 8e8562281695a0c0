"""Random sequences of answers, closes and mock exams, checked against a plain-Python model of the
rules.

Checks the writer (batched, concurrent), the kept totals and rank histograms, the streak resets,
exams (one open per member; a submitted one counts in accuracy, not in points or streaks, and is
written while answers are) and every leaderboard page against a brute-force ranking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import StreakState, bucket_keys, period_start, score_answer, streak_after_daily_answer
from bot.core.exam import Exam, ExamItem, ExamResult
from bot.core.rules import LEADERBOARD_MIN_ANSWERS
from bot.storage import Store, open_store

GUILDS = {1: "Asia/Taipei", 2: "America/New_York"}
USERS = (11, 12, 13, 14, 15)
T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)

# An op: ("post", guild, kind, question, correct) | ("answer", post#, user, right?, n_clicks)
#        | ("close", post#) | ("wait", hours)
#        | ("exam", guild, user, per item R(ight)/W(rong)/-(unanswered), submit?).
# Answers are the most frequent, mostly right.
answer_op = st.tuples(
    st.just("answer"),
    st.integers(0, 15),
    st.sampled_from(USERS),
    st.sampled_from([True, True, False]),
    st.sampled_from([1, 1, 1, 2, 3]),
)
op = st.one_of(
    st.tuples(
        st.just("post"),
        st.sampled_from([1, 2]),
        st.sampled_from(["daily", "practice"]),
        st.sampled_from(["q/1", "q/2", "q/3"]),
        st.sampled_from(["A", "B", "AB"]),
    ),
    answer_op,
    answer_op,
    answer_op,
    answer_op,
    st.tuples(st.just("close"), st.integers(0, 15)),
    st.tuples(st.just("wait"), st.sampled_from([1, 2, 5, 13, 30])),
    st.tuples(
        st.just("exam"),
        st.sampled_from([1, 2]),
        st.sampled_from(USERS),
        st.lists(st.sampled_from("RRW-"), min_size=1, max_size=4).map("".join),
        st.sampled_from([True, True, False]),
    ),
)


@dataclass
class MPost:
    post_id: int
    guild: int
    kind: str
    question: str
    correct: str
    closes_at: datetime
    closed: bool = False


@dataclass
class Model:
    answers: dict[tuple[int, int], str] = field(default_factory=dict)
    solved: set[tuple[int, int, str]] = field(default_factory=set)
    totals: dict[tuple[int, str, int], list[int]] = field(default_factory=dict)
    streaks: dict[tuple[int, int], StreakState] = field(default_factory=dict)
    exams: dict[tuple[int, int], Exam] = field(default_factory=dict)  # (guild, user) -> the open one


async def exam_op(
    s: Store, m: Model, o: tuple[str, int, int, str, bool], now: datetime
) -> Coroutine[Any, Any, Exam | None] | None:
    """Start (or find refused: one open exam per member) and answer an exam; with `submit`, count it
    in the model and return its submission, for the caller to run alongside the queued answers."""
    _, g, user, pattern, submit = o
    if (g, user) in m.exams:
        assert (
            await s.start_exam(
                g,
                user,
                "bp",
                [ExamItem(0, "q/1", "s", "A", "AB")],
                started_at=now,
                deadline=now + timedelta(hours=1),
                pass_mark=70,
            )
            is None
        )
    else:
        # Item i asks q/(i % 3 + 1); odd ones are choose-2 (AB). Right: the correct letters.
        items = [
            ExamItem(i, f"q/{i % 3 + 1}", "s", "AB" if i % 2 else "A", "ABC") for i in range(len(pattern))
        ]
        exam = await s.start_exam(
            g, user, "bp", items, started_at=now, deadline=now + timedelta(hours=1), pass_mark=70
        )
        assert exam is not None and await s.open_exam(g, user) == exam
        for it, mark in zip(items, pattern, strict=True):
            if mark != "-":
                exam = await s.set_exam_answer(exam.exam_id, it.position, it.correct if mark == "R" else "C")
                assert exam is not None
        m.exams[(g, user)] = exam
    if not submit:
        return None
    exam = m.exams.pop((g, user))
    right = sum(it.is_correct for it in exam.items)
    day = now.astimezone(ZoneInfo(GUILDS[g])).date()
    for bucket in bucket_keys(day):  # accuracy only: no points, no streak
        t = m.totals.setdefault((g, bucket, user), [0, 0, 0])
        t[1] += len(exam.items)
        t[2] += right
    result = ExamResult(right, len(exam.items), 70.0, (), (), (), now - exam.started_at)
    return s.submit_exam(exam.exam_id, result, submitted_at=now, auto=False)


def expected_board(entries: dict[int, float]) -> list[tuple[int, int, float]]:
    """(user, rank, value) ordered like the leaderboard: value desc, then user id."""
    ordered = sorted(entries.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(u, 1 + sum(1 for v in entries.values() if v > value), value) for u, value in ordered]


async def run(ops: list[tuple], target: str) -> None:  # type: ignore[type-arg]
    s = await open_store(target)
    try:
        await check(s, ops)
    finally:
        await s.close()


async def check(s: Store, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    for g, tz in GUILDS.items():
        await s.set_guild_settings(g, timezone=tz)
    m = Model()
    posts: list[MPost] = []
    by_id: dict[int, MPost] = {}
    now = T0
    pending: list[tuple[tuple[int, int, str, datetime], object]] = []  # answers sent together
    submits: list[Coroutine[Any, Any, Exam | None]] = []  # exam submissions sent with them

    async def flush() -> None:
        if not pending and not submits:
            return
        answered = asyncio.gather(*(coro for _, coro in pending))  # type: ignore[misc]
        outcomes, submitted = await asyncio.gather(answered, asyncio.gather(*submits))  # concurrently
        assert all(e is not None and e.submitted_at is not None for e in submitted)
        submits.clear()
        for ((pid, user, letters, at), _), out in zip(pending, outcomes, strict=True):
            p = by_id[pid]
            key = (p.guild, user)
            if (p.post_id, user) in m.answers:
                assert out.status == "duplicate" and out.letters == m.answers[(p.post_id, user)]
                continue
            if p.closed or at >= p.closes_at:
                assert out.status == "closed"
                continue
            correct = letters == p.correct
            already = (p.guild, user, p.question) in m.solved
            pts = score_answer(p.kind, correct, already)
            if correct:
                m.solved.add((p.guild, user, p.question))
            m.answers[(p.post_id, user)] = letters
            if p.kind == "daily":
                m.streaks[key] = streak_after_daily_answer(m.streaks.get(key, StreakState()), correct)
            day = at.astimezone(ZoneInfo(GUILDS[p.guild])).date()
            for bucket in bucket_keys(day):
                t = m.totals.setdefault((p.guild, bucket, user), [0, 0, 0])
                t[0] += pts
                t[1] += 1
                t[2] += int(correct)
            st_ = m.streaks.get(key, StreakState())
            assert (out.status, out.points_awarded, out.correct) == ("stored", pts, correct)
            assert out.total_points == m.totals[(p.guild, "all", user)][0]
            assert (out.current_streak, out.best_streak) == (st_.current, st_.best)
        pending.clear()

    start = [
        ("post", g, kind, q, c)
        for g in GUILDS
        for kind, q, c in [
            ("daily", "q/1", "A"),
            ("practice", "q/1", "A"),
            ("practice", "q/2", "B"),
            ("daily", "q/3", "AB"),
        ]
    ]
    for o in [*start, *ops]:
        if o[0] == "post":
            await flush()
            _, g, kind, q, correct = o
            life = timedelta(days=1) if kind == "daily" else timedelta(hours=20)
            post = await s.create_post(g, 5, q, kind, correct, created_at=now, closes_at=now + life)
            posts.append(MPost(post.post_id, g, kind, q, correct, post.closes_at))
            by_id[post.post_id] = posts[-1]
        elif o[0] == "answer" and posts:
            _, i, user, right, clicks = o
            p = posts[i % len(posts)]
            letters = p.correct if right else ("C" if p.correct != "C" else "A")
            for _ in range(clicks):
                pending.append(
                    (
                        (p.post_id, user, letters, now),
                        s.record_answer(p.guild, p.post_id, user, letters, answered_at=now),
                    )
                )
        elif o[0] == "close" and posts:
            await flush()
            p = posts[o[1] % len(posts)]
            res = await s.close_post(p.post_id, closed_at=now)
            assert res is not None and res.newly_closed == (not p.closed)
            if not p.closed and p.kind == "daily":
                reset = 0
                for (g, user), state in list(m.streaks.items()):
                    if g == p.guild and state.current > 0 and (p.post_id, user) not in m.answers:
                        m.streaks[(g, user)] = StreakState(0, state.best)
                        reset += 1
                assert res.streaks_reset == reset
            p.closed = True
        elif o[0] == "wait":
            await flush()
            now += timedelta(hours=o[1])
        elif o[0] == "exam":
            await flush()  # an earlier submission is written before this start
            submission = await exam_op(s, m, o, now)
            if submission is not None:
                submits.append(submission)
    await flush()
    open_exams = sorted(m.exams.values(), key=lambda e: (e.deadline, e.exam_id))
    assert [e.exam_id for e in await s.due_exams(now=now, limit=100)] == [
        e.exam_id for e in open_exams if e.deadline <= now
    ]
    assert await s.next_exam_deadline() == (open_exams[0].deadline if open_exams else None)

    # Every leaderboard, page by page, against the model.
    for g, tzname in GUILDS.items():
        tz = ZoneInfo(tzname)
        for period in ("all", "week", "month"):
            bucket = period_start(period, now, tz).key  # type: ignore[arg-type]
            rows = {u: t for (gg, b, u), t in m.totals.items() if gg == g and b == bucket}
            boards = {
                "points": {u: float(t[0]) for u, t in rows.items()},
                "accuracy": {u: t[2] / t[1] for u, t in rows.items() if t[1] >= LEADERBOARD_MIN_ANSWERS},
            }
            if period == "all":
                boards["current_streak"] = {
                    u: st_.current for (gg, u), st_ in m.streaks.items() if gg == g and st_.current
                }
                boards["best_streak"] = {
                    u: st_.best for (gg, u), st_ in m.streaks.items() if gg == g and st_.best
                }
            for metric, entries in boards.items():
                want = expected_board(entries)  # type: ignore[arg-type]
                got: list[tuple[int, int, float]] = []
                page = 1
                while True:
                    lb = await s.leaderboard(
                        g, period, metric, page=page, page_size=2, user_id=USERS[page % 5], at=now
                    )  # type: ignore[arg-type]
                    assert lb.total == len(want)
                    me = next((w for w in want if w[0] == USERS[page % 5]), None)
                    assert (lb.me and (lb.me.user_id, lb.me.rank, lb.me.value)) == (me or None)
                    got += [(e.user_id, e.rank, e.value) for e in lb.entries]
                    if page >= lb.pages:
                        break
                    page += 1
                assert got == want, (g, period, metric)

    for g in GUILDS:
        before = await s.snapshot_aggregates(g)
        await s.rebuild_aggregates(g)
        assert await s.snapshot_aggregates(g) == before


# store_targets makes a new, empty store for each example: the fixture is not shared state.
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(op, min_size=20, max_size=120))
def test_storage_matches_the_model(store_targets: Callable[[], str], ops: list[tuple]) -> None:  # type: ignore[type-arg]
    asyncio.run(run(ops, store_targets()))
