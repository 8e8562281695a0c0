"""Who may do what, and what happens when something fails (issue 14): public replies need the member
(and the bot) allowed to send, bot-wide actions need the bot's owners, private posts are limited per
member, the in-memory caches are bounded, and a failed answer write is answered and logged."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cogs import posts as quiz_module
from tests.fakediscord import BotHarness, FakeDiscord, P, World
from tests.helpers import CHOOSE2, DELTA, Q104, embed_text

MEMBER_NOTE = "You may not send messages in this channel, so only you see this."


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return {"community/Q-104.md": Q104, "raw/Q-023.md": CHOOSE2, "other/Q-900.md": DELTA}


def post_id_of(message: Any) -> int:
    return int(message.custom_ids()[0].split(":")[2])


def quiz_cog(quizbot: BotHarness[Any]) -> Any:
    return quizbot.running.services.quiz


# ------------------------------------------------------------------------------ public replies


async def test_a_member_who_may_not_send_here_gets_ephemeral_replies_that_say_why(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "CLI"})
    assert not post.ephemeral
    await fake.click(post.message, post.message.custom_ids()[0], w.member)  # bob is on the board now

    fake.set_overwrite(w.quiz, w.member, deny=P.SEND_MESSAGES)
    await fake.gateway.sync()
    lb = await fake.invoke(w.guild, w.quiz, w.member, "leaderboard")
    # the fake sends what Discord sends: the member's permissions in this channel, and the bot's
    assert not int(lb.payload["member"]["permissions"]) & P.SEND_MESSAGES
    assert int(lb.payload["app_permissions"]) & P.SEND_MESSAGES
    assert lb.ephemeral and lb.content == MEMBER_NOTE and lb.embeds
    for command, options in (
        ("stats me", {"public": True}),
        ("stats server", {"public": True}),
        ("explain", {"question": "community/Q-104", "public": True}),
        ("explain", {"question": "community/Q-104", "option": "A", "public": True}),
    ):
        h = await fake.invoke(w.guild, w.quiz, w.member, command, options)
        assert h.ephemeral and h.content == MEMBER_NOTE and h.embeds, command
    served = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})  # served privately instead
    assert served.ephemeral and served.content == MEMBER_NOTE and served.message.custom_ids()
    stored = await quizbot.running.storage.get_post(post_id_of(served.message))
    assert stored is not None and stored.private
    other = await fake.invoke(w.guild, w.quiz, w.member_zh, "leaderboard")  # mei may send: public
    assert not other.ephemeral and not other.content

    fake.set_overwrite(w.general, w.guild.members[fake.bot_user.id], deny=P.EMBED_LINKS)
    await fake.gateway.sync()
    h = await fake.invoke(w.guild, w.general, w.member_zh, "leaderboard", locale="en-US")
    assert h.ephemeral and h.embeds and "I can't post in this channel (I need Embed Links)" in h.content
    h = await fake.invoke(w.guild, w.general, w.member, "quiz", {})
    assert h.ephemeral and "can't post in this channel" in h.content and h.message.custom_ids()
    assert quizbot.errors.lines() == []


# ------------------------------------------------------------------------------ owners


async def reload_as(fake: FakeDiscord, w: World, who: Any) -> str:
    h = await fake.invoke(w.guild, w.general, who, "quizadmin reload", check_permissions=False)
    message = await h.wait_original(lambda m: not m.loading)
    assert message.ephemeral
    return str(message.content)


async def test_reload_is_for_the_bots_owners_and_server_admins_are_told_who(
    fake_discord: FakeDiscord, discord_world: World, bot_questions: dict[str, str], tmp_path: Path
) -> None:
    w, fake = discord_world, fake_discord
    host = fake.create_member(w.guild, "host", roles=[w.admin_role])  # in OWNER_IDS
    app_owner = fake.create_member(w.guild, fake.application_owner, roles=[w.admin_role])
    settings = {"owner_ids": frozenset({host.id})}
    async with BotHarness(
        fake, tmp_path / "one", dev_guild=w.guild, settings=settings, questions=bot_questions
    ) as harness:
        bank = harness.running.bank
        text = await reload_as(fake, w, w.admin)  # Manage Server, but not an owner of the bot
        assert "only the bot's owners can run it" in text and f"<@{host.id}>" in text
        assert harness.running.bank is bank  # nothing reloaded
        h = await fake.invoke(w.guild, w.general, w.admin, "quizadmin bank")  # per-server: theirs
        assert "Question bank" in h.content
        assert "Bank reloaded" in await reload_as(fake, w, host)
        assert "Bank reloaded" in await reload_as(fake, w, app_owner)  # the application's owner
        text = await reload_as(fake, w, w.admin)
        assert f"<@{host.id}>" in text and f"<@{app_owner.id}>" in text  # both named now
        assert harness.errors.lines() == []

    # an application owned by a team: its admins and developers are owners, read-only members not
    dev = fake.create_member(w.guild, "dev", roles=[w.admin_role])
    viewer = fake.create_member(w.guild, "viewer", roles=[w.admin_role])
    fake.application_team = [(dev.user, "admin"), (viewer.user, "read_only")]
    async with BotHarness(fake, tmp_path / "two", dev_guild=w.guild, questions=bot_questions) as harness:
        info = await harness.running.application_info()  # the fake's payload, as discord.py reads it
        assert info.team is not None and [(m.id, m.role.value) for m in info.team.members] == [
            (dev.id, "admin"),
            (viewer.id, "read_only"),
        ]
        assert "Bank reloaded" in await reload_as(fake, w, dev)
        text = await reload_as(fake, w, viewer)
        assert "only the bot's owners" in text and f"<@{dev.id}>" in text and f"<@{viewer.id}>" not in text
        h = await fake.invoke(w.guild, w.general, w.member, "quizadmin reload", check_permissions=False)
        assert "Only members with the Manage Server permission" not in h.content  # told who can
        assert "only the bot's owners" in h.content


# ------------------------------------------------------------------------------ private posts


async def test_private_posts_are_limited_per_member_and_close_once_answered(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    first = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"private": True, "topic": "CLI"})
    click = await fake.click(first.message, first.message.custom_ids()[0], w.member)
    assert click.embeds
    closed = await storage.get_post(post_id_of(first.message))
    assert closed is not None and closed.is_closed  # its only reader answered it
    for _ in range(3):
        h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"private": True})
        assert h.ephemeral and h.message.custom_ids()
    refused = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"private": True})
    assert refused.ephemeral and "You already have 3 private questions open here" in refused.content
    assert not refused.embeds
    other = await fake.invoke(w.guild, w.quiz, w.member_zh, "quiz", {"private": True})  # per member
    assert other.ephemeral and other.embeds
    button = refused.message.buttons()[0]
    assert button["label"] == "Close them"
    not_theirs = await fake.click(refused.message, button["custom_id"], w.member_zh)
    assert not_theirs.ephemeral and f"<@{w.member.id}>" in not_theirs.content  # only bob may
    done = await fake.click(refused.message, button["custom_id"], w.member)
    assert "Closed 3 private question(s)" in done.message.content
    assert await storage.open_private_posts(w.guild.id, w.member.id) == []
    again = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"private": True})
    assert again.ephemeral and again.embeds
    # the cooldown is for public posts; private ones do not start it
    public = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})
    assert not public.ephemeral, public.content


async def test_ten_thousand_private_posts_and_the_caches_stay_bounded(
    quizbot: BotHarness[Any], discord_world: World
) -> None:
    w = discord_world
    quiz, storage = quiz_cog(quizbot), quizbot.running.storage
    # no fsync per statement: the same SQL on the same file, 10,000 times, in seconds
    await storage.run_sync(lambda conn: conn.execute("PRAGMA synchronous = OFF"))
    now = datetime.now(UTC)
    first = await storage.create_post(
        w.guild.id, w.quiz.id, "community/Q-104", "practice", "E", option_letters="ABCDE",
        requested_by=1, private=True, closes_at=now + timedelta(hours=1),
    )  # fmt: skip
    n = 10_000
    rows = [
        (w.guild.id, w.quiz.id, "community/Q-104", "practice", "E", "ABCDE", 10**6 + i, first.created_at, first.closes_at)
        for i in range(n - 1)
    ]  # fmt: skip

    def insert(conn: sqlite3.Connection) -> list[int]:
        ms = [int(r[7].timestamp() * 1000) for r in rows]
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO posts (guild_id, channel_id, question_key, kind, correct_letters, option_letters, "
            "requested_by, created_at, closes_at, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
            [(*r[:7], m, m + 3_600_000) for r, m in zip(rows, ms, strict=True)],
        )
        conn.execute("COMMIT")
        return [
            pid for (pid,) in conn.execute("SELECT post_id FROM posts WHERE private = 1 ORDER BY post_id")
        ]

    ids = await storage.run_sync(insert)
    assert len(ids) == n
    peak: dict[str, int] = {}
    for i, pid in enumerate(ids):
        post = await quiz.get_post(pid)  # what a click does: the post is cached while open
        assert post is not None and post.private
        quiz.remember_asked(w.guild.id, post.requested_by, post.question_key)  # what /quiz does
        for name, size in quiz.cache_sizes().items():
            peak[name] = max(peak.get(name, 0), size)
        if i % 1000 == 0:
            assert quiz.cache_sizes()["posts"] <= quiz_module.POST_CACHE_SIZE
    assert peak["posts"] == quiz_module.POST_CACHE_SIZE and peak["recent"] == quiz_module.MEMBER_CACHE_SIZE
    for pid in ids:
        result = await quiz.close_post(pid)
        assert result is not None and result.newly_closed
    sizes = quiz.cache_sizes()
    assert sizes["posts"] == 0 and sizes["last_edit"] == 0 and sizes["count_tasks"] == 0
    assert sizes["recent"] <= quiz_module.MEMBER_CACHE_SIZE
    assert len(quizbot.running.spoilers.membership) <= quizbot.running.spoilers.membership.max_size


# ------------------------------------------------------------------------------ a failed answer write


async def test_a_failed_answer_write_is_answered_logged_and_nothing_acknowledged_is_lost(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    post = (await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "CLI"})).message
    pid = post_id_of(post)
    await storage.run_sync(lambda conn: conn.execute("PRAGMA busy_timeout = 50"))
    blocker = sqlite3.connect(quizbot.settings.database_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database past the bot's timeout
        failed = await fake.click(post, post.custom_ids()[0], w.member)
        assert failed.ephemeral and not failed.embeds
        assert "could not save your answer" in failed.content and "try again" in failed.content
        ok = await fake.click(post, post.custom_ids()[1], w.member_zh)  # locked for mei too
        assert "無法儲存你的答案" in ok.content
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    logged = [r.getMessage() for r in quizbot.errors.records if r.name == "bot.cogs.answer"]
    assert any(f"member {w.member.id} to post {pid}" in m for m in logged), logged
    assert await storage.get_answer(pid, w.member.id) is None  # not stored, and not acknowledged
    await storage.run_sync(lambda conn: conn.execute("PRAGMA busy_timeout = 10000"))
    again = await fake.click(post, post.custom_ids()[0], w.member)
    assert again.embeds and "answer" in embed_text(again).lower()
    stored = await storage.get_answer(pid, w.member.id)
    assert stored is not None and stored.letters == "A"
