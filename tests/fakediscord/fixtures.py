"""pytest fixtures for end-to-end tests against the fake Discord.

Use from a conftest.py:  `from tests.fakediscord.fixtures import *  # noqa: F401,F403`

  fake_discord    a running FakeDiscord (function scope)
  discord_world   the default cast (World: guild, #general, #quiz, owner, admin, member, member_zh)
  bot_factory     Settings -> bot; QuizBot by default. Override it in a test module to add
                  test-only commands / dynamic items (a QuizBot subclass).
  bot_settings    extra Settings fields for the bot (a dict; default empty)
  bot_questions   question files for the bot's QUESTIONS_DIR (dict path -> text, or a Path; default none)
  quizbot         a started BotHarness (real bot, SQLite file in tmp_path); `await quizbot.restart()`
                  restarts it against the same fake and database. Fails the test at teardown if the
                  bot called a route the fake does not implement (fake_discord.unhandled).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import QuizBot
from tests.fakediscord.harness import BotFactory, BotHarness, World, build_world
from tests.fakediscord.server import FakeDiscord

__all__ = ["bot_factory", "bot_questions", "bot_settings", "discord_world", "fake_discord", "quizbot"]


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
def discord_world(fake_discord: FakeDiscord) -> World:
    return build_world(fake_discord)


@pytest.fixture
def bot_factory() -> BotFactory:
    return QuizBot


@pytest.fixture
def bot_settings() -> Mapping[str, Any]:
    return {}


@pytest.fixture
def bot_questions() -> Mapping[str, str] | Path | None:
    return None


@pytest_asyncio.fixture
async def quizbot(
    fake_discord: FakeDiscord,
    discord_world: World,
    bot_factory: BotFactory,
    bot_settings: Mapping[str, Any],
    bot_questions: Mapping[str, str] | Path | None,
    tmp_path: Path,
) -> AsyncIterator[BotHarness[Any]]:
    harness: BotHarness[Any] = BotHarness(
        fake_discord,
        tmp_path,
        factory=bot_factory,
        dev_guild=discord_world.guild,
        settings=bot_settings,
        questions=bot_questions,
    )
    async with harness:
        yield harness
    if fake_discord.unhandled:
        pytest.fail(f"the bot called routes the fake does not implement: {fake_discord.unhandled}")
