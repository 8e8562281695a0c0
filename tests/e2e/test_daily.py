"""The daily question through the fake Discord: the schedule, restarts, closing, streaks, rotation.

The scheduler's clock is a `Clock` the tests move by hand (`scheduler.now`), and
`await scheduler.run_pending()` runs a pass and waits for the posts it started: nothing sleeps
through real minutes and nothing is timed. Daily dates are in 2030, after the real "now", so the
Quiz cog's close sweep (real time) leaves them alone and real clicks land before `closes_at`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import QuizBot
from bot.cogs.scheduler import DailyScheduler
from bot.settings import Settings
from tests.e2e.test_quiz import embed_text
from tests.fakediscord import BotHarness, FakeDiscord, FaultResponse, P, StoredMessage, World

POST_ROUTE = "/channels/{channel_id}/messages"
EDIT_ROUTE = "/channels/{channel_id}/messages/{message_id}"


def question_yaml(n: int, answer: str, topic: str, difficulty: str = "L1-Basic") -> str:
    return f"""id: Q-{n:03d}
difficulty: {difficulty}
topics: [{topic}]
stem: |
  Daily question number {n}: which option is the right one for {topic} case {n}?
options:
  A: The first option of question {n}
  B: The second option of question {n}
  C: The third option of question {n}
  D: The fourth option of question {n}
answer: {answer}
explanation:
  - heading: ✅ 正解說明
    body: |
      Option {answer} is right for question {n}.
"""


QUESTIONS = {
    "daily/Q-001.yaml": question_yaml(1, "A", "Spark"),
    "daily/Q-002.yaml": question_yaml(2, "B", "Delta-Lake"),
    "daily/Q-003.yaml": question_yaml(3, "C", "Spark", "L2-Intermediate"),
    "daily/Q-004.yaml": question_yaml(4, "D", "Jobs"),
}


class Clock:
    """The scheduler's clock in tests: a settable `now()`."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(utc(2030, 3, 1, 0, 0))


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    class ClockedBot(QuizBot):
        async def setup_hook(self) -> None:
            await super().setup_hook()
            scheduler = self.services.scheduler
            scheduler.now = clock  # before its first pass, which waits for on_ready
            scheduler.max_rate = None

    return ClockedBot


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return dict(QUESTIONS)


def scheduler(quizbot: BotHarness[Any]) -> DailyScheduler:
    return quizbot.running.services.scheduler  # type: ignore[no-any-return]


def _footer(payload: dict[str, Any]) -> str:
    embeds = payload.get("embeds") or [{}]
    return str(embeds[0].get("footer", {}).get("text", ""))


def is_daily(m: StoredMessage) -> bool:
    """Posted as a daily question (its first version's footer says so; a reveal changes it)."""
    first = m.versions[0] if m.versions else m.payload
    return any(word in _footer(first) for word in ("daily question", "每日一題"))


def dailies(fake: FakeDiscord, w: World, channel: Any = None) -> list[StoredMessage]:
    """The daily question posts in #quiz (or `channel`), oldest first."""
    return [m for m in fake.channel_messages(channel or w.quiz, include_ephemeral=False) if is_daily(m)]


def is_open(m: StoredMessage) -> bool:
    return not any(b.get("disabled") for b in m.buttons())


def post_id_of(message: StoredMessage) -> int:
    return int(message.custom_ids()[0].split(":")[2])


async def set_daily(
    fake: FakeDiscord, w: World, *, time: str = "09:00", tz: str = "Asia/Taipei", **more: Any
) -> Any:
    h = await fake.invoke(
        w.guild,
        w.general,
        w.admin,
        "quizadmin daily set",
        {"channel": w.quiz, "time": time, "timezone": tz, **more},
    )
    assert h.ephemeral and "✅" in h.content, h.content
    return h


async def at(quizbot: BotHarness[Any], clock: Clock, when: datetime) -> None:
    """Move the clock and let the scheduler do what is due (and wait for it)."""
    clock.set(when)
    await scheduler(quizbot).run_pending()


