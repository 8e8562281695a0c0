"""Mock exams in the `Store` contract (the `store` fixture: every backend) and readiness's
`recent_results`; at the end, SQLite's own part: the migration from a version-4 file and the
query plans of `recent_results`.

Results are graded here by hand (`graded`), not with bot.core.exam.grade: the figures are checked
against counts written out in each test."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Post
from bot.core.exam import Exam, ExamItem, ExamResult, SectionScore
from bot.core.models import AnswerResult
from bot.core.shards import ShardFilter
from bot.storage import Storage, Store, migrate, open_store
from bot.storage.sqlite import exams as sqlite_exams
from bot.storage.sqlite import posts as sqlite_posts

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
CH = 333_333_333_333_333_333
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
MIN = timedelta(minutes=1)


def items(n: int, *, correct: str = "A", options: str = "ABCD") -> list[ExamItem]:
    """n questions ex/Q-0.. ; even positions in section "dev", odd ones in "ops"."""
    return [ExamItem(i, f"ex/Q-{i}", "dev" if i % 2 == 0 else "ops", correct, options) for i in range(n)]


async def start(
    s: Store,
    guild: int = G1,
    user: int = 1,
    *,
    n: int = 4,
    at: datetime = T0,
    minutes: int = 120,
    questions: Sequence[ExamItem] | None = None,
    name: str | None = None,
) -> Exam:
    exam = await s.start_exam(
        guild,
        user,
        "professional",
        items(n) if questions is None else questions,
        started_at=at,
        deadline=at + timedelta(minutes=minutes),
        pass_mark=70.0,
        display_name=name,
    )
    assert exam is not None
    return exam


async def answer(s: Store, exam: Exam, chosen: Sequence[str]) -> Exam:
    """Choose `chosen[i]` for position i ("" leaves it unanswered)."""
    out = exam
    for position, letters in enumerate(chosen):
        if letters:
            got = await s.set_exam_answer(exam.exam_id, position, letters)
            assert got is not None
            out = got
    return out


def graded(exam: Exam, at: datetime) -> ExamResult:
    """By hand: right when the chosen letters are exactly the correct ones; unanswered is wrong."""
    per: dict[str, list[int]] = {}
    for it in exam.items:
        c_n = per.setdefault(it.section, [0, 0])
        c_n[0] += it.is_correct
        c_n[1] += 1
    sections = tuple(SectionScore(k, 50.0, c, n) for k, (c, n) in per.items())
    return ExamResult(
        correct=sum(it.is_correct for it in exam.items),
        total=len(exam.items),
        pass_mark=exam.pass_mark,
        sections=sections,
        weakest=tuple(s.key for s in sorted(sections, key=lambda s: s.correct / s.total)),
        missed=tuple(it.position for it in exam.items if not it.is_correct),
        time_used=at - exam.started_at,
    )


async def submit(s: Store, exam: Exam, at: datetime, *, auto: bool = False) -> Exam:
    current = await s.get_exam(exam.exam_id)
    assert current is not None
    done = await s.submit_exam(exam.exam_id, graded(current, at), submitted_at=at, auto=auto)
    assert done is not None
    return done


async def daily(s: Store, q: str, at: datetime = T0, answer: str = "E") -> Post:
    return await s.create_post(
        G1, CH, q, "daily", answer, option_letters="ABCDE", created_at=at, closes_at=at + timedelta(days=1)
    )


async def practice(s: Store, q: str, at: datetime = T0, answer: str = "E") -> Post:
    return await s.create_post(
        G1, CH, q, "practice", answer, option_letters="ABCDE", created_at=at, lifetime=timedelta(hours=1)
    )


@dataclass(frozen=True)
class Q:
    key: str
    topics: tuple[str, ...]
    traps: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ starting


async def test_start_stores_the_exam_and_the_member(store: Store) -> None:
    questions = [
        ExamItem(1, "b/Q-2", "ops", "db", "edcba"),  # given out of order, letters in any case
        ExamItem(0, "b/Q-1", "dev", "C", "abcd"),
    ]
    exam = await start(store, questions=questions, name="Ada")
    assert (exam.guild_id, exam.user_id, exam.blueprint, exam.pass_mark) == (G1, 1, "professional", 70.0)
    assert (exam.started_at, exam.deadline, exam.current) == (T0, T0 + timedelta(minutes=120), 0)
    assert exam.is_open and not exam.auto_submitted
    assert [
        (i.position, i.question_key, i.section, i.correct, i.options, i.chosen, i.flagged) for i in exam.items
    ] == [
        (0, "b/Q-1", "dev", "C", "ABCD", "", False),
        (1, "b/Q-2", "ops", "BD", "ABCDE", "", False),
    ]
    assert await store.get_exam(exam.exam_id) == exam
    assert await store.open_exam(G1, 1) == exam
    assert await store.open_exam(G2, 1) is None
    assert await store.get_exam(exam.exam_id + 1) is None
    # The member row exists (like an answer makes it), with no answers counted yet.
    stats = await store.user_stats(G1, 1, at=T0)
    assert (stats.display_name, stats.answers, stats.points) == ("Ada", 0, 0)


async def test_one_open_exam_per_member_and_server(store: Store) -> None:
    first = await start(store)
    assert (
        await store.start_exam(G1, 1, "associate", items(2), started_at=T0, deadline=T0 + MIN, pass_mark=70)
        is None
    )
    assert (await store.open_exam(G1, 1)) == first  # untouched
    other_member = await start(store, user=2)
    other_server = await start(store, guild=G2)
    assert len({first.exam_id, other_member.exam_id, other_server.exam_id}) == 3
    await submit(store, first, T0 + MIN)
    again = await start(store, at=T0 + 2 * MIN)  # after submitting, a new one
    assert again.exam_id > other_server.exam_id and (await store.open_exam(G1, 1)) == again


async def test_two_starts_at_once_make_one_exam(store_targets: Callable[[], str]) -> None:
    target = store_targets()
    a, b = await open_store(target), await open_store(target)  # two connections to one store
    try:
        for user in range(1, 6):
            got = await asyncio.gather(*(start_exam_or_none(s, user, n) for s in (a, b) for n in (3, 4)))
            winners = [e for e in got if e is not None]
            assert len(winners) == 1, got
            assert await a.open_exam(G1, user) == winners[0] == await b.open_exam(G1, user)
    finally:
        await a.close()
        await b.close()


async def start_exam_or_none(s: Store, user: int, n: int) -> Exam | None:
    return await s.start_exam(
        G1, user, "professional", items(n), started_at=T0, deadline=T0 + MIN, pass_mark=70
    )


@pytest.mark.parametrize(
    ("questions", "deadline", "pass_mark", "reason"),
    [
        ([], T0 + MIN, 70.0, "at least one question"),
        ([ExamItem(0, "q", "s", "A", "AB"), ExamItem(2, "r", "s", "A", "AB")], T0 + MIN, 70.0, "positions"),
        ([ExamItem(0, "q", "s", "A", "AB"), ExamItem(0, "r", "s", "A", "AB")], T0 + MIN, 70.0, "positions"),
        ([ExamItem(1, "q", "s", "A", "AB")], T0 + MIN, 70.0, "positions"),
        ([ExamItem(0, "q", "s", "C", "AB")], T0 + MIN, 70.0, "options"),
        ([ExamItem(0, "q", "s", "A", "AB", chosen="C")], T0 + MIN, 70.0, "options"),
        ([ExamItem(0, "q", "s", "", "AB")], T0 + MIN, 70.0, "correct letters"),
        ([ExamItem(0, "q", "s", "A", "")], T0 + MIN, 70.0, "option letters"),
        ([ExamItem(0, "q", "s", "Z", "AZ")], T0 + MIN, 70.0, "not option letters"),
        ([ExamItem(0, "", "s", "A", "AB")], T0 + MIN, 70.0, "question key"),
        ([ExamItem(0, "q", "s", "A", "AB")], T0, 70.0, "deadline"),
        ([ExamItem(0, "q", "s", "A", "AB")], T0 - MIN, 70.0, "deadline"),
        ([ExamItem(0, "q", "s", "A", "AB")], T0 + MIN, 170.0, "pass mark"),
    ],
)
async def test_start_refuses_what_is_no_exam(
    store: Store, questions: list[ExamItem], deadline: datetime, pass_mark: float, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        await store.start_exam(
            G1, 1, "professional", questions, started_at=T0, deadline=deadline, pass_mark=pass_mark
        )
    assert await store.open_exam(G1, 1) is None


async def test_exam_instants_need_a_time_zone(store: Store) -> None:
    naive = T0.replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone"):
        await store.start_exam(G1, 1, "p", items(1), started_at=naive, deadline=T0 + MIN, pass_mark=70)
    exam = await start(store)
    with pytest.raises(ValueError, match="timezone"):
        await store.submit_exam(exam.exam_id, graded(exam, T0), submitted_at=naive + MIN, auto=False)
    with pytest.raises(ValueError, match="timezone"):
        await store.due_exams(now=naive)
    assert await store.get_exam(exam.exam_id) == exam


# ------------------------------------------------------------------------------ while it is open


async def test_answers_flags_and_position_round_trip(store: Store) -> None:
    questions = [*items(2), ExamItem(2, "ex/Q-2", "dev", "BD", "ABCDE")]  # a choose-2
    exam = await start(store, questions=questions)
    e = await store.set_exam_answer(exam.exam_id, 2, " d, b ")
    assert e is not None and e.items[2].chosen == "BD" and e.items[2].is_correct
    e = await store.set_exam_answer(exam.exam_id, 2, "bdb")  # deduped
    assert e is not None and e.items[2].chosen == "BD"
    e = await store.set_exam_answer(exam.exam_id, 0, "c")
    assert e is not None and [i.chosen for i in e.items] == ["C", "", "BD"]
    e = await store.set_exam_answer(exam.exam_id, 0, "")  # cleared
    assert e is not None and [i.chosen for i in e.items] == ["", "", "BD"]
    e = await store.set_exam_flag(exam.exam_id, 1, True)
    assert e is not None and [i.flagged for i in e.items] == [False, True, False]
    e = await store.set_exam_flag(exam.exam_id, 1, False)
    assert e is not None and not any(i.flagged for i in e.items)
    await store.set_exam_flag(exam.exam_id, 0, True)
    e = await store.set_exam_position(exam.exam_id, 2)
    assert e is not None and e.current == 2
    # All of it is stored: read back from another connection.
    assert await store.get_exam(exam.exam_id) == await store.set_exam_position(exam.exam_id, 2)
    stored = await store.get_exam(exam.exam_id)
    assert stored is not None
    assert [(i.chosen, i.flagged) for i in stored.items] == [("", True), ("", False), ("BD", False)]


async def test_answers_refuse_what_the_item_does_not_have(store: Store) -> None:
    exam = await start(store, n=3)  # options ABCD
    for call in (
        store.set_exam_answer(exam.exam_id, 0, "E"),  # not an option of this item
        store.set_exam_answer(exam.exam_id, 0, "AE"),
        store.set_exam_answer(exam.exam_id, 0, "1"),  # not a letter at all
        store.set_exam_answer(exam.exam_id, 3, "A"),  # no position 3
        store.set_exam_answer(exam.exam_id, -1, "A"),
        store.set_exam_flag(exam.exam_id, 7, True),
        store.set_exam_position(exam.exam_id, 3),
    ):
        with pytest.raises(ValueError):
            await call
    assert await store.get_exam(exam.exam_id) == exam  # nothing changed
    unknown = exam.exam_id + 100
    assert await store.set_exam_answer(unknown, 0, "A") is None
    assert await store.set_exam_flag(unknown, 0, True) is None
    assert await store.set_exam_position(unknown, 0) is None


# ------------------------------------------------------------------------------ submitting


async def test_submit_once_and_nothing_changes_after(store: Store) -> None:
    exam = await start(store, n=4)
    exam = await answer(store, exam, ["A", "B", "", "A"])
    at = T0 + timedelta(minutes=50)
    result = graded(exam, at)
    assert (result.correct, result.total, result.missed) == (2, 4, (1, 2))
    done = await store.submit_exam(exam.exam_id, result, submitted_at=at, auto=True)
    assert done is not None and done.submitted_at == at and done.auto_submitted and not done.is_open
    assert done.items == exam.items
    assert await store.exam_result(exam.exam_id) == result
    assert await store.open_exam(G1, 1) is None
    # Once only: a second submit (the timer after a click) is refused, the first result stays.
    assert (
        await store.submit_exam(exam.exam_id, graded(exam, at + MIN), submitted_at=at + MIN, auto=False)
        is None
    )
    # No change after submission.
    assert await store.set_exam_answer(exam.exam_id, 1, "A") is None
    assert await store.set_exam_answer(exam.exam_id, 9, "A") is None  # not even a ValueError
    assert await store.set_exam_flag(exam.exam_id, 0, True) is None
    assert await store.set_exam_position(exam.exam_id, 3) is None
    assert await store.get_exam(exam.exam_id) == done
    assert await store.exam_result(exam.exam_id) == result
    assert (await store.user_stats(G1, 1, at=at)).answers == 4  # counted once


async def test_submit_refuses_a_result_of_another_exam(store: Store) -> None:
    exam = await start(store, n=4)
    wrong_total = ExamResult(1, 5, 70.0, (), (), (), timedelta(minutes=1))
    with pytest.raises(ValueError):
        await store.submit_exam(exam.exam_id, wrong_total, submitted_at=T0 + MIN, auto=False)
    with pytest.raises(ValueError):  # before it started
        await store.submit_exam(exam.exam_id, graded(exam, T0), submitted_at=T0 - MIN, auto=False)
    assert await store.get_exam(exam.exam_id) == exam  # still open, nothing counted
    assert (await store.user_stats(G1, 1, at=T0)).answers == 0
    assert await store.exam_result(exam.exam_id) is None
    assert await store.submit_exam(exam.exam_id + 1, graded(exam, T0), submitted_at=T0, auto=False) is None


async def test_two_submits_at_once_one_wins(store_targets: Callable[[], str]) -> None:
    target = store_targets()
    a, b = await open_store(target), await open_store(target)
    try:
        exam = await start(a, n=3)
        exam = await answer(a, exam, ["A", "A", "B"])
        at = T0 + 10 * MIN
        got = await asyncio.gather(
            *(
                s.submit_exam(
                    exam.exam_id, graded(exam, at + k * MIN), submitted_at=at + k * MIN, auto=k % 2 == 0
                )
                for k, s in enumerate([a, b, a, b])
            )
        )
        winners = [e for e in got if e is not None]
        assert len(winners) == 1
        stats = await b.user_stats(G1, 1, at=at)
        assert (stats.answers, stats.correct) == (3, 2)  # counted once
        assert await a.snapshot_aggregates(G1) == await b.snapshot_aggregates(G1)
    finally:
        await a.close()
        await b.close()


# ------------------------------------------------------------------------------ the timer, history


async def test_due_exams_and_the_next_deadline(store: Store) -> None:
    assert await store.next_exam_deadline() is None
    e30 = await start(store, user=1, minutes=30)
    e10 = await start(store, guild=G2, user=1, minutes=10)
    e20 = await start(store, user=2, minutes=20)
    e90 = await start(store, user=3, minutes=90)
    assert await store.next_exam_deadline() == T0 + 10 * MIN
    assert await store.due_exams(now=T0 + 9 * MIN) == []
    due = await store.due_exams(now=T0 + 30 * MIN)  # a deadline reached is due
    assert [e.exam_id for e in due] == [e10.exam_id, e20.exam_id, e30.exam_id]
    assert due[0].items == e10.items  # whole exams, ready to grade
    assert [e.exam_id for e in await store.due_exams(now=T0 + 30 * MIN, limit=2)] == [
        e10.exam_id,
        e20.exam_id,
    ]
    await submit(store, e10, T0 + 10 * MIN, auto=True)
    assert await store.next_exam_deadline() == T0 + 20 * MIN
    assert [e.exam_id for e in await store.due_exams(now=T0 + 30 * MIN)] == [e20.exam_id, e30.exam_id]
    for e in (e20, e30, e90):
        await submit(store, e, T0 + 5 * MIN)
    assert await store.next_exam_deadline() is None
    assert await store.due_exams(now=T0 + timedelta(days=1)) == []
    with pytest.raises(ValueError):
        await store.due_exams(now=T0, limit=-1)


def guild_of_shard(shard: int, count: int, n: int) -> int:
    """The n-th server id of `shard` among `count` shards (Discord's rule: `(id >> 22) % count`)."""
    return ((40_000_000_000 + n * count + shard) << 22) | 0x2A_5A5A


async def test_due_exams_and_the_next_deadline_keep_to_a_processs_shards(store: Store) -> None:
    # Shard 1's process is down: 150 of its exams are overdue, all with earlier deadlines than
    # shard 0's; shard 0's process still finds its own, and its next deadline is its own.
    zero, one = ShardFilter((0,), 2), ShardFilter((1,), 2)
    assert await store.next_exam_deadline(shards=zero) is None
    theirs = [
        await start(store, guild_of_shard(1, 2, n % 7), user=n, n=1, minutes=10 + n % 3) for n in range(150)
    ]
    assert await store.next_exam_deadline() == T0 + 10 * MIN
    assert await store.next_exam_deadline(shards=zero) is None  # nothing of its own: no wake-up
    assert await store.next_exam_deadline(shards=one) == T0 + 10 * MIN
    mine = [await start(store, guild_of_shard(0, 2, n), user=1, n=2, minutes=20 + n) for n in range(3)]
    late = await start(store, guild_of_shard(0, 2, 0), user=2, n=2, minutes=90)
    assert await store.next_exam_deadline(shards=zero) == T0 + 20 * MIN
    now = T0 + 30 * MIN
    assert len(everyone := await store.due_exams(now=now)) == 50
    assert {e.guild_id for e in everyone} <= {e.guild_id for e in theirs}  # unfiltered: all shard 1's
    due = await store.due_exams(now=now, shards=zero)
    assert [e.exam_id for e in due] == [e.exam_id for e in mine]
    assert due[0].items == mine[0].items
    assert [e.exam_id for e in await store.due_exams(now=now, shards=zero, limit=1)] == [mine[0].exam_id]
    assert len(await store.due_exams(now=now, shards=one, limit=500)) == 150
    for e in mine:
        await submit(store, e, e.deadline, auto=True)
    assert await store.due_exams(now=now, shards=zero) == []
    assert await store.next_exam_deadline(shards=zero) == late.deadline
    await submit(store, late, T0 + 40 * MIN)
    assert await store.next_exam_deadline(shards=zero) is None
    assert await store.next_exam_deadline() == T0 + 10 * MIN  # shard 1's are all still open


async def test_history_newest_first(store: Store) -> None:
    scores = []
    for k, chosen in enumerate([["A", "A"], ["A", "B"], ["B", ""]]):
        exam = await start(store, n=2, at=T0 + timedelta(hours=k))
        exam = await answer(store, exam, chosen)
        await submit(store, exam, T0 + timedelta(hours=k, minutes=30), auto=k == 2)
        scores.append(exam.exam_id)
    await start(store, at=T0 + timedelta(hours=5))  # open: not in the history
    await submit(store, await start(store, user=2), T0 + MIN)  # another member's
    history = await store.exam_history(G1, 1)
    assert [(h.exam_id, h.correct, h.total, h.auto_submitted) for h in history] == [
        (scores[2], 0, 2, True),
        (scores[1], 1, 2, False),
        (scores[0], 2, 2, False),
    ]
    first = history[-1]
    assert (first.blueprint, first.started_at, first.submitted_at, first.pass_mark) == (
        "professional",
        T0,
        T0 + timedelta(minutes=30),
        70.0,
    )
    assert first.percent == 100.0 and first.passed and not history[1].passed
    assert [h.exam_id for h in await store.exam_history(G1, 1, limit=1)] == [scores[2]]
    assert await store.exam_history(G2, 1) == []
    with pytest.raises(ValueError):
        await store.exam_history(G1, 1, limit=-1)


# ------------------------------------------------------------------------------ accuracy, not points


async def test_exam_answers_count_in_accuracy_not_points_or_streaks(store: Store) -> None:
    await store.sync_question_tags(
        [
            Q(f"ex/Q-{i}", ("Delta",) if i < 6 else ("Spark",), ("off-by-one",) if i == 10 else ())
            for i in range(12)
        ]
        + [Q("d/1", ("Spark",))]
    )
    d1 = await daily(store, "d/1")
    out = await store.record_answer(G1, d1.post_id, 1, "E", answered_at=T0 + MIN)
    assert (out.total_points, out.current_streak) == (10, 1)
    # 12 questions: 0-7 right, 8-9 wrong, 10-11 unanswered (wrong).
    exam = await start(store, n=12, at=T0 + 2 * MIN)
    exam = await answer(store, exam, ["A"] * 8 + ["B", "B", "", ""])
    await submit(store, exam, T0 + 60 * MIN)
    member2 = await start(store, user=2, n=10, at=T0 + 2 * MIN, name="Bo")
    await answer(store, member2, ["A"] * 5 + ["C"] * 5)
    await submit(store, member2, T0 + 61 * MIN)
    at = T0 + 2 * 60 * MIN

    s1 = await store.user_stats(G1, 1, at=at)
    assert (s1.answers, s1.correct, s1.points, s1.week_points, s1.month_points) == (13, 9, 10, 10, 10)
    assert s1.accuracy == pytest.approx(9 / 13)
    assert (s1.current_streak, s1.best_streak) == (1, 1)
    assert {t.tag: (t.answers, t.correct) for t in s1.topics} == {"Delta": (6, 6), "Spark": (7, 3)}
    assert {t.tag: (t.answers, t.correct) for t in s1.traps} == {"off-by-one": (1, 0)}
    s2 = await store.user_stats(G1, 2, at=at)
    assert (s2.answers, s2.correct, s2.points, s2.current_streak, s2.display_name) == (10, 5, 0, 0, "Bo")

    for period in ("all", "week", "month"):
        acc = await store.leaderboard(G1, period, "accuracy", at=at)  # both have >= 10 answers now
        assert [(e.user_id, e.value, e.answers, e.correct, e.points) for e in acc.entries] == [
            (1, 9 / 13, 13, 9, 10),
            (2, 0.5, 10, 5, 0),
        ], period
        pts = await store.leaderboard(G1, period, "points", at=at)
        assert [(e.user_id, e.value) for e in pts.entries] == [(1, 10), (2, 0)], period
    assert (await store.leaderboard(G1, "all", "current_streak", at=at)).total == 1

    server = await store.server_stats(G1, at=at)
    assert (server.answers, server.correct, server.participants) == (23, 14, 2)
    # Delta: member 1 6/6, member 2 5/6 (Q-5 wrong); Spark: member 1 3/7 (d/1 too), member 2 0/4.
    assert {t.tag: (t.answers, t.correct) for t in server.weakest_topics} == {
        "Delta": (12, 11),
        "Spark": (11, 3),
    }

    # The streak goes on from the daily before the exam: the exam neither broke nor extended it.
    d2 = await daily(store, "d/2", at=T0 + timedelta(days=1))
    await store.close_post(d1.post_id, closed_at=d1.closes_at)
    out = await store.record_answer(G1, d2.post_id, 1, "E", answered_at=T0 + timedelta(days=1, minutes=1))
    assert (out.points_awarded, out.total_points, out.current_streak) == (10, 20, 2)
    # What the member answered (right) includes the exam's questions.
    assert await store.answered_questions(G1, 1) == {"d/1", "d/2"} | {f"ex/Q-{i}" for i in range(8)}
    assert await store.answered_questions(G1, 1, correct_only=False) == {"d/1", "d/2"} | {
        f"ex/Q-{i}" for i in range(12)
    }


async def test_an_exam_counts_on_its_local_day_and_rebuilds_the_same(store: Store) -> None:
    await store.set_guild_settings(G1, timezone="Asia/Taipei")
    sunday_night = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # Monday 04:00 in Taipei
    exam = await start(store, n=10, at=sunday_night - timedelta(hours=1))
    await answer(store, exam, ["A"] * 7 + ["B"] * 3)
    await submit(store, exam, sunday_night)
    p = await practice(store, "ex/Q-0", at=sunday_night, answer="A")
    await store.record_answer(
        G1, p.post_id, 1, "A", answered_at=sunday_night + MIN
    )  # first time right: 1 point
    snap = await store.snapshot_aggregates(G1)
    # The exam and the practice answer: Monday Nov 30 local, still in November.
    totals = {r[0]: r[2:] for r in snap["totals"] if r[1] == 1}
    assert totals == {"all": (1, 11, 8), "week:2026-11-30": (1, 11, 8), "month:2026-11-01": (1, 11, 8)}
    assert snap["member_day"] == [("2026-11-30", 1, 11, 8)]
    assert ("2026-11-30", "ex/Q-0", 2, 2) in snap["question_day"]
    assert ("2026-11-30", "ex/Q-9", 1, 0) in snap["question_day"]
    week = await store.leaderboard(G1, "week", "accuracy", at=sunday_night)
    assert [(e.user_id, e.value) for e in week.entries] == [(1, 8 / 11)]
    assert (await store.leaderboard(G1, "week", "accuracy", at=sunday_night - timedelta(hours=5))).total == 0
    await store.rebuild_aggregates(G1)
    assert await store.snapshot_aggregates(G1) == snap


async def test_rebuild_equals_the_kept_figures_after_exams(store: Store) -> None:
    await store.set_guild_settings(G1, timezone="America/New_York")
    for k in range(6):
        at = T0 + timedelta(days=3 * k, hours=k)
        post = await daily(store, f"r/{k}", at=at, answer="B")
        for u in range(1, 8):
            await store.record_answer(G1, post.post_id, u, "B" if (u + k) % 3 else "C", answered_at=at + MIN)
            exam = await start(store, user=u, n=3 + u % 4, at=at + 2 * MIN)
            await answer(store, exam, ["A" if (u * k + i) % 4 else "C" for i in range(len(exam.items))])
            if (u + k) % 5:  # some stay open: they count for nothing
                await submit(store, exam, at + timedelta(minutes=30 + u))
            else:
                await submit(store, exam, at + timedelta(hours=23, minutes=59))  # into the next local day
    before = await store.snapshot_aggregates(G1)
    assert before["acc_hist"] and before["points_hist"]
    await store.rebuild_aggregates(G1)
    assert await store.snapshot_aggregates(G1) == before
    await store.rebuild_aggregates()  # every guild at once: the same
    assert await store.snapshot_aggregates(G1) == before


# ------------------------------------------------------------------------------ recent_results


async def test_recent_results_newest_first_of_every_kind(store: Store) -> None:
    d1 = await daily(store, "d/1")
    await store.record_answer(G1, d1.post_id, 1, "E", answered_at=T0 + 1 * MIN)
    await store.record_answer(G1, d1.post_id, 2, "A", answered_at=T0 + 2 * MIN)
    p = await practice(store, "p/1", at=T0 + 10 * MIN)
    await store.record_answer(G1, p.post_id, 1, "A", answered_at=T0 + 11 * MIN)
    exam = await start(store, n=3, at=T0 + 20 * MIN)
    await answer(store, exam, ["A", "B", ""])
    await submit(store, exam, T0 + 30 * MIN)
    d2 = await daily(store, "d/2", at=T0 + 35 * MIN)
    await store.record_answer(G1, d2.post_id, 1, "E", answered_at=T0 + 40 * MIN)
    await start(store, user=2, n=2)  # open: not a result yet
    other = await start(store, guild=G2, n=2)
    await submit(store, other, T0 + 50 * MIN)  # another server's

    def rows(results: Sequence[AnswerResult]) -> list[tuple[object, ...]]:
        return [(r.user_id, r.question_key, r.correct, r.answered_at - T0, r.kind) for r in results]

    mine = [
        (1, "d/2", True, 40 * MIN, "daily"),
        (1, "ex/Q-0", True, 30 * MIN, "exam"),
        (1, "ex/Q-1", False, 30 * MIN, "exam"),
        (1, "ex/Q-2", False, 30 * MIN, "exam"),  # unanswered: wrong
        (1, "p/1", False, 11 * MIN, "practice"),
        (1, "d/1", True, 1 * MIN, "daily"),
    ]
    assert rows(await store.recent_results(G1, 1)) == mine
    assert rows(await store.recent_results(G1, 1, limit=2)) == mine[:2]
    assert rows(await store.recent_results(G1, 1, since=T0 + 30 * MIN)) == mine[:4]  # at `since` counts
    assert rows(await store.recent_results(G1, 1, since=T0 + 31 * MIN)) == mine[:1]
    assert rows(await store.recent_results(G1)) == [*mine[:5], (2, "d/1", False, 2 * MIN, "daily"), mine[5]]
    assert rows(await store.recent_results(G1, 2)) == [(2, "d/1", False, 2 * MIN, "daily")]
    assert rows(await store.recent_results(G2)) == [
        (1, "ex/Q-0", False, 50 * MIN, "exam"),
        (1, "ex/Q-1", False, 50 * MIN, "exam"),
    ]
    assert await store.recent_results(G1, 1, limit=0) == []
    with pytest.raises(ValueError):
        await store.recent_results(G1, 1, limit=-1)


# ------------------------------------------------------------------------------ resets


async def test_reset_scores_clears_the_members_exams(store: Store) -> None:
    for u in (1, 2):
        d = await daily(store, f"d/{u}")
        await store.record_answer(G1, d.post_id, u, "E", answered_at=T0 + MIN)
        exam = await start(store, user=u, n=4)
        await answer(store, exam, ["A", "A", "B", ""])
        await submit(store, exam, T0 + 20 * MIN)
        await start(store, user=u, n=2, at=T0 + 30 * MIN)  # and an open one
    assert await store.reset_scores(G1, 1) == 5  # one answer and four exam items
    assert await store.open_exam(G1, 1) is None and await store.exam_history(G1, 1) == []
    assert await store.recent_results(G1, 1) == []
    assert (await store.user_stats(G1, 1)).answers == 0
    s2 = await store.user_stats(G1, 2)
    assert (s2.answers, s2.correct, len(await store.exam_history(G1, 2))) == (5, 3, 1)
    kept = await store.snapshot_aggregates(G1)
    await store.rebuild_aggregates(G1)
    assert await store.snapshot_aggregates(G1) == kept
    assert await start(store, user=1, at=T0 + timedelta(hours=1))  # a new exam can start
    assert await store.reset_scores(G1) == 5  # everyone: member 2's answer and four items
    assert await store.open_exam(G1, 1) is None and await store.open_exam(G1, 2) is None
    assert await store.next_exam_deadline() is None
    assert await store.recent_results(G1) == []
    assert all(rows == [] for rows in (await store.snapshot_aggregates(G1)).values())
    assert await store.integrity_check() == []


# ------------------------------------------------------------------------------ SQLite's own


def _v4_database(path: Path) -> None:
    """A version-4 file with a member's daily answer and the aggregates the writer kept for it."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate.migrate(conn, migrate.load_migrations()[:4])
        assert migrate.schema_version(conn) == 4
        ms = int(T0.timestamp() * 1000)
        conn.executescript(
            f"""
            BEGIN;
            INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES ({G1}, {ms}, {ms});
            INSERT INTO members VALUES ({G1}, 7, 'Old timer', {ms}, {ms});
            INSERT INTO posts (post_id, guild_id, channel_id, question_key, kind, correct_letters,
                option_letters, created_at, closes_at) VALUES (1, {G1}, {CH}, 'd/1', 'daily', 'E', 'ABCDE',
                {ms}, {ms + 86_400_000});
            INSERT INTO answers VALUES (1, 1, {G1}, 7, 'd/1', 'E', 1, 10, {ms + 60_000}, 60000, '2026-11-25');
            INSERT INTO totals (guild_id, bucket, user_id, points, answers, correct) VALUES
                ({G1}, 'all', 7, 10, 1, 1), ({G1}, 'week:2026-11-23', 7, 10, 1, 1),
                ({G1}, 'month:2026-11-01', 7, 10, 1, 1);
            INSERT INTO points_hist VALUES ({G1}, 'all', 10, 1), ({G1}, 'week:2026-11-23', 10, 1),
                ({G1}, 'month:2026-11-01', 10, 1);
            INSERT INTO streaks VALUES ({G1}, 7, 1, 1, 1, {ms + 60_000});
            INSERT INTO question_day VALUES ({G1}, '2026-11-25', 'd/1', 1, 1);
            INSERT INTO member_day VALUES ({G1}, '2026-11-25', 7, 1, 1);
            COMMIT;
            """
        )
    finally:
        conn.close()


async def test_a_version_4_database_migrates_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v4.sqlite3"
    _v4_database(path)
    s = await Storage.open(path)
    try:
        assert await s.schema_version() == len(migrate.load_migrations()) >= 5
        assert await s.integrity_check() == []
        before = await s.snapshot_aggregates(G1)
        stats = await s.user_stats(G1, 7, at=T0)
        assert (stats.display_name, stats.answers, stats.points, stats.current_streak) == (
            "Old timer",
            1,
            10,
            1,
        )
        assert [(r.question_key, r.kind) for r in await s.recent_results(G1, 7)] == [("d/1", "daily")]
        exam = await start(s, user=7, n=2, at=T0 + 5 * MIN)
        await answer(s, exam, ["A", "A"])
        await submit(s, exam, T0 + 10 * MIN)
        after = await s.user_stats(G1, 7, at=T0)
        assert (after.answers, after.correct, after.points) == (3, 3, 10)
        await s.rebuild_aggregates(G1)
        rebuilt = await s.snapshot_aggregates(G1)
        assert [r for r in rebuilt["totals"] if r[0] == "all"] == [("all", 7, 10, 3, 3)]
        assert before["streak_hist"] == rebuilt["streak_hist"]
    finally:
        await s.close()


async def _plans(s: Storage, user_id: int | None) -> list[str]:
    """The query plan of each statement `recent_results` runs."""

    def run(conn: sqlite3.Connection) -> list[str]:
        statements: list[str] = []
        conn.set_trace_callback(statements.append)  # the statements with their values filled in
        try:
            sqlite_exams.recent_results(conn, G1, user_id, int(T0.timestamp() * 1000), 100)
        finally:
            conn.set_trace_callback(None)
        plans = []
        for sql in statements:
            if sql.lstrip().upper().startswith("SELECT"):
                plans.append(" | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")))
        return plans

    return await s.run_sync(run)


async def test_recent_results_reads_through_indexes(tmp_path: Path) -> None:
    s = await Storage.open(tmp_path / "plans.sqlite3")
    try:
        for u in range(1, 4):  # some rows, so the tables are not empty
            d = await daily(s, f"d/{u}")
            await s.record_answer(G1, d.post_id, u, "E", answered_at=T0 + MIN)
            await submit(s, await start(s, user=u), T0 + 2 * MIN)
        member_answers, member_items = await _plans(s, 1)
        assert "INDEX answers_member_time (guild_id=? AND user_id=? AND answered_at>?)" in member_answers
        assert "TEMP B-TREE" not in member_answers  # the index gives the order: no sort
        assert "SCAN" not in member_answers
        assert "INDEX exams_history (guild_id=? AND user_id=? AND submitted_at>?)" in member_items
        assert "SCAN" not in member_items
        server_answers, server_items = await _plans(s, None)
        assert "INDEX answers_guild_time (guild_id=? AND answered_at>?)" in server_answers
        assert "TEMP B-TREE" not in server_answers
        assert "SCAN" not in server_answers
        assert "INDEX exams_history (guild_id=?)" in server_items
    finally:
        await s.close()


async def test_the_due_queries_of_a_shard_read_through_their_indexes(tmp_path: Path) -> None:
    # The shard filter is one more condition on the rows the due indexes give in order: no scan
    # of the whole table, no sort.
    s = await Storage.open(tmp_path / "plans.sqlite3")
    shards = ShardFilter((0, 2), 4)
    try:
        for u in range(1, 4):
            await daily(s, f"d/{u}")
            await start(s, guild_of_shard(u % 4, 4, u), user=u)

        def run(conn: sqlite3.Connection) -> list[str]:
            statements: list[str] = []
            conn.set_trace_callback(statements.append)
            try:
                sqlite_posts.due_posts(conn, int(T0.timestamp() * 1000), 100, shards)
                sqlite_exams.due_exams(conn, int(T0.timestamp() * 1000), 50, shards)
                sqlite_exams.next_exam_deadline(conn, shards)
            finally:
                conn.set_trace_callback(None)
            return [
                " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
                for sql in statements
                if sql.lstrip().upper().startswith("SELECT") and ">> 22" in sql
            ]

        posts_plan, exams_plan, next_plan = await s.run_sync(run)
        assert "INDEX posts_due (closes_at<?)" in posts_plan and "TEMP B-TREE" not in posts_plan
        assert "INDEX exams_due (deadline<?)" in exams_plan and "TEMP B-TREE" not in exams_plan
        assert next_plan == "SCAN exams USING INDEX exams_due"  # the open exams, in deadline order
    finally:
        await s.close()
