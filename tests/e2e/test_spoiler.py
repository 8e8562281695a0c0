"""The daily's answer stays secret (issue 14): every door checks who is asking.

The real bot on the fake Discord, its commands synced globally (so Discord could deliver one from a
DM), two servers: A (the default world, with an open daily) and B, sharing bob. A five-question
bank whose explanations have a section title that names the answer, as some of the users' do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import QuizBot
from tests.fakediscord import BotHarness, FakeDiscord, World, build_world
from tests.fakediscord.models import FakeChannel, FakeGuild, FakeUser
from tests.helpers import embed_text

MEMBER_ROUTE = "/guilds/{guild_id}/members/{user_id}"
ANSWERS = {1: "A", 2: "B", 3: "C", 4: "D", 5: "A"}
X = "daily/Q-003"  # the open daily of server A


def question_yaml(n: int, answer: str) -> str:
    return f"""id: Q-{n:03d}
difficulty: L1-Basic
topics: [Spark]
stem: |
  Spoiler test question number {n}: which option is right for case {n}?
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
  - heading: 選項 {answer} 分析（來源標註答案）
    body: |
      Why {answer}, in detail, for question {n}.
"""


def stem(n: int) -> str:
    return f"question number {n}:"


class Cast:
    """The world of these tests: server A (the default world) and server B."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.w: World = build_world(fake)
        self.a: FakeGuild = self.w.guild
        self.b: FakeGuild = fake.create_guild("Other Server", channels=("lobby",))
        self.b_lobby: FakeChannel = next(iter(self.b.channels.values()))
        self.bob: FakeUser = self.w.member.user  # in A and in B
        fake.create_member(self.b, self.bob)
        self.carol: FakeUser = fake.create_member(self.b, "carol").user  # in B only
        self.dave: FakeUser = fake.create_member(self.b, "dave").user  # in B only


@pytest.fixture
def cast(fake_discord: FakeDiscord) -> Cast:
    return Cast(fake_discord)


@pytest.fixture
def discord_world(cast: Cast) -> World:
    return cast.w


@pytest_asyncio.fixture
async def quizbot(fake_discord: FakeDiscord, cast: Cast, tmp_path: Path) -> AsyncIterator[BotHarness[Any]]:
    """The bot with its commands synced globally (no DEV_GUILD_ID)."""
    questions = {f"daily/Q-{n:03d}.yaml": question_yaml(n, a) for n, a in ANSWERS.items()}
    harness: BotHarness[Any] = BotHarness(fake_discord, tmp_path, factory=QuizBot, questions=questions)
    async with harness:
        storage = harness.running.storage
        for guild in (cast.a, cast.b):
            await storage.set_guild_settings(guild.id, practice_cooldown_s=0)
        yield harness
    if fake_discord.unhandled:
        pytest.fail(f"the bot called routes the fake does not implement: {fake_discord.unhandled}")


def quiz_cog(quizbot: BotHarness[Any]) -> Any:
    return quizbot.running.services.quiz


async def open_daily(quizbot: BotHarness[Any], cast: Cast) -> Any:
    bot = quizbot.running
    question = bot.bank.get(X)
    return await quiz_cog(quizbot).post_question(
        cast.w.quiz.id,
        cast.a.id,
        question,
        kind="daily",
        mention_role_id=None,
        closes_at=datetime.now(UTC) + timedelta(days=1),
    )


async def make_due(quizbot: BotHarness[Any], post_id: int) -> None:
    past = int((datetime.now(UTC) - timedelta(seconds=1)).timestamp() * 1000)
    await quizbot.running.storage.run_sync(
        lambda conn: conn.execute("UPDATE posts SET closes_at = ? WHERE post_id = ?", (past, post_id))
    )


def member_lookups(fake: FakeDiscord, user: FakeUser) -> list[Any]:
    return [c for c in fake.calls if c.route == MEMBER_ROUTE and c.params.get("user_id") == str(user.id)]


def post_id_of(message: Any) -> int:
    return int(message.custom_ids()[0].split(":")[2])


async def click_answer(fake: FakeDiscord, message: Any, who: Any, letter: str = "A") -> Any:
    cid = next(c for c in message.custom_ids() if c.endswith(":" + letter))
    return await fake.click(message, cid, who)


