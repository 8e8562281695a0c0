"""Command sync: only when the tree changed (hash in the database), or when forced."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.app import QuizBot
from bot.core.sync import should_sync, sync_key, tree_hash
from bot.settings import Settings
from bot.storage import Storage
from tests.fakediscord import BotHarness, FakeDiscord, build_world
from tests.helpers import TOKEN, bot_env, run_cli

GLOBAL = "/applications/{application_id}/commands"
GUILD = "/applications/{application_id}/guilds/{guild_id}/commands"

QUIZ = {
    "name": "quiz",
    "description": "Get a practice question",
    "type": 1,
    "options": [
        {"type": 3, "name": "topic", "description": "Only questions on this topic", "required": False},
        {"type": 5, "name": "private", "description": "Only you see it", "required": False},
    ],
    "contexts": [0],
}
EXPLAIN = {"name": "explain", "description": "Explain a question", "type": 1, "options": []}
MENU = {"name": "explain", "type": 3}  # a message context menu may share a slash command's name


# ----------------------------------------------------------------------------- pure functions


def test_hash_ignores_command_and_key_order() -> None:
    reordered = {k: QUIZ[k] for k in reversed(list(QUIZ))}
    assert tree_hash([QUIZ, EXPLAIN, MENU]) == tree_hash([MENU, EXPLAIN, reordered])
    assert len(tree_hash([])) == 64


@pytest.mark.parametrize(
    "change",
    ["description", "option order", "option added", "command removed", "localization", "menu type"],
)
def test_hash_sees_what_discord_would_see(change: str) -> None:
    base = [QUIZ, EXPLAIN, MENU]
    changed: list[dict[str, Any]] = copy.deepcopy(base)
    if change == "description":
        changed[0]["description"] = "Get a question"
    elif change == "option order":
        changed[0]["options"].reverse()
    elif change == "option added":
        changed[0]["options"].append({"type": 3, "name": "trap", "description": "Trap tag"})
    elif change == "command removed":
        changed.pop(1)
    elif change == "localization":
        changed[0]["description_localizations"] = {"zh-TW": "練習題"}
    else:
        changed[2]["type"] = 2
    assert tree_hash(changed) != tree_hash(base)


@pytest.mark.parametrize(
    ("stored", "current", "forced", "expected"),
    [
        (None, "a", False, True),  # never synced
        ("a", "a", False, False),  # unchanged
        ("a", "b", False, True),  # changed
        ("a", "a", True, True),  # quizbot sync
        (None, "a", True, True),
    ],
)
def test_should_sync(stored: str | None, current: str, forced: bool, expected: bool) -> None:
    assert should_sync(stored, current, forced) is expected


def test_sync_key_is_per_application_and_scope() -> None:
    keys = {
        sync_key(1, None),
        sync_key(2, None),
        sync_key(1, 123456789012345678),
        sync_key(1, 223456789012345678),
    }
    assert len(keys) == 4
    assert sync_key(1, None) == "commands_hash:1:global"


async def test_meta_round_trip(tmp_path: Path) -> None:
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        assert await storage.get_meta("k") is None
        await storage.set_meta("k", "one")
        await storage.set_meta("k", "two")
        assert await storage.get_meta("k") == "two"
    async with await Storage.open(tmp_path / "db.sqlite3") as storage:
        assert await storage.get_meta("k") == "two"


# ----------------------------------------------------------------------------- the real bot


@app_commands.command(name="ping", description="An extra command: the tree changed")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong", ephemeral=True)


class BiggerBot(QuizBot):
    async def setup_hook(self) -> None:
        self.tree.add_command(ping)
        await super().setup_hook()


def forced(settings: Settings) -> QuizBot:
    return QuizBot(settings, force_sync=True)


async def test_global_sync_only_when_the_tree_changed(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        build_world(fake)
        harness: BotHarness[QuizBot] = BotHarness(fake, tmp_path)  # no DEV_GUILD_ID: global
        async with harness:
            put = await fake.wait_call("PUT", GLOBAL)
            assert {"quiz", "explain"} <= {c["name"] for c in put.json}
            assert not fake.calls.filter(lambda c: c.matches("PUT", GUILD))
            assert "synced" in (harness.running.sync_report or "")

            mark = fake.mark()
            await harness.restart()  # same tree, same database: no sync
            assert not fake.calls.filter(lambda c: c.method == "PUT", since=mark)
            assert "unchanged" in (harness.running.sync_report or "")

            mark = fake.mark()
            harness.factory = BiggerBot  # the tree changed
            await harness.restart()
            put = await fake.wait_call("PUT", GLOBAL, since=mark)
            assert "ping" in {c["name"] for c in put.json}

            mark = fake.mark()
            harness.factory = QuizBot  # back to the smaller tree: changed again
            await harness.restart()
            await fake.wait_call("PUT", GLOBAL, since=mark)

            mark = fake.mark()
            harness.factory = forced  # `quizbot sync`: syncs the unchanged tree all the same
            await harness.restart()
            await fake.wait_call("PUT", GLOBAL, since=mark)


async def test_dev_guild_sync_goes_to_that_server_only_and_once(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        world = build_world(fake)
        async with BotHarness(fake, tmp_path, dev_guild=world.guild) as harness:
            put = await fake.wait_call("PUT", GUILD, guild_id=world.guild.id)
            assert "quiz" in {c["name"] for c in put.json}
            assert not fake.calls.filter(lambda c: c.matches("PUT", GLOBAL))
            mark = fake.mark()
            await harness.restart()
            assert not fake.calls.filter(lambda c: c.method == "PUT", since=mark)
            # the commands synced by the first start still work after the restart
            h = await fake.invoke(world.guild, world.quiz, world.member, "quiz")
            assert h.answered


async def test_a_failed_sync_does_not_stop_the_bot_and_is_retried(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        build_world(fake)
        fake.fail("PUT", GLOBAL, status=400, code=50035, message="Invalid Form Body")
        async with BotHarness(fake, tmp_path) as harness:
            assert harness.running.sync_report is None  # failed, logged, no hash stored
            mark = fake.mark()
            await harness.restart()
            put = await fake.wait_call("PUT", GLOBAL, since=mark)
            assert put.ok


async def test_quizbot_sync_command(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        build_world(fake)
        env = bot_env(tmp_path, fake)
        for _ in range(2):  # forced: the second run syncs the unchanged tree again
            mark = fake.mark()
            proc, err = await run_cli(env, tmp_path, "sync")
            assert proc.returncode == 0, err.decode()
            put = await fake.wait_call("PUT", GLOBAL, since=mark)
            assert put.ok and "quiz" in {c["name"] for c in put.json}
        assert not fake.gateway.connections  # HTTP only, no gateway session
