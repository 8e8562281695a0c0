"""/quiz, answer buttons, feedback, restarts, closing and bad input — the real bot on the fake Discord."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import bot.discord_internals
from tests.fakediscord import BotHarness, FakeDiscord, World
from tests.helpers import CHOOSE2, DELTA, Q104, embed_text, post_quiz


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return {"community/Q-104.md": Q104, "raw/Q-023.md": CHOOSE2, "other/Q-900.md": DELTA}


async def test_quiz_topic_cli_posts_q104_and_teaches_why_a_is_wrong(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    h = await post_quiz(fake, w, topic="cli")
    post = h.message
    assert "Q-104" in post.embeds[0]["title"]
    labels = [b["label"] for b in post.buttons()]
    assert labels == ["A", "B", "C", "D", "E"]
    text = embed_text(post)
    assert "**E.** The globally unique ID of the newly triggered run." in text
    assert h.callback.data["allowed_mentions"] == {"parse": []}

    click = await fake.click(post, post.custom_ids()[0], w.member)  # A
    assert click.ephemeral
    reply = embed_text(click)
    assert "you chose **A**" in reply
    assert "The answer is **E**" in reply
    assert "Why A is wrong" in reply and "`run_id` 不是 `job_id` 的組合或衍生" in reply
    assert "ID-Type-Confusion" in reply
    assert click.components and "quiz:explain:" in str(click.components)

    again = await fake.click(post, post.custom_ids()[4], w.member)  # E, too late
    assert "You already answered **A**" in again.content

    right = await fake.click(post, post.custom_ids()[4], w.member_zh)
    zh = embed_text(right)
    assert "✅ 答對了：**E**" in zh
    assert "+1 分" in zh

    bot = quizbot.bot
    post_id = int(post.custom_ids()[0].split(":")[2])
    rows = await bot.storage.answers_for_post(post_id)
    assert [(r.user_id, r.letters, r.correct, r.points) for r in rows] == [
        (w.member.id, "A", False, 0),
        (w.member_zh.id, "E", True, 1),
    ]


async def test_feedback_goes_out_prepared_and_reads_the_same_through_send_message(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    fast = await fake.click(post, post.custom_ids()[0], w.member)  # A
    # the prepared path does not ask Discord for the created message back
    assert "with_response" not in fast.callback.call.query
    assert fast.ephemeral and fast.callback.data["allowed_mentions"] == {"parse": []}
    assert "Why A is wrong" in embed_text(fast)

    # as with a discord.py lacking its internals
    monkeypatch.setattr(bot.discord_internals, "PREPARED_PATH", False)
    other = fake.create_member(w.guild, "other")
    slow = await fake.click(post, post.custom_ids()[0], other)  # A as well: the same feedback
    assert "with_response" in slow.callback.call.query
    assert slow.ephemeral and slow.callback.data["allowed_mentions"] == {"parse": []}
    assert slow.components == fast.components
    (a,), (b,) = fast.embeds, slow.embeds
    assert {k: v for k, v in a.items() if k != "footer"} == {k: v for k, v in b.items() if k != "footer"}


async def test_a_discord_error_on_the_feedback_keeps_the_answer(
    quizbot: BotHarness[Any],
    fake_discord: FakeDiscord,
    discord_world: World,
    caplog: pytest.LogCaptureFixture,
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    fake.fail("POST", "/interactions/*/callback", 404, code=10062)  # the interaction expired
    mark = fake.mark()
    click = await fake.click(post, post.custom_ids()[4], w.member, wait=False)
    await fake.wait_call("POST", "/interactions/{interaction_id}/{interaction_token}/callback", since=mark)
    await fake.gateway.sync()
    post_id = int(post.custom_ids()[0].split(":")[2])
    rows = await quizbot.bot.storage.answers_for_post(post_id)
    assert [(r.user_id, r.letters) for r in rows] == [(w.member.id, "E")]
    again = await fake.click(post, post.custom_ids()[0], w.member)  # the bot goes on: answered already
    assert "You already answered **E**" in again.content
    assert not click.answered
    assert "its feedback could not be sent: 404 Not Found" in caplog.text
    assert "Traceback" not in caplog.text and "Ignoring exception" not in caplog.text


async def test_a_click_after_a_restart_is_still_handled(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    await quizbot.restart()
    click = await fake.click(post, post.custom_ids()[4], w.member)
    assert "Right: **E**" in embed_text(click)


async def test_choose_two_is_scored_on_the_exact_set(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "nothing-like-this"})
    assert "There is no topic" in h.content and h.ephemeral
    # the only question without topics is reachable without a filter; draw until it comes up
    for _ in range(30):
        post = (await post_quiz(fake, w)).message
        if "Choose 2 answers" in embed_text(post):
            break
        await quizbot.bot.storage.set_guild_settings(w.guild.id, practice_cooldown_s=0)
    else:
        pytest.fail("the choose-2 question never came up")
    (select_id,) = post.custom_ids()
    wrong = await fake.select(post, select_id, ["A", "B"], w.member)
    assert "you chose **A, B**" in embed_text(wrong)
    right = await fake.select(post, select_id, ["D", "A"], w.member_zh)
    assert "答對了：**A, D**" in embed_text(right)


async def test_unknown_topic_lists_close_topics(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "Delta Lak"})
    assert h.ephemeral
    assert "There is no topic “Delta Lak”" in h.content and "`Delta-Lake`" in h.content
    ac = await fake.autocomplete(w.guild, w.quiz, w.member, "quiz", focused="topic", value="cl")
    assert [c["value"] for c in ac.choices] == ["CLI"]
    assert ac.choices[0]["name"] == "CLI — 1 question"


async def test_missing_send_permission_gets_a_clear_message(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    fake.set_overwrite(w.quiz, w.guild.members[fake.bot_user.id], deny=2048)  # Send Messages
    await fake.gateway.sync()
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})  # served to them alone, saying why
    assert h.ephemeral and "I can't post in this channel (I need Send Messages)" in h.content
    assert h.message is not None and h.message.custom_ids()
    private = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"private": True, "topic": "CLI"})
    assert private.ephemeral and private.message is not None and private.message.buttons()


async def test_cooldown_keeps_a_channel_from_being_flooded(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    await post_quiz(fake, w)
    second = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})
    assert second.ephemeral and "Slow down" in second.content
    other = await fake.invoke(w.guild, w.quiz, w.member_zh, "quiz", {})
    assert not other.ephemeral  # the cooldown is per member


async def test_closing_reveals_the_distribution_and_refuses_late_clicks(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    await fake.click(post, post.custom_ids()[0], w.member)
    await fake.click(post, post.custom_ids()[4], w.member_zh)
    post_id = int(post.custom_ids()[0].split(":")[2])
    quiz = quizbot.bot.services.quiz
    mark = fake.mark()
    result = await quiz.close_post(post_id)
    assert result.participants == 2 and result.correct_count == 1
    edit = await fake.wait_for(
        lambda c: c.method == "PATCH" and c.route == "/channels/{channel_id}/messages/{message_id}",
        since=mark,
    )
    revealed = fake.message(post.id)
    text = embed_text(revealed)
    assert "Answer: **E**" in text and "2 answered · 50% correct" in text
    assert all(b.get("disabled") for b in revealed.buttons())
    assert [b["style"] for b in revealed.buttons()][4] == 3  # the right one is green
    assert edit.json["allowed_mentions"] == {"parse": []}
    late = await fake.click(revealed, revealed.custom_ids()[1], w.admin, allow_disabled=True)
    assert "closed" in late.content


async def test_due_posts_close_on_start(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    post_id = int(post.custom_ids()[0].split(":")[2])
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp() * 1000)
    await quizbot.bot.storage._run(  # noqa: SLF001 - move the post's time into the past
        lambda conn: conn.execute(
            "UPDATE posts SET created_at = ?, closes_at = ? WHERE post_id = ?", (past - 1000, past, post_id)
        )
    )
    await quizbot.restart()
    await fake.wait_message(lambda m: m.id == post.id and all(b.get("disabled") for b in m.buttons()))


async def test_live_count_is_edited_but_not_per_click(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    members = [fake.create_member(w.guild, f"user{i}") for i in range(30)]
    mark = fake.mark()
    handles = await asyncio.gather(
        *(fake.click(post, post.custom_ids()[i % 5], m) for i, m in enumerate(members))
    )
    assert all(h.ephemeral for h in handles)
    await fake.wait_message(lambda m: m.id == post.id and "30 answered · practice" in embed_text(m))
    edits = [
        c
        for c in fake.calls[mark:]
        if c.method == "PATCH" and c.route == "/channels/{channel_id}/messages/{message_id}"
    ]
    assert 1 <= len(edits) <= 2


async def test_500_members_clicking_one_post(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    members = [fake.create_member(w.guild, f"m{i}") for i in range(500)]
    mark = fake.mark()
    handles = [await fake.click(post, post.custom_ids()[i % 5], m, wait=False) for i, m in enumerate(members)]
    await asyncio.gather(*(h.wait_response(timeout=60) for h in handles))
    assert all(h.ephemeral and h.embeds for h in handles)
    assert sum("Right: **E**" in embed_text(h) for h in handles) == 100
    post_id = int(post.custom_ids()[0].split(":")[2])
    rows = await quizbot.bot.storage.answers_for_post(post_id)
    assert len(rows) == 500 and len({r.user_id for r in rows}) == 500
    await fake.wait_message(
        lambda m: m.id == post.id and "500 answered · practice" in embed_text(m), timeout=15
    )
    edits = [
        c for c in list(fake.calls)[mark:] if c.method == "PATCH" and c.path.endswith(f"/messages/{post.id}")
    ]
    # the count is edited at most once per interval, whatever the click rate
    gaps = [b.started - a.started for a, b in itertools.pairwise(edits)]
    assert len(edits) <= 3 and all(g >= 4.9 for g in gaps), gaps


async def test_views_are_not_kept_in_memory_or_dispatched_twice(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    click = await fake.click(post, post.custom_ids()[0], w.member)
    explain_id = next(c for c in click.message.custom_ids() if c.startswith("quiz:explain:"))
    opened = await fake.click(click.message, explain_id, w.member)
    assert opened.ephemeral
    store = quizbot.bot._connection._view_store  # noqa: SLF001 - what discord.py keeps per message
    assert store.persistent_views == [] and not any(store._views.values())  # noqa: SLF001
    assert quizbot.errors.lines() == []  # no second dispatch answering the same interaction


async def test_a_deleted_channel_or_missing_permission_does_not_break_closing(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    second = (await fake.invoke(w.guild, w.general, w.member_zh, "quiz", {"topic": "CLI"})).message
    quiz = quizbot.bot.services.quiz
    fake.delete_channel(w.quiz)
    await fake.gateway.sync()
    result = await quiz.close_post(int(post.custom_ids()[0].split(":")[2]))
    assert result is not None and result.newly_closed  # closed and scored, the reveal skipped
    fake.forbid("PATCH", "/channels/{channel_id}/messages/{message_id}", times=None)
    result = await quiz.close_post(int(second.custom_ids()[0].split(":")[2]))
    assert result is not None and result.newly_closed
    assert quizbot.errors.lines() == []  # warnings only, no unhandled error
