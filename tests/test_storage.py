"""The `Store` contract, run against every implementation (the `store` fixture of conftest.py: a
real SQLite file in tmp_path today): the answer writer, rules as stored, periods, isolation,
leaderboards, stats, settings, backup. SQLite's own parts are in test_storage_sqlite.py."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core import Post
from bot.core.shards import ShardFilter
from bot.storage import Store, open_store

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
CH = 333_333_333_333_333_333
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


async def daily(
    s: Store, guild: int = G1, q: str = "by-order_v1/Q-104", answer: str = "E", at: datetime = T0
) -> Post:
    return await s.create_post(
        guild, CH, q, "daily", answer, option_letters="ABCDE", created_at=at, closes_at=at + timedelta(days=1)
    )


async def practice(
    s: Store, guild: int = G1, q: str = "starter/Q-007", answer: str = "AD", at: datetime = T0
) -> Post:
    return await s.create_post(
        guild,
        CH,
        q,
        "practice",
        answer,
        option_letters="ABCDE",
        created_at=at,
        lifetime=timedelta(minutes=15),
    )


def soon(post: Post, minutes: float = 1) -> datetime:
    return post.created_at + timedelta(minutes=minutes)


# ------------------------------------------------------------------------------ the protocol


def _operations() -> dict[str, Any]:
    """Store's methods and properties (and the dunders of `async with`), by name."""
    return {
        name: member
        for name, member in vars(Store).items()
        if (not name.startswith("_") or name in ("__aenter__", "__aexit__"))
        and (inspect.isfunction(member) or isinstance(member, property))
    }


async def test_the_store_has_every_operation_of_the_protocol(store: Store) -> None:
    operations = _operations()
    assert len(operations) > 50  # the whole protocol, not an empty one
    for name, member in operations.items():
        mine = inspect.getattr_static(store, name)
        if isinstance(member, property):
            assert getattr(store, name) is not None, name
            continue
        assert inspect.iscoroutinefunction(mine), name
        want = [(p.name, p.kind, p.default) for p in inspect.signature(member).parameters.values()]
        got = [(p.name, p.kind, p.default) for p in inspect.signature(mine).parameters.values()]
        assert got == want, name
    store.cache_open_dailies = True  # an attribute the bot sets
    assert store.cache_open_dailies is True


# ------------------------------------------------------------------------------ writer


async def test_200_concurrent_clicks_store_one_answer(store: Store) -> None:
    post = await daily(store)
    letters = ["E" if i % 2 else "AB" for i in range(200)]
    outcomes = await asyncio.gather(
        *(
            store.record_answer(G1, post.post_id, 42, le, display_name="Ada", answered_at=soon(post))
            for le in letters
        )
    )
    stored = [o for o in outcomes if o.status == "stored"]
    assert len(stored) == 1
    first = stored[0]
    assert first.letters == "AB" and first.correct is False  # the first click wins
    assert all(
        o.status == "duplicate" and o.letters == "AB" and o.answer_id == first.answer_id for o in outcomes[1:]
    )
    assert len(await store.answers_for_post(post.post_id)) == 1
    stats = await store.user_stats(G1, 42, at=soon(post))
    assert (stats.answers, stats.points) == (1, 0)
    # And once more for a correct first click: the score changes once.
    post2 = await daily(store, q="by-order_v1/Q-105")
    outcomes = await asyncio.gather(
        *(store.record_answer(G1, post2.post_id, 42, "E", answered_at=soon(post2)) for _ in range(200))
    )
    assert [o.status for o in outcomes].count("stored") == 1
    assert {o.total_points for o in outcomes} == {10}
    stats = await store.user_stats(G1, 42, at=soon(post2))
    assert (stats.answers, stats.points, stats.current_streak) == (2, 10, 1)


async def test_concurrent_answers_share_transactions(store: Store) -> None:
    post = await daily(store)
    before = store.batches_written
    outcomes = await asyncio.gather(
        *(store.record_answer(G1, post.post_id, 1000 + u, "E", answered_at=soon(post)) for u in range(500))
    )
    assert all(o.status == "stored" for o in outcomes)
    assert len({o.answer_id for o in outcomes}) == 500
    assert store.batches_written - before <= 3  # not one transaction per answer
    page = await store.leaderboard(G1, "all", "points", at=soon(post))
    assert page.total == 500 and page.entries[0].value == 10


