"""Topics as members type them, through the fake Discord: /quiz topic: families, `=TAG`, topics.yaml
groups and their 繁體中文 names, the autocomplete, the daily's topics, and a broken topics.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import QuizBot
from bot.settings import Settings
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.helpers import Clock, at, clocked_bot, dailies, embed_text, post_id_of, set_daily, utc

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {
    path.relative_to(ROOT / "questions").as_posix(): path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "questions").rglob("*.md"))
}
TOPICS_YAML = """\
# the group's own groupings (docs/question-format.md, "Topics")
Ops:
  tags: [Databricks-Secrets, =CLI]
  names: [維運]
"""
CLI_FAMILY = {"community/Q-104", "starter/Q-003", "starter/Q-004", "starter/Q-007"}


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    """The bot whose daily scheduler reads the test's clock (the e2e conftest's `clock`)."""
    return clocked_bot(clock)


@pytest.fixture
def bot_questions() -> dict[str, str]:
    """The shipped bank (questions/) as it is, plus a topics.yaml."""
    return {**SHIPPED, "topics.yaml": TOPICS_YAML}


async def draw(
    quizbot: BotHarness[Any], fake: FakeDiscord, w: World, topic: str, times: int, member: Any = None
) -> list[tuple[str, Any]]:
    """/quiz topic:… `times` times (no cooldown) by `member` (bob): (question key, post) of each post.
    /quiz prefers questions the member was not asked recently, so a topic of N questions drawn N
    times by one member posts each of them once."""
    storage = quizbot.running.storage
    await storage.set_guild_settings(w.guild.id, practice_cooldown_s=0)
    out = []
    for _ in range(times):
        h = await fake.invoke(w.guild, w.quiz, member or w.member, "quiz", {"topic": topic})
        assert h.callback.type == Callback.CHANNEL_MESSAGE and h.message is not None, h.content
        post = await storage.get_post(post_id_of(h.message))
        assert post is not None
        out.append((post.question_key, h.message))
    return out


def keys_tagged(quizbot: BotHarness[Any], test: Any) -> set[str]:
    return {q.key for q in quizbot.running.bank.questions if any(test(t) for t in q.topics)}


async def test_topic_cli_posts_each_of_the_four_cli_questions(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    assert keys_tagged(quizbot, lambda t: t in ("CLI", "Databricks-CLI")) == CLI_FAMILY
    posts = await draw(quizbot, fake, w, "CLI", 4)
    # /quiz prefers questions not asked recently: four draws, the four questions of the family
    assert {key for key, _ in posts} == CLI_FAMILY
    # the posts keep showing the real tags
    texts = {key: embed_text(message) for key, message in posts}
    assert "Databricks-CLI" in texts["starter/Q-003"]
    assert "Jobs, CLI, Automation" in texts["community/Q-104"]
    # `=CLI` (the autocomplete's "only this tag") is the one question tagged CLI
    assert {key for key, _ in await draw(quizbot, fake, w, "=CLI", 3)} == {"community/Q-104"}
    # typed as members type: lower case, fullwidth
    assert {key for key, _ in await draw(quizbot, fake, w, "ｃｌｉ", 2)} <= CLI_FAMILY


async def test_autocomplete_lists_the_family_first_then_the_tags(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    ac = await fake.autocomplete(w.guild, w.quiz, w.member, "quiz", focused="topic", value="cli")
    assert [(c["name"], c["value"]) for c in ac.choices] == [
        ("CLI — 4 questions", "CLI"),
        ("CLI — only this tag, 1 question", "=CLI"),
        ("Databricks-CLI — 3 questions", "Databricks-CLI"),
    ]
    zh = await fake.autocomplete(w.guild, w.quiz, w.member_zh, "quiz", focused="topic", value="cli")
    assert [c["name"] for c in zh.choices] == ["CLI — 4 題", "CLI — 僅此標籤，1 題", "Databricks-CLI — 3 題"]
    delta = await fake.autocomplete(w.guild, w.quiz, w.member, "quiz", focused="topic", value="del")
    names = [c["name"] for c in delta.choices]
    assert names[0] == "Delta — 11 questions"
    assert set(names[1:]) == {
        "Delta-CDC — 3 questions",
        "Delta-Lake — 3 questions",
        "Delta-MERGE — 3 questions",
        "Delta-Optimization — 2 questions",
    }
    everything = await fake.autocomplete(w.guild, w.quiz, w.member, "quiz", focused="topic", value="")
    assert 0 < len(everything.choices) <= 25
    assert all(0 < len(c["name"]) <= 100 and 0 < len(c["value"]) <= 100 for c in everything.choices)


async def test_topic_delta_draws_from_every_delta_tag(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    family = keys_tagged(quizbot, lambda t: t.startswith("Delta-"))
    tags = {t for q in quizbot.running.bank.questions for t in q.topics if t.startswith("Delta-")}
    assert len(family) == 11 and tags == {"Delta-Lake", "Delta-CDC", "Delta-MERGE", "Delta-Optimization"}
    posts = await draw(quizbot, fake, w, "Delta", len(family))
    assert {key for key, _ in posts} == family
    # "delta merge": the words next to each other, in order
    merge = keys_tagged(quizbot, lambda t: t == "Delta-MERGE")
    assert len(merge) == 3
    assert {key for key, _ in await draw(quizbot, fake, w, "delta merge", 3, w.member_zh)} == merge


async def test_a_topics_yaml_group_and_its_chinese_name_work(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    group = keys_tagged(quizbot, lambda t: t in ("Databricks-Secrets", "CLI"))  # `=CLI`: not Databricks-CLI
    assert group == {"community/Q-104", "starter/Q-007", "starter/Q-008"}
    assert {key for key, _ in await draw(quizbot, fake, w, "維運", 3)} == group
    assert {key for key, _ in await draw(quizbot, fake, w, "ops", 3, w.member_zh)} == group
    ac = await fake.autocomplete(w.guild, w.quiz, w.member_zh, "quiz", focused="topic", value="維")
    assert ac.choices[0] == {"name": f"維運 (Ops) — {len(group)} 題", "value": "維運"}


async def test_an_unknown_topic_still_gets_did_you_mean(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "clii"})
    assert h.ephemeral and "There is no topic “clii”" in h.content and "`CLI`" in h.content
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": " - _ "})
    assert h.ephemeral and "There is no topic" in h.content
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "=Delta"})  # no tag is just "Delta"
    assert h.ephemeral and "There is no topic “=Delta”" in h.content
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "CLI", "difficulty": "L3"})
    assert h.ephemeral and "No question matches `CLI` + `L3`" in h.content


async def test_the_daily_keeps_the_family_and_the_group(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    ac = await fake.autocomplete(
        w.guild,
        w.general,
        w.admin,
        "quizadmin daily set",
        focused="topics",
        value="維運，cli",
        options={"channel": w.quiz, "time": "09:00"},
    )
    assert ac.choices[:2] == [
        {"name": "維運, CLI — 4 questions", "value": "維運, CLI"},
        {"name": "維運, CLI — only this tag, 1 question", "value": "維運, =CLI"},
    ]
    clock.set(utc(2030, 3, 1, 0, 0))
    h = await set_daily(fake, w, topics="cli", time="09:00", tz="UTC")
    assert "`CLI` (4)" in h.content
    sch = await quizbot.running.storage.get_daily_schedule(w.guild.id)
    assert sch is not None and sch.topics == ("CLI",)  # stored as typed-and-resolved: the family
    for day in range(1, 5):
        await at(quizbot, clock, utc(2030, 3, day, 9, 0))
    posted = set()
    for message in dailies(fake, w):
        post = await quizbot.running.storage.get_post(post_id_of(message))
        assert post is not None
        posted.add(post.question_key)
    assert posted == CLI_FAMILY  # four days, the rotation walks the whole family
    h = await set_daily(fake, w, topics="Ops", time="09:00", tz="UTC")
    sch = await quizbot.running.storage.get_daily_schedule(w.guild.id)
    assert sch is not None and sch.topics == ("Ops",)


async def test_a_broken_topics_yaml_never_stops_the_bot(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    root = quizbot.running.settings.questions_dir
    (root / "topics.yaml").write_text("base: &b [CLI]\nOps: *b\n", encoding="utf-8")
    await quizbot.restart()
    assert len(quizbot.running.bank.questions) == 31
    summary = await fake.invoke(w.guild, w.general, w.admin, "quizadmin bank", {})
    assert "topics.yaml:1" in summary.content and "anchors and aliases" in summary.content
    posts = await draw(quizbot, fake, w, "CLI", 4)  # families still work
    assert {key for key, _ in posts} == CLI_FAMILY
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "維運"})
    assert h.ephemeral and "There is no topic “維運”" in h.content  # the group was ignored
