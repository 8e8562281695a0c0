"""The e2e harness itself: the real discord.py client against the loopback fake Discord.

The commands and the answer button here are TEST-ONLY (registered on a QuizBot
subclass); the bot's real commands are tested in their own modules.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import signal
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.app import QuizBot
from bot.cogs.common import reply
from bot.discord_internals import send_prepared
from bot.settings import Settings
from tests.fakediscord import (
    BotHarness,
    Callback,
    DriverError,
    FakeDiscord,
    P,
    World,
    build_world,
)
from tests.fakediscord.gateway import IDENTIFY, RESUME

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
THIS_FILE = Path(__file__).read_bytes()
TOPICS = ["delta lake", "spark sql", "streaming", "unity catalog", "workflows"]


# ----------------------------------------------------------------------------- test-only bot


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"harness:answer:(?P<qid>[\w-]+):(?P<choice>[A-D])",
):
    def __init__(self, qid: str, choice: str) -> None:
        super().__init__(discord.ui.Button(label=choice, custom_id=f"harness:answer:{qid}:{choice}"))
        self.qid, self.choice = qid, choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(match["qid"], match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        assert isinstance(bot, HarnessBot)
        with sqlite3.connect(bot.settings.database_path) as db:
            row = db.execute("SELECT boot FROM posted WHERE qid = ?", (self.qid,)).fetchone()
        same = row is not None and row[0] == bot.boot
        await interaction.response.send_message(
            f"{interaction.user.name} chose {self.choice} for {self.qid}; posted by this boot: {same}",
            ephemeral=True,
        )


class AnswerForm(discord.ui.Modal, title="Your answer"):
    answer: discord.ui.TextInput[AnswerForm] = discord.ui.TextInput(
        label="Answer", custom_id="answer", max_length=50
    )
    level: discord.ui.Label[AnswerForm] = discord.ui.Label(
        text="How sure?",
        component=discord.ui.Select(
            custom_id="sure",
            options=[discord.SelectOption(label=x, value=x) for x in ("sure", "guess")],
            required=True,
        ),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        sure = self.level.component
        assert isinstance(sure, discord.ui.Select)
        await interaction.response.send_message(f"got {self.answer.value!r} ({sure.values})", ephemeral=True)


class PickView(discord.ui.View):
    @discord.ui.select(
        custom_id="harness:pick",
        options=[discord.SelectOption(label=t, value=t) for t in TOPICS],
        max_values=2,
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[PickView]) -> None:
        await interaction.response.edit_message(content=f"picked {', '.join(select.values)}", view=None)


@app_commands.command(name="echo", description="Echo the options back")
async def echo(
    interaction: discord.Interaction,
    text: str,
    count: app_commands.Range[int, 1, 5] = 1,
    who: discord.Member | None = None,
    where: discord.TextChannel | None = None,
    role: discord.Role | None = None,
) -> None:
    parts = [
        f"{text}x{count}",
        f"locale={interaction.locale.value}",
        f"guild_locale={interaction.guild_locale}",
    ]
    if who is not None:
        parts.append(f"who={who.name}")
    if where is not None:
        parts.append(f"where={where.name}")
    if role is not None:
        parts.append(f"role={role.name}")
    await interaction.response.send_message(" ".join(parts), ephemeral=True)


@app_commands.command(name="topic", description="Pick a topic")
async def topic(interaction: discord.Interaction, name: str) -> None:
    await interaction.response.send_message(f"topic: {name}")


@topic.autocomplete("name")
async def topic_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=t.title(), value=t)
        for t in TOPICS
        if any(w.startswith(current.lower()) for w in t.split())
    ][:25]


admin = app_commands.Group(
    name="admin", description="Admin commands", default_permissions=discord.Permissions(manage_guild=True)
)
bank = app_commands.Group(name="bank", description="Question bank", parent=admin)


@bank.command(name="reload", description="Reload the bank")
async def bank_reload(interaction: discord.Interaction, dry_run: bool = False) -> None:
    await interaction.response.send_message(
        f"reloaded (dry_run={dry_run}) by {interaction.user.name}", ephemeral=True
    )


@app_commands.command(name="post", description="Post a question with answer buttons")
async def post(interaction: discord.Interaction, qid: str) -> None:
    bot = interaction.client
    assert isinstance(bot, HarnessBot)
    view = discord.ui.View(timeout=None)
    for choice in "ABCD":
        view.add_item(AnswerButton(qid, choice))
    assert isinstance(interaction.channel, discord.TextChannel)
    msg = await interaction.channel.send(f"Question {qid}", view=view)
    with sqlite3.connect(bot.settings.database_path) as db:
        db.execute("INSERT INTO posted (qid, boot, message_id) VALUES (?, ?, ?)", (qid, bot.boot, msg.id))
    await interaction.response.send_message(f"posted {msg.id}", ephemeral=True)


@app_commands.command(name="say", description="Send a channel message")
async def say(interaction: discord.Interaction, text: str) -> None:
    assert isinstance(interaction.channel, discord.TextChannel)
    try:
        msg = await interaction.channel.send(text)
    except discord.Forbidden as exc:
        await interaction.response.send_message(f"forbidden {exc.code}", ephemeral=True)
    except discord.HTTPException as exc:
        await interaction.response.send_message(f"http {exc.status} {exc.code}", ephemeral=True)
    else:
        await interaction.response.send_message(f"sent {msg.id}", ephemeral=True)


@app_commands.command(name="slow", description="Defer, follow up, edit")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.followup.send("working...")
    await interaction.edit_original_response(content="done")
    await interaction.followup.send(
        "extra", ephemeral=True, file=discord.File(__file__, filename="proof.txt")
    )


@app_commands.command(name="form", description="Open a modal")
async def form(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(AnswerForm())


@app_commands.command(name="pick", description="A select menu")
async def pick(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pick topics", view=PickView())


@app_commands.command(name="ops", description="Channel, message, reaction, thread, member and DM routes")
async def ops(interaction: discord.Interaction) -> None:
    assert isinstance(interaction.channel, discord.TextChannel) and interaction.guild is not None
    await interaction.response.defer(ephemeral=True, thinking=True)
    channel = interaction.channel
    msg = await channel.send("v1", file=discord.File(io.BytesIO(b"id,answer\nQ-1,B\n"), filename="bank.csv"))
    msg = await msg.edit(content="v2")
    await msg.add_reaction("\N{WHITE HEAVY CHECK MARK}")
    fetched = await channel.fetch_message(msg.id)
    history = [m.id async for m in channel.history(limit=5)]
    thread = await msg.create_thread(name="discussion")
    await thread.send("in thread")
    member = await interaction.guild.fetch_member(interaction.user.id)
    dm = await interaction.user.send("psst")
    temp = await channel.send("temp")
    await temp.delete()
    await interaction.followup.send(
        f"{fetched.content} {fetched.attachments[0].filename} history={len(history)} "
        f"thread_is_message={thread.id == msg.id} member={member.name} dm={type(dm.channel).__name__}"
    )


@app_commands.command(name="prepared", description="send_prepared, then a second answer")
async def prepared(interaction: discord.Interaction) -> None:
    await send_prepared(
        interaction, embeds=[{"title": "prepared", "description": "**ready**"}], components=[]
    )
    await reply(interaction, "second")  # answered already: this must be a follow-up


@app_commands.command(name="upload", description="Read an attachment option")
async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
    data = await file.read()
    await interaction.response.send_message(f"{file.filename}: {len(data)} bytes, {data.decode()[:9]!r}")


@app_commands.context_menu(name="Report answer")
async def report(interaction: discord.Interaction, member: discord.Member) -> None:
    await interaction.response.send_message(f"reported {member.name}", ephemeral=True)


class HarnessBot(QuizBot):
    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.boot = uuid.uuid4().hex

    async def setup_hook(self) -> None:
        with sqlite3.connect(self.settings.database_path) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS posted (qid TEXT PRIMARY KEY, boot TEXT, message_id INTEGER)"
            )
        test_only: list[Any] = [
            echo,
            topic,
            admin,
            post,
            say,
            slow,
            form,
            pick,
            ops,
            upload,
            report,
            prepared,
        ]
        for cmd in test_only:
            self.tree.add_command(cmd)
        self.add_dynamic_items(AnswerButton)
        await super().setup_hook()


@pytest.fixture
def bot_factory() -> type[HarnessBot]:
    return HarnessBot


# ----------------------------------------------------------------------------- login & sync


async def test_bot_logs_in_and_syncs_commands_to_the_dev_guild(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    fake = fake_discord
    identify = await fake.gateway.wait_identify()
    assert identify.d["token"] == fake.token
    assert identify.d["intents"] == quizbot.running.intents.value
    me = await fake.wait_call("GET", "/users/@me")
    assert me.token == fake.token
    put = await fake.wait_call(
        "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", guild_id=discord_world.guild.id
    )
    assert put.ok
    synced = {c["name"] for c in put.json}
    tree = quizbot.running.tree.get_commands(guild=discord.Object(discord_world.guild.id))
    assert synced == {c.name for c in tree}  # everything the bot registered (its real cogs too)
    assert {"echo", "topic", "admin", "post", "say", "slow", "form", "pick", "ops", "upload"} <= synced
    assert "Report answer" in synced
    assert {c["name"] for c in fake.commands[discord_world.guild.id].values()} == synced
    guild = quizbot.running.get_guild(discord_world.guild.id)
    assert guild is not None and guild.member_count == 5 and guild.me is not None
    # No GUILD_MEMBERS intent: like Discord, GUILD_CREATE carried only the bot's own member.
    assert guild.get_member(discord_world.member.id) is None
    assert quizbot.running.user is not None and quizbot.running.user.id == fake.bot_user.id
    assert fake.unhandled == []


# ----------------------------------------------------------------------------- commands


async def test_slash_command_with_resolved_options_and_locale(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.invoke(
        w.guild,
        w.quiz,
        w.member_zh,
        "echo",
        {"text": "hi", "count": 3, "who": w.admin, "where": w.general, "role": w.admin_role},
    )
    assert h.callback.type == Callback.CHANNEL_MESSAGE
    assert h.callback.ephemeral
    assert h.content == "hix3 locale=zh-TW guild_locale=en-US who=ada where=general role=Admin"
    assert h.message is not None and h.message.ephemeral
    # The payload the bot got carried the synced command's id and resolved data.
    assert h.payload["data"]["id"] == fake_discord.find_command("echo", w.guild)["id"]
    assert str(w.admin.id) in h.payload["data"]["resolved"]["members"]


async def test_driver_rejects_what_a_discord_client_would_not_send(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    with pytest.raises(DriverError, match="required options missing"):
        await fake_discord.invoke(w.guild, w.quiz, w.member, "echo", {})
    with pytest.raises(DriverError, match=r"outside \[1, 5\]"):
        await fake_discord.invoke(w.guild, w.quiz, w.member, "echo", {"text": "x", "count": 9})
    with pytest.raises(DriverError, match="can't see /admin"):
        await fake_discord.invoke(w.guild, w.quiz, w.member, "admin bank reload")
    with pytest.raises(DriverError, match="not synced"):
        await fake_discord.invoke(w.guild, w.quiz, w.member, "nope")


async def test_subcommand_group_needs_manage_guild(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.invoke(w.guild, w.quiz, w.admin, "admin bank reload", {"dry_run": True})
    assert h.content == "reloaded (dry_run=True) by ada"


async def test_autocomplete_round_trip(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.autocomplete(w.guild, w.quiz, w.member, "topic", focused="name", value="s")
    assert h.callback.type == Callback.AUTOCOMPLETE_RESULT
    assert [c["value"] for c in h.choices] == ["spark sql", "streaming"]
    done = await fake_discord.invoke(w.guild, w.quiz, w.member, "topic", {"name": h.choices[1]["value"]})
    assert done.content == "topic: streaming" and not done.ephemeral


async def test_defer_followups_and_edits(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "slow")
    assert h.callback.type == Callback.DEFERRED_CHANNEL_MESSAGE
    original = await h.wait_original(lambda m: m.content == "done")
    assert not original.loading and len(original.versions) == 2  # loading -> "working..." -> "done"
    extra = await h.wait_followup(0)
    assert extra.content == "extra" and extra.ephemeral
    assert extra.attachments[0]["filename"] == "proof.txt"
    assert fake_discord.attachment_bytes(extra.attachments[0]) == THIS_FILE


async def test_send_prepared_answers_once_then_follow_ups_go_to_the_webhook(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "prepared")
    assert h.callback.type == Callback.CHANNEL_MESSAGE and h.ephemeral
    assert h.callback.data["embeds"] == [{"title": "prepared", "description": "**ready**"}]
    assert "with_response" not in h.callback.call.query
    second = await h.wait_followup(0)  # not a second callback (which Discord would refuse)
    assert second.content == "second" and second.ephemeral


async def test_modal_and_select(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    opened = await fake_discord.invoke(w.guild, w.quiz, w.member, "form")
    assert opened.callback.type == Callback.MODAL and opened.modal["title"] == "Your answer"
    submitted = await fake_discord.submit_modal(opened, {"answer": "B, because", "sure": ["guess"]})
    assert submitted.content == "got 'B, because' (['guess'])"
    # what a Discord client refuses to send, the driver refuses too …
    with pytest.raises(DriverError, match="'sure' is required"):
        await fake_discord.submit_modal(opened, {"answer": "B"})
    with pytest.raises(DriverError, match=r"'answer': length must be within \[None, 50\]"):
        await fake_discord.submit_modal(opened, {"answer": "B" * 51, "sure": ["sure"]})
    with pytest.raises(DriverError, match="'sure' takes 1 to 1 values"):
        await fake_discord.submit_modal(opened, {"answer": "B", "sure": ["sure", "guess"]})
    # … unless asked to act as a client that does not check (to test the bot's own checks)
    again = await fake_discord.invoke(w.guild, w.quiz, w.member, "form")
    unchecked = await fake_discord.submit_modal(again, {"answer": "B" * 51}, client_checks=False)
    assert unchecked.content == f"got {'B' * 51!r} ([])"

    menu = await fake_discord.invoke(w.guild, w.quiz, w.member, "pick")
    assert menu.message is not None
    picked = await fake_discord.select(menu.message, "harness:pick", ["spark sql", "workflows"], w.member)
    assert picked.callback.type == Callback.UPDATE_MESSAGE
    assert menu.message.content == "picked spark sql, workflows" and menu.message.components == []
    again = await fake_discord.invoke(w.guild, w.quiz, w.member, "pick")
    assert again.message is not None
    with pytest.raises(DriverError, match="not an option"):
        await fake_discord.select(again.message, "harness:pick", ["cooking"], w.member)


async def test_button_on_a_message_posted_before_a_restart(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    posted = await fake_discord.invoke(w.guild, w.quiz, w.admin, "post", {"qid": "Q-001"})
    question = fake_discord.last_message(w.quiz)
    assert posted.content == f"posted {question.id}"
    assert question.custom_ids() == [f"harness:answer:Q-001:{c}" for c in "ABCD"]

    before = await fake_discord.click(question, "harness:answer:Q-001:B", w.member)
    assert before.content == "bob chose B for Q-001; posted by this boot: True"

    await quizbot.restart()
    assert len(fake_discord.gateway.identifies()) == 2

    after = await fake_discord.click(question.id, "harness:answer:Q-001:C", w.member_zh)
    assert after.callback.ephemeral
    assert after.content == "mei chose C for Q-001; posted by this boot: False"
    assert after.payload["message"]["id"] == str(question.id)


async def test_channel_message_reaction_thread_member_and_dm_routes(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "ops")
    done = await h.wait_original()
    assert done.content == "v2 bank.csv history=1 thread_is_message=True member=bob dm=DMChannel"
    assert done.ephemeral
    posted = fake_discord.channel_messages(w.quiz, include_ephemeral=False)
    first = posted[0]
    assert first.content == "v2" and first.versions[0]["content"] == "v1"
    assert fake_discord.attachment_bytes(first.attachments[0]) == b"id,answer\nQ-1,B\n"
    assert first.reactions == {"\N{WHITE HEAVY CHECK MARK}": {fake_discord.bot_user.id}}
    assert fake_discord.channels[first.id].name == "discussion"
    assert fake_discord.last_message(first.id).content == "in thread"
    assert fake_discord.last_message(fake_discord.dm_channel(w.member.user)).content == "psst"
    assert [m.content for m in posted] == ["v2"]  # "temp" was deleted


async def test_attachment_option_and_context_menu(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    file = fake_discord.upload("bank.md", b"# Q-001\nWhat is Delta Lake?")
    h = await fake_discord.invoke(w.guild, w.quiz, w.admin, "upload", {"file": file})
    assert h.content == "bank.md: 27 bytes, '# Q-001\\nW'"
    h = await fake_discord.invoke_context_menu(w.guild, w.quiz, w.admin, "Report answer", w.member)
    assert h.content == "reported bob"


# ----------------------------------------------------------------------------- fault injection


async def test_429_with_retry_after_is_retried(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    fault = fake_discord.rate_limit(
        "POST", "/channels/{channel_id}/messages", retry_after=0.05, channel_id=w.quiz.id
    )
    mark = fake_discord.mark()
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "say", {"text": "hello"})
    assert h.content.startswith("sent ")
    posts = fake_discord.calls.filter(
        lambda c: c.matches("POST", "/channels/{channel_id}/messages"), since=mark
    )
    assert [(c.status, c.fault) for c in posts] == [(429, "429"), (200, None)]
    assert fault.hits == 1 and not fault.active
    assert fake_discord.last_message(w.quiz).content == "hello"


async def test_500_then_global_429_are_retried(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    # Faults match in the order they were added; discord.py waits 1 s after a first 500.
    fake_discord.fail("POST", "/channels/*/messages", 500)
    fake_discord.rate_limit("POST", "/channels/*/messages", retry_after=0.01, is_global=True)
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "say", {"text": "eventually"}, timeout=10)
    assert h.content.startswith("sent ")
    statuses = [c.status for c in fake_discord.calls if c.route == "/channels/{channel_id}/messages"]
    assert statuses == [500, 429, 200]


async def test_403_surfaces_as_forbidden(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    fake_discord.forbid("POST", "/channels/{channel_id}/messages")
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "say", {"text": "hello"})
    assert h.content == "forbidden 50013"
    # Without injection: the bot really lacks Send Messages in a channel.
    locked = fake_discord.create_channel(w.guild, "locked")
    fake_discord.set_overwrite(locked, w.guild.everyone, deny=P.SEND_MESSAGES)
    h = await fake_discord.invoke(w.guild, locked, w.member, "say", {"text": "hello"})
    assert h.content == "forbidden 50013"
    fake_discord.set_overwrite(locked, w.guild.everyone, deny=P.VIEW_CHANNEL)
    h = await fake_discord.invoke(w.guild, locked, w.admin, "say", {"text": "hello"})
    assert h.content == "forbidden 50001"


async def test_payloads_discord_would_reject_are_rejected(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "say", {"text": "x" * 2001})
    assert h.content == "http 400 50035"
    bad = fake_discord.calls.find(lambda c: c.status == 400)
    assert bad is not None and "content" in bad.response["errors"]


async def test_hang_until_released(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    gate = fake_discord.hang("POST", "/interactions/*/callback")
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "echo", {"text": "later"}, wait=False)
    await gate.wait_hit()
    assert not h.answered
    gate.release()
    await h.wait_response()
    assert h.content.startswith("laterx1")


async def test_dropped_gateway_resumes_and_replays(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    gw = fake_discord.gateway
    session = gw.current
    assert session is not None
    mark = gw.mark()
    await gw.drop(code=4000)
    # Dispatched while the bot is (probably) still reconnecting: kept and replayed on RESUME.
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "echo", {"text": "again"}, timeout=10)
    assert h.content.startswith("againx1")
    resume = await gw.wait_frame(lambda f: f.direction == "recv" and f.op == RESUME, since=mark)
    assert resume.d["session_id"] == session.id and resume.d["token"] == fake_discord.token
    await gw.wait_resumed(since=mark)
    assert gw.current is session
    assert not gw.frames.find(lambda f: f.direction == "recv" and f.op == IDENTIFY, since=mark)

    mark = gw.mark()
    await gw.drop(abrupt=True)
    await gw.wait_resumed(since=mark)
    mark = gw.mark()
    await gw.send_reconnect()
    await gw.wait_resumed(since=mark)
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "echo", {"text": "still"})
    assert h.content.startswith("stillx1")


async def test_invalid_session_makes_the_bot_identify_again(
    quizbot: BotHarness[HarnessBot], fake_discord: FakeDiscord, discord_world: World
) -> None:
    gw = fake_discord.gateway
    mark = gw.mark()
    await gw.invalidate_session(resumable=False)
    # discord.py waits 5 s before a non-initial IDENTIFY (its identify rate limit).
    identify = await gw.wait_identify(timeout=15, since=mark)
    assert identify.d["token"] == fake_discord.token
    await gw.wait_ready_sent(since=mark)
    w = discord_world
    h = await fake_discord.invoke(w.guild, w.quiz, w.member, "echo", {"text": "new session"})
    assert h.content.startswith("new sessionx1")


# ----------------------------------------------------------------------------- the real entry point


@contextlib.contextmanager
def sigint_not_ignored() -> Iterator[None]:
    """A child inherits an ignored SIGINT (as in background jobs), and Python then never raises
    KeyboardInterrupt; any handler in the parent becomes the default in the child instead."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous is signal.SIG_IGN:
            signal.signal(signal.SIGINT, previous)


