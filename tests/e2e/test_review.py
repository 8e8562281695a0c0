"""/review through the fake Discord: a missed daily comes back the next day and moves out by FSRS's
interval, sessions (ratings, feedback, summary, restarts, other members' clicks), /stats' due
counts, the reminders (local time, DST, only when due, once across restarts, closed DMs, the stop
button) and the Anki export.

One clock for everything: the daily scheduler's `Clock` (`clocked_bot`), which /review, its
reminders and /stats read too; storage's default "now" (when an answer is recorded) is pointed at
the same clock (`storage_clock`), so an answer to a 2030 daily is dated in 2030. Nothing sleeps:
`at()` moves the clock and runs the scheduler's and the reminders' passes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import fsrs
import pytest

from bot.app import QuizBot
from bot.bank.model import Question
from bot.cogs.review.service import ReviewService
from bot.settings import Settings
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.fakediscord.messages import StoredMessage
from tests.helpers import (
    DAILY_QUESTIONS,
    Clock,
    answer,
    clocked_bot,
    dailies,
    embed_text,
    scheduler,
    set_daily,
    utc,
)


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    return clocked_bot(clock)


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return dict(DAILY_QUESTIONS)


@pytest.fixture(autouse=True)
def storage_clock(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """Storage dates what it records without an explicit instant (answers) by the test's clock."""
    monkeypatch.setattr("bot.storage.sqlite.store.utcnow", clock)


# ------------------------------------------------------------------------------ helpers


def reviews(quizbot: BotHarness[Any]) -> ReviewService:
    return quizbot.running.services.review  # type: ignore[no-any-return]


async def at(quizbot: BotHarness[Any], clock: Clock, when: datetime) -> None:
    """Move the clock; the daily scheduler and the reminders do what is due (and are waited for)."""
    clock.set(when)
    await scheduler(quizbot).run_pending()
    await reviews(quizbot).run_pending()


async def start(fake: FakeDiscord, w: World, member: Any = None) -> StoredMessage:
    h = await fake.invoke(w.guild, w.quiz, member or w.member, "review start")
    assert h.callback.type == Callback.CHANNEL_MESSAGE and h.ephemeral, h.content
    assert h.message is not None
    return h.message


def question_of(quizbot: BotHarness[Any], msg: StoredMessage) -> Question:
    """The question a session message is asking (from its answer buttons' hash)."""
    cid = next(c for c in msg.custom_ids() if c.startswith(("review:ans:", "review:multi:")))
    return quizbot.running.bank.by_hash[cid.split(":")[3]]  # type: ignore[no-any-return]


def letter_id(msg: StoredMessage, letter: str) -> str:
    return next(c for c in msg.custom_ids() if c.startswith("review:ans:") and c.split(":")[4] == letter)


async def pick(
    fake: FakeDiscord, quizbot: BotHarness[Any], msg: StoredMessage, member: Any, *, right: bool
) -> StoredMessage:
    """`member` answers the card on `msg` right (or wrong); the message as it is then."""
    q = question_of(quizbot, msg)
    letter = q.answer[0] if right else next(x for x in q.options if x not in q.answer)
    click = await fake.click(msg, letter_id(msg, letter), member)
    assert click.callback.type == Callback.UPDATE_MESSAGE, click.content
    return fake.message(msg.id)


def button(msg: StoredMessage, label: str) -> str:
    return str(msg.component(label=label)["custom_id"])


async def press(fake: FakeDiscord, msg: StoredMessage, label: str, member: Any) -> StoredMessage:
    click = await fake.click(msg, button(msg, label), member)
    assert click.callback.type == Callback.UPDATE_MESSAGE, click.content
    return fake.message(msg.id)


async def stats_text(fake: FakeDiscord, w: World, member: Any = None) -> str:
    h = await fake.invoke(w.guild, w.quiz, member or w.member, "stats me")
    return embed_text(h)


async def missed_practice(
    fake: FakeDiscord, quizbot: BotHarness[Any], w: World, member: Any = None, **options: Any
) -> Question:
    """`member` gets a private /quiz question and answers it wrong: a card due a day later."""
    who = member or w.member
    h = await fake.invoke(w.guild, w.quiz, who, "quiz", {"private": True, **options})
    assert h.message is not None, h.content
    post_id = int(h.message.custom_ids()[0].split(":")[2])
    post = await quizbot.running.storage.get_post(post_id)
    assert post is not None
    wrong = next(x for x in "ABCD" if x not in post.correct_letters)
    await fake.click(h.message, f"quiz:ans:{post_id}:{wrong}", who)
    q = quizbot.running.bank.get(post.question_key)
    assert q is not None
    return q