async def test_outcome_figures_follow_each_answer(store: Store) -> None:
    posts = [await daily(store, q=f"d/Q-{i}") for i in range(3)]
    outcomes = await asyncio.gather(
        *(store.record_answer(G1, p.post_id, 7, "E", answered_at=soon(p)) for p in posts)
    )
    assert [(o.points_awarded, o.total_points, o.current_streak) for o in outcomes] == [
        (10, 10, 1),
        (10, 20, 2),
        (10, 30, 3),
    ]


async def test_refused_answers(store: Store) -> None:
    post = await daily(store)
    late = await store.record_answer(G1, post.post_id, 1, "E", answered_at=post.closes_at)
    assert late.status == "closed"
    other_guild = await store.record_answer(G2, post.post_id, 1, "E", answered_at=soon(post))
    assert other_guild.status == "unknown_post"
    nowhere = await store.record_answer(G1, 999_999, 1, "E", answered_at=soon(post))
    assert nowhere.status == "unknown_post"
    await store.close_post(post.post_id, closed_at=soon(post, 5))
    after_close = await store.record_answer(G1, post.post_id, 1, "E", answered_at=soon(post, 6))
    assert after_close.status == "closed"
    assert await store.get_answer(post.post_id, 1) is None
    with pytest.raises(ValueError):
        await store.record_answer(G1, post.post_id, 1, "")


async def test_answer_row_contents(store: Store) -> None:
    post = await store.create_post(
        G1,
        CH,
        "by-order_v1/Q-104",
        "daily",
        "da",
        option_letters="ABCDE",
        created_at=T0,
        closes_at=T0 + timedelta(hours=1),
    )
    assert post.correct_letters == "AD"
    await store.set_message_id(post.post_id, 555, posted_at=T0 + timedelta(seconds=2))
    out = await store.record_answer(G1, post.post_id, 5, "DA", answered_at=T0 + timedelta(seconds=9.5))
    assert out.correct and out.letters == "AD"
    a = await store.get_answer(post.post_id, 5)
    assert a is not None
    assert (a.guild_id, a.question_key, a.letters, a.correct, a.points) == (
        G1,
        "by-order_v1/Q-104",
        "AD",
        True,
        10,
    )
    assert a.answered_at == T0 + timedelta(seconds=9.5)
    assert a.latency_ms == 7500  # after the message was posted
    assert (await store.get_post_by_message(555)) == await store.get_post(post.post_id)


# ------------------------------------------------------------------------------ points rules


async def test_practice_cannot_be_farmed(store: Store) -> None:
    p1 = await practice(store)
    p2 = await practice(store)  # same question, another practice post
    first = await store.record_answer(G1, p1.post_id, 9, "AD", answered_at=soon(p1))
    again = await store.record_answer(G1, p2.post_id, 9, "AD", answered_at=soon(p2))
    assert (first.points_awarded, again.points_awarded) == (1, 0)
    assert again.status == "stored" and again.total_points == 1
    # A wrong answer first, then right: the first correct one scores.
    p3 = await practice(store, q="starter/Q-008")
    p4 = await practice(store, q="starter/Q-008")
    wrong = await store.record_answer(G1, p3.post_id, 9, "B", answered_at=soon(p3))
    right = await store.record_answer(G1, p4.post_id, 9, "AD", answered_at=soon(p4))
    assert (wrong.points_awarded, right.points_awarded, right.total_points) == (0, 1, 2)
    # Practice never touches the streak.
    assert (right.current_streak, right.best_streak) == (0, 0)
    assert await store.answered_questions(G1, 9) == {"starter/Q-007", "starter/Q-008"}
    assert await store.answered_questions(G1, 9, correct_only=False) == {"starter/Q-007", "starter/Q-008"}


async def test_practice_farming_within_one_batch(store: Store) -> None:
    posts = [await practice(store) for _ in range(5)]
    outcomes = await asyncio.gather(
        *(store.record_answer(G1, p.post_id, 9, "AD", answered_at=soon(p)) for p in posts)
    )
    assert [o.points_awarded for o in outcomes] == [1, 0, 0, 0, 0]
    assert outcomes[-1].total_points == 1


