"""/quizadmin through the fake Discord: who may use it, bad input, the schedule commands, post-now and
skip, reloading the bank (from files and from Git), resets, the CSV export and the settings."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import QuizBot
from bot.cogs import bank_service
from bot.settings import Settings
from tests.fakediscord import BotHarness, DriverError, FakeDiscord, P, World
from tests.helpers import (
    DAILY_QUESTIONS,
    POST_ROUTE,
    Clock,
    answer,
    at,
    clocked_bot,
    dailies,
    embed_text,
    is_open,
    question_yaml,
    scheduler,
    set_daily,
    utc,
)


# the daily tests' questions, and the bot whose scheduler reads the test's clock
@pytest.fixture
def bot_questions() -> dict[str, str]:
    return dict(DAILY_QUESTIONS)


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    return clocked_bot(clock)


@pytest.fixture
def bot_settings(discord_world: World) -> dict[str, Any]:
    """The admin is one of the bot's owners (OWNER_IDS): `reload` is theirs to run."""
    return {"owner_ids": frozenset({discord_world.admin.id})}


async def admin(fake: FakeDiscord, w: World, command: str, options: dict[str, Any] | None = None) -> Any:
    h = await fake.invoke(w.guild, w.general, w.admin, f"quizadmin {command}", options or {})
    assert h.ephemeral, h.content
    return h


async def admin_deferred(
    fake: FakeDiscord, w: World, command: str, options: dict[str, Any] | None = None
) -> str:
    """The reply of a command that thinks first (the follow-up replaces its "thinking" message)."""
    h = await fake.invoke(w.guild, w.general, w.admin, f"quizadmin {command}", options or {})
    message = await h.wait_original(lambda m: not m.loading)
    assert message.ephemeral
    return str(message.content)


# -------------------------------------------------------------------------------------------- access


