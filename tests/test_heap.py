"""settle_heap: what startup (and a bank reload) leaves is frozen; nothing frozen earlier leaks."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.app
from bot.app import QuizBot
from bot.heap import GC_THRESHOLD, settle_heap
from tests.fakediscord import BotHarness, FakeDiscord


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def gc_state() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_heap_freezes_what_is_alive_and_collects_the_young_less_often(gc_state: None) -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    node = Node()
    ref = weakref.ref(node)
    settle_heap()
    assert gc.get_threshold() == GC_THRESHOLD
    assert gc.get_freeze_count() > 0

    del node  # garbage now, but frozen: a collection does not see it
    gc.collect()
    assert ref() is not None

    settle_heap()  # a bank reload: what was frozen before is collectable again
    assert ref() is None
    assert gc.get_freeze_count() > 0


async def test_the_bot_settles_its_heap_once_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gc_state: None
) -> None:
    calls: list[int] = []
    twice = asyncio.Event()

    def recording() -> None:
        running = harness.bot
        calls.append(len(running.guilds) if running is not None else -1)
        settle_heap()
        if len(calls) == 2:
            twice.set()

    monkeypatch.setattr(bot.app, "settle_heap", recording)
    async with FakeDiscord() as fake:
        guild = fake.create_guild("G", channels=("quiz",))
        harness: BotHarness[QuizBot] = BotHarness(fake, tmp_path, dev_guild=guild)
        async with harness:
            await asyncio.wait_for(twice.wait(), 10)
            # once set up (before connecting: no server yet), once ready (the server cached)
            assert calls == [0, 1]