async def test_daily_correct_is_ten_and_practice_after_it_is_zero(store: Store) -> None:
    d = await daily(store, q="q/1", answer="C")
    p = await practice(store, q="q/1", answer="C")
    assert (await store.record_answer(G1, d.post_id, 3, "C", answered_at=soon(d))).points_awarded == 10
    assert (await store.record_answer(G1, p.post_id, 3, "C", answered_at=soon(p))).points_awarded == 0
    d2 = await daily(store, q="q/1", answer="C")  # a daily repeats a question: it scores again
    out = await store.record_answer(G1, d2.post_id, 3, "C", answered_at=soon(d2))
    assert (out.points_awarded, out.total_points) == (10, 20)


# ------------------------------------------------------------------------------ streaks


async def test_streaks_correct_wrong_and_missed(store: Store) -> None:
    t = T0
    days = []
    for i in range(4):
        days.append(await daily(store, q=f"d/{i}", answer="B", at=t + timedelta(days=i)))
    # day 0 and 1 right -> 2; day 2 wrong -> 0 (best 2); day 3 right -> 1.
    for post, letters in zip(days, ["B", "B", "A", "B"], strict=True):
        out = await store.record_answer(G1, post.post_id, 1, letters, answered_at=soon(post))
        await store.close_post(post.post_id, closed_at=post.closes_at)
    assert (out.current_streak, out.best_streak) == (1, 2)
    s = await store.user_stats(G1, 1, at=T0)
    assert (s.current_streak, s.best_streak) == (1, 2)


async def test_missed_daily_resets_on_close(store: Store) -> None:
    d1 = await daily(store, q="d/1")
    for u in (1, 2, 3):
        await store.record_answer(G1, d1.post_id, u, "E", answered_at=soon(d1))
    r1 = await store.close_post(d1.post_id, closed_at=d1.closes_at)
    assert r1 is not None and r1.streaks_reset == 0
    d2 = await daily(store, q="d/2", at=d1.closes_at)
    await store.record_answer(G1, d2.post_id, 1, "E", answered_at=soon(d2))  # right
    await store.record_answer(G1, d2.post_id, 2, "A", answered_at=soon(d2))  # wrong: already 0
    # member 3 does not answer
    r2 = await store.close_post(d2.post_id, closed_at=d2.closes_at)
    assert r2 is not None and r2.newly_closed and r2.streaks_reset == 1
    figures = {u: await store.user_stats(G1, u, at=T0) for u in (1, 2, 3)}
    assert {u: (f.current_streak, f.best_streak) for u, f in figures.items()} == {
        1: (2, 2),
        2: (0, 1),
        3: (0, 1),
    }
    again = await store.close_post(d2.post_id)  # idempotent
    assert again is not None and not again.newly_closed and again.streaks_reset == 0
    assert again.post.closed_at == d2.closes_at


async def test_practice_close_resets_nothing(store: Store) -> None:
    d = await daily(store)
    await store.record_answer(G1, d.post_id, 1, "E", answered_at=soon(d))
    p = await practice(store)
    r = await store.close_post(p.post_id, closed_at=soon(p, 20))
    assert r is not None and r.streaks_reset == 0
    assert (await store.user_stats(G1, 1)).current_streak == 1


async def test_close_result_distribution(store: Store) -> None:
    post = await store.create_post(
        G1,
        CH,
        "q/multi",
        "daily",
        "AD",
        option_letters="ABCDE",
        created_at=T0,
        closes_at=T0 + timedelta(days=1),
    )
    for u, letters in enumerate(["AD", "AD", "AB", "E", "AD"]):
        await store.record_answer(G1, post.post_id, u, letters, answered_at=soon(post))
    r = await store.close_post(post.post_id, closed_at=soon(post, 60))
    assert r is not None
    assert r.per_choice == {"AB": 1, "AD": 3, "E": 1}
    assert r.per_letter == {"A": 4, "B": 1, "C": 0, "D": 3, "E": 1}
    assert (r.participants, r.correct_count, r.accuracy) == (5, 3, 0.6)
    assert await store.close_post(123_456) is None


