"""The spoiler rule across shard processes on PostgreSQL: a daily that one process posts is hidden
at once by the other, which keeps the open dailies in memory (issue 20).

Two `ShardedQuizBot`s (shards 0 and 1 of 2) on one PostgreSQL schema, in this test process, stand
for two `quizbot run` processes (tests/e2e/test_shard_processes.py runs real ones). Shard 0's bot
has answered a click, so it holds the open dailies (none) in memory; shard 1 posts question X as
its server's daily; once shard 0's listener has the database's notice, a click in shard 0's server
on a practice post asking X is refused, and after X's daily closes it is taken again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import ShardedQuizBot
from bot.storage.postgres import PostgresStore
from tests.e2e.test_shards import _world_of_shard
from tests.fakediscord import BotHarness, FakeDiscord, World
from tests.helpers import DAILY_QUESTIONS, answer, post_id_of

X = "daily/Q-003"


@pytest_asyncio.fixture
async def pg_shards(
    fake_discord: FakeDiscord, tmp_path: Path, store_targets: Callable[[], str]
) -> AsyncIterator[tuple[list[World], list[BotHarness[Any]]]]:
    target = store_targets()
    worlds = [_world_of_shard(fake_discord, 0), _world_of_shard(fake_discord, 1)]
    harnesses: list[BotHarness[Any]] = [
        BotHarness(
            fake_discord,
            tmp_path / f"shard-{i}",
            factory=ShardedQuizBot,
            settings={"shard_ids": (i,), "shard_count": 2, "database_url": target},
            questions=dict(DAILY_QUESTIONS),
        )
        for i in (0, 1)
    ]
    for h in harnesses:
        await h.start()
    try:
        for w in worlds:
            await harnesses[0].running.storage.set_guild_settings(w.guild.id, practice_cooldown_s=0)
        yield worlds, harnesses
    finally:
        for h in harnesses:
            await h.stop()


async def _practice(bot: Any, world: World, key: str) -> Any:
    question = bot.bank.get(key)
    return await bot.services.quiz.post_question(
        world.quiz.id, world.guild.id, question, kind="practice", mention_role_id=None, closes_at=None
    )


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_a_daily_posted_by_one_shard_process_is_hidden_at_once_by_the_other(
    pg_shards: tuple[list[World], list[BotHarness[Any]]], fake_discord: FakeDiscord
) -> None:
    (w0, w1), (h0, h1) = pg_shards
    fake, bot0, bot1 = fake_discord, h0.running, h1.running
    store0 = bot0.storage
    assert isinstance(store0, PostgresStore)
    assert store0.cache_open_dailies is True  # the bot asks for it on PostgreSQL: it hears the others
    listener = store0.dailies_listener
    assert listener is not None
    await listener.started()

    warm = fake.message((await _practice(bot0, w0, "daily/Q-001")).message_id)
    assert (await answer(fake, warm, w0.member, True, h0)).embeds  # taken; the open dailies: none
    reads = store0.open_daily_reads
    asking_x = fake.message((await _practice(bot0, w0, X)).message_id)
    assert await store0.open_daily_key_set() == frozenset()
    assert store0.open_daily_reads == reads  # held in memory

    heard = listener.notices
    daily = await bot1.services.quiz.post_question(
        w1.quiz.id,
        w1.guild.id,
        bot1.bank.get(X),
        kind="daily",
        mention_role_id=None,
        closes_at=datetime.now(UTC) + timedelta(days=1),
    )
    async with asyncio.timeout(10):
        await listener.wait_until(lambda: listener.notices > heard)
    click = await answer(fake, asking_x, w0.member, True, h0)
    assert click.ephemeral and not click.embeds and "another of your servers" in click.content
    assert await store0.get_answer(post_id_of(asking_x), w0.member.id) is None  # refused, not stored

    heard = listener.notices
    await bot1.storage.close_post(daily.post_id)
    async with asyncio.timeout(10):
        await listener.wait_until(lambda: listener.notices > heard)
    assert (await answer(fake, asking_x, w0.member, True, h0)).embeds  # closed: taken
    assert h0.errors.lines() == [] and h1.errors.lines() == []
