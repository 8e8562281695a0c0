"""Two shards of one bot against one loopback Discord and one database, in one test process.

Each `ShardedQuizBot` holds one shard of two (as `quizbot run --shards 0 --shard-count 2` and
`--shards 1` would); the fake sends each server's events to its shard only. A server's daily is
posted by its shard's bot alone, exactly once, also after a restart; a click is stored once. With
its peer down, a process still closes its own posts and submits its own exams on time, however
many of the peer's are due, and its exam timer sleeps until its own next deadline.
(The two-process run over PostgreSQL is docs/deploy.md's "Shards"; this keeps to one SQLite
file, which two clients in one process may share.)
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot.app import ShardedQuizBot
from bot.cogs.exam.service import DUE_BATCH, MAX_SLEEP
from bot.core.exam import ExamItem
from bot.core.shards import ShardFilter, owner_shard
from tests.fakediscord import BotHarness, FakeDiscord, World, build_world
from tests.fakediscord.models import Snowflakes
from tests.helpers import DAILY_QUESTIONS, Clock, answer, clocked_bot, dailies, scheduler, set_daily, utc


def _world_of_shard(fake: FakeDiscord, shard: int) -> World:
    for n in range(20):
        while owner_shard(Snowflakes.next(), 2) != shard:
            pass  # ids carry the clock's millisecond (so does the shard): until one of that shard
        w = build_world(fake, name=f"Group {shard}.{n}")
        if owner_shard(w.guild.id, 2) == shard:
            return w
        fake.remove_bot(w.guild)
    raise AssertionError("no server of that shard in 20 tries")


@pytest_asyncio.fixture
async def shards(fake_discord: FakeDiscord, tmp_path: Path, clock: Clock) -> AsyncIterator[list[Any]]:
    worlds = [_world_of_shard(fake_discord, 0), _world_of_shard(fake_discord, 1)]
    harnesses = [
        BotHarness(
            fake_discord,
            tmp_path,
            factory=clocked_bot(clock, ShardedQuizBot),
            settings={"shard_ids": (i,), "shard_count": 2},
            questions=dict(DAILY_QUESTIONS),
        )
        for i in (0, 1)
    ]
    for h in harnesses:
        await h.start()
    try:
        yield [worlds, harnesses]
    finally:
        for h in harnesses:
            await h.stop()


async def test_each_shard_holds_its_servers_and_posts_their_dailies_once(
    shards: list[Any], fake_discord: FakeDiscord, clock: Clock, tmp_path: Path
) -> None:
    worlds, bots = shards
    fake = fake_discord
    for i in (0, 1):
        bot = bots[i].running
        assert isinstance(bot, ShardedQuizBot) and bot.shard_ids == [i] and bot.shard_count == 2
        assert {g.id for g in bot.guilds} == {worlds[i].guild.id}  # GUILD_CREATE to its shard only
        assert bot.storage.cache_open_dailies is False  # other processes change the dailies
    assert [b.running.syncs_commands for b in bots] == [True, False]

    clock.set(utc(2030, 3, 1, 0, 30))
    for w in worlds:
        await set_daily(fake, w)  # each command reaches its server's shard
    clock.set(utc(2030, 3, 1, 1, 0))  # 09:00 in Taipei
    for b in bots:
        await scheduler(b).run_pending()
    assert [len(dailies(fake, w)) for w in worlds] == [1, 1]

    await bots[1].restart()  # a restart of one shard does not post again
    for b in bots:
        await scheduler(b).run_pending()
    assert [len(dailies(fake, w)) for w in worlds] == [1, 1]

    for i, w in enumerate(worlds):  # clicks on posts of both shards, each stored once
        post = dailies(fake, w)[0]
        await answer(fake, post, w.member, True, bots[i])
        await answer(fake, post, w.member, False, bots[i])  # a second click changes nothing
    for b in bots:
        await b.running.storage.flush()
    with sqlite3.connect(tmp_path / "quizbot.sqlite3") as db:
        rows = db.execute("SELECT guild_id, user_id, count(*) FROM answers GROUP BY 1, 2").fetchall()
    assert sorted(rows) == sorted((w.guild.id, w.member.id, 1) for w in worlds)


def _peer_guild(n: int) -> int:
    """A server id of shard 1 of 2 (no server in the fake: its process is the one that is down)."""
    return ((40_000_000_000 + 2 * n + 1) << 22) | 12_345


async def test_with_its_peer_down_a_shard_closes_its_own_posts(
    shards: list[Any], fake_discord: FakeDiscord
) -> None:
    worlds, bots = shards
    fake, w = fake_discord, worlds[0]
    await bots[1].stop()  # shard 1's process is down: its servers' posts fall due and stay open
    bot = bots[0].running
    assert bot.shard_filter == ShardFilter((0,), 2)
    storage, now = bot.storage, datetime.now(UTC)  # the close sweep runs on the real clock
    theirs = [
        await storage.create_post(
            _peer_guild(n % 9) if n else worlds[1].guild.id,
            worlds[1].quiz.id,
            "daily/Q-002",
            "practice",
            "B",
            option_letters="ABCD",
            created_at=now - timedelta(hours=3),
            closes_at=now - timedelta(hours=2) + timedelta(seconds=n),
        )
        for n in range(150)
    ]
    mine = []
    for n, key in enumerate(("daily/Q-001", "daily/Q-003", "daily/Q-004")):  # posted, due later than theirs
        question = bot.bank.get(key)
        assert question is not None
        recorded = await storage.create_post(
            w.guild.id,
            w.quiz.id,
            key,
            "practice",
            question.answer,
            option_letters="ABCD",
            created_at=now - timedelta(hours=1),
            closes_at=now - timedelta(minutes=30) + timedelta(seconds=n),
        )
        mine.append(
            await bot.services.quiz.post_question(
                w.quiz.id,
                w.guild.id,
                question,
                kind="practice",
                mention_role_id=None,
                closes_at=None,
                post=recorded,
            )
        )
    assert len(await storage.due_posts()) == 100  # one batch, all of it shard 1's

    reads: list[int] = []
    due_posts = storage.due_posts

    async def counted(**kw: Any) -> Any:
        found = await due_posts(**kw)
        reads.append(len(found))
        return found

    storage.due_posts = counted
    try:
        await bot.services.quiz.close_due()  # one sweep
    finally:
        del storage.due_posts
    assert reads == [3]  # one read, of its own servers' posts only
    for post in mine:
        revealed = fake.message(post.message_id)
        assert all(b.get("disabled") for b in revealed.buttons())  # revealed
        got = await storage.get_post(post.post_id)
        assert got is not None and got.is_closed
    for post in theirs:  # left to their own process
        got = await storage.get_post(post.post_id)
        assert got is not None and not got.is_closed


async def test_with_its_peer_down_a_shard_submits_its_own_exams_without_spinning(
    shards: list[Any], fake_discord: FakeDiscord, clock: Clock
) -> None:
    worlds, bots = shards
    fake, w = fake_discord, worlds[0]
    timer = bots[0].running.services.exam
    await timer.run_pending()  # its first pass is over; it sleeps (the real way) until woken
    await bots[1].stop()  # shard 1's process is down: its servers' exams run out and stay open
    storage, start = bots[0].running.storage, clock()
    items = [ExamItem(i, f"daily/Q-00{i + 1}", "all", "ABCD"[i], "ABCD") for i in range(4)]
    peers = 2 * DUE_BATCH + 10  # more than two of the timer's batches, every deadline past
    for n in range(peers):
        await storage.start_exam(
            _peer_guild(n % 9),
            1000 + n,
            "professional",
            items,
            started_at=start - timedelta(hours=2),
            deadline=start - timedelta(hours=1) + timedelta(seconds=n),
            pass_mark=70.0,
        )
    mine = []
    for member, minutes in ((w.member, 10), (w.member_zh, 20)):
        exam = await storage.start_exam(
            w.guild.id,
            member.id,
            "professional",
            items,
            started_at=start,
            deadline=start + timedelta(minutes=minutes),
            pass_mark=70.0,
        )
        assert exam is not None
        mine.append(exam)

    # The real loop, on the injected clock: each sleep moves the clock on by what it asked for.
    waits: list[float] = []
    calls = {"due_exams": 0, "next_exam_deadline": 0}
    over = asyncio.Event()
    end = start + timedelta(hours=1)

    async def simulated(seconds: float) -> None:
        waits.append(seconds)
        if clock() + timedelta(seconds=seconds) > end or len(waits) > 200:
            over.set()
            await asyncio.Event().wait()  # asleep past the end of the test (stopped with the bot)
        clock.set(clock() + timedelta(seconds=seconds))

    def count(name: str) -> Callable[..., Awaitable[Any]]:
        real = getattr(storage, name)

        async def call(**kw: Any) -> Any:
            calls[name] += 1
            return await real(**kw)

        return call

    timer.pause = simulated
    for name in calls:
        setattr(storage, name, count(name))
    try:
        timer.wake()
        await asyncio.wait_for(over.wait(), 30)
    finally:
        for name in calls:
            delattr(storage, name)
    # Woken now (nothing of its own due: 10 min to sleep), at 10 min (one submitted), at 20 min
    # (the other): then nothing of its own is open, and it sleeps its longest. Never a wake-up
    # for the peer's overdue exams.
    assert waits == [600.0, 600.0, MAX_SLEEP]
    assert calls == {"due_exams": 3, "next_exam_deadline": 3}  # one read of each per pass
    for exam, member in zip(mine, (w.member, w.member_zh), strict=True):
        done = await storage.get_exam(exam.exam_id)
        assert done is not None and done.auto_submitted and done.submitted_at == exam.deadline
        dm = await fake.wait_message(lambda m, u=member: m.channel_id == fake.dm_channel(u.user).id)
        assert "Time was up" in dm.content
    assert len(await storage.due_exams(now=clock(), limit=1000)) == peers  # the peer's, untouched

    await bots[1].start()  # the peer is back: it catches up on its own servers' exams
    await bots[1].running.services.exam.run_pending()
    assert await storage.due_exams(now=clock(), limit=1000) == []