async def test_due_posts_survive_a_restart(store_targets: Callable[[], str]) -> None:
    path = store_targets()
    s = await open_store(path)
    d = await daily(s)
    p = await practice(s)
    await s.close()
    s = await open_store(path)
    try:
        assert await s.due_posts(now=soon(p, 1)) == []
        assert [x.post_id for x in await s.due_posts(now=soon(p, 16))] == [p.post_id]
        assert [x.post_id for x in await s.due_posts(now=d.closes_at)] == [p.post_id, d.post_id]
        await s.close_post(p.post_id)
        assert [x.post_id for x in await s.due_posts(now=d.closes_at)] == [d.post_id]
        assert [x.post_id for x in await s.open_posts(G1, kind="daily")] == [d.post_id]
    finally:
        await s.close()


def guild_of_shard(shard: int, count: int, n: int) -> int:
    """The n-th server id of `shard` among `count` shards (Discord's rule: `(id >> 22) % count`),
    with low bits set (they do not count) and a high part like a real snowflake's."""
    return ((40_000_000_000 + n * count + shard) << 22) | 0x2A_5A5A


async def test_due_posts_keep_to_a_processs_shards(store: Store) -> None:
    # Shard 1's process is down: 150 of its servers' posts are due, all older than shard 0's 3.
    theirs = [
        await practice(store, guild_of_shard(1, 2, n % 7), q=f"t/Q-{n}", at=T0 + n * timedelta(seconds=1))
        for n in range(150)
    ]
    mine = [
        await practice(store, guild_of_shard(0, 2, n), q=f"m/Q-{n}", at=T0 + timedelta(minutes=5 + n))
        for n in range(3)
    ]
    later = await practice(store, guild_of_shard(0, 2, 0), q="m/later", at=T0 + timedelta(hours=2))
    now = T0 + timedelta(hours=1)
    everyone = await store.due_posts(now=now)
    assert [p.post_id for p in everyone] == [t.post_id for t in theirs[:100]]  # unfiltered: all shard 1's
    zero = ShardFilter((0,), 2)
    assert [p.post_id for p in await store.due_posts(now=now, shards=zero)] == [p.post_id for p in mine]
    assert [p.post_id for p in await store.due_posts(now=now, shards=zero, limit=2)] == [
        p.post_id for p in mine[:2]
    ]
    one = await store.due_posts(now=now, shards=ShardFilter((1,), 2), limit=200)
    assert [p.post_id for p in one] == [p.post_id for p in theirs]
    await store.close_post(mine[0].post_id)
    assert [p.post_id for p in await store.due_posts(now=now, shards=zero)] == [p.post_id for p in mine[1:]]
    assert later.post_id not in {p.post_id for p in await store.due_posts(now=now, shards=zero, limit=500)}
    with pytest.raises(ValueError):
        await store.due_posts(now=now, limit=-1)


async def test_the_sql_shard_rule_is_discords(store: Store) -> None:
    # Ids over the whole range of snowflakes (up to 2**63 - 1: PostgreSQL's BIGINT), with several
    # ids per process: the query keeps exactly the servers bot.core.shards says the process owns.
    ids = [guild_of_shard(s, 5, n) for s in range(5) for n in range(3)]
    ids += [(1 << 62) | (7 << 22), (1 << 63) - 1, 175_928_847_299_117_063]
    posts = {(await practice(store, g, q=f"q/{g}")).post_id: g for g in ids}
    for shards in [
        ShardFilter((0,), 5),
        ShardFilter((1, 3), 5),
        ShardFilter((0, 2, 4), 5),
        ShardFilter((2,), 3),
    ]:
        got = await store.due_posts(now=T0 + timedelta(hours=1), shards=shards, limit=1000)
        assert sorted(p.post_id for p in got) == sorted(pid for pid, g in posts.items() if shards.owns(g))
        assert got, shards  # each filter here keeps some


# ------------------------------------------------------------------------------ periods and isolation


