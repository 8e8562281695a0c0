"""/leaderboard and /stats (me, member, server) — the real bot on the fake Discord.

Answers are seeded the way the bot records them: through /quiz and a click once, and straight
through `quizbot.bot.storage` (create_post + record_answer) for volume.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import discord
import pytest
from PIL import Image

from bot.core.models import LeaderboardPage
from bot.render.chart import chart_size
from bot.render.ids import LB_NAV
from bot.render.limits import embed_problems
from bot.storage import Storage
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.helpers import Q104

ROOT = Path(__file__).resolve().parents[2]
Q001 = (ROOT / "questions" / "starter" / "Q-001.md").read_text(encoding="utf-8")
# Q-104 again with a Chinese topic: the chart and the embeds must cope with CJK tags.
Q900 = (
    Q104.replace("`Q-104`", "`Q-900`")
    .replace("`Jobs`, `CLI`, `Automation`", "`資料治理`, `CLI`")
    .replace("`ID-Type-Confusion`, `Scope-Misunderstanding`", "`Concept-Confusion`")
    .replace("The Databricks CLI is used to trigger", "A governance question: the CLI is used to trigger")
    .replace("job", "pipeline")
    .replace("run", "update")
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CH = 555_555_555_555_555_555
BASE_ID = 400_000_000_000_000_000


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return {"community/Q-104.md": Q104, "starter/Q-001.md": Q001, "zh/Q-900.md": Q900}


# ------------------------------------------------------------------------------ helpers


def embed_text(message: Any) -> str:
    parts = []
    for e in message.embeds:
        parts += [e.get("title", ""), e.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
        parts.append(e.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def assert_within_limits(message: Any) -> None:
    assert message.embeds
    for e in message.embeds:
        assert embed_problems(discord.Embed.from_dict(e)) == [], e


def field(message: Any, name: str) -> str:
    for f in message.embeds[0].get("fields", []):
        if f["name"].startswith(name):
            return str(f["value"])
    raise AssertionError(f"no field {name!r} in {message.embeds[0]}")


async def posts(
    storage: Storage, guild_id: int, n: int, *, kind: str = "daily", key: str = "community/Q-104"
) -> list[int]:
    out = []
    for _ in range(n):
        post = await storage.create_post(guild_id, CH, key, kind, "E", option_letters="ABCDE")
        out.append(post.post_id)
    return out


async def seed_points(storage: Storage, guild_id: int, players: list[tuple[int, str | None, int]]) -> None:
    """Each (user, name, n) answers the first n of enough daily posts correctly: n * 10 points."""
    ids = await posts(storage, guild_id, max(n for _, _, n in players))
    await asyncio.gather(
        *(
            storage.record_answer(guild_id, post_id, user, "E", display_name=name)
            for user, name, n in players
            for post_id in ids[:n]
        )
    )


async def answer(
    storage: Storage, guild_id: int, key: str, correct: str, user: int, name: str, letters: str
) -> None:
    post = await storage.create_post(guild_id, CH, key, "practice", correct, option_letters="ABCDE")
    outcome = await storage.record_answer(guild_id, post.post_id, user, letters, display_name=name)
    assert outcome.status == "stored"


def nav(message: Any, action: str) -> dict[str, Any]:
    return next(b for b in message.buttons() if b["custom_id"].startswith(f"lb:{action}:"))


# ------------------------------------------------------------------------------ /leaderboard


async def test_leaderboard_pages_for_its_owner_and_shows_the_callers_rank_off_the_page(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.bot.storage
    gone = BASE_ID + 999  # answered, then left the server: not a member of the fake guild
    players: list[tuple[int, str | None, int]] = [(gone, "Gone Gina", 32)]
    players += [(BASE_ID + i, f"Player {i:02d}", 30 - i) for i in range(1, 27)]  # 290 .. 40 points
    players += [(BASE_ID + 500, "@everyone **bold**", 2), (w.member.id, "bob", 1)]
    await seed_points(storage, w.guild.id, players)

    h = await fake.invoke(w.guild, w.quiz, w.member, "leaderboard")
    assert h.callback.type == Callback.CHANNEL_MESSAGE and not h.ephemeral
    assert h.callback.data["allowed_mentions"] == {"parse": []}
    msg = h.message
    assert_within_limits(msg)
    text = embed_text(msg)
    assert "Leaderboard · Points · All time" in text
    assert "🥇 Gone Gina · 320 pts" in text and str(gone) not in text
    assert "Player 09" in text and "Player 10" not in text
    assert field(msg, "Your rank") == "#29 of 29 · 10 pts"  # bob, far off page 1
    assert "Page 1/3 · 29 ranked" in text
    assert nav(msg, "prev").get("disabled") and not nav(msg, "next").get("disabled")
    assert all(re.fullmatch(LB_NAV, cid) for cid in msg.custom_ids())

    page2 = await fake.click(msg, nav(msg, "next")["custom_id"], w.member)
    assert page2.callback.type == Callback.UPDATE_MESSAGE
    text = embed_text(page2.message)
    assert "`#11` Player 10 · 200 pts" in text and "Player 09" not in text and "Page 2/3" in text

    refused = await fake.click(page2.message, nav(page2.message, "next")["custom_id"], w.member_zh)
    assert refused.ephemeral and f"<@{w.member.id}>" in refused.content and "/leaderboard" in refused.content
    assert refused.callback.data["allowed_mentions"] == {"parse": []}
    assert "Page 2/3" in embed_text(fake.message(msg.id))  # unchanged

    await quizbot.restart()  # the buttons are persistent
    current = fake.message(msg.id)
    page3 = await fake.click(current, nav(current, "next")["custom_id"], w.member)
    text = embed_text(page3.message)
    assert_within_limits(page3.message)
    assert "Page 3/3" in text and "**`#29` bob · 10 pts** ◀" in text
    assert "@\u200beveryone \\*\\*bold\\*\\* · 20 pts" in text  # escaped: no ping, no formatting
    assert nav(page3.message, "next").get("disabled")
    back = await fake.click(page3.message, nav(page3.message, "prev")["custom_id"], w.member)
    assert "Page 2/3" in embed_text(back.message)


async def test_leaderboard_is_per_server_and_the_period_reaches_storage(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.bot.storage
    other = fake.create_guild("Other Server")
    await seed_points(storage, other.id, [(BASE_ID + 1, "Other Olga", 20), (w.member.id, "bob", 15)])
    await storage.set_guild_settings(w.guild.id, timezone="Asia/Taipei")
    await seed_points(storage, w.guild.id, [(w.member.id, "bob", 1), (w.member_zh.id, "mei", 2)])

    calls: list[tuple[tuple[Any, ...], dict[str, Any], LeaderboardPage]] = []
    real = storage.leaderboard

    async def spy(*args: Any, **kwargs: Any) -> LeaderboardPage:
        page = await real(*args, **kwargs)
        calls.append((args, kwargs, page))
        return page

    storage.leaderboard = spy  # type: ignore[method-assign]
    h = await fake.invoke(w.guild, w.quiz, w.member, "leaderboard", {"period": "week", "private": True})
    assert h.ephemeral
    assert_within_limits(h.message)
    (args, kwargs, page), *_ = calls
    assert args[:3] == (w.guild.id, "week", "points") and kwargs["user_id"] == w.member.id
    start = date.fromisoformat(page.period_key.removeprefix("week:"))
    assert start.weekday() == 0  # the Monday of this week in Taipei (storage tests cover the math)
    text = embed_text(h.message)
    assert f"This week (from {start.isoformat()})" in text
    assert "Other Olga" not in text and "**🥈 bob · 10 pts** ◀" in text  # bob's 150 elsewhere: not here
    assert field(h.message, "Your rank") == "#2 of 2 · 10 pts"

    h = await fake.invoke(w.guild, w.quiz, w.member_zh, "leaderboard")
    zh = embed_text(h.message)
    assert "排行榜 · 積分 · 全部期間" in zh and "Other Olga" not in zh
    assert "🥇 mei · 20 分" in zh and "🥈 bob · 10 分" in zh
    assert "共 2 人上榜" in zh
    assert not h.message.buttons()  # one page: no paging buttons


async def test_accuracy_board_needs_ten_answers_and_an_empty_board_is_friendly(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.bot.storage
    empty = await fake.invoke(w.guild, w.quiz, w.member, "leaderboard", {"metric": "accuracy"})
    assert empty.ephemeral and "Nobody has 10 answers" in empty.content
    empty = await fake.invoke(w.guild, w.quiz, w.member_zh, "leaderboard")
    assert empty.ephemeral and "排行榜上還沒有人" in empty.content

    ids = await posts(storage, w.guild.id, 10, kind="practice")
    tina, nick = BASE_ID + 10, BASE_ID + 9
    for i, post_id in enumerate(ids):
        await storage.record_answer(w.guild.id, post_id, tina, "E" if i < 7 else "A", display_name="Ten Tina")
        if i < 9:
            await storage.record_answer(w.guild.id, post_id, nick, "E", display_name="Nine Nick")
    h = await fake.invoke(w.guild, w.quiz, w.member, "leaderboard", {"metric": "accuracy"})
    text = embed_text(h.message)
    assert_within_limits(h.message)
    assert "🥇 Ten Tina · 70% · 7/10" in text
    assert "Nine Nick" not in text
    assert "at least 10 answers" in field(h.message, "Your rank")
    assert "at least 10 answers to be ranked" in h.message.embeds[0]["footer"]["text"]

    streak = await fake.invoke(w.guild, w.quiz, w.member, "leaderboard", {"metric": "best_streak"})
    assert streak.ephemeral and "Nobody has a streak" in streak.content  # practice answers make no streak


# ------------------------------------------------------------------------------ /stats


async def seed_stats(quizbot: BotHarness[Any], fake: FakeDiscord, w: World) -> None:
    """bob: Q-104 ×3 (1 right; one of them through /quiz and a click), Q-001 ×2 (0 right),
    Q-900 ×3 (1 right). Five more members answer Q-900 so it has enough answers to be 'hardest'."""
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "Jobs"})
    post = h.message
    click = await fake.click(post, post.custom_ids()[0], w.member)  # A: wrong
    assert "you chose **A**" in embed_text(click)
    storage = quizbot.bot.storage
    g, bob = w.guild.id, w.member.id
    for key, correct, picks in (
        ("community/Q-104", "E", "EA"),
        ("starter/Q-001", "D", "AB"),
        ("zh/Q-900", "E", "EAB"),
    ):
        for letter in picks:
            await answer(storage, g, key, correct, bob, "bob", letter)
    for i in range(5):
        await answer(storage, g, "zh/Q-900", "E", BASE_ID + i, f"Student {i}", "B")


async def test_stats_me_has_the_chart_the_trap_line_and_weak_topics(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    await seed_stats(quizbot, fake, w)

    h = await fake.invoke(w.guild, w.quiz, w.member, "stats me")
    assert h.callback.type == Callback.CHANNEL_MESSAGE and h.ephemeral
    msg = h.message
    assert_within_limits(msg)
    text = embed_text(msg)
    assert "Stats · bob" in text
    assert "**8** answers · **2** correct · accuracy **25%**" in text
    # Scope-Misunderstanding is a trap of Q-104 (3 answers, 1 right) and Q-001 (2, 0 right)
    assert "You fall for **Scope-Misunderstanding** 80% of the time (4/5)" in field(msg, "Traps")
    assert "`資料治理` 33% (1/3)" in field(msg, "Accuracy by topic")
    weakest = field(msg, "Review next")
    assert "`CLI` 33% (2/6)" in weakest
    assert msg.embeds[0]["image"]["url"].endswith("stats.png")

    (upload,) = h.callback.files
    assert upload.data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(upload.data))
    image.verify()
    # topics: Jobs, CLI, Automation, Databricks-Workflows, 資料治理
    assert image.size == chart_size(5)
    (att,) = msg.attachments
    assert att["filename"] == "stats.png" and fake.attachment_bytes(att) == upload.data


async def test_stats_of_another_member_and_of_a_member_without_answers(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    await seed_stats(quizbot, fake, w)

    h = await fake.invoke(w.guild, w.quiz, w.admin, "stats member", {"member": w.member, "public": True})
    assert not h.ephemeral and h.callback.files
    assert "Falls for **Scope-Misunderstanding** 80% of the time" in field(h.message, "Traps")
    assert h.callback.data["allowed_mentions"] == {"parse": []}

    none = await fake.invoke(w.guild, w.quiz, w.member, "stats member", {"member": w.member_zh})
    assert none.ephemeral and "mei has not answered any question in this server yet" in none.content
    mine = await fake.invoke(w.guild, w.quiz, w.member_zh, "stats me")
    assert mine.ephemeral and "你在這個伺服器還沒有作答紀錄" in mine.content and not mine.callback.files


async def test_stats_server_shows_the_groups_weak_spots(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    empty = await fake.invoke(w.guild, w.quiz, w.member, "stats server")
    assert empty.ephemeral and "Nobody answered in this server in the last 30 days" in empty.content

    await seed_stats(quizbot, fake, w)
    h = await fake.invoke(w.guild, w.quiz, w.member, "stats server")
    assert h.ephemeral
    msg = h.message
    assert_within_limits(msg)
    text = embed_text(msg)
    assert "Study Group · last 30 days" in text
    assert "**13** answers from **6** members" in text
    assert field(msg, "Weakest topics").splitlines()[0] == "`Databricks-Workflows` 0% (0/2)"
    assert "**Scope-Misunderstanding**: 80% of answers fell for it (4/5)" in field(msg, "Traps the group")
    hardest = field(msg, "Hardest questions")
    assert (
        hardest.startswith("`Q-900` A governance question: the CLI is used to trigger")
        and "13% correct of 8" in hardest
    )
    days = field(msg, "Participation")
    assert "6 members · 13 answers" in days

    zh = await fake.invoke(w.guild, w.quiz, w.member_zh, "stats server", {"public": True})
    assert not zh.ephemeral
    assert "最弱的主題" in embed_text(zh.message) and "大家最常掉進的陷阱" in embed_text(zh.message)
