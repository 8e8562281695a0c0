"""/stats readiness, /plan and /quiz section: through the fake Discord, on our test bank plus six
questions per Professional section (`tests.helpers.exam_bank`), with real answers of every kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.app import QuizBot
from bot.core.readiness import readiness, sprint_plan
from bot.render.radar import RADAR_FILENAME
from bot.settings import Settings
from tests.fakediscord import BotHarness, Callback, DriverError, FakeDiscord, World
from tests.helpers import Clock, clocked_bot, embed_text, exam_bank, post_id_of

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    return clocked_bot(clock)


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return exam_bank()


async def practise(fake: FakeDiscord, w: World, member: Any, quizbot: BotHarness[Any], **options: Any) -> Any:
    """A private /quiz; returns the post it made."""
    h = await fake.invoke(w.guild, w.quiz, member, "quiz", {"private": True, **options})
    assert h.callback.type == Callback.CHANNEL_MESSAGE and h.ephemeral and h.message.custom_ids(), h.content
    post = await quizbot.running.storage.get_post(post_id_of(h.message))
    assert post is not None and post.private
    return h.message, post


async def answer(fake: FakeDiscord, message: Any, member: Any, letters: str) -> None:
    ids = message.custom_ids()
    if ids[0].startswith("quiz:multi:"):
        await fake.select(message, ids[0], list(letters), member)
    else:
        await fake.click(message, next(c for c in ids if c.endswith(":" + letters)), member)


async def exam_of(fake: FakeDiscord, w: World, member: Any, quizbot: BotHarness[Any], right: int) -> None:
    """A 5-question exam, the first `right` answered right, the others wrong, submitted."""
    msg = (await fake.invoke(w.guild, w.quiz, member, "exam start", {"questions": 5})).message
    exam = await quizbot.running.storage.open_exam(w.guild.id, member.id)
    for item in exam.items:
        pos = item.position
        letters = item.correct if pos < right else next(x for x in item.options if x not in item.correct)
        if pos:
            await fake.click(fake.message(msg.id), f"exam:{exam.exam_id}:next:{pos - 1}", member)
        for letter in letters:
            await fake.click(fake.message(msg.id), f"exam:{exam.exam_id}:pick:{pos}{letter}", member)
    await fake.click(fake.message(msg.id), f"exam:{exam.exam_id}:submit:4", member)
    await fake.click(fake.message(msg.id), f"exam:{exam.exam_id}:confirm:4", member)


async def test_readiness_rests_on_every_kind_of_answer_and_draws_the_radar(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    none = await fake.invoke(w.guild, w.quiz, w.member, "stats readiness")
    assert none.ephemeral and "None of your answers" in none.content

    msg, post = await practise(fake, w, w.member, quizbot, section="professional:monitoring-alerting")
    await answer(fake, msg, w.member, post.correct_letters)
    await exam_of(fake, w, w.member, quizbot, right=2)
    results = await bot.storage.recent_results(w.guild.id, w.member.id)
    assert sorted(r.kind for r in results) == ["exam"] * 5 + ["practice"]
    index = bot.bank.sections("professional")
    bp = bot.bank.blueprint("professional")
    assert bp is not None
    state = readiness([(index.section_of(r.question_key), r.correct) for r in results], bp.weights)
    assert state.answers == 6

    h = await fake.invoke(w.guild, w.quiz, w.member, "stats readiness")
    assert h.ephemeral and h.embeds
    text = embed_text(h)
    assert "from **6** answers" in text and "70%" in text
    [att] = h.message.attachments
    assert att["filename"] == RADAR_FILENAME
    assert fake.attachment_bytes(att).startswith(PNG_SIGNATURE)
    assert h.embeds[0]["image"]["url"] == f"attachment://{RADAR_FILENAME}"

    zh = await fake.invoke(w.guild, w.quiz, w.member_zh, "stats readiness", {"blueprint": "nope"})
    assert "nope" in zh.content and "`professional`" in zh.content

    # the server: mei misses a question bob missed too; it is the most missed of its section
    await exam_of(fake, w, w.member_zh, quizbot, right=0)
    team = await fake.invoke(w.guild, w.quiz, w.member, "stats readiness", {"server": True})
    assert team.ephemeral and team.embeds
    assert "from **11** answers" in embed_text(team)  # bob's 6 and mei's 5
    missed = [r.question_key for r in await bot.storage.recent_results(w.guild.id) if not r.correct]
    top = max(set(missed), key=missed.count)
    question = bot.bank.get(top)
    assert question is not None and question.id in embed_text(team)


async def test_the_plan_orders_sections_by_gain_and_its_buttons_post_a_private_question_of_each(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    bp = bot.bank.blueprint("professional")
    assert bp is not None
    with pytest.raises(DriverError):
        await fake.invoke(w.guild, w.quiz, w.member, "plan", {"days": 31})
    h = await fake.invoke(w.guild, w.quiz, w.member, "plan", {"days": 3})
    assert h.ephemeral and h.embeds
    plan = sprint_plan(readiness([], bp.weights), 3)
    order = list(dict.fromkeys(i.section for d in plan for i in d.items if i.count))
    ids = h.message.custom_ids()
    assert ids == [f"plan:professional:{key}" for key in order]
    assert all(len(c) <= 100 for c in ids)
    assert h.message.buttons()[0]["label"].startswith("Day 1")

    pools = bot.bank.sections("professional").pools
    for custom_id in ids[:2]:
        click = await fake.click(h.message, custom_id, w.member)
        assert click.ephemeral and click.callback.type == Callback.CHANNEL_MESSAGE
        post = await bot.storage.get_post(post_id_of(click.message))
        assert post is not None and post.private and post.requested_by == w.member.id
        assert post.question_key in pools[custom_id.split(":")[2]]

    week = await fake.invoke(w.guild, w.quiz, w.member_zh, "plan")  # 7 days by default, in zh-TW
    assert week.embeds and week.message.buttons()[0]["label"].startswith("第 1")


async def test_quiz_section_completes_filters_and_combines_with_the_other_filters(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    pools = bot.bank.sections("professional").pools
    done = await fake.autocomplete(w.guild, w.quiz, w.member, "quiz", focused="section", value="monitor")
    names = {c["value"]: c["name"] for c in done.choices}
    n = len(pools["monitoring-alerting"])
    assert names["professional:monitoring-alerting"].endswith(f"› Monitoring & Alerting — {n} questions")

    for _ in range(3):
        msg, post = await practise(fake, w, w.member, quizbot, section="professional:monitoring-alerting")
        assert post.question_key in pools["monitoring-alerting"]
        await answer(fake, msg, w.member, post.correct_letters)  # (frees the private slot)
    msg, post = await practise(
        fake, w, w.member, quizbot, section="Cost & Performance Optimization", difficulty="L1"
    )
    q = bot.bank.get(post.question_key)
    assert q is not None and post.question_key in pools["cost-performance"] and q.level == 1

    unknown = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"section": "nowhere", "private": True})
    assert "nowhere" in unknown.content and "professional:developing-code" in unknown.content
    clash = await fake.invoke(
        w.guild,
        w.quiz,
        w.member,
        "quiz",
        {"section": "professional:governance", "topic": "Monitoring", "private": True},
    )
    assert not clash.embeds and "Monitoring" in clash.content


def test_the_servers_most_missed_leave_out_what_it_paused(tmp_path: Any) -> None:
    """A question the admins paused as broken is not held up to the group as one to study."""
    from datetime import UTC, datetime

    from bot.bank import load_bank
    from bot.cogs.readiness import most_missed
    from bot.core.models import AnswerResult

    for name, text in exam_bank().items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    bank = load_bank(tmp_path)
    bp = bank.blueprint("professional")
    assert bp is not None
    a, b = bank.sections(bp.key).pools["governance"][:2]
    at = datetime(2026, 12, 1, tzinfo=UTC)
    results = [AnswerResult(1, key, False, at, "practice") for key in (a, a, b)]
    labels = [label for label, _, _ in most_missed(bank, bp, results)["governance"]]
    assert len(labels) == 2
    kept = most_missed(bank, bp, results, exclude=frozenset({a}))["governance"]
    assert [(m, n) for _, m, n in kept] == [(1, 1)] and kept[0][0] == labels[1]