@pytest.mark.parametrize("tzname", ["Asia/Taipei", "America/New_York"])
async def test_sunday_night_and_monday_morning_are_different_weeks(store: Store, tzname: str) -> None:
    tz = ZoneInfo(tzname)
    await store.set_guild_settings(G1, timezone=tzname)
    sunday = datetime(2026, 11, 29, 23, 30, tzinfo=tz).astimezone(UTC)
    monday = datetime(2026, 11, 30, 0, 10, tzinfo=tz).astimezone(UTC)
    d1 = await daily(store, q="d/sun", at=sunday - timedelta(hours=1))
    d2 = await daily(store, q="d/mon", at=sunday)
    await store.record_answer(G1, d1.post_id, 1, "E", answered_at=sunday)
    await store.record_answer(G1, d2.post_id, 1, "E", answered_at=monday)
    week_sun = await store.leaderboard(G1, "week", "points", user_id=1, at=sunday)
    week_mon = await store.leaderboard(G1, "week", "points", user_id=1, at=monday)
    assert (week_sun.period_key, week_mon.period_key) == ("week:2026-11-23", "week:2026-11-30")
    assert week_sun.me is not None and week_sun.me.value == 10
    assert week_mon.me is not None and week_mon.me.value == 10
    alltime = await store.leaderboard(G1, "all", "points", user_id=1)
    assert alltime.me is not None and alltime.me.value == 20
    month = await store.leaderboard(G1, "month", "points", user_id=1, at=monday)
    assert month.period_key == "month:2026-11-01" and month.me is not None and month.me.value == 20
    stats = await store.server_stats(G1, at=monday)
    assert [d.day.isoformat() for d in stats.per_day] == ["2026-11-29", "2026-11-30"]


async def test_guilds_are_isolated(store: Store) -> None:
    a = await daily(store, guild=G1, q="q/1")
    b = await daily(store, guild=G2, q="q/1")
    await store.record_answer(G1, a.post_id, 7, "E", display_name="In one", answered_at=soon(a))
    out = await store.record_answer(G2, b.post_id, 7, "A", display_name="In two", answered_at=soon(b))
    assert (out.total_points, out.current_streak) == (0, 0)  # G1's 10 points do not show
    one = await store.user_stats(G1, 7, at=soon(a))
    two = await store.user_stats(G2, 7, at=soon(b))
    assert (one.points, one.correct, one.display_name) == (10, 1, "In one")
    assert (two.points, two.correct, two.display_name) == (0, 0, "In two")
    assert await store.answered_questions(G2, 7) == set()
    lb2 = await store.leaderboard(G2, "all", "points", user_id=7)
    assert lb2.total == 1 and lb2.entries[0].points == 0
    assert (await store.leaderboard(G2, "all", "current_streak", user_id=7)).total == 0
    assert [r.points for r in await store.export_scores(G2)] == [0]
    s2 = await store.server_stats(G2, at=soon(b))
    assert (s2.answers, s2.correct, s2.participants) == (1, 0, 1)


# ------------------------------------------------------------------------------ leaderboards


async def _members_with_points(s: Store, points: dict[int, int], names: dict[int, str] | None = None) -> None:
    """Give member u points[u] // 10 correct daily answers (each its own daily post)."""
    most = max(points.values()) // 10
    posts = [await daily(s, q=f"lb/{i}") for i in range(most)]
    calls = []
    for u, pts in points.items():
        for i, post in enumerate(posts):
            letters = "E" if i < pts // 10 else "A"
            name = (names or {}).get(u, f"member {u}")
            calls.append(
                s.record_answer(G1, post.post_id, u, letters, display_name=name, answered_at=soon(post))
            )
    await asyncio.gather(*calls)


async def test_leaderboard_paging_and_own_rank_off_the_page(store: Store) -> None:
    # 25 members: member u has 10 * u points, so member 25 ranks first and member 1 last.
    await _members_with_points(store, {u: 10 * u for u in range(1, 26)})
    p1 = await store.leaderboard(G1, "all", "points", page=1, user_id=1)
    assert (p1.total, p1.pages) == (25, 3)
    assert [e.user_id for e in p1.entries] == list(range(25, 15, -1))
    assert [e.rank for e in p1.entries] == list(range(1, 11))
    assert p1.me is not None and (p1.me.rank, p1.me.value, p1.me.display_name) == (25, 10, "member 1")
    p2 = await store.leaderboard(G1, "all", "points", page=2, user_id=25)
    assert [e.rank for e in p2.entries] == list(range(11, 21))
    assert [e.user_id for e in p2.entries] == list(range(15, 5, -1))
    assert p2.me is not None and p2.me.rank == 1
    p3 = await store.leaderboard(G1, "all", "points", page=3)
    assert [e.rank for e in p3.entries] == [21, 22, 23, 24, 25] and p3.me is None
    assert (await store.leaderboard(G1, "all", "points", page=4)).entries == []
    nobody = await store.leaderboard(G1, "all", "points", user_id=999)
    assert nobody.me is None