async def practice_post(
    quizbot: BotHarness[Any], guild: FakeGuild, channel: FakeChannel, *, due: bool = False
) -> Any:
    """A public practice post asking X (made before the daily opened, or in another server)."""
    bot = quizbot.running
    question = bot.bank.get(X)
    post = None
    if due:  # its time is up already: the close sweep would reveal it now
        past = datetime.now(UTC) - timedelta(hours=2)
        post = await bot.storage.create_post(
            guild.id,
            channel.id,
            X,
            "practice",
            question.answer,
            option_letters="ABCD",
            created_at=past,
            closes_at=past + timedelta(hours=1),
        )
    return await quiz_cog(quizbot).post_question(
        channel.id, guild.id, question, kind="practice", mention_role_id=None, closes_at=None, post=post
    )


# --------------------------------------------------------------------------------------------


async def test_the_open_daily_is_hidden_behind_every_door_until_answered_then_until_closed(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w, bob = fake_discord, cast.w, cast.bob
    storage = quizbot.running.storage
    daily = await open_daily(quizbot, cast)
    daily_message = fake.message(daily.message_id)

    # /quiz, private and public, in A and in B: 50 tries each, never X (bob has not answered it)
    for i in range(50):
        guild, channel = (cast.b, cast.b_lobby) if i % 2 == 0 else (cast.a, w.quiz)
        private = await fake.invoke(guild, channel, bob, "quiz", {"private": True})
        assert private.ephemeral and private.message is not None, private.content
        assert "question number" in embed_text(private) and stem(3) not in embed_text(private)
        done = await click_answer(fake, private.message, bob)  # answering closes a private post
        assert done.ephemeral and done.embeds
        public = await fake.invoke(guild, channel, bob, "quiz", {})
        assert not public.ephemeral and stem(3) not in embed_text(public), public.content
    asked = await storage.run_sync(
        lambda conn: {k for (k,) in conn.execute("SELECT question_key FROM posts WHERE kind = 'practice'")}
    )
    assert X not in asked and len(asked) == 4
    assert len(member_lookups(fake, bob)) <= 1  # Discord asked once at most (then storage knows)

    # /explain in A, in B, as an option, as section titles, in the question list, and in a DM
    for guild, channel, where in (
        (cast.a, w.general, "here"),
        (cast.b, cast.b_lobby, "another of your servers"),
    ):
        h = await fake.invoke(guild, channel, bob, "explain", {"question": "Q-003"})
        assert (
            h.ephemeral and not h.embeds and ("today's open daily" if where == "here" else where) in h.content
        )
        h = await fake.invoke(guild, channel, bob, "explain", {"question": "Q-003", "option": "C"})
        assert h.ephemeral and not h.embeds and "answer it" in h.content
        ac = await fake.autocomplete(
            guild, channel, bob, "explain", focused="section", options={"question": "Q-003"}
        )
        assert ac.choices == []
        ac = await fake.autocomplete(guild, channel, bob, "explain", focused="question", value="Q-00")
        assert {c["value"] for c in ac.choices} == {"Q-001", "Q-002", "Q-004", "Q-005"}
    dm = fake.dm_channel(bob)
    assert fake.find_command("explain")["contexts"] == [0]  # Discord offers it in servers only
    h = await fake.invoke(None, dm, bob, "explain", {"question": "Q-003"}, check_permissions=False)
    assert h.ephemeral and not h.embeds and "Use this command in your server" in h.content

    # the admin of A (Manage Server) has no exemption, and mei (A only) waits too
    h = await fake.invoke(cast.a, w.general, w.admin, "explain", {"question": "Q-003"})
    assert not h.embeds and "today's open daily" in h.content

    # a practice post asking X: in B (someone else's /quiz) and in A (made before the daily opened)
    in_b = fake.message((await practice_post(quizbot, cast.b, cast.b_lobby)).message_id)
    h = await click_answer(fake, in_b, bob)
    assert h.ephemeral and not h.embeds and "another of your servers" in h.content
    in_a = await practice_post(quizbot, cast.a, w.quiz, due=True)
    h = await click_answer(fake, fake.message(in_a.message_id), w.member_zh)
    assert h.ephemeral and not h.embeds and "本伺服器今天尚未結束的每日一題" in h.content
    assert await storage.get_answer(post_id_of(in_b), bob.id) is None  # refused, not stored
    # its time is up, but its reveal (the answer, to all of A's channel) waits for the daily
    await quiz_cog(quizbot).close_due()
    held = await storage.get_post(in_a.post_id)
    assert held is not None and not held.is_closed and held.closes_at > datetime.now(UTC)
    assert not any(b.get("disabled") for b in fake.message(in_a.message_id).buttons())

    # carol and dave are in B only: A's daily is no secret for them (Discord says so, once)
    h = await fake.invoke(cast.b, cast.b_lobby, cast.carol, "explain", {"question": "Q-003"})
    assert h.embeds and len(member_lookups(fake, cast.carol)) == 1
    h = await fake.invoke(cast.b, cast.b_lobby, cast.carol, "explain", {"question": "Q-003", "section": "1"})
    assert h.embeds and len(member_lookups(fake, cast.carol)) == 1  # remembered
    ac = await fake.autocomplete(
        cast.b, cast.b_lobby, cast.carol, "explain", focused="section", options={"question": "Q-003"}
    )
    assert "選項 C 分析（來源標註答案）" in [c["name"] for c in ac.choices]
    ac = await fake.autocomplete(cast.b, cast.b_lobby, cast.dave, "explain", focused="question", value="Q-00")
    assert "Q-003" not in {c["value"] for c in ac.choices}  # autocomplete asks nobody: the safe side
    assert member_lookups(fake, cast.dave) == []
    h = await click_answer(fake, in_b, cast.carol, "C")
    assert h.embeds and "Right" in embed_text(h)

    # bob answers A's daily: X is his to read now, in A and in B — but not in public
    await click_answer(fake, daily_message, bob, "B")
    for guild, channel in ((cast.a, w.general), (cast.b, cast.b_lobby)):
        h = await fake.invoke(guild, channel, bob, "explain", {"question": "Q-003"})
        assert h.ephemeral and h.embeds, h.content
        h = await fake.invoke(guild, channel, bob, "explain", {"question": "Q-003", "public": True})
        assert h.ephemeral and not h.embeds and "not posted in public until the daily closes" in h.content
    h = await click_answer(fake, in_b, bob, "C")
    assert h.embeds and "Right" in embed_text(h)
    h = await fake.invoke(cast.a, w.general, w.member_zh, "explain", {"question": "Q-003"})
    assert not h.embeds and "每日一題" in h.content  # mei still has not answered

    # the daily closes: everything opens
    await quiz_cog(quizbot).close_post(daily.post_id)
    h = await fake.invoke(cast.a, w.general, bob, "explain", {"question": "Q-003", "public": True})
    assert not h.ephemeral and h.embeds
    h = await fake.invoke(cast.a, w.general, w.member_zh, "explain", {"question": "Q-003"})
    assert h.embeds
    ac = await fake.autocomplete(
        cast.a, w.general, w.member_zh, "explain", focused="section", options={"question": "Q-003"}
    )
    assert "選項 C 分析（來源標註答案）" in [c["name"] for c in ac.choices]
    await make_due(quizbot, in_a.post_id)  # (its next look, without waiting for the sweep)
    await quiz_cog(quizbot).close_due()  # the practice post in A is revealed at last
    assert all(b.get("disabled") for b in fake.message(in_a.message_id).buttons())
    assert quizbot.errors.lines() == []


async def test_a_public_quiz_never_asks_this_servers_open_daily_even_after_answering_it(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w, bob = fake_discord, cast.w, cast.bob
    daily = await open_daily(quizbot, cast)
    await click_answer(fake, fake.message(daily.message_id), bob, "C")  # bob knows it now
    for _ in range(20):
        public = await fake.invoke(cast.a, w.quiz, bob, "quiz", {})
        assert not public.ephemeral and stem(3) not in embed_text(public)


async def test_dms_get_use_this_in_your_server(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, bob = fake_discord, cast.bob
    dm = fake.dm_channel(bob)
    for command, options in (
        ("quiz", {}),
        ("explain", {"question": "Q-001"}),
        ("leaderboard", {}),
        ("stats me", {}),
        ("quizadmin bank", {}),
    ):
        cmd = fake.find_command(command.split()[0])
        assert cmd.get("contexts") == [0], command
        h = await fake.invoke(None, dm, bob, command, options, check_permissions=False)
        assert h.ephemeral and not h.embeds and "Use this command in your server" in h.content, command
    assert quizbot.errors.lines() == []


async def test_doors_opened_before_the_daily_shut_when_it_opens(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, bob = fake_discord, cast.bob
    # before the daily: bob reads X's explanation in B, and answers a practice post of X in B
    page = await fake.invoke(cast.b, cast.b_lobby, bob, "explain", {"question": "Q-003"})
    assert page.embeds
    select = next(c for c in page.message.custom_ids() if c.startswith("ex:pick:"))
    practice = fake.message((await practice_post(quizbot, cast.b, cast.b_lobby)).message_id)
    feedback = await click_answer(fake, practice, bob, "A")
    explain_id = next(c for c in feedback.message.custom_ids() if c.startswith("quiz:explain:"))

    await open_daily(quizbot, cast)  # X opens as A's daily: the open doors shut for bob
    h = await fake.select(page.message, select, ["1"], bob)
    assert h.ephemeral and "another of your servers" in h.content
    assert "選項 C" not in embed_text(fake.message(page.message.id))  # the page did not move
    h = await fake.click(feedback.message, explain_id, bob)
    assert h.ephemeral and not h.embeds and "another of your servers" in h.content
    # carol (B only) is not concerned
    h = await fake.click(practice, practice.custom_ids()[2], cast.carol)
    assert h.embeds


async def test_a_discord_error_on_the_membership_lookup_keeps_the_question_hidden(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake = fake_discord
    await open_daily(quizbot, cast)
    fault = fake.forbid("GET", MEMBER_ROUTE, times=None)
    h = await fake.invoke(cast.b, cast.b_lobby, cast.dave, "explain", {"question": "Q-003"})
    assert not h.embeds and "another of your servers" in h.content  # unknown: the safe side
    assert fault.hits == 1
    fault.clear()
    h = await fake.invoke(cast.b, cast.b_lobby, cast.dave, "explain", {"question": "Q-003"})
    assert h.embeds  # an error is not remembered: asked again, Discord says dave is not in A
    assert len(member_lookups(fake, cast.dave)) == 2
    # a /quiz asks Discord at most once per server (then remembers), and a click on a question
    # that is no open daily asks nothing
    for _ in range(10):
        post = await fake.invoke(cast.b, cast.b_lobby, cast.carol, "quiz", {"private": True})
        await click_answer(fake, post.message, cast.carol, "D")
    assert len(member_lookups(fake, cast.carol)) <= 1
    before = len([c for c in fake.calls if c.route == MEMBER_ROUTE])
    for _ in range(5):
        post = await fake.invoke(cast.a, cast.w.quiz, cast.w.member_zh, "quiz", {"private": True})
        await click_answer(fake, post.message, cast.w.member_zh, "D")
    assert (
        len([c for c in fake.calls if c.route == MEMBER_ROUTE]) == before
    )  # A's daily is theirs: no look-up


async def test_a_reload_that_merges_the_open_daily_with_a_copy_keeps_it_hidden_and_answerable(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    """A copy of the open daily's file is pushed to a folder that sorts first, so after the reload the
    question is served under the copy's key (`a-batch/Q-003`); the daily stored `daily/Q-003`. The
    daily must still be hidden from bob, and answerable."""
    fake, bob, bot = fake_discord, cast.bob, quizbot.running
    daily = await open_daily(quizbot, cast)
    root = quizbot.settings.questions_dir
    (root / "a-batch").mkdir()
    (root / "a-batch" / "Q-003.yaml").write_text(question_yaml(3, "C"), encoding="utf-8")
    report = await bot.services.bank.refresh_bank(pull=False)
    assert report.swapped
    merged = bot.bank.get(X)
    assert merged is not None and merged.key == "a-batch/Q-003" and X in merged.copy_keys

    h = await fake.invoke(cast.b, cast.b_lobby, bob, "explain", {"question": "Q-003"})
    assert h.ephemeral and not h.embeds and "another of your servers" in h.content
    for _ in range(15):
        private = await fake.invoke(cast.b, cast.b_lobby, bob, "quiz", {"private": True})
        assert private.message is not None and stem(3) not in embed_text(private), private.content
        await click_answer(fake, private.message, bob)
    ac = await fake.autocomplete(cast.b, cast.b_lobby, bob, "explain", focused="question", value="Q-00")
    assert "Q-003" not in {c["value"] for c in ac.choices}

    # the daily itself still finds its question: bob answers it, and then may read it
    click = await click_answer(fake, fake.message(daily.message_id), bob, "C")
    assert click.ephemeral and click.embeds, click.content
    assert await bot.storage.get_answer(daily.post_id, bob.id) is not None
    h = await fake.invoke(cast.b, cast.b_lobby, bob, "explain", {"question": "Q-003"})
    assert h.embeds, h.content