def fsrs_due(history: list[tuple[int, datetime]]) -> datetime:
    """Where py-fsrs itself puts a new card after these (rating, instant) reviews, scheduled as the
    bot schedules (whole days: no learning steps, no fuzz)."""
    sched = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = fsrs.Card()
    for rating, when in history:
        card, _ = sched.review_card(card, fsrs.Rating(rating), when)
    return card.due  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ the acceptance path


async def test_a_missed_daily_is_due_the_next_day_and_moves_out_by_its_fsrs_interval(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)  # 09:00 in Taipei (01:00 UTC)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (daily,) = dailies(fake, w)
    clock.set(utc(2030, 3, 1, 1, 5))
    await answer(fake, daily, w.member, False, quizbot)  # bob misses it
    missed_at = clock()
    before = await storage.user_stats(w.guild.id, w.member.id)

    # the same day: nothing to review (it comes back tomorrow; an open daily is counted nowhere)
    done = await start(fake, w)
    assert "Nothing to review now" in embed_text(done) and not done.custom_ids()
    assert "Due today: 0 · this week: 0" in embed_text(await start(fake, w))  # nothing to review

    # the next day (10:00 in Taipei, day 2's daily is out): due in /review and in /stats
    await at(quizbot, clock, utc(2030, 3, 2, 2, 0))
    assert len(dailies(fake, w)) == 2
    msg = await start(fake, w)
    q = question_of(quizbot, msg)
    run = (await storage.daily_runs(w.guild.id))[-1]
    assert q.key == run.question_key
    assert "card 1 · 1 due" in embed_text(msg)
    ids = [c for c in msg.custom_ids() if c.startswith("review:ans:")]
    assert sorted(c.split(":")[4] for c in ids) == ["A", "B", "C", "D"]  # every letter, none marked

    msg = await pick(fake, quizbot, msg, w.member, right=True)
    assert "✅ Right" in embed_text(msg)
    assert [b["label"] for b in msg.buttons()] == ["Again", "Hard", "Good", "Easy", "Next", "Stop"]
    msg = await press(fake, msg, "Good", w.member)
    reviewed_at = clock()
    assert "Rated **Good**: next review" in msg.content
    text = embed_text(msg)  # nothing else was due: the summary
    assert "Review done" in text and "**1** reviewed · **1** right" in text

    card = await storage.get_card(w.guild.id, w.member.id, q.key)
    assert card is not None
    expected = fsrs_due([(1, missed_at), (3, reviewed_at)])
    assert card.due == expected and card.due - reviewed_at >= timedelta(days=1)
    after = await storage.user_stats(w.guild.id, w.member.id)
    assert (after.points, after.current_streak, after.best_streak) == (
        before.points,
        before.current_streak,
        before.best_streak,
    )
    # it moved out by that interval: not due a minute before, due from then on, counted alike
    week = 1 if expected - reviewed_at <= timedelta(days=6) else 0
    assert f"Due today **0** · this week **{week}**" in await stats_text(fake, w)
    clock.set(expected - timedelta(minutes=1))
    assert "Nothing to review now" in embed_text(await start(fake, w))
    clock.set(expected)
    back = await start(fake, w)
    assert question_of(quizbot, back).key == q.key
    assert "Due today **1**" in await stats_text(fake, w)


