"""Reports of broken questions through the fake Discord (issue 21, docs/reports.md): the real bot,
real SQLite. Members report from the answer feedback and /explain; admins see the reports in
/quizadmin reports and in the reports channel, pause a question (in their server only) and resolve
the reports with a reply that reaches the reporters; three members' reports flag a question."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import QuizBot
from bot.render.ids import question_hash
from bot.settings import Settings
from tests.fakediscord import BotHarness, Callback, FakeDiscord, P, World
from tests.fakediscord.harness import build_world
from tests.fakediscord.models import FakeChannel, FakeGuild, FakeMember
from tests.helpers import DAILY_QUESTIONS, Clock, at, clocked_bot, embed_text, question_yaml, set_daily, utc

#: A question without any explanation (the modal still works, without "explanation wrong").
PLAIN = """id: Q-777
topics: [Plain]
stem: Which of these has no explanation in the bank at all?
options:
  A: This one, of course
  B: That one, maybe
answer: A
"""
QUESTIONS = {
    **DAILY_QUESTIONS,  # daily/Q-001 (Spark) … daily/Q-004 (Jobs: the only one on Jobs)
    "plain/Q-777.yaml": PLAIN,
    "extra/Q-005.yaml": question_yaml(5, "A", "Extra"),
    "extra/Q-006.yaml": question_yaml(6, "B", "Extra"),
}
JOBS = "daily/Q-004"  # the one question on the topic Jobs
FLAG_EN = "Members reported a problem with this question"


class Cast:
    """Server A (the default world, with a #mods channel and a few more members) and server B,
    where bob is a member too and bea manages it."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.w: World = build_world(fake)
        self.a: FakeGuild = self.w.guild
        self.mods: FakeChannel = fake.create_channel(self.a, "mods")
        self.cam: FakeMember = fake.create_member(self.a, "cam")
        self.dan: FakeMember = fake.create_member(self.a, "dan")
        self.b: FakeGuild = fake.create_guild("Other Server", channels=("quiz",))
        self.b_quiz: FakeChannel = next(iter(self.b.channels.values()))
        self.bob_b: FakeMember = fake.create_member(self.b, self.w.member.user)
        role = fake.create_role(self.b, "Mods", P.MANAGE_GUILD)
        self.bea: FakeMember = fake.create_member(self.b, "bea", roles=[role])


@pytest.fixture
def cast(fake_discord: FakeDiscord) -> Cast:
    return Cast(fake_discord)


@pytest.fixture
def discord_world(cast: Cast) -> World:
    return cast.w


@pytest.fixture
def bot_factory(clock: Clock) -> Callable[[Settings], QuizBot]:
    return clocked_bot(clock)


@pytest_asyncio.fixture
async def quizbot(
    fake_discord: FakeDiscord, cast: Cast, bot_factory: Callable[[Settings], QuizBot], tmp_path: Path
) -> AsyncIterator[BotHarness[Any]]:
    """The bot with its commands synced globally (no DEV_GUILD_ID): usable in both servers."""
    harness: BotHarness[Any] = BotHarness(fake_discord, tmp_path, factory=bot_factory, questions=QUESTIONS)
    async with harness:
        for guild in (cast.a, cast.b):
            await harness.running.storage.set_guild_settings(guild.id, practice_cooldown_s=0)
        yield harness
    if fake_discord.unhandled:
        pytest.fail(f"the bot called routes the fake does not implement: {fake_discord.unhandled}")


async def quiz(fake: FakeDiscord, guild: FakeGuild, channel: FakeChannel, who: Any, topic: str) -> Any:
    return await fake.invoke(guild, channel, who, "quiz", {"topic": topic, "private": True})


async def answered(fake: FakeDiscord, cast: Cast, who: FakeMember, topic: str) -> Any:
    """`who` asks /quiz topic (privately, in server A) and answers A: the feedback message."""
    h = await quiz(fake, cast.a, cast.w.quiz, who, topic)
    assert h.callback.type == Callback.CHANNEL_MESSAGE and h.message is not None, h.content
    click = await fake.click(h.message, h.message.custom_ids()[0], who)
    assert click.message is not None and click.ephemeral
    return click.message


def report_id_of(feedback: Any) -> str:
    return next(c for c in feedback.custom_ids() if c.startswith("quiz:report:"))


async def report(fake: FakeDiscord, feedback: Any, who: FakeMember, kind: str, note: str, **more: Any) -> Any:
    """Report from the feedback: click Report, fill in the modal; the handle of the submission."""
    opened = await fake.click(feedback, report_id_of(feedback), who)
    assert opened.callback.type == Callback.MODAL, opened.content
    return await fake.submit_modal(opened, {"report:kind": [kind], "report:note": note, **more})


async def file_report(
    fake: FakeDiscord, cast: Cast, who: FakeMember, topic: str, note: str, **more: Any
) -> Any:
    return await report(fake, await answered(fake, cast, who, topic), who, "wrong_answer", note, **more)


async def reports_list(fake: FakeDiscord, cast: Cast, admin: FakeMember | None = None) -> Any:
    h = await fake.invoke(cast.a, cast.w.general, admin or cast.w.admin, "quizadmin reports")
    assert h.ephemeral and h.message is not None
    return h


# --------------------------------------------------------------------------------------------


async def test_a_member_reports_from_the_feedback_and_the_admin_sees_it(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w = fake_discord, cast.w
    h = await fake.invoke(cast.a, w.general, w.admin, "quizadmin settings", {"reports_channel": cast.mods})
    assert f"<#{cast.mods.id}>" in h.content and "**3**" in h.content, h.content

    feedback = await answered(fake, cast, w.member, "Jobs")
    assert "Report a problem" in [b["label"] for b in feedback.buttons()]
    opened = await fake.click(feedback, report_id_of(feedback), w.member)
    modal = opened.modal
    assert modal["title"] == "Report a problem · Q-004"
    labels = [c["label"] for c in modal["components"]]
    assert labels == ["What is wrong?", "Your note", "Tell me the outcome"]
    kinds = [o["value"] for o in modal["components"][0]["component"]["options"]]
    assert kinds == ["wrong_answer", "unclear", "outdated", "explanation", "other"]
    assert modal["components"][1]["component"]["max_length"] == 1000
    sent = await fake.submit_modal(
        opened, {"report:kind": ["wrong_answer"], "report:note": "D is right: @everyone the docs say so."}
    )
    assert sent.ephemeral and "Thank you" in sent.content and "Q-004" in sent.content
    assert "next time you use the bot" in sent.content

    # the reports channel: the member named (no ping), the question, where it is, the note
    posted = await fake.wait_message(lambda m: m.channel_id == cast.mods.id)
    assert f"bob (<@{w.member.id}>) reported **Q-004** (`daily/Q-004.yaml`): Wrong answer" in posted.content
    assert "> D is right:" in posted.content and "/explain question:daily/Q-004" in posted.content
    call = next(
        c
        for c in fake.calls
        if c.route == "/channels/{channel_id}/messages" and c.params["channel_id"] == str(cast.mods.id)
    )
    assert call.json["allowed_mentions"] == {"parse": []}

    stored = await quizbot.running.storage.open_reports(cast.a.id)
    assert [(r.question_key, r.user_id, r.kind, r.display_name, r.bank_commit) for r in stored] == [
        (JOBS, w.member.id, "wrong_answer", "bob", None)  # (this bank is not from Git)
    ]

    # /quizadmin reports: the question, one member; its page: who said what
    listing = await reports_list(fake, cast)
    text = embed_text(listing)
    assert "**1. Q-004**" in text and "1 member(s) · 1 report(s) · Wrong answer ×1" in text
    picked = await fake.select(listing.message, "rep:pick:0", [question_hash(JOBS)], w.admin)
    assert picked.callback.type == Callback.UPDATE_MESSAGE
    detail = embed_text(listing.message)
    assert (
        "🚩 Q-004 · 1 member(s)" in detail and "**bob** · Wrong answer" in detail and "D is right" in detail
    )
    # a member replaying an admin's button is refused
    nosy = await fake.click(listing.message, f"rep:pause:{question_hash(JOBS)}:0", w.member)
    assert nosy.ephemeral and "Manage Server" in nosy.content
    assert quizbot.running.services.reports.paused(cast.a.id) == frozenset()


async def test_pausing_takes_the_question_out_of_quiz_and_the_daily_in_that_server_only(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast, clock: Clock
) -> None:
    fake, w = fake_discord, cast.w
    await file_report(fake, cast, w.member, "Jobs", "The answer is outdated.")
    listing = await reports_list(fake, cast)
    await fake.select(listing.message, "rep:pick:0", [question_hash(JOBS)], w.admin)
    paused = await fake.click(listing.message, f"rep:pause:{question_hash(JOBS)}:0", w.admin)
    assert paused.callback.type == Callback.UPDATE_MESSAGE
    assert "⏸️ **Q-004** is paused in this server" in listing.message.content
    assert "Unpause" in [b["label"] for b in listing.message.buttons()]

    refused = await quiz(fake, cast.a, w.quiz, w.member_zh, "Jobs")
    assert refused.ephemeral and "已暫停" in refused.content  # every Jobs question is paused here
    elsewhere = await quiz(fake, cast.b, cast.b_quiz, cast.bob_b, "Jobs")
    assert elsewhere.message is not None and "Q-004" in elsewhere.message.embeds[0]["title"]

    # the daily: five days in both servers; A never asks Q-004, B's rotation does
    await set_daily(fake, w, time="09:00", tz="UTC")
    h = await fake.invoke(
        cast.b,
        cast.b_quiz,
        cast.bea,
        "quizadmin daily set",
        {"channel": cast.b_quiz, "time": "09:00", "timezone": "UTC"},
    )
    assert "✅" in h.content
    for day in range(1, 8):
        await at(quizbot, clock, utc(2030, 3, day, 9, 0))
    storage = quizbot.running.storage
    asked_a = [r.question_key for r in await storage.daily_runs(cast.a.id, limit=10)]
    asked_b = [r.question_key for r in await storage.daily_runs(cast.b.id, limit=10)]
    assert len(asked_a) == len(asked_b) == 7
    assert JOBS not in asked_a and JOBS in asked_b

    # unpaused, it is back
    await fake.click(listing.message, f"rep:unpause:{question_hash(JOBS)}:0", w.admin)
    assert "▶️ **Q-004** is back" in listing.message.content
    back = await quiz(fake, cast.a, w.quiz, w.member_zh, "Jobs")
    assert back.message is not None and "Q-004" in back.message.embeds[0]["title"]
    assert await storage.paused_questions(cast.a.id) == []


async def test_resolving_tells_the_reporters_by_dm_or_at_their_next_use(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w = fake_discord, cast.w
    await file_report(fake, cast, w.member, "Spark", "Option A is wrong.")
    topic_q = (await quizbot.running.storage.open_reports(cast.a.id))[0].question_key
    await file_report(fake, cast, w.member_zh, "Spark", "A 不對。", **{"report:notify": ["dm"]})
    mei_reports = await quizbot.running.storage.open_reports(cast.a.id)
    assert {r.question_key for r in mei_reports} <= {"daily/Q-001", "daily/Q-003"}
    keys = {r.question_key for r in mei_reports}

    listing = await reports_list(fake, cast)
    for key in sorted(keys):
        await fake.select(listing.message, "rep:pick:0", [question_hash(key)], w.admin)
        opened = await fake.click(listing.message, f"rep:resolve:{question_hash(key)}:0", w.admin)
        assert opened.callback.type == Callback.MODAL
        empty = await fake.submit_modal(opened, {"resolve:reply": "   "})
        assert "can't be empty" in empty.content
        opened = await fake.click(listing.message, f"rep:resolve:{question_hash(key)}:0", w.admin)
        done = await fake.submit_modal(opened, {"resolve:reply": f"Fixed {key} in the bank, thanks!"})
        assert done.callback.type == Callback.UPDATE_MESSAGE
        assert "resolved" in listing.message.content
    assert await quizbot.running.storage.open_reports(cast.a.id) == []

    # mei asked for a DM: it is there already
    dm = fake.dm_channel(w.member_zh.user)
    (letter,) = fake.channel_messages(dm)
    assert (
        "Study Group" in letter.content
        and "Fixed daily/Q-00" in letter.content
        and "管理員回覆" in letter.content
    )

    # bob hears it the next time he uses the bot in the server (after a restart, too)
    await quizbot.restart()
    h = await fake.invoke(cast.a, w.general, w.member, "explain", {"question": "Q-002"})
    notice = await h.wait_followup(0)
    assert notice.ephemeral and f"Fixed {topic_q} in the bank" in notice.content
    assert "An admin of **Study Group** answered your report" in notice.content
    assert h.embeds  # his own command was answered first, as usual
    again = await fake.invoke(cast.a, w.general, w.member, "explain", {"question": "Q-002"})
    await fake.gateway.sync()
    assert again.followups == []  # once
    assert await quizbot.running.storage.undelivered_replies() == []


async def test_three_members_reports_flag_the_question_in_feedback_and_explain(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w = fake_discord, cast.w
    for who in (w.member, w.member_zh):
        await file_report(fake, cast, who, "Jobs", "Not D.")
    feedback = await answered(fake, cast, cast.cam, "Jobs")
    assert FLAG_EN not in embed_text(feedback)  # two members: not yet
    await report(fake, feedback, cast.cam, "unclear", "Unclear stem.")
    flagged = await answered(fake, cast, cast.dan, "Jobs")
    assert "⚠️" in embed_text(flagged) and FLAG_EN in embed_text(flagged)
    explain = await fake.invoke(cast.a, w.general, cast.dan, "explain", {"question": "Q-004"})
    assert FLAG_EN in embed_text(explain)
    # not in the other server
    b = await quiz(fake, cast.b, cast.b_quiz, cast.bob_b, "Jobs")
    assert b.message is not None
    click = await fake.click(b.message, b.message.custom_ids()[0], cast.bob_b)
    assert FLAG_EN not in embed_text(click)
    # a higher threshold lifts the flag; resolving does too
    await fake.invoke(cast.a, w.general, w.admin, "quizadmin settings", {"report_threshold": 4})
    assert not quizbot.running.services.reports.is_flagged(cast.a.id, JOBS)
    await fake.invoke(cast.a, w.general, w.admin, "quizadmin settings", {"report_threshold": 3})
    assert quizbot.running.services.reports.is_flagged(cast.a.id, JOBS)
    await quizbot.running.services.reports.resolve(
        cast.a.id, JOBS, by=w.admin.id, reply="Reworded.", server="Study Group"
    )
    assert FLAG_EN not in embed_text(
        await fake.invoke(cast.a, w.general, cast.dan, "explain", {"question": "Q-004"})
    )


async def test_a_second_report_is_refused_kindly_and_bad_input_is_explained(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w = fake_discord, cast.w
    feedback = await answered(fake, cast, w.member, "Jobs")
    blank = await report(fake, feedback, w.member, "other", "  \n  ")
    assert blank.ephemeral and "the note can't be empty" in blank.content
    opened = await fake.click(feedback, report_id_of(feedback), w.member)
    long = await fake.submit_modal(
        opened, {"report:kind": ["other"], "report:note": "x" * 1001}, client_checks=False
    )
    assert "1,001 characters long; the most is 1,000" in long.content
    opened = await fake.click(feedback, report_id_of(feedback), w.member)
    nokind = await fake.submit_modal(opened, {"report:note": "no kind"}, client_checks=False)
    assert "choose what is wrong" in nokind.content
    assert await quizbot.running.storage.open_reports(cast.a.id) == []  # nothing was stored

    ok = await report(fake, feedback, w.member, "other", "x" * 1000)
    assert "Thank you" in ok.content
    again = await fake.click(feedback, report_id_of(feedback), w.member)
    assert again.callback.type == Callback.CHANNEL_MESSAGE  # no modal this time
    assert again.ephemeral and "You already reported **Q-004**" in again.content
    # from /explain as well
    page = await fake.invoke(cast.a, w.general, w.member, "explain", {"question": "Q-004"})
    assert page.message is not None
    refused = await fake.click(page.message, f"rep:q:{question_hash(JOBS)}", w.member)
    assert "You already reported" in refused.content


async def test_report_from_explain_for_a_question_without_explanation(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w = fake_discord, cast.w
    page = await fake.invoke(cast.a, w.general, w.member_zh, "explain", {"question": "Q-777"})
    assert page.message is not None
    button = page.message.component(f"rep:q:{question_hash('plain/Q-777')}")
    assert button["label"] == "回報問題"
    opened = await fake.click(page.message, button["custom_id"], w.member_zh)
    kinds = [o["value"] for o in opened.modal["components"][0]["component"]["options"]]
    assert kinds == ["wrong_answer", "unclear", "outdated", "other"]  # no explanation to be wrong
    sent = await fake.submit_modal(opened, {"report:kind": ["unclear"], "report:note": "題目看不懂。"})
    assert "謝謝" in sent.content and "Q-777" in sent.content
    (stored,) = await quizbot.running.storage.open_reports(cast.a.id)
    assert (stored.question_key, stored.kind, stored.note) == ("plain/Q-777", "unclear", "題目看不懂。")


async def test_a_member_may_send_five_reports_an_hour(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w = fake_discord, cast.w
    for n in (1, 2, 3, 5, 6):
        page = await fake.invoke(cast.a, w.general, w.member, "explain", {"question": f"Q-00{n}"})
        assert page.message is not None
        key = f"daily/Q-00{n}" if n < 5 else f"extra/Q-00{n}"
        opened = await fake.click(page.message, f"rep:q:{question_hash(key)}", w.member)
        assert (
            "Thank you"
            in (await fake.submit_modal(opened, {"report:kind": ["other"], "report:note": "hm"})).content
        )
    sixth = await file_report(fake, cast, w.member, "Jobs", "one more")
    assert "You have sent 5 reports in the last hour" in sixth.content and "<t:" in sixth.content
    assert len(await quizbot.running.storage.open_reports(cast.a.id)) == 5


async def test_a_reply_by_dm_to_closed_dms_waits_for_the_next_use(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, cast: Cast
) -> None:
    fake, w = fake_discord, cast.w
    await file_report(fake, cast, cast.cam, "Jobs", "Please check D.", **{"report:notify": ["dm"]})
    cast.cam.user.dms_open = False
    listing = await reports_list(fake, cast)
    await fake.select(listing.message, "rep:pick:0", [question_hash(JOBS)], w.admin)
    opened = await fake.click(listing.message, f"rep:resolve:{question_hash(JOBS)}:0", w.admin)
    await fake.submit_modal(opened, {"resolve:reply": "Checked: D stays."})
    assert "went by direct message to 0 of the reporters" in listing.message.content
    assert fake.channel_messages(fake.dm_channel(cast.cam.user)) == []
    h = await quiz(fake, cast.a, w.quiz, cast.cam, "Spark")
    notice = await h.wait_followup(0)
    assert "Checked: D stays." in notice.content and notice.ephemeral