async def answer(
    fake: FakeDiscord, message: StoredMessage, member: Any, right: bool, quizbot: BotHarness[Any]
) -> Any:
    post = await quizbot.running.storage.get_post(post_id_of(message))
    assert post is not None
    letter = post.correct_letters if right else next(x for x in "ABCD" if x not in post.correct_letters)
    cid = next(c for c in message.custom_ids() if c.endswith(":" + letter))
    click = await fake.click(message, cid, member)
    assert click.ephemeral
    return click


# --------------------------------------------------------------------------------------------


async def test_taipei_0900_is_posted_once_a_day_at_0100_utc(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 30))  # 08:30 in Taipei
    h = await set_daily(fake, w)
    assert "09:00" in h.content and "Asia/Taipei" in h.content
    sched = scheduler(quizbot)
    await sched.run_pending()
    assert sched.next_wake == utc(2030, 3, 1, 1, 0)  # it sleeps until 01:00 UTC
    await at(quizbot, clock, utc(2030, 3, 1, 0, 59, 59))
    assert dailies(fake, w) == []

    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    posts = dailies(fake, w)
    assert len(posts) == 1
    first = posts[0]
    assert [b["label"] for b in first.buttons()] == ["A", "B", "C", "D"]
    assert sched.next_wake == utc(2030, 3, 2, 1, 0)

    await at(quizbot, clock, utc(2030, 3, 1, 1, 0, 30))  # woken again: nothing new
    await quizbot.restart()  # a restart at 09:00:30 does not post twice
    await scheduler(quizbot).run_pending()
    assert len(dailies(fake, w)) == 1

    await at(quizbot, clock, utc(2030, 3, 2, 0, 59))
    assert len(dailies(fake, w)) == 1
    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))
    posts = dailies(fake, w)
    assert len(posts) == 2
    assert all(b.get("disabled") for b in fake.message(first.id).buttons())  # day 1 closed
    runs = await quizbot.running.storage.daily_runs(w.guild.id)
    assert [(r.local_day.isoformat(), r.status) for r in runs] == [
        ("2030-03-02", "sent"),
        ("2030-03-01", "sent"),
    ]


async def test_a_bot_down_from_0800_to_1000_posts_once_at_start_and_not_after_the_day(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 0))  # 08:00 in Taipei
    await set_daily(fake, w)
    await scheduler(quizbot).run_pending()
    await quizbot.stop()
    clock.set(utc(2030, 3, 1, 2, 0))  # 10:00: the day is not over, so it is posted once, on start
    await quizbot.start()
    await scheduler(quizbot).run_pending()
    assert len(dailies(fake, w)) == 1
    await quizbot.restart()
    await scheduler(quizbot).run_pending()
    assert len(dailies(fake, w)) == 1

    await quizbot.stop()
    clock.set(utc(2030, 3, 2, 17, 0))  # 01:00 on 3 March in Taipei: 2 March's daily is over
    await quizbot.start()
    await scheduler(quizbot).run_pending()
    assert len(dailies(fake, w)) == 1
    await at(quizbot, clock, utc(2030, 3, 3, 1, 0))
    assert len(dailies(fake, w)) == 2
    days = [r.local_day.isoformat() for r in await quizbot.running.storage.daily_runs(w.guild.id)]
    assert days == ["2030-03-03", "2030-03-01"]


