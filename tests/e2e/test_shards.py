"""Two shards of one bot against one loopback Discord and one database, in one test process.

Each `ShardedQuizBot` holds one shard of two (as `quizbot run --shards 0 --shard-count 2` and
`--shards 1` would); the fake sends each server's events to its shard only. A server's daily is
posted by its shard's bot alone, exactly once, also after a restart; a click is stored once.
(The two-process run over PostgreSQL is docs/deploy.md's "Shards"; this keeps to one SQLite
file, which two clients in one process may share.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot.app import ShardedQuizBot
from bot.core.shards import owner_shard
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