async def test_leaderboard_ties_share_a_rank(store: Store) -> None:
    await _members_with_points(store, {1: 30, 2: 20, 3: 20, 4: 20, 5: 10, 6: 10})
    page = await store.leaderboard(G1, "all", "points", page_size=4, user_id=6)
    assert [(e.user_id, e.rank) for e in page.entries] == [(1, 1), (2, 2), (3, 2), (4, 2)]
    page2 = await store.leaderboard(G1, "all", "points", page=2, page_size=4, user_id=6)
    assert [(e.user_id, e.rank) for e in page2.entries] == [(5, 5), (6, 5)]
    assert page2.me is not None and page2.me.rank == 5
    mid = await store.leaderboard(G1, "all", "points", page=2, page_size=2)  # starts inside a tie
    assert [(e.user_id, e.rank) for e in mid.entries] == [(3, 2), (4, 2)]


async def test_departed_members_keep_their_stored_name(store: Store) -> None:
    await _members_with_points(store, {1: 20, 2: 10}, names={1: "Grace (left)", 2: "Linus"})
    await store.upsert_member(G1, 2, "Linus T.")  # renamed
    await store.upsert_member(G1, 1, None)  # no name known now: keep the stored one
    page = await store.leaderboard(G1, "all", "points")
    assert [(e.user_id, e.display_name) for e in page.entries] == [(1, "Grace (left)"), (2, "Linus T.")]


async def test_accuracy_leaderboard_needs_ten_answers(store: Store) -> None:
    posts = [await practice(store, q=f"acc/{i}", answer="B") for i in range(12)]
    plan = {1: (12, 9), 2: (10, 10), 3: (9, 9), 4: (12, 6)}  # member: (answers, correct)
    for u, (n, c) in plan.items():
        for i in range(n):
            await store.record_answer(
                G1, posts[i].post_id, u, "B" if i < c else "C", answered_at=soon(posts[i])
            )
    page = await store.leaderboard(G1, "all", "accuracy", user_id=3)
    assert [(e.user_id, e.rank, e.value) for e in page.entries] == [(2, 1, 1.0), (1, 2, 0.75), (4, 3, 0.5)]
    assert page.total == 3 and page.me is None  # member 3 has 9 answers: not ranked
    mine = (await store.leaderboard(G1, "all", "accuracy", user_id=2)).me
    assert mine is not None and mine.rank == 1 and mine.value == 1.0
    assert type(mine.value) is float and all(type(e.value) is float for e in page.entries)


async def test_streak_leaderboards(store: Store) -> None:
    posts = [await daily(store, q=f"s/{i}", answer="B", at=T0 + timedelta(days=i)) for i in range(3)]
    plan = {1: "BBB", 2: "BBA", 3: "ABB", 4: "AAA"}
    for i, post in enumerate(posts):
        for u, letters in plan.items():
            await store.record_answer(G1, post.post_id, u, letters[i], answered_at=soon(post))
    cur = await store.leaderboard(G1, "all", "current_streak", user_id=4)
    assert [(e.user_id, e.value, e.rank) for e in cur.entries] == [(1, 3, 1), (3, 2, 2)]
    assert cur.me is None and cur.total == 2
    best = await store.leaderboard(G1, "week", "best_streak", user_id=2)
    assert [(e.user_id, e.value, e.rank) for e in best.entries] == [(1, 3, 1), (2, 2, 2), (3, 2, 2)]
    assert best.period_key == "all"  # streaks ignore the period
    assert best.me is not None and best.me.rank == 2