async def test_a_restart_after_discord_got_the_message_adopts_it_instead_of_posting_again(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    hang = fake.hang("POST", POST_ROUTE, channel_id=str(w.quiz.id))
    clock.set(utc(2030, 3, 1, 1, 0))
    scheduler(quizbot).wake()
    await hang.wait_hit()  # the daily is recorded and its message is on the way
    await quizbot.stop()  # the bot goes down before it hears back
    hang.release()  # ... and Discord creates the message all the same
    sent = await fake.wait_message(lambda m: m.channel_id == w.quiz.id and is_daily(m))

    mark = fake.mark()
    clock.set(utc(2030, 3, 1, 1, 0, 30))
    await quizbot.start()
    await scheduler(quizbot).run_pending()
    assert [m.id for m in dailies(fake, w)] == [sent.id]
    assert not [c for c in fake.calls[mark:] if c.method == "POST" and c.route == POST_ROUTE]
    storage = quizbot.running.storage
    (run,) = await storage.daily_runs(w.guild.id)
    assert run.status == "sent" and run.attempts == 1
    post = await storage.get_post(post_id_of(sent))
    assert post is not None and post.message_id == sent.id
    click = await answer(fake, sent, w.member, True, quizbot)
    assert "+10 points" in embed_text(click)


async def test_a_restart_before_the_message_went_out_sends_it_exactly_once(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    lost = FaultResponse(502, {"message": "502: Bad Gateway", "code": 0})
    hang = fake.hang("POST", POST_ROUTE, then=lost, channel_id=str(w.quiz.id))
    clock.set(utc(2030, 3, 1, 1, 0))
    scheduler(quizbot).wake()
    await hang.wait_hit()
    await quizbot.stop()
    hang.release()  # this send never creates a message
    assert dailies(fake, w) == []

    clock.set(utc(2030, 3, 1, 1, 5))
    await quizbot.start()
    await scheduler(quizbot).run_pending()
    (sent,) = dailies(fake, w)
    await quizbot.restart()  # and once it is out, never again
    await scheduler(quizbot).run_pending()
    assert [m.id for m in dailies(fake, w)] == [sent.id]
    (run,) = await quizbot.running.storage.daily_runs(w.guild.id)
    assert run.status == "sent" and run.attempts == 2
    # the same post (its buttons, its id) was re-sent: not a second question
    assert run.post_id == post_id_of(sent)


async def test_closing_day_n_reveals_it_and_ends_the_streak_of_who_skipped_it(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (day1,) = dailies(fake, w)
    await answer(fake, day1, w.member, True, quizbot)
    await answer(fake, day1, w.member_zh, True, quizbot)
    await answer(fake, day1, w.admin, False, quizbot)

    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))
    day2 = dailies(fake, w)[1]
    revealed = fake.message(day1.id)
    post1 = await storage.get_post(post_id_of(day1))
    assert post1 is not None and post1.is_closed
    text = revealed.text()
    assert f"Answer: **{post1.correct_letters}**" in text and "3 answered · 67% correct" in text
    assert not is_open(revealed) and is_open(fake.message(day2.id))
    await answer(fake, day2, w.member, True, quizbot)  # mei skips day 2

    await at(quizbot, clock, utc(2030, 3, 3, 1, 0))
    assert "1 answered · 100% correct" in fake.message(day2.id).text()
    bob = await storage.user_stats(w.guild.id, w.member.id)
    mei = await storage.user_stats(w.guild.id, w.member_zh.id)
    assert (bob.current_streak, bob.best_streak, bob.points) == (2, 2, 20)
    assert (mei.current_streak, mei.best_streak, mei.points) == (0, 1, 10)


async def test_each_server_walks_its_own_shuffled_rotation_without_repeats(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    for day in range(1, 5):
        await at(quizbot, clock, utc(2030, 3, day, 1, 0))
    runs = list(reversed(await storage.daily_runs(w.guild.id)))
    keys = [r.question_key for r in runs]
    assert sorted(keys) == ["daily/Q-001", "daily/Q-002", "daily/Q-003", "daily/Q-004"]  # type: ignore[type-var]
    await at(quizbot, clock, utc(2030, 3, 5, 1, 0))  # a new round, not starting with the last one
    (latest, *_) = await storage.daily_runs(w.guild.id)
    assert latest.question_key != keys[-1]
    # the show command reports the round
    h = await fake.invoke(w.guild, w.general, w.admin, "quizadmin daily show")
    assert "1/4 asked in this round" in h.content


async def test_a_channel_the_bot_cannot_post_in_is_reported_not_crashed(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    fake.set_overwrite(w.quiz, w.guild.members[fake.bot_user.id], deny=P.SEND_MESSAGES)
    await fake.gateway.sync()
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    assert dailies(fake, w) == []
    (run,) = await storage.daily_runs(w.guild.id)
    assert run.status == "failed" and run.post_id is None  # the unsent post is gone: no streak is lost
    assert await storage.open_posts(w.guild.id, kind="daily") == []
    show = await fake.invoke(w.guild, w.general, w.admin, "quizadmin daily show")
    assert "I may not post in the daily's channel" in show.content
    assert "I can't post in" in show.content and "Send Messages" in show.content

    fake.delete_channel(w.quiz)
    await fake.gateway.sync()
    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))
    (run, _) = await storage.daily_runs(w.guild.id)
    assert run.status == "failed" and run.error is not None and run.error.startswith("not_found|")
    show = await fake.invoke(w.guild, w.general, w.admin, "quizadmin daily show")
    assert "the daily's channel was deleted" in show.content
    assert "no longer exists" in show.content
    assert quizbot.errors.records == []


async def test_explain_will_not_spoil_the_open_daily(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (daily,) = dailies(fake, w)
    post = await quizbot.running.storage.get_post(post_id_of(daily))
    assert post is not None
    key = post.question_key
    h = await fake.invoke(w.guild, w.general, w.member, "explain", {"question": key})
    assert h.ephemeral and "today's open daily question" in h.content
    h = await fake.invoke(w.guild, w.general, w.admin, "explain", {"question": key})  # no exemption
    assert h.ephemeral and not h.embeds and "today's open daily question" in h.content
    click = await answer(fake, daily, w.member, False, quizbot)
    explain_id = next(c for c in click.message.custom_ids() if c.startswith("quiz:explain:"))
    opened = await fake.click(click.message, explain_id, w.member)
    assert opened.embeds and "Question and answer" in embed_text(opened)
    h = await fake.invoke(w.guild, w.general, w.member_zh, "explain", {"question": key})
    assert "每日一題" in h.content  # mei has not answered yet
    await at(quizbot, clock, utc(2030, 3, 2, 1, 0))  # closed: no secret any more
    h = await fake.invoke(w.guild, w.general, w.member_zh, "explain", {"question": key})
    assert h.embeds


async def test_new_york_across_the_spring_switch(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 9, 12, 0))  # Saturday 07:00 EST
    await set_daily(fake, w, tz="America/New_York")
    sched = scheduler(quizbot)
    await sched.run_pending()
    assert sched.next_wake == utc(2030, 3, 9, 14, 0)
    await at(quizbot, clock, utc(2030, 3, 9, 14, 0))
    assert sched.next_wake == utc(2030, 3, 10, 13, 0)  # Sunday: clocks went forward, 09:00 EDT
    await at(quizbot, clock, utc(2030, 3, 10, 13, 0))
    assert len(dailies(fake, w)) == 2


async def test_a_thousand_servers_due_in_the_same_minute_are_paced_and_answers_are_not_held(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    sched = scheduler(quizbot)
    n = 1000
    guilds = [fake.create_guild(f"Server {i}", channels=("quiz",)) for i in range(n)]
    await fake.gateway.sync()
    clock.set(utc(2030, 3, 1, 0, 30))
    for g in guilds:
        (channel,) = g.channels.values()
        await storage.set_daily_schedule(
            g.id, channel_id=channel.id, time="09:00", timezone="Asia/Taipei", now=clock()
        )
    practice = (await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})).message
    assert practice is not None

    hang = fake.hang("POST", POST_ROUTE, times=None)  # hold the daily sends
    mark, passes = fake.mark(), sched.passes
    clock.set(utc(2030, 3, 1, 1, 0))
    sched.wake()
    await hang.wait_hit()
    # a member answers while a thousand dailies are due and the first ones are stuck in Discord:
    click = await fake.click(practice, practice.custom_ids()[0], w.member)
    assert click.ephemeral and click.embeds
    assert hang.active and 1 <= hang.hits <= sched.concurrency  # never more sends than that at once
    hang.clear()
    await sched.run_pending(timeout=120)

    posts = [c for c in fake.calls[mark:] if c.method == "POST" and c.route == POST_ROUTE]
    assert len(posts) == n and all(c.ok for c in posts)
    assert len({c.params["channel_id"] for c in posts}) == n
    events = sorted([(c.started, 1) for c in posts] + [(c.finished, -1) for c in posts])
    in_flight = peak = 0
    for _, step in events:
        in_flight += step
        peak = max(peak, in_flight)
    assert peak <= sched.concurrency
    assert sched.passes - passes < 10  # one loop looked a few times, not once per server
    taken = await storage.daily_overview(utc(2030, 3, 1).date())
    assert len(taken[1]) == n and taken[2] == []


