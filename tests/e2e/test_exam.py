"""/exam through the fake Discord: drawing by section weights, answering without feedback, the
timer (also across a restart), grading and the result, history, and the bounds.

The bank is our test bank plus six questions per Professional section (`tests.helpers.exam_bank`).
The exam timer reads the test's `Clock` (`clocked_bot`), and `run_due` / `run_pending` do what the
timer would: nothing sleeps and nothing is timed.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.app import QuizBot
from bot.cogs.exam.service import ExamService
from bot.core.exam import Exam, allocate
from bot.settings import Settings
from tests.fakediscord import BotHarness, Callback, DriverError, FakeDiscord, World
from tests.helpers import Clock, clocked_bot, embed_text, exam_bank

#: Words a page must never show before the exam is submitted (en and zh-TW feedback).
FEEDBACK = ("correct", "right", "wrong", "✅", "❌", "正確", "答對", "答錯", "正解")


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    return clocked_bot(clock)


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return exam_bank()


# ------------------------------------------------------------------------------ helpers


def service(quizbot: BotHarness[Any]) -> ExamService:
    return quizbot.running.services.exam  # type: ignore[no-any-return]


async def start(fake: FakeDiscord, w: World, member: Any = None, **options: Any) -> Any:
    h = await fake.invoke(w.guild, w.quiz, member or w.member, "exam start", options)
    assert h.callback.type == Callback.CHANNEL_MESSAGE and h.ephemeral, h.content
    return h


async def open_exam(quizbot: BotHarness[Any], w: World, member: Any = None) -> Exam:
    exam = await quizbot.running.storage.open_exam(w.guild.id, (member or w.member).id)
    assert exam is not None
    return exam


def cid(exam: Exam, action: str, pos: int, letter: str = "") -> str:
    return f"exam:{exam.exam_id}:{action}:{pos}{letter}"


def letter_styles(message: Any) -> dict[str, int]:
    """Letter button -> its style (1 primary: picked, 2 secondary)."""
    return {b["label"]: b["style"] for b in message.buttons() if ":pick:" in b["custom_id"]}


def assert_no_feedback(message: Any) -> None:
    text = (message.content or "") + embed_text(message)
    found = [w for w in FEEDBACK if w in text.casefold()]
    assert found == [], text
    assert set(letter_styles(message).values()) <= {1, 2}  # never green or red


def wrong_letters(item: Any) -> str:
    return next(x for x in item.options if x not in item.correct)


# ------------------------------------------------------------------------------ drawing


async def test_twenty_questions_follow_the_professional_weights_and_skip_the_open_daily(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    bp = bot.bank.blueprint("professional")
    assert bp is not None
    pools = bot.bank.sections("professional").pools
    daily_key = pools["developing-code"][0]
    q = bot.bank.get(daily_key)
    assert q is not None
    await bot.storage.create_post(
        w.guild.id, w.quiz.id, daily_key, "daily", q.answer, option_letters="".join(q.options)
    )
    available = {k: len([x for x in pool if x != daily_key]) for k, pool in pools.items()}

    h = await start(fake, w, questions=20)
    exam = await open_exam(quizbot, w)
    assert len(exam.items) == 20 and exam.blueprint == "professional"
    counts = Counter(item.section for item in exam.items)
    expected = allocate(bp.weights, 20, available)
    assert {k: counts.get(k, 0) for k in expected} == expected
    total = sum(bp.weights.values())
    for key, weight in bp.weights.items():
        assert abs(counts.get(key, 0) - 20 * weight / total) <= 1, key
    assert daily_key not in {i.question_key for i in exam.items}
    # 20 of the 60 questions: 120 min x 20 / 60 = 40 min
    assert exam.deadline - exam.started_at == timedelta(minutes=40) and exam.started_at == clock()
    assert "20" in h.content and "40" in h.content
    assert h.message.custom_ids()[0] == cid(exam, "pick", 0, exam.items[0].options[0])
    assert_no_feedback(h.message)

    # every other question, at most 2 x 60: all of them but the open daily
    everything = await start(fake, w, w.member_zh, questions=120)
    mei = await open_exam(quizbot, w, w.member_zh)
    assert len(mei.items) == sum(available.values()) < 120
    assert daily_key not in {i.question_key for i in mei.items}
    assert str(len(mei.items)) in everything.content and "120" in everything.content  # "only N"


async def test_a_question_the_server_paused_is_never_drawn_there(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    pools = bot.bank.sections("professional").pools
    paused_key = pools["cost-performance"][0]
    assert await bot.services.reports.pause(w.guild.id, paused_key, by=w.admin.id)
    everything = len({k for pool in pools.values() for k in pool})

    await start(fake, w, questions=120)  # more than the bank holds: every question it may draw
    exam = await open_exam(quizbot, w)
    drawn = {i.question_key for i in exam.items}
    assert paused_key not in drawn
    assert len(drawn) == everything - 1


async def test_a_second_exam_prefers_the_questions_of_the_first_not_seen_yet(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    bp = bot.bank.blueprint("professional")
    assert bp is not None
    pools = bot.bank.sections("professional").pools
    first = (await start(fake, w, questions=20)).message
    exam1 = await open_exam(quizbot, w)
    await fake.click(first, cid(exam1, "submit", 0), w.member)
    await fake.click(fake.message(first.id), cid(exam1, "confirm", 0), w.member)
    await start(fake, w, questions=20)
    exam2 = await open_exam(quizbot, w)
    assert exam2.exam_id != exam1.exam_id
    allocation = allocate(bp.weights, 20, {k: len(p) for k, p in pools.items()})
    seen = {i.question_key for i in exam1.items}
    for key, n in allocation.items():
        again = [i for i in exam2.items if i.section == key and i.question_key in seen]
        unseen = len(pools[key]) - n  # questions of the section the first exam did not ask
        assert len(again) == max(0, n - unseen), key


# ------------------------------------------------------------------------------ answering


async def test_answers_change_flags_and_navigation_without_any_feedback(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    msg = (await start(fake, w, questions=20)).message
    exam = await open_exam(quizbot, w)
    first = exam.items[0]
    one = next(i for i in exam.items if len(i.correct) == 1)
    two = next(i for i in exam.items if len(i.correct) == 2)

    # jump to a choose-1 item, pick, change the pick
    h = await fake.select(msg, cid(exam, "jump", 0), [str(one.position)], w.member)
    assert h.callback.type == Callback.UPDATE_MESSAGE
    msg = fake.message(msg.id)
    assert msg.custom_ids()[0].startswith(f"exam:{exam.exam_id}:pick:{one.position}")
    right, wrong = one.correct, wrong_letters(one)
    await fake.click(msg, cid(exam, "pick", one.position, right), w.member)
    msg = fake.message(msg.id)
    assert_no_feedback(msg)
    assert letter_styles(msg)[right] == 1
    await fake.click(msg, cid(exam, "pick", one.position, wrong), w.member)  # picking replaces
    msg = fake.message(msg.id)
    assert_no_feedback(msg)
    assert [k for k, v in letter_styles(msg).items() if v == 1] == [wrong]
    assert (await open_exam(quizbot, w)).items[one.position].chosen == wrong

    # choose-2: one letter is not enough, a third is refused, a pick can be undone
    await fake.select(msg, cid(exam, "jump", one.position), [str(two.position)], w.member)
    msg = fake.message(msg.id)
    a, b = two.correct
    other = wrong_letters(two)
    for letter in (a, other):
        await fake.click(msg, cid(exam, "pick", two.position, letter), w.member)
        msg = fake.message(msg.id)
    full = await fake.click(msg, cid(exam, "pick", two.position, b), w.member)
    assert "2" in full.content and "unpick" in full.content
    assert (await open_exam(quizbot, w)).items[two.position].chosen == "".join(sorted(a + other))
    await fake.click(msg, cid(exam, "pick", two.position, other), w.member)  # unpick
    msg = fake.message(msg.id)
    partial = await open_exam(quizbot, w)
    assert partial.items[two.position].chosen == a
    assert any("too few" in o["label"] for o in msg.component(cid(exam, "jump", two.position))["options"])
    await fake.click(msg, cid(exam, "pick", two.position, b), w.member)
    msg = fake.message(msg.id)
    assert_no_feedback(msg)
    assert (await open_exam(quizbot, w)).items[two.position].chosen == "".join(sorted(a + b))

    # flag, then next / previous move one position and remember it
    await fake.click(msg, cid(exam, "flag", two.position), w.member)
    msg = fake.message(msg.id)
    assert (await open_exam(quizbot, w)).items[two.position].flagged
    assert any(b["label"] == "Unflag" for b in msg.buttons())
    at = two.position
    step = "next" if at < 19 else "prev"
    await fake.click(msg, cid(exam, step, at), w.member)
    moved = at + 1 if step == "next" else at - 1
    assert (await open_exam(quizbot, w)).current == moved
    msg = fake.message(msg.id)
    assert msg.custom_ids()[0].startswith(f"exam:{exam.exam_id}:pick:{moved}")
    await fake.select(msg, cid(exam, "jump", moved), ["0"], w.member)
    msg = fake.message(msg.id)
    prev = msg.component(cid(exam, "prev", 0))
    assert prev.get("disabled") is True  # nothing before the first question
    assert first.question_key == (await open_exam(quizbot, w)).items[0].question_key
    assert_no_feedback(msg)


async def test_only_the_member_drives_the_exam_and_one_exam_at_a_time(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    msg = (await start(fake, w, questions=5)).message
    exam = await open_exam(quizbot, w)
    item = exam.items[0]
    other = await fake.click(msg, cid(exam, "pick", 0, item.options[0]), w.member_zh)
    assert other.ephemeral and f"<@{w.member.id}>" in other.content
    assert (await open_exam(quizbot, w)).items[0].chosen == ""
    again = await fake.invoke(w.guild, w.quiz, w.member, "exam start", {"questions": 5})
    assert again.ephemeral and "/exam resume" in again.content and not again.embeds
    assert (await open_exam(quizbot, w)).exam_id == exam.exam_id


async def test_resume_shows_the_current_question_with_the_time_left(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    none = await fake.invoke(w.guild, w.quiz, w.member, "exam resume")
    assert none.ephemeral and "/exam start" in none.content
    msg = (await start(fake, w, questions=20)).message  # 40 minutes
    exam = await open_exam(quizbot, w)
    await fake.click(msg, cid(exam, "next", 0), w.member)
    await fake.click(fake.message(msg.id), cid(exam, "next", 1), w.member)
    clock.set(clock() + timedelta(minutes=12, seconds=30))
    h = await fake.invoke(w.guild, w.quiz, w.member, "exam resume")
    assert h.ephemeral and "28 min left" in h.content  # 27.5 minutes, rounded up
    assert h.message.custom_ids()[0].startswith(f"exam:{exam.exam_id}:pick:2")
    assert_no_feedback(h.message)


# ------------------------------------------------------------------------------ submitting


async def test_submit_grades_choose_two_and_the_result_explains_the_misses(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    before = await storage.user_stats(w.guild.id, w.member.id)
    msg = (await start(fake, w, questions=20)).message
    exam = await open_exam(quizbot, w)
    twos = [i for i in exam.items if len(i.correct) == 2]
    ones = [i for i in exam.items if len(i.correct) == 1]
    assert len(twos) >= 2 and len(ones) >= 2
    right = {ones[0].position, ones[1].position, twos[0].position}
    for item in exam.items[:-1]:  # the last one stays unanswered
        # wrong: a wrong letter; for a choose-2, one right letter and a wrong one
        letters = item.correct if item.position in right else item.correct[:-1] + wrong_letters(item)
        if item.position != exam.items[0].position:
            await fake.select(
                fake.message(msg.id), cid(exam, "jump", exam.current), [str(item.position)], w.member
            )
            exam = await open_exam(quizbot, w)
        for letter in letters:
            await fake.click(fake.message(msg.id), cid(exam, "pick", item.position, letter), w.member)
    await fake.click(fake.message(msg.id), cid(exam, "flag", exam.current), w.member)
    exam = await open_exam(quizbot, w)
    confirm = await fake.click(fake.message(msg.id), cid(exam, "submit", exam.current), w.member)
    assert "1 not answered" in confirm.content and "1 flagged" in confirm.content
    assert not confirm.embeds
    back = await fake.click(fake.message(msg.id), cid(exam, "back", exam.current), w.member)
    assert back.embeds  # the page again
    await fake.click(fake.message(msg.id), cid(exam, "submit", exam.current), w.member)
    clock.set(clock() + timedelta(minutes=7))
    result = await fake.click(fake.message(msg.id), cid(exam, "confirm", exam.current), w.member)

    done = await storage.get_exam(exam.exam_id)
    assert done is not None and not done.is_open and not done.auto_submitted
    score = len(right)
    text = embed_text(result)
    assert f"{score}/20" in text and f"{round(100 * score / 20)}%" in text
    assert "70%" in text  # the estimated pass mark, said to be an estimate
    missed = [i for i in done.items if i.position not in right]
    explain_ids = [c for c in result.message.custom_ids() if ":explain:" in c]
    assert explain_ids == [cid(done, "explain", i.position) for i in missed]
    q = quizbot.running.bank.get(missed[0].question_key)
    assert q is not None
    explained = await fake.click(result.message, explain_ids[0], w.member)
    assert explained.ephemeral and explained.callback.type == Callback.CHANNEL_MESSAGE
    assert q.id in embed_text(explained)
    assert (await fake.click(result.message, explain_ids[0], w.member_zh)).content.startswith("只有")

    history = await fake.invoke(w.guild, w.quiz, w.member, "exam history")
    assert history.ephemeral and f"{score}/20" in embed_text(history)
    after = await storage.user_stats(w.guild.id, w.member.id)
    assert after.answers == before.answers + 20 and after.correct == before.correct + score
    assert after.points == before.points and after.current_streak == before.current_streak
    stats = await fake.invoke(w.guild, w.quiz, w.member, "stats me")
    assert f"{round(100 * score / 20)}%" in embed_text(stats)


async def test_a_click_after_the_deadline_submits_and_shows_the_result(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    msg = (await start(fake, w, questions=3, minutes=5)).message
    exam = await open_exam(quizbot, w)
    item = exam.items[0]
    for letter in item.correct:  # right (both letters of a choose-2)
        await fake.click(fake.message(msg.id), cid(exam, "pick", 0, letter), w.member)
    clock.set(exam.deadline + timedelta(seconds=1))
    late = await fake.click(fake.message(msg.id), cid(exam, "next", 0), w.member)
    assert "Time is up" in late.content and late.embeds
    done = await quizbot.running.storage.get_exam(exam.exam_id)
    assert done is not None and done.auto_submitted and done.submitted_at == exam.deadline
    assert done.items[0].chosen == item.correct
    assert fake.message(msg.id).custom_ids() == [cid(exam, "explain", 1), cid(exam, "explain", 2)]
    again = await fake.click(fake.message(msg.id), cid(exam, "explain", 1), w.member_zh)
    assert f"<@{w.member.id}>" in again.content  # still only the member's


async def test_the_timer_submits_by_itself_and_tells_the_member_by_dm(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    await start(fake, w, questions=4, minutes=10)
    exam = await open_exam(quizbot, w)
    timer = service(quizbot)
    assert await timer.run_due() == []  # not due yet
    assert await quizbot.running.storage.next_exam_deadline() == exam.deadline
    clock.set(exam.deadline)
    done = await timer.run_due()
    assert [d.exam.exam_id for d in done] == [exam.exam_id] and done[0].exam.auto_submitted
    dm = await fake.wait_message(lambda m: m.channel_id == fake.dm_channel(w.member.user).id)
    assert "Time was up" in dm.content and "0/4" in embed_text(dm)
    assert await timer.run_due() == []  # once
    h = await fake.invoke(w.guild, w.quiz, w.member, "exam resume")
    assert "/exam start" in h.content


async def test_a_restart_mid_exam_keeps_the_time_and_the_timer_submits_after_one(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    msg = (await start(fake, w, questions=20)).message  # 40 minutes
    exam = await open_exam(quizbot, w)
    for letter in exam.items[0].correct:  # right (both letters of a choose-2)
        await fake.click(fake.message(msg.id), cid(exam, "pick", 0, letter), w.member)
    await quizbot.stop()
    clock.set(exam.started_at + timedelta(minutes=15))
    await quizbot.start()
    await service(quizbot).run_pending()
    assert (await open_exam(quizbot, w)).is_open
    h = await fake.invoke(w.guild, w.quiz, w.member, "exam resume")
    assert "25 min left" in h.content
    moved = await fake.click(fake.message(msg.id), cid(exam, "next", 0), w.member)  # a button from before
    assert moved.callback.type == Callback.UPDATE_MESSAGE

    await quizbot.stop()
    clock.set(exam.deadline + timedelta(hours=2))  # the bot was down when the time ran out
    await quizbot.start()
    await service(quizbot).run_pending()
    done = await quizbot.running.storage.get_exam(exam.exam_id)
    assert done is not None and done.auto_submitted and done.submitted_at == exam.deadline
    assert done.items[0].chosen == exam.items[0].correct
    dm = await fake.wait_message(lambda m: m.channel_id == fake.dm_channel(w.member.user).id)
    assert "1/20" in embed_text(dm)


# ------------------------------------------------------------------------------ options and errors


async def test_defaults_bounds_and_unknown_blueprints(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    available = sum(len(p) for p in bot.bank.sections("professional").pools.values())
    command = fake.find_command("exam", w.guild)
    start_opts = {o["name"]: o for o in command["options"][0]["options"]}
    assert start_opts["minutes"]["min_value"] == 1 and start_opts["minutes"]["max_value"] == 600
    with pytest.raises(DriverError):
        await fake.invoke(w.guild, w.quiz, w.member, "exam start", {"minutes": 601})

    too_many = await fake.invoke(w.guild, w.quiz, w.member, "exam start", {"questions": 121})
    assert "120" in too_many.content and not too_many.embeds
    unknown = await fake.invoke(w.guild, w.quiz, w.member, "exam start", {"blueprint": "nope"})
    assert "nope" in unknown.content and "`professional`" in unknown.content
    choices = await fake.autocomplete(
        w.guild, w.quiz, w.member, "exam start", focused="blueprint", value="asso"
    )
    assert [c["value"] for c in choices.choices] == ["associate"]

    h = await start(fake, w)  # the default: the real exam's 60 questions, its pace
    exam = await open_exam(quizbot, w)
    assert len(exam.items) == min(60, available)
    minutes = math.ceil(120 * len(exam.items) / 60)
    assert exam.deadline - exam.started_at == timedelta(minutes=minutes)
    assert h.message.embeds


async def test_a_database_that_does_not_answer_gets_a_clear_message_and_loses_nothing(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    msg = (await start(fake, w, questions=3)).message
    exam = await open_exam(quizbot, w)
    letter = exam.items[0].options[0]
    await storage.run_sync(lambda conn: conn.execute("PRAGMA busy_timeout = 50"))
    blocker = sqlite3.connect(quizbot.settings.database_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        failed = await fake.click(msg, cid(exam, "pick", 0, letter), w.member)
        assert failed.ephemeral and "Nothing is lost" in failed.content
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    await storage.run_sync(lambda conn: conn.execute("PRAGMA busy_timeout = 10000"))
    assert (await open_exam(quizbot, w)).items[0].chosen == ""
    ok = await fake.click(fake.message(msg.id), cid(exam, "pick", 0, letter), w.member)
    assert ok.callback.type == Callback.UPDATE_MESSAGE
    assert (await open_exam(quizbot, w)).items[0].chosen == letter
    assert any(r.name == "bot.cogs.exam.clicks" for r in quizbot.errors.records)


async def test_closed_dms_do_not_stop_the_timer_and_a_zh_member_reads_zh(
    quizbot: BotHarness[Any],
    fake_discord: FakeDiscord,
    discord_world: World,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    w, fake = discord_world, fake_discord
    h = await start(fake, w, w.member_zh, questions=2)
    assert "2 題" in h.content and "交卷" in h.content
    assert any(b["label"] == "下一題" for b in h.message.buttons())
    await start(fake, w, w.member, questions=2)
    w.member_zh.user.dms_open = False  # mei's DMs are closed: the bot cannot tell her
    clock.set(clock() + timedelta(hours=1))
    done = await service(quizbot).run_due()
    assert sorted(d.exam.user_id for d in done) == sorted([w.member.id, w.member_zh.id])
    assert all(d.exam.auto_submitted for d in done)
    warned = [r.getMessage() for r in caplog.records if r.name == "bot.cogs.exam.service"]
    assert any(f"could not tell member {w.member_zh.id}" in m for m in warned), warned
    bob = await fake.wait_message(lambda m: m.channel_id == fake.dm_channel(w.member.user).id)
    assert "Time was up" in bob.content
    assert fake.channel_messages(fake.dm_channel(w.member_zh.user)) == []


async def test_explain_keeps_the_spoiler_rule_and_the_commands_are_for_servers_only(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    msg = (await start(fake, w, questions=2)).message
    exam = await open_exam(quizbot, w)
    early = await fake.click(msg, cid(exam, "submit", 0), w.member)
    assert not early.embeds
    await fake.click(fake.message(msg.id), cid(exam, "confirm", 0), w.member)
    # the first missed question becomes an open daily the member has not answered: no explanation
    key = exam.items[0].question_key
    q = bot.bank.get(key)
    assert q is not None
    await bot.storage.create_post(
        w.guild.id, w.quiz.id, key, "daily", q.answer, option_letters="".join(q.options)
    )
    refused = await fake.click(fake.message(msg.id), cid(exam, "explain", 0), w.member)
    assert refused.ephemeral and not refused.embeds and "daily" in refused.content
    shown = await fake.click(fake.message(msg.id), cid(exam, "explain", 1), w.member)
    assert shown.embeds

    for command in ("exam", "plan", "stats"):  # Discord offers them in servers only
        assert fake.find_command(command, w.guild)["contexts"] == [0], command


async def test_more_than_25_misses_are_explained_from_menus(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    msg = (await start(fake, w, questions=30)).message
    exam = await open_exam(quizbot, w)
    await fake.click(msg, cid(exam, "submit", 0), w.member)
    result = await fake.click(fake.message(msg.id), cid(exam, "confirm", 0), w.member)
    menus = [c for row in result.message.components for c in row["components"]]
    assert [m["custom_id"] for m in menus] == [cid(exam, "explains", 0), cid(exam, "explains", 1)]
    assert [len(m["options"]) for m in menus] == [25, 5]
    last = exam.items[29]
    q = quizbot.running.bank.get(last.question_key)
    assert q is not None
    h = await fake.select(result.message, cid(exam, "explains", 1), ["29"], w.member)
    assert h.ephemeral and q.id in embed_text(h)


async def test_explain_refuses_a_question_of_the_members_exam_in_progress(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    """/explain would give an exam question's answer away before submit; after it, it explains."""
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    msg = (await start(fake, w, questions=2)).message
    exam = await open_exam(quizbot, w)
    q = bot.bank.get(exam.items[0].question_key)
    assert q is not None
    for options in ({"question": q.key}, {"question": q.key, "option": q.answer[0]}):
        refused = await fake.invoke(w.guild, w.quiz, w.member, "explain", options)
        assert refused.ephemeral and not refused.embeds and "exam" in refused.content, refused.content
    assert q.sections  # the section menu would name them
    ac = await fake.autocomplete(
        w.guild, w.quiz, w.member, "explain", focused="section", value="", options={"question": q.key}
    )
    assert ac.choices == []
    other = await fake.invoke(w.guild, w.quiz, w.member_zh, "explain", {"question": q.key})
    assert other.embeds  # not in their exam
    await fake.click(msg, cid(exam, "submit", 0), w.member)
    await fake.click(fake.message(msg.id), cid(exam, "confirm", 0), w.member)
    after = await fake.invoke(w.guild, w.quiz, w.member, "explain", {"question": q.key})
    assert after.embeds


async def test_quiz_never_serves_a_question_of_the_members_exam_in_progress(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    """/quiz (and /plan, which serves through it) would answer an exam question before submit."""
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    await start(fake, w, questions=120)  # every question the sections hold
    exam = await open_exam(quizbot, w)
    held = {k for item in exam.items for k in bot.bank.known_keys(item.question_key)}
    outside = {q.key for q in bot.bank.questions} - held
    assert outside  # the raw-format questions of the test bank fall in no section
    for _ in range(3):
        h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"private": True})
        assert h.ephemeral, h.content
    served = {p.question_key for p in await bot.storage.open_private_posts(w.guild.id, w.member.id)}
    assert served and served <= outside, served & held
    # another member, without an exam, may be served those questions
    assert await bot.services.exam.held_keys(w.guild.id, w.member_zh.id) == frozenset()