async def test_leaderboard_rejects_bad_arguments(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.leaderboard(G1, "all", "speed")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await store.leaderboard(G1, "year", "points")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await store.leaderboard(G1, "all", "points", page=0)


# ------------------------------------------------------------------------------ stats


@dataclass(frozen=True)
class Q:
    key: str
    topics: tuple[str, ...]
    traps: tuple[str, ...]
    domain: str | None = None


async def test_stats_per_topic_and_trap(store: Store) -> None:
    bank = [
        Q("b/Q-1", ("Delta Lake", "Streaming"), ("off-by-one",)),
        Q("b/Q-2", ("Delta Lake",), ()),
        Q("b/Q-3", ("Unity Catalog",), ("off-by-one", "double negative"), domain="Governance"),
    ]
    assert await store.sync_question_tags(bank) == 8
    # Member 1: Q-1 wrong x3, Q-2 right x3, Q-3 right x1 wrong x2 -- each on its own practice post.
    plan = [("b/Q-1", "A")] * 3 + [("b/Q-2", "B")] * 3 + [("b/Q-3", "B"), ("b/Q-3", "A"), ("b/Q-3", "A")]
    for i, (q, letters) in enumerate(plan):
        post = await practice(store, q=q, answer="B", at=T0 + timedelta(minutes=i))
        await store.record_answer(G1, post.post_id, 1, letters, answered_at=soon(post))
    s = await store.user_stats(G1, 1, at=T0)
    topics = {t.tag: (t.answers, t.correct) for t in s.topics}
    assert topics == {"Delta Lake": (6, 3), "Streaming": (3, 0), "Unity Catalog": (3, 1)}
    assert {t.tag: (t.answers, t.correct) for t in s.traps} == {
        "off-by-one": (6, 1),
        "double negative": (3, 1),
    }
    assert [t.tag for t in s.weakest_topics] == ["Streaming", "Unity Catalog", "Delta Lake"]
    assert (s.answers, s.correct, s.points) == (9, 4, 2)

    # Member 2 answers Q-1 right 3 times: server-wide figures mix both members.
    for i in range(3):
        post = await practice(store, q="b/Q-1", answer="B", at=T0 + timedelta(minutes=30 + i))
        await store.record_answer(G1, post.post_id, 2, "B", answered_at=soon(post))
    server = await store.server_stats(G1, at=T0 + timedelta(hours=1))
    assert [(t.tag, t.answers, t.correct) for t in server.weakest_topics] == [
        ("Unity Catalog", 3, 1),
        ("Streaming", 6, 3),
        ("Delta Lake", 9, 6),
    ]
    assert [t.tag for t in server.weakest_traps] == ["double negative", "off-by-one"]
    # Only questions with >= 5 answers count as "hardest": have 3 each.
    assert [(q.question_key, q.answers, q.correct) for q in server.hardest_questions] == [("b/Q-1", 6, 3)]
    assert (server.answers, server.correct, server.participants) == (12, 7, 2)

    # Re-syncing replaces the tags.
    assert await store.sync_question_tags([Q("b/Q-1", ("Spark",), ())]) == 1
    s = await store.user_stats(G1, 1, at=T0)
    assert [t.tag for t in s.topics] == ["Spark"] and s.traps == []


async def test_server_stats_window_and_participation(store: Store) -> None:
    await store.set_guild_settings(G1, timezone="Asia/Taipei")
    for day in range(40):
        post = await daily(store, q=f"w/{day}", at=T0 + timedelta(days=day))
        for u in range(day % 3 + 1):
            await store.record_answer(G1, post.post_id, u, "E", answered_at=soon(post))
    stats = await store.server_stats(G1, at=T0 + timedelta(days=39, hours=1), days=30)
    assert len(stats.per_day) == 30
    assert stats.per_day[-1].participants == 39 % 3 + 1
    assert stats.since == stats.per_day[0].day
    assert sum(d.answers for d in stats.per_day) == stats.answers


async def test_export_scores(store: Store) -> None:
    await _members_with_points(store, {1: 10, 2: 30})
    rows = await store.export_scores(G1)
    assert [(r.user_id, r.display_name, r.points, r.answers, r.correct, r.current_streak) for r in rows] == [
        (2, "member 2", 30, 3, 3, 3),
        (1, "member 1", 10, 3, 1, 0),
    ]
    assert rows[1].accuracy == pytest.approx(1 / 3)


# ------------------------------------------------------------------------------ settings, backup


async def test_guild_settings(store: Store) -> None:
    assert (await store.get_guild_settings(G1)).timezone == "UTC"
    s = await store.set_guild_settings(
        G1, timezone="Asia/Taipei", practice_cooldown_s=0, daily_time="9:05", extra={"role": 1}
    )
    assert (s.timezone, s.practice_cooldown_s, s.daily_time, s.extra) == (
        "Asia/Taipei",
        0,
        "09:05",
        {"role": 1},
    )
    assert await store.get_guild_settings(G1) == s
    for bad in (
        {"timezone": "Mars/Base"},
        {"practice_lifetime_s": 0},
        {"daily_time": "25:00"},
        {"colour": "red"},
    ):
        with pytest.raises(ValueError):
            await store.set_guild_settings(G1, **bad)
    assert await store.get_guild_settings(G1) == s
    # The practice lifetime setting applies to new practice posts.
    await store.set_guild_settings(G1, practice_lifetime_s=60)
    p = await store.create_post(G1, CH, "q/1", "practice", "A", created_at=T0)
    assert p.closes_at - p.created_at == timedelta(seconds=60)


async def test_create_post_validates(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.create_post(G1, CH, "q/1", "weekly", "A")
    with pytest.raises(ValueError):
        await store.create_post(G1, CH, "q/1", "daily", "F", option_letters="ABCD")
    p = await store.create_post(G1, CH, "q/1", "practice", "A", requested_by=5, created_at=T0)
    assert (await store.last_practice_post(G1, 5)) == p
    assert await store.last_practice_post(G1, 6) is None


async def test_backup(store: Store, tmp_path: Path) -> None:
    post = await daily(store)
    await store.record_answer(G1, post.post_id, 1, "E", answered_at=soon(post))
    target = await store.backup(tmp_path / "backups" / "copy.sqlite3")
    copy = await open_store(target)
    try:
        assert (await copy.get_answer(post.post_id, 1)) is not None
        assert await copy.integrity_check() == []
        assert (await copy.user_stats(G1, 1)).points == 10
    finally:
        await copy.close()


async def test_close_flushes_queued_answers(store_targets: Callable[[], str]) -> None:
    path = store_targets()
    s = await open_store(path)
    post = await daily(s)
    tasks = [
        asyncio.create_task(s.record_answer(G1, post.post_id, u, "E", answered_at=soon(post)))
        for u in range(50)
    ]
    await asyncio.sleep(0)  # let them queue
    await s.close()
    assert all(t.result().status == "stored" for t in tasks)
    s = await open_store(path)
    try:
        assert len(await s.answers_for_post(post.post_id)) == 50
    finally:
        await s.close()


async def test_incremental_aggregates_equal_a_rebuild(store: Store) -> None:
    await store.set_guild_settings(G1, timezone="America/New_York")
    posts = [await daily(store, q=f"r/{i}", answer="B", at=T0 + timedelta(days=i * 3)) for i in range(8)]
    posts += [
        await practice(store, q=f"r/{i % 3}", answer="B", at=T0 + timedelta(days=i * 4)) for i in range(8)
    ]
    calls = [
        store.record_answer(G1, p.post_id, u, "B" if (u + i) % 3 else "C", answered_at=soon(p))
        for i, p in enumerate(posts)
        for u in range(15)
    ]
    await asyncio.gather(*calls)
    before = await store.snapshot_aggregates(G1)
    await store.rebuild_aggregates(G1)
    after = await store.snapshot_aggregates(G1)
    assert before == after
    assert before["acc_hist"]  # members with >= 10 answers exist


async def test_the_period_key_is_the_servers_local_period(store: Store) -> None:
    """What `quizbot export-scores` labels its rows with: the server's local week or month."""
    at = datetime(2030, 3, 3, 20, 0, tzinfo=UTC)  # Sunday 20:00 UTC is Monday 04:00 in Taipei
    assert await store.period_key(1, "all", at=at) == "all"
    assert await store.period_key(1, "week", at=at) == "week:2030-02-25"  # no zone set: UTC
    await store.set_guild_settings(1, timezone="Asia/Taipei")
    assert await store.period_key(1, "week", at=at) == "week:2030-03-04"
    assert await store.period_key(1, "month", at=at) == "month:2030-03-01"