async def test_a_wrong_answer_shows_why_and_is_again_and_the_summary_counts_the_session(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    first = await missed_practice(fake, quizbot, w)
    clock.set(utc(2030, 3, 1, 0, 40))
    second = await missed_practice(fake, quizbot, w)
    await at(quizbot, clock, utc(2030, 3, 5, 0, 0))

    msg = await start(fake, w)
    assert "card 1 · 2 due" in embed_text(msg)
    served = question_of(quizbot, msg)
    assert served.key == first.key  # most overdue first
    msg = await pick(fake, quizbot, msg, w.member, right=False)
    text = embed_text(msg)
    assert "❌ Not quite" in text and "Why " in text and "is wrong" in text
    assert "Rated Again: it comes back on" in text and "no points or streaks" in text
    assert [b["label"] for b in msg.buttons()] == ["Next", "Stop"]
    card = await storage.get_card(w.guild.id, w.member.id, first.key)
    assert card is not None and card.last_rating == 1 and card.due > clock()

    msg = await press(fake, msg, "Next", w.member)
    assert question_of(quizbot, msg).key == second.key and "card 2 · 1 due" in embed_text(msg)
    msg = await pick(fake, quizbot, msg, w.member, right=True)
    msg = await press(fake, msg, "Stop", w.member)  # moving on rates Good
    text = embed_text(msg)
    assert "**2** reviewed · **1** right" in text and "Next card due" in text
    card = await storage.get_card(w.guild.id, w.member.id, second.key)
    assert card is not None and card.last_rating == 3 and card.due > clock()
    assert msg.buttons() == []


async def test_another_member_cannot_drive_someone_s_review_and_a_restart_keeps_it_going(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    q = await missed_practice(fake, quizbot, w)
    clock.set(utc(2030, 3, 3, 0, 0))
    msg = await start(fake, w)

    for cid in msg.custom_ids():  # every button of bob's session, clicked by mei
        click = await fake.click(msg, cid, w.member_zh)
        assert click.callback.type == Callback.CHANNEL_MESSAGE and click.ephemeral
        assert f"<@{w.member.id}>" in click.content
    assert fake.message(msg.id).custom_ids() == msg.custom_ids()  # untouched
    card = await storage.get_card(w.guild.id, w.member.id, q.key)
    assert card is not None and card.reps == 1  # nothing recorded

    await quizbot.restart()  # the buttons carry the session: it goes on
    storage = quizbot.running.storage
    msg = await pick(fake, quizbot, msg, w.member, right=True)
    # a double click on Easy: both clicks carry the message as it was; the card is reviewed once
    easy = button(msg, "Easy")
    clicks = [await fake.click(msg, easy, w.member, wait=False) for _ in range(2)]
    for click in clicks:
        await click.wait_response()
    card = await storage.get_card(w.guild.id, w.member.id, q.key)
    assert card is not None and card.reps == 2 and card.last_rating == 4
    texts = [c.content or "" for c in clicks] + [
        v.get("content") or "" for v in fake.message(msg.id).versions
    ]
    assert any("Rated **Easy**" in x for x in texts) and any("reviewed already" in x for x in texts)


async def test_open_dailies_are_never_served(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (daily,) = dailies(fake, w)
    run = (await storage.daily_runs(w.guild.id))[0]
    assert run.question_key is not None
    # mei has a card for today's open daily question (she missed it in practice long ago)
    await storage.record_review(
        w.guild.id, w.member_zh.id, run.question_key, correct=False, reviewed_at=utc(2030, 1, 1)
    )
    msg = await start(fake, w, w.member_zh)
    assert "目前沒有要複習的卡片" in embed_text(msg)  # her client is in zh-TW
    await answer(fake, daily, w.member, True, quizbot)  # others answering it changes nothing
    assert "目前沒有要複習的卡片" in embed_text(await start(fake, w, w.member_zh))
    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))  # closed by the next daily
    msg = await start(fake, w, w.member_zh)
    assert question_of(quizbot, msg).key == run.question_key
    assert "複習 · 第 1 張" in embed_text(msg)


# ------------------------------------------------------------------------------ reminders


def dms(fake: FakeDiscord, member: Any) -> list[StoredMessage]:
    return fake.channel_messages(fake.dm_channel(member.user), include_ephemeral=False)


async def remind_on(fake: FakeDiscord, w: World, time: str, member: Any = None) -> str:
    h = await fake.invoke(w.guild, w.quiz, member or w.member, "review remind on", {"time": time})
    assert h.ephemeral and "✅" in h.content, h.content
    return str(h.content)


async def test_reminders_fire_once_a_day_at_the_local_time_only_when_due_and_not_twice_after_a_restart(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 30))  # 08:30 in Taipei
    await set_daily(fake, w, topics="Jobs")  # (Q-004 only: never bob's card, which is Q-002)
    await missed_practice(fake, quizbot, w, topic="Delta-Lake")  # due on 2 March, 08:30 in Taipei
    text = await remind_on(fake, w, "8:00")
    assert "**08:00**" in text and "Asia/Taipei" in text
    svc = reviews(quizbot)
    await svc.run_pending()
    assert svc.next_wake == utc(2030, 3, 2, 0, 0)  # 08:00 has passed today: from tomorrow on
    assert dms(fake, w.member) == []

    await at(quizbot, clock, utc(2030, 3, 2, 0, 0))  # 08:00: the card is due only at 08:30
    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))  # and nothing comes later that day
    assert dms(fake, w.member) == []
    assert svc.next_wake == utc(2030, 3, 3, 0, 0)

    await at(quizbot, clock, utc(2030, 3, 2, 23, 59, 59))
    assert dms(fake, w.member) == []
    await at(quizbot, clock, utc(2030, 3, 3, 0, 0))  # 08:00 on 3 March: one reminder
    (dm,) = dms(fake, w.member)
    assert "**1** card(s) due for review in **Study Group**" in dm.content and "/review start" in dm.content
    assert [b["label"] for b in dm.buttons()] == ["Stop reminders"] and "<@" not in dm.content
    await at(quizbot, clock, utc(2030, 3, 3, 0, 0, 30))
    await quizbot.restart()  # a restart the same day does not send it again
    await reviews(quizbot).run_pending()
    await at(quizbot, clock, utc(2030, 3, 3, 12, 0))
    assert len(dms(fake, w.member)) == 1

    await at(quizbot, clock, utc(2030, 3, 4, 0, 0))  # still due the next day: one more
    assert len(dms(fake, w.member)) == 2
    await quizbot.stop()  # down across 08:00 on 5 March: sent on start, that day only
    clock.set(utc(2030, 3, 5, 2, 0))
    await quizbot.start()
    await reviews(quizbot).run_pending()
    assert len(dms(fake, w.member)) == 3
    await quizbot.restart()
    await reviews(quizbot).run_pending()
    assert len(dms(fake, w.member)) == 3

    latest = dms(fake, w.member)[-1]  # "Stop reminders" in the DM: one click
    click = await fake.click(latest, button(latest, "Stop reminders"), w.member.user)
    assert click.callback.type == Callback.UPDATE_MESSAGE
    assert "Reminders for **Study Group** are off" in fake.message(latest.id).content
    setting = await quizbot.running.storage.get_review_reminder(w.guild.id, w.member.id)
    assert setting is not None and not setting.enabled
    await at(quizbot, clock, utc(2030, 3, 6, 0, 0))
    assert len(dms(fake, w.member)) == 3