async def test_python_m_bot_run_identifies_with_the_token(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        guild = build_world(fake).guild
        (tmp_path / "questions").mkdir()
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "QUESTIONS_", "DATABASE_"))
        }
        env.update(
            DISCORD_TOKEN=TOKEN,
            DISCORD_API_BASE=fake.api_base,
            DISCORD_GATEWAY_URL=fake.gateway_url,
            QUESTIONS_DIR=str(tmp_path / "questions"),
            DATABASE_PATH=str(tmp_path / "quizbot.sqlite3"),
            DEV_GUILD_ID=str(guild.id),
            LOG_LEVEL="INFO",
            PYTHONPATH=str(ROOT),
        )
        log_path = tmp_path / "bot.log"
        with log_path.open("wb") as out, sigint_not_ignored():
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=tmp_path,
                env=env,
                stdout=out,
                stderr=out,
                stdin=asyncio.subprocess.DEVNULL,
            )
            try:
                identify = await fake.gateway.wait_identify(timeout=30)
                assert identify.d["token"] == TOKEN
                await fake.wait_call(
                    "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", guild_id=guild.id
                )
                assert fake.bot_user.id == 1087654321098765432  # the id encoded in the token
                # Wait until the bot is in its receive loop (see docs/testing.md: a SIGINT that lands
                # while discord.py's connect() is inside asyncio.wait_for can be swallowed on 3.11).
                await fake.gateway.sync(timeout=15)
                proc.send_signal(signal.SIGINT)
                rc = await asyncio.wait_for(proc.wait(), 20)
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        output = log_path.read_text(errors="replace")
        assert rc == 0, output
        assert "Traceback" not in output, output
        # A clean close: the bot closed its gateway connection itself with 1000.
        conn = fake.gateway.connections[-1]
        await asyncio.wait_for(conn.closed.wait(), 5)
        assert conn.close_code == 1000