async def test_quizadmin_needs_manage_server_also_when_made_visible(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    cmd = fake.find_command("quizadmin", w.guild)
    assert int(cmd["default_member_permissions"]) == P.MANAGE_GUILD
    with pytest.raises(DriverError, match="can't see /quizadmin"):
        await fake.invoke(w.guild, w.general, w.member, "quizadmin daily show")
    # a server owner can make the command visible to anyone (an integration override): the bot
    # still refuses, for every subcommand, and stores nothing
    for command, options in (
        ("daily show", {}),
        ("daily set", {"channel": w.quiz, "time": "09:00", "timezone": "Asia/Taipei"}),
        ("reset", {}),
        ("export", {}),
    ):
        h = await fake.invoke(
            w.guild, w.general, w.member, f"quizadmin {command}", options, check_permissions=False
        )
        assert h.ephemeral and "Only members with the Manage Server permission" in h.content, command
    assert await quizbot.running.storage.get_daily_schedule(w.guild.id) is None
    # the owner and admins can
    h = await fake.invoke(w.guild, w.general, w.owner, "quizadmin daily show")
    assert "no daily question here yet" in h.content


async def test_bad_input_gets_a_clear_error_and_nothing_is_stored(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    base = {"channel": w.quiz, "time": "09:00", "timezone": "Asia/Taipei"}
    h = await admin(fake, w, "daily set", {**base, "timezone": "Asia/Taipai"})
    assert "“Asia/Taipai” is not a time zone" in h.content and "`Asia/Taipei`" in h.content
    h = await admin(fake, w, "daily set", {**base, "timezone": "Mars/Olympus"})
    assert "is not a time zone" in h.content
    h = await admin(fake, w, "daily set", {**base, "time": "25:00"})
    assert "“25:00” is not a time of day" in h.content
    h = await admin(fake, w, "daily set", {**base, "time": "9am"})
    assert "HH:MM" in h.content
    h = await admin(fake, w, "daily set", {**base, "topics": "Spark, Kafka"})
    assert "There is no topic “Kafka”" in h.content
    h = await admin(fake, w, "daily set", {**base, "role": w.guild.roles[w.guild.id]})
    assert "not @everyone" in h.content
    fake.set_overwrite(w.general, w.guild.members[fake.bot_user.id], deny=P.SEND_MESSAGES | P.EMBED_LINKS)
    await fake.gateway.sync()
    h = await admin(fake, w, "daily set", {**base, "channel": w.general})
    assert f"I can't post in <#{w.general.id}>" in h.content
    assert "Send Messages, Embed Links" in h.content
    assert await storage.get_daily_schedule(w.guild.id) is None
    assert (await storage.get_guild_settings(w.guild.id)).timezone == "UTC"


async def test_autocomplete_for_time_zones_and_topics(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    opts = {"channel": w.quiz, "time": "09:00"}
    ac = await fake.autocomplete(
        w.guild, w.general, w.admin, "quizadmin daily set", focused="timezone", value="", options=opts
    )
    assert ac.choices[0]["value"] == "Asia/Taipei" and len(ac.choices) <= 25
    ac = await fake.autocomplete(
        w.guild, w.general, w.admin, "quizadmin daily set", focused="timezone", value="new_y", options=opts
    )
    assert ac.choices[0]["value"] == "America/New_York"
    ac = await fake.autocomplete(
        w.guild, w.general, w.admin, "quizadmin daily set", focused="topics", value="Spark, de", options=opts
    )
    assert [c["value"] for c in ac.choices] == ["Spark, Delta-Lake"]


# -------------------------------------------------------------------------------------------- schedule


async def test_set_show_and_off(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    role = fake.create_role(w.guild, "Daily")  # not mentionable, and the bot may not mention all
    fake.set_overwrite(w.quiz, w.guild.members[fake.bot_user.id], deny=P.MENTION_EVERYONE)
    await fake.gateway.sync()
    clock.set(utc(2030, 3, 1, 0, 30))
    h = await set_daily(fake, w, time="9:00", tz="asia/taipei", topics="spark", difficulty="L2", role=role)
    assert "**09:00** (Asia/Taipei)" in h.content and "`Spark` · `L2` (1)" in h.content
    assert f"<t:{int(utc(2030, 3, 1, 1, 0).timestamp())}:F>" in h.content  # next post: 01:00 UTC
    assert "is not mentionable" in h.content  # a warning, not an error
    sch = await storage.get_daily_schedule(w.guild.id)
    assert sch is not None and (sch.time, sch.timezone, sch.topics, sch.difficulty, sch.role_id) == (
        "09:00",
        "Asia/Taipei",
        ("Spark",),
        "L2",
        role.id,
    )
    settings = await storage.get_guild_settings(w.guild.id)
    assert (settings.timezone, settings.daily_channel_id, settings.daily_time) == (
        "Asia/Taipei",
        w.quiz.id,
        "09:00",
    )

    show = await admin(fake, w, "daily show")
    assert "**Daily question** · on" in show.content and "today 01:00 UTC" in show.content
    assert f"<@&{role.id}>" in show.content and "0/1 asked in this round" in show.content

    mark = fake.mark()
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (post,) = dailies(fake, w)
    assert f"<@&{role.id}>" in post.content and "Q-003" in post.embeds[0]["title"]
    call = next(c for c in fake.calls[mark:] if c.method == "POST" and c.route == POST_ROUTE)
    mentions = call.json["allowed_mentions"]
    assert mentions["parse"] == [] and [int(r) for r in mentions["roles"]] == [role.id]

    off = await admin(fake, w, "daily off")
    assert "paused" in off.content
    assert (await storage.get_guild_settings(w.guild.id)).daily_time is None
    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))
    assert len(dailies(fake, w)) == 1
    assert "· paused" in (await admin(fake, w, "daily show")).content
    assert "not on here" in (await admin(fake, w, "daily off")).content


async def test_post_now_and_skip(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    assert "no daily question here yet" in (await admin(fake, w, "post-now")).content
    clock.set(utc(2030, 3, 1, 0, 30))  # 08:30 in Taipei
    await set_daily(fake, w)
    text = await admin_deferred(fake, w, "post-now")
    assert "as today's daily" in text
    (first,) = dailies(fake, w)
    assert first.id and str(first.id) in text  # a link to the post
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))  # today's daily is out already
    assert len(dailies(fake, w)) == 1

    text = await admin_deferred(fake, w, "post-now")  # an extra one replaces it
    assert "replaced the open daily" in text
    assert len(dailies(fake, w)) == 2 and not is_open(fake.message(first.id))

    h = await admin(fake, w, "skip")
    assert "No daily question on 2030-03-02" in h.content
    h = await admin(fake, w, "skip", {"undo": True})
    assert "2030-03-02 is back on" in h.content
    await admin(fake, w, "skip")
    assert "Skipped: 2030-03-02" in (await admin(fake, w, "daily show")).content
    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))
    assert len(dailies(fake, w)) == 2
    await at(quizbot, clock, utc(2030, 3, 3, 1, 0))
    assert len(dailies(fake, w)) == 3
    runs = await quizbot.running.storage.daily_runs(w.guild.id)
    assert [(r.local_day.isoformat(), r.scheduled, r.status) for r in reversed(runs)] == [
        ("2030-03-01", True, "sent"),
        ("2030-03-01", False, "sent"),
        ("2030-03-02", True, "skipped"),
        ("2030-03-03", True, "sent"),
    ]


# -------------------------------------------------------------------------------------------- the bank


BROKEN = "id: Q-099\nstem: A question without options or answer.\n"