async def test_reminders_keep_the_local_time_across_both_dst_switches(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 8, 17, 0))  # Friday 12:00 EST
    await set_daily(fake, w, tz="America/New_York", topics="Jobs")  # never Q-001, bob's card
    await storage.record_review(
        w.guild.id, w.member.id, "daily/Q-001", correct=False, reviewed_at=utc(2030, 3, 1)
    )
    await remind_on(fake, w, "02:30")
    svc = reviews(quizbot)
    await svc.run_pending()
    assert svc.next_wake == utc(2030, 3, 9, 7, 30)  # Saturday 02:30 EST
    await at(quizbot, clock, utc(2030, 3, 9, 7, 30))
    assert len(dms(fake, w.member)) == 1
    # Sunday 10 March: 02:30 does not exist (clocks jump to 03:00): 03:30 EDT, still 07:30 UTC
    assert svc.next_wake == utc(2030, 3, 10, 7, 30)
    await at(quizbot, clock, utc(2030, 3, 10, 7, 29))
    assert len(dms(fake, w.member)) == 1
    await at(quizbot, clock, utc(2030, 3, 10, 7, 30))
    assert len(dms(fake, w.member)) == 2
    assert svc.next_wake == utc(2030, 3, 11, 6, 30)  # Monday 02:30 EDT
    await at(quizbot, clock, utc(2030, 3, 11, 6, 30))
    assert len(dms(fake, w.member)) == 3

    clock.set(utc(2030, 11, 2, 16, 0))  # Saturday 12:00 EDT; 01:30 comes twice on Sunday
    await remind_on(fake, w, "01:30")
    await svc.run_pending()
    assert svc.next_wake == utc(2030, 11, 3, 5, 30)  # the first 01:30 (EDT)
    await at(quizbot, clock, utc(2030, 11, 3, 5, 30))
    assert len(dms(fake, w.member)) == 4
    await at(quizbot, clock, utc(2030, 11, 3, 6, 30))  # the second 01:30 (EST): not again
    assert len(dms(fake, w.member)) == 4
    assert svc.next_wake == utc(2030, 11, 4, 6, 30)