async def test_an_unexpected_error_is_retried_later_without_a_duplicate(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    w, fake = discord_world, fake_discord
    storage = quizbot.running.storage
    sched = scheduler(quizbot)
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    fake.fail("POST", POST_ROUTE, status=400, code=50035, channel_id=str(w.quiz.id))
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    assert dailies(fake, w) == []
    (run,) = await storage.daily_runs(w.guild.id)
    assert run.status == "claimed"  # not given up: retried in two minutes
    assert sched.next_wake == utc(2030, 3, 1, 1, 2)
    h = await post_now_blocked(fake, w)
    assert "being posted here right now" in h
    await at(quizbot, clock, utc(2030, 3, 1, 1, 2))
    (sent,) = dailies(fake, w)
    (run,) = await storage.daily_runs(w.guild.id)
    assert (run.status, run.attempts, run.post_id) == ("sent", 2, post_id_of(sent))
    sch = await storage.get_daily_schedule(w.guild.id)
    assert sch is not None and sch.last_error is None


async def post_now_blocked(fake: FakeDiscord, w: World) -> str:
    h = await fake.invoke(w.guild, w.general, w.admin, "quizadmin post-now")
    message = await h.wait_original(lambda m: not m.loading)
    return str(message.content)


async def test_a_daily_recorded_but_never_sent_ends_nobody_s_streak(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, clock: Clock
) -> None:
    """Down for more than a day right after recording a daily: on start the close sweep leaves the
    unsent post alone, recovery gives it up (its day is over) and deletes it, and the next daily
    closes the last one members could see."""
    w, fake = discord_world, fake_discord
    clock.set(utc(2030, 3, 1, 0, 30))
    await set_daily(fake, w)
    await at(quizbot, clock, utc(2030, 3, 1, 1, 0))
    (day1,) = dailies(fake, w)
    await answer(fake, day1, w.member, True, quizbot)

    lost = FaultResponse(502, {"message": "502: Bad Gateway", "code": 0})
    hang = fake.hang("POST", POST_ROUTE, then=lost, channel_id=str(w.quiz.id))
    clock.set(utc(2030, 3, 2, 1, 0))
    scheduler(quizbot).wake()
    await hang.wait_hit()
    await quizbot.stop()
    hang.release()
    # its closing time has passed in real time too, so the Quiz cog's close sweep sees it on start
    past = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp() * 1000)
    with sqlite3.connect(quizbot.settings.database_path) as conn:
        conn.execute(
            "UPDATE posts SET created_at = ?, closes_at = ? WHERE message_id IS NULL", (past - 1, past)
        )
    clock.set(utc(2030, 3, 3, 2, 0))  # 10:00 on 3 March in Taipei: 2 March is over
    await quizbot.start()
    await scheduler(quizbot).run_pending()

    storage = quizbot.running.storage
    runs = await storage.daily_runs(w.guild.id)
    assert [(r.local_day.isoformat(), r.status) for r in runs] == [
        ("2030-03-03", "sent"),
        ("2030-03-02", "missed"),
        ("2030-03-01", "sent"),
    ]
    assert runs[1].post_id is None  # deleted: nobody saw it
    bob = await storage.user_stats(w.guild.id, w.member.id)
    assert bob.current_streak == 1  # day 1 answered; day 2 never existed for members
    assert not is_open(fake.message(day1.id)) and len(dailies(fake, w)) == 2