async def test_reload_reports_what_changed_and_swaps_the_bank(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    settled: list[int] = []
    monkeypatch.setattr(bank_service, "settle_heap", lambda: settled.append(len(bot.bank.questions)))
    root = quizbot.settings.questions_dir / "daily"
    (root / "Q-005.yaml").write_text(question_yaml(5, "A", "Kafka"), encoding="utf-8")
    changed = (root / "Q-002.yaml").read_text(encoding="utf-8").replace("answer: B", "answer: C")
    (root / "Q-002.yaml").write_text(changed, encoding="utf-8")
    (root / "Q-004.yaml").unlink()
    (root / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    before = bot.bank
    text = await admin_deferred(fake, w, "reload")
    assert "Bank reloaded: 4 questions · 1 added · 1 changed · 1 removed" in text
    assert "Added: `daily/Q-005`" in text and "Changed: `daily/Q-002`" in text
    assert "Removed: `daily/Q-004`" in text
    assert "Files that failed (1)" in text and "daily/broken.yaml" in text
    assert bot.bank is not before and bot.bank.get("daily/Q-005") is not None
    assert settled == [4]  # the new bank's objects frozen, the old one's collectable
    q2 = bot.bank.get("daily/Q-002")
    assert q2 is not None and q2.answer == ("C",)
    tags = await bot.storage.run_sync(
        lambda c: c.execute("SELECT tag FROM question_tags WHERE question_key = 'daily/Q-005'").fetchall()
    )
    assert tags == [("Kafka",)]
    ac = await fake.autocomplete(w.guild, w.quiz, w.member, "quiz", focused="topic", value="kaf")
    assert [c["value"] for c in ac.choices] == ["Kafka"]

    summary = await admin(fake, w, "bank")
    assert "**Question bank**: 4 questions from 5 files" in summary.content and "1 errors" in summary.content
    assert "daily/broken.yaml" in summary.content and len(summary.content) <= 2000

    for path in root.iterdir():
        path.unlink()
    text = await admin_deferred(fake, w, "reload")
    assert "reads as empty" in text and "(4 questions)" in text
    assert len(bot.bank.questions) == 4


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def commit(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bank")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
async def test_the_bank_from_git_is_cloned_pulled_on_reload_and_before_the_daily(
    fake_discord: FakeDiscord, discord_world: World, bot_factory: Any, clock: Clock, tmp_path: Path
) -> None:
    w, fake = discord_world, fake_discord
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    commit(
        origin, {"README.md": "# bank\n", "question-bank/community/Q-001.yaml": question_yaml(1, "A", "Git")}
    )
    spec = f"file://{origin}#main:question-bank"
    harness: BotHarness[Any] = BotHarness(
        fake,
        tmp_path / "bot",
        factory=bot_factory,
        dev_guild=w.guild,
        settings={"questions_git": spec, "owner_ids": frozenset({w.admin.id})},
    )
    async with harness:
        bot = harness.running
        assert [q.key for q in bot.bank.questions] == ["community/Q-001"]  # cloned on first start
        assert (tmp_path / "bot/questions/.git").exists()

        commit(origin, {"question-bank/community/Q-002.yaml": question_yaml(2, "B", "Git")})
        text = await admin_deferred(fake, w, "reload")
        assert "Git: updated" in text and "Added: `community/Q-002`" in text
        assert len(bot.bank.questions) == 2

        moved = tmp_path / "moved"
        shutil.move(origin, moved)  # the repository is unreachable: the bank stays
        text = await admin_deferred(fake, w, "reload")
        assert "Updating the bank from Git failed: git fetch failed" in text and "(2 questions)" in text
        assert len(bot.bank.questions) == 2
        summary = await admin(fake, w, "bank")
        assert "From Git: file://" in summary.content and "Last Git update failed" in summary.content

        shutil.move(moved, origin)
        commit(origin, {"question-bank/community/Q-003.yaml": question_yaml(3, "C", "Git")})
        clock.set(utc(2030, 3, 1, 0, 30))
        await set_daily(fake, w)
        clock.set(utc(2030, 3, 1, 1, 0))
        await scheduler(harness).run_pending()  # the day's pull comes before its first daily
        assert len(bot.bank.questions) == 3
        assert len(dailies(fake, w)) == 1


# -------------------------------------------------------------------------------------------- scores


async def test_reset_one_member_or_everyone_behind_a_confirmation(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (daily,) = dailies(fake, w)
    for member in (w.member, w.member_zh, w.admin):
        await answer(fake, daily, member, member is not w.admin, quizbot)

    ask = await admin(fake, w, "reset", {"member": w.member})
    assert f"Reset <@{w.member.id}>'s scores" in ask.content
    go = next(c for c in ask.message.custom_ids() if ":go:" in c)
    other = await fake.click(ask.message, go, w.owner)  # only the admin who asked can confirm
    assert other.ephemeral and f"Only <@{w.admin.id}>" in other.content
    assert (await storage.user_stats(w.guild.id, w.member.id)).points == 10
    done = (await fake.click(ask.message, go, w.admin)).message
    assert done is not None and "Scores of" in done.content and "1 answers removed" in done.content
    assert done.components == []
    bob = await storage.user_stats(w.guild.id, w.member.id)
    mei = await storage.user_stats(w.guild.id, w.member_zh.id)
    assert (bob.points, bob.answers, bob.current_streak) == (0, 0, 0)
    assert (mei.points, mei.current_streak) == (10, 1)
    board = await storage.leaderboard(w.guild.id)
    assert [e.user_id for e in board.entries] == [w.member_zh.id, w.admin.id] and board.total == 2

    async def aggregates() -> Any:
        return await storage.snapshot_aggregates(w.guild.id)

    kept = await aggregates()
    await storage.rebuild_aggregates(w.guild.id)
    assert await aggregates() == kept  # the reset kept every aggregate exact

    ask = await admin(fake, w, "reset")
    assert "**everyone's**" in ask.content
    no = next(c for c in ask.message.custom_ids() if ":no:" in c)
    cancelled = (await fake.click(ask.message, no, w.admin)).message
    assert cancelled is not None and "nothing was reset" in cancelled.content
    assert (await storage.leaderboard(w.guild.id)).total == 2
    ask = await admin(fake, w, "reset")
    go = next(c for c in ask.message.custom_ids() if ":go:" in c)
    done = (await fake.click(ask.message, go, w.admin)).message
    assert done is not None and "for everyone (2 answers removed)" in done.content
    assert (await storage.leaderboard(w.guild.id)).total == 0
    assert await aggregates() == {k: [] for k in kept}


async def test_the_reset_confirmation_works_after_a_restart(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    ask = await admin(fake, w, "reset")
    await quizbot.restart()  # the /quizadmin extension is loaded anew: its buttons still answer
    go = next(c for c in ask.message.custom_ids() if ":go:" in c)
    done = (await fake.click(ask.message, go, w.admin)).message
    assert done is not None and "for everyone (0 answers removed)" in done.content


async def test_export_is_a_csv_attachment(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    sneaky = fake.create_member(w.guild, "=HYPERLINK(1)")
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (daily,) = dailies(fake, w)
    await answer(fake, daily, w.member_zh, True, quizbot)
    await answer(fake, daily, sneaky, False, quizbot)
    h = await admin(fake, w, "export")
    assert "Scores of 2 members" in h.content
    (att,) = h.message.attachments
    assert att["filename"] == "quizbot-scores-all.csv"
    rows = list(csv.reader(io.StringIO(fake.attachment_bytes(att).decode("utf-8-sig"))))
    assert rows[0] == [
        "rank", "user_id", "display_name", "points", "answers", "correct", "accuracy",
        "current_streak", "best_streak", "period",
    ]  # fmt: skip  # the columns of `quizbot export-scores` (bot.core.export)
    assert rows[1][:4] == ["1", str(w.member_zh.id), "mei", "10"] and rows[1][6] == "1.0000"
    assert rows[2][0] == "2" and rows[2][6] == "0.0000"
    assert rows[2][2] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet


# -------------------------------------------------------------------------------------------- settings


async def test_settings_cooldown_lifetime_and_the_language_of_posts(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    h = await admin(fake, w, "settings")
    assert "Practice cooldown: **30 s**" in h.content and "auto" in h.content
    h = await admin(fake, w, "settings", {"cooldown": 0, "practice_lifetime": 5, "language": "zh-TW"})
    assert (
        "Saved" in h.content
        and "**0 s**" in h.content
        and "**5 min**" in h.content
        and "繁體中文" in h.content
    )
    settings = await storage.get_guild_settings(w.guild.id)
    assert (settings.practice_cooldown_s, settings.practice_lifetime_s, settings.extra) == (
        0,
        300,
        {"post_locale": "zh-TW"},
    )
    quiz = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})  # an English client, a zh-TW post
    assert "練習題" in embed_text(quiz)
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (daily,) = dailies(fake, w)
    assert "每日一題" in embed_text(daily)
    await quizbot.restart()  # kept across restarts
    assert (
        (await fake.invoke(w.guild, w.quiz, w.member_zh, "quiz", {}))
        .embeds[0]["footer"]["text"]
        .endswith("練習題")
    )
    await admin(fake, w, "settings", {"language": "auto"})
    assert "practice" in embed_text(await fake.invoke(w.guild, w.quiz, w.admin, "quiz", {}))