async def test_closed_dms_mean_a_mention_of_that_member_only_in_the_daily_channel(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w, topics="Jobs")
    await missed_practice(fake, quizbot, w, topic="Delta-Lake")
    await remind_on(fake, w, "08:00")
    w.member.user.dms_open = False
    mark = fake.mark()
    await at(quizbot, clock, utc(2030, 3, 3, 0, 0))
    assert dms(fake, w.member) == []
    (sent,) = [
        c
        for c in fake.calls[mark:]
        if c.method == "POST"
        and c.route == "/channels/{channel_id}/messages"
        and c.ok
        and "review" in str(c.json.get("content"))
    ]
    assert sent.params["channel_id"] == str(w.quiz.id)
    assert sent.json["content"].startswith(f"<@{w.member.id}> ")
    mentions = sent.json["allowed_mentions"]
    assert [int(u) for u in mentions["users"]] == [w.member.id] and mentions["parse"] == []
    msg = fake.message(int(sent.response["id"]))

    click = await fake.click(msg, button(msg, "Stop reminders"), w.member_zh)  # not hers
    assert click.ephemeral and f"<@{w.member.id}>" in click.content
    setting = await quizbot.running.storage.get_review_reminder(w.guild.id, w.member.id)
    assert setting is not None and setting.enabled
    await fake.click(msg, button(msg, "Stop reminders"), w.member)
    assert "are off" in fake.message(msg.id).content and fake.message(msg.id).buttons() == []
    mark = fake.mark()
    await at(quizbot, clock, utc(2030, 3, 4, 0, 0))
    assert not [c for c in fake.calls[mark:] if "review" in str((c.json or {}).get("content"))]

    await remind_on(fake, w, "08:00", w.member_zh)  # mei has a card too, then leaves the server
    await quizbot.running.storage.record_review(
        w.guild.id, w.member_zh.id, "daily/Q-001", correct=False, reviewed_at=utc(2030, 3, 1)
    )
    del w.guild.members[w.member_zh.id]
    await at(quizbot, clock, utc(2030, 3, 5, 0, 0))
    assert dms(fake, w.member_zh) == []
    setting = await quizbot.running.storage.get_review_reminder(w.guild.id, w.member_zh.id)
    assert setting is not None and not setting.enabled

    h = await fake.invoke(w.guild, w.quiz, w.member, "review remind on", {"time": "25:00"})
    assert "not a time of day" in h.content
    h = await fake.invoke(w.guild, w.quiz, w.member, "review remind off")
    assert "Reminders off" in h.content


async def test_a_question_the_server_paused_is_not_served(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    for key in ("daily/Q-001", "daily/Q-002"):
        await bot.storage.record_review(
            w.guild.id, w.member.id, key, correct=False, reviewed_at=utc(2030, 1, 1)
        )
    assert await bot.services.reports.pause(w.guild.id, "daily/Q-001", by=w.admin.id)
    clock.set(utc(2030, 3, 1))
    msg = await start(fake, w)
    assert question_of(quizbot, msg).key == "daily/Q-002" and "card 1 · 1 due" in embed_text(msg)
    await bot.services.reports.unpause(w.guild.id, "daily/Q-001")
    assert question_of(quizbot, await start(fake, w)).key == "daily/Q-001"  # the most overdue again


async def test_a_paused_question_counts_in_no_reminder_and_no_due_figure(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    """/review leaves a paused question out, so the reminder and the due figures must not count it: a
    reminder of a card /review then refuses to show sends the member for nothing."""
    w, fake = discord_world, fake_discord
    bot = quizbot.running
    await bot.storage.record_review(
        w.guild.id, w.member.id, "daily/Q-001", correct=False, reviewed_at=utc(2030, 1, 1)
    )
    assert await bot.services.reports.pause(w.guild.id, "daily/Q-001", by=w.admin.id)
    clock.set(utc(2030, 3, 1, 8, 30))  # the server keeps UTC
    await remind_on(fake, w, "9:00")
    assert "Due today: 0 · this week: 0" in embed_text(await start(fake, w))  # nothing to review
    await at(quizbot, clock, utc(2030, 3, 1, 9, 0))  # 09:00: the only due card is paused
    assert dms(fake, w.member) == []

    await bot.services.reports.unpause(w.guild.id, "daily/Q-001")
    await at(quizbot, clock, utc(2030, 3, 2, 9, 0))
    (dm,) = dms(fake, w.member)
    assert "**1** card(s) due for review" in dm.content
