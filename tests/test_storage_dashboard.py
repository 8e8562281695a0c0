"""Contract tests of the web dashboard's reads (Store.activity_by_week, Store.team_weakness), run on
every backend through the `store` fixture; figures checked by hand in the comments."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Store, open_store

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
CH = 333_333_333_333_333_333
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday; its week starts on 2026-11-30


@dataclass(frozen=True)
class Tagged:
    key: str
    topics: tuple[str, ...]
    traps: tuple[str, ...] = ()


async def _answers(s: Store, guild: int, key: str, correct: str, at: datetime, picks: dict[int, str]) -> None:
    post = await s.create_post(
        guild, CH, key, "practice", correct, option_letters="ABCD", created_at=at, lifetime=timedelta(hours=1)
    )
    await asyncio.gather(
        *(
            s.record_answer(guild, post.post_id, uid, letters, answered_at=at + timedelta(minutes=1))
            for uid, letters in picks.items()
        )
    )


async def _world(s: Store) -> None:
    """k/A (answer A; topic Spark, trap Scope): on 11-24 members 1, 2, 3 pick A, B, C; on 12-01
    member 6 picks D. k/B (answer AC; Spark and Delta) on 12-01: AC, A, AC, B. One answer in G2."""
    await s.sync_question_tags([Tagged("k/A", ("Spark",), ("Scope",)), Tagged("k/B", ("Spark", "Delta"))])
    await _answers(s, G1, "k/A", "A", datetime(2026, 11, 24, 10, tzinfo=UTC), {1: "A", 2: "B", 3: "C"})
    await _answers(s, G1, "k/A", "A", datetime(2026, 12, 1, 9, tzinfo=UTC), {6: "D"})
    await _answers(
        s, G1, "k/B", "AC", datetime(2026, 12, 1, 10, tzinfo=UTC), {1: "AC", 2: "A", 4: "CA", 5: "B"}
    )
    await _answers(s, G2, "k/B", "AC", datetime(2026, 12, 1, 10, tzinfo=UTC), {9: "B"})


async def test_activity_by_week_counts_answers_accuracy_and_members(store: Store) -> None:
    await _world(store)
    weeks = await store.activity_by_week(G1, weeks=3, at=NOW)
    got = [(w.week_start, w.answers, w.correct, w.members) for w in weeks]
    assert got == [
        (date(2026, 11, 16), 0, 0, 0),  # empty weeks are there, oldest first
        (date(2026, 11, 23), 3, 1, 3),  # k/A: A right, B and C wrong
        (date(2026, 11, 30), 5, 2, 5),  # k/A by 6 (wrong), k/B: two AC right, A and B wrong
    ]
    assert weeks[-1].accuracy == pytest.approx(0.4)
    other = await store.activity_by_week(G2, weeks=1, at=NOW)
    assert [(w.answers, w.members) for w in other] == [(1, 1)]
    assert await store.activity_by_week(333, weeks=2, at=NOW) == [
        type(weeks[0])(date(2026, 11, 23), 0, 0, 0),
        type(weeks[0])(date(2026, 11, 30), 0, 0, 0),
    ]


async def test_activity_weeks_are_the_guilds_local_weeks(store: Store) -> None:
    await store.set_guild_settings(G1, timezone="Asia/Taipei")
    # Sunday 17:00 UTC is Monday 01:00 in Taipei: the new week there.
    await _answers(store, G1, "k/A", "A", datetime(2026, 11, 29, 16, 59, tzinfo=UTC), {1: "A"})
    weeks = await store.activity_by_week(G1, weeks=2, at=NOW)
    assert [(w.week_start, w.answers, w.members) for w in weeks] == [
        (date(2026, 11, 23), 0, 0),
        (date(2026, 11, 30), 1, 1),
    ]


async def test_team_weakness_topics_traps_and_most_missed_with_their_letters(store: Store) -> None:
    await _world(store)
    team = await store.team_weakness(G1, days=30, at=NOW, questions=10, min_answers=1)
    assert team.since == date(2026, 11, 3)
    # Spark: k/A 4 answers 1 right + k/B 4 answers 2 right = 3 of 8; Delta: 2 of 4.
    assert [(s.tag, s.answers, s.correct) for s in team.topics] == [("Spark", 8, 3), ("Delta", 4, 2)]
    assert [(s.tag, s.answers, s.correct) for s in team.traps] == [("Scope", 4, 1)]
    # k/A: 3 misses of 4; k/B: 2 misses of 4.
    assert [(m.question_key, m.answers, m.correct) for m in team.missed] == [("k/A", 4, 1), ("k/B", 4, 2)]
    k_a, k_b = team.missed
    assert k_a.per_choice == {"A": 1, "B": 1, "C": 1, "D": 1}
    assert k_b.per_choice == {"AC": 2, "A": 1, "B": 1}
    assert k_b.per_letter == {"A": 3, "B": 1, "C": 2}  # who ticked each letter, choose-2 included
    assert team.per_question == {"k/A": (4, 1), "k/B": (4, 2)}  # every question of the window
    hidden = await store.team_weakness(G1, days=30, at=NOW, min_answers=1, hide=["k/A"])
    assert hidden.per_question == team.per_question  # hiding leaves the figures (readiness) whole


async def test_team_weakness_leaves_out_hidden_keys_and_keeps_its_limits(store: Store) -> None:
    await _world(store)
    hidden = await store.team_weakness(G1, at=NOW, min_answers=1, hide=["k/A", "not/asked"])
    assert [m.question_key for m in hidden.missed] == ["k/B"]
    assert [s.tag for s in hidden.topics] == ["Spark", "Delta"]  # the tag figures are not spoilers
    assert [
        m.question_key for m in (await store.team_weakness(G1, at=NOW, questions=1, min_answers=1)).missed
    ] == ["k/A"]
    assert [
        m.question_key
        for m in (await store.team_weakness(G1, at=NOW, questions=1, min_answers=1, hide=["k/A"])).missed
    ] == ["k/B"]
    assert (await store.team_weakness(G1, at=NOW, questions=0)).missed == []
    # at least 5 answers: neither question has them
    assert (await store.team_weakness(G1, at=NOW, min_answers=5)).missed == []
    # nobody missed in G2's window but member 9: one question, one miss
    g2 = await store.team_weakness(G2, at=NOW, min_answers=1)
    assert [(m.question_key, m.per_choice) for m in g2.missed] == [("k/B", {"B": 1})]


async def test_team_weakness_window_counts_only_its_days(store: Store) -> None:
    await _world(store)
    team = await store.team_weakness(G1, days=5, at=NOW, min_answers=1)  # from 11-28
    assert team.since == date(2026, 11, 28)
    # k/A only by member 6 on 12-01 (the 11-24 answers fall outside), k/B as before
    assert [(m.question_key, m.answers, m.correct) for m in team.missed] == [("k/B", 4, 2), ("k/A", 1, 0)]
    assert team.missed[1].per_choice == {"D": 1}
    assert [(s.tag, s.answers, s.correct) for s in team.topics] == [("Spark", 5, 2), ("Delta", 4, 2)]


async def test_a_question_nobody_missed_is_not_among_the_missed(store: Store) -> None:
    await store.sync_question_tags([Tagged("k/C", ("Easy",))])
    await _answers(store, G1, "k/C", "B", NOW - timedelta(days=1), {1: "B", 2: "B", 3: "B"})
    team = await store.team_weakness(G1, at=NOW, min_answers=1)
    assert team.missed == []
    assert [(s.tag, s.answers, s.correct) for s in team.topics] == [("Easy", 3, 3)]


@pytest.mark.parametrize("args", [{"days": 0}, {"questions": -1}, {"min_answers": 0}])
async def test_team_weakness_refuses_nonsense(store: Store, args: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        await store.team_weakness(G1, at=NOW, **args)
    with pytest.raises(ValueError):
        await store.activity_by_week(G1, weeks=0, at=NOW)


async def test_the_distributions_read_an_index_not_the_guilds_answers(tmp_path: Path) -> None:
    """SQLite: the letters of a question's answers come from answers_question (migration 0008)."""
    path = tmp_path / "plan.sqlite3"
    async with await open_store(path) as s:
        await _world(s)
    conn = sqlite3.connect(path)
    try:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT question_key, letters, count(*) FROM answers "
                "WHERE guild_id = ? AND question_key IN (?, ?) AND answered_at >= ? GROUP BY question_key, letters",
                (G1, "k/A", "k/B", 0),
            )
        )
    finally:
        conn.close()
    assert "answers_question" in plan and "SCAN answers" not in plan
