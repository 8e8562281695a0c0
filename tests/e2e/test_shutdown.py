"""SIGTERM/SIGINT: the real `python -m bot run` against the fake Discord.

The first signal stops taking clicks, lets the clicks already received finish (answer stored,
feedback sent), writes what is queued, ends the gateway session with 1000 and closes the
database: exit code 0. A second signal exits at once (128 + the signal number).

The interaction callbacks are held by the fake (`hang`) until the bot has said it is shutting
down, so the clicks are certainly still in flight when the signal lands: no timing involved.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import discord
from discord import app_commands

from bot.app import QuizBot
from tests.fakediscord import BotHarness, FakeDiscord, FakeMember, build_world
from tests.helpers import Q104, TOKEN, BotProcess, bot_env

CALLBACK = "/interactions/*/callback"
GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"


def stored_answers(db: Path) -> dict[int, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT user_id, letters FROM answers").fetchall())


async def test_sigterm_finishes_the_clicks_in_flight_and_refuses_new_ones(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        w = build_world(fake)
        members: list[FakeMember] = [fake.create_member(w.guild, f"student{i}") for i in range(12)]
        env = bot_env(tmp_path, fake, DEV_GUILD_ID=str(w.guild.id))
        (tmp_path / "questions" / "Q-104.md").write_text(Q104, encoding="utf-8")
        async with await BotProcess.start(env, tmp_path) as bot:
            await fake.wait_call("PUT", GUILD_COMMANDS, 30, guild_id=w.guild.id)
            await fake.gateway.wait_identify(timeout=30)
            await fake.gateway.sync(timeout=15)
            post = (await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "cli"})).message
            assert post is not None
            buttons = post.custom_ids()

            held = fake.hang("POST", CALLBACK, times=None)
            clicks = [
                await fake.click(post, buttons[i % 5], m, wait=False, timeout=30)
                for i, m in enumerate(members)
            ]
            await fake.gateway.sync(timeout=15)  # the bot has read every click: handlers are running
            bot.signal(signal.SIGTERM)
            await bot.wait_output("SIGTERM: shutting down")
            await bot.wait_output("waiting for")

            late = await fake.click(post, buttons[4], w.member, wait=False)  # after the signal
            await fake.gateway.sync(timeout=15)
            await bot.wait_output("ignored: shutting down")

            held.release()  # the feedback of the clicks in flight can go out now
            rc = await bot.wait_exit()
            output = bot.output
            fake.clear_faults()

        assert rc == 0, output
        assert "Traceback" not in output and "ERROR" not in output, output
        assert all(c.answered for c in clicks), output  # every click in flight got its feedback
        assert not late.answered
        answers = stored_answers(tmp_path / "quizbot.sqlite3")
        assert answers == {m.id: "ABCDE"[i % 5] for i, m in enumerate(members)}
        assert w.member.id not in answers  # the click after the signal was not taken
        conn = fake.gateway.connections[-1]
        assert conn.closed.is_set() and conn.close_code == 1000  # session ended: offline at once


async def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        w = build_world(fake)
        env = bot_env(tmp_path, fake, DEV_GUILD_ID=str(w.guild.id))
        (tmp_path / "questions" / "Q-104.md").write_text(Q104, encoding="utf-8")
        async with await BotProcess.start(env, tmp_path) as bot:
            await fake.wait_call("PUT", GUILD_COMMANDS, 30, guild_id=w.guild.id)
            await fake.gateway.wait_identify(timeout=30)
            await fake.gateway.sync(timeout=15)
            post = (await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "cli"})).message
            assert post is not None

            held = fake.hang("POST", CALLBACK, times=None)  # never released: the first close would wait
            click = await fake.click(post, post.custom_ids()[0], w.member, wait=False)
            await held.wait_hit(timeout=15)  # the answer is stored; its feedback is stuck
            bot.signal(signal.SIGTERM)
            await bot.wait_output("waiting for")
            bot.signal(signal.SIGTERM)
            rc = await bot.wait_exit()
            output = bot.output
            fake.clear_faults()

        assert rc == 128 + signal.SIGTERM, output
        assert "SIGTERM again: exiting now" in output
        assert not click.answered
        # committed before the feedback was sent: an immediate exit loses nothing acknowledged
        assert stored_answers(tmp_path / "quizbot.sqlite3") == {w.member.id: "A"}


async def test_sigint_is_a_clean_shutdown_too(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        build_world(fake)
        env = bot_env(tmp_path, fake)
        async with await BotProcess.start(env, tmp_path) as bot:
            await fake.gateway.wait_identify(timeout=30)
            await fake.gateway.sync(timeout=15)
            bot.signal(signal.SIGINT)
            rc = await bot.wait_exit()
        assert rc == 0, bot.output
        assert "SIGINT: shutting down" in bot.output and "Traceback" not in bot.output
        assert fake.gateway.connections[-1].close_code == 1000


# ----------------------------------------------------------------------------- close() from a handler


@app_commands.command(name="stop", description="Test only: stop the bot from a command")
async def stop(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("bye", ephemeral=True)
    await interaction.client.close()


class StoppableBot(QuizBot):
    shutdown_grace = 120.0  # if close() waited for the handler that called it, the test would time out

    async def setup_hook(self) -> None:
        self.tree.add_command(stop)
        await super().setup_hook()


async def test_a_handler_that_closes_the_bot_does_not_wait_for_itself(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        w = build_world(fake)
        async with BotHarness(fake, tmp_path, factory=StoppableBot, dev_guild=w.guild) as harness:
            h = await fake.invoke(w.guild, w.quiz, w.admin, "stop")
            assert h.content == "bye"
            conn = fake.gateway.connections[-1]
            await asyncio.wait_for(conn.closed.wait(), 15)
            assert harness.running.is_closed()
