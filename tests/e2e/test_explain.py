"""/explain through the fake Discord: the menu, paging, the owner check, per-option view, bad ids."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.helpers import Q104, embed_text, post_quiz

NO_EXPLANATION = (
    Q104.split("# 題目解析")[0]
    .replace("`Q-104`", "`Q-105`")
    .replace("The Databricks CLI is used", "Another question: the Databricks CLI is used")
    .replace("The job_id is returned in this field.", "Something else entirely.")
)


@pytest.fixture
def bot_questions() -> dict[str, str]:
    other_104 = NO_EXPLANATION.replace("`Q-105`", "`Q-104`").replace("Another question", "A third question")
    other_104 = other_104.replace("Something else entirely.", "Yet another option.")
    return {"community/Q-104.md": Q104, "b1/Q-104.md": other_104, "b1/Q-105.md": NO_EXPLANATION}


SECTIONS = [
    "題目回顧",
    "考點識別",
    "正解說明",
    "錯誤選項排除",
    "記憶法",
    "官方文件與參考資源",
    "補充說明",
    "考試技巧",
]


async def test_explain_menu_paging_and_owner_check(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    h = await fake.invoke(w.guild, w.quiz, w.member_zh, "explain", {"question": "community/Q-104"})
    assert h.ephemeral and h.callback.type == Callback.CHANNEL_MESSAGE
    msg = h.message
    assert "Q-104" in msg.embeds[0]["title"]
    assert "✅ **E.** The globally unique ID" in embed_text(msg)
    select = next(c for c in msg.custom_ids() if c.startswith("ex:pick:"))
    options = msg.component(select)["options"]
    assert [o["label"] for o in options][1:] == SECTIONS
    assert [o.get("emoji", {}).get("name") for o in options][2:4] == ["📍", "✅"]

    wrong = str(SECTIONS.index("錯誤選項排除"))
    page = await fake.select(msg, select, [wrong], w.member_zh)
    assert page.callback.type == Callback.UPDATE_MESSAGE
    seen = embed_text(page.message)
    for _ in range(10):
        current = fake.message(msg.id)
        nxt = next(b for b in current.buttons() if b["custom_id"].startswith("ex:next:"))
        if nxt.get("disabled"):
            break
        step = await fake.click(current, nxt["custom_id"], w.member_zh)
        seen += embed_text(step.message)
    for letter in "ABCD":
        assert f'選項 {letter} - "' in seen, letter
    assert "第 1/" in seen

    other = await fake.select(fake.message(msg.id), select, ["0"], w.member)
    assert other.ephemeral and "Only <@" in other.content
    assert fake.message(msg.id).embeds == page.message.embeds or "錯誤選項排除" in embed_text(
        fake.message(msg.id)
    )


async def test_explain_option_and_bad_input(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    one = await fake.invoke(
        w.guild, w.quiz, w.member, "explain", {"question": "community/Q-104", "option": "C"}
    )
    text = embed_text(one)
    assert "Why C is wrong" in text and "number_in_job" in text and "Why E is right" in text
    unknown = await fake.invoke(w.guild, w.quiz, w.member, "explain", {"question": "Q-140"})
    assert "There is no question “Q-140”" in unknown.content and "Q-104" in unknown.content
    both = await fake.invoke(w.guild, w.quiz, w.member, "explain", {"question": "Q-104"})
    assert "names 2 questions" in both.content
    assert "`b1/Q-104`" in both.content and "`community/Q-104`" in both.content
    bare = await fake.invoke(w.guild, w.quiz, w.member, "explain", {"question": "Q-105"})
    assert "no explanation yet" in embed_text(bare) and "b1/Q-105.md" in embed_text(bare)
    ac = await fake.autocomplete(w.guild, w.quiz, w.member, "explain", focused="question", value="104")
    assert {c["value"] for c in ac.choices} == {"b1/Q-104", "community/Q-104"}
    ac = await fake.autocomplete(w.guild, w.quiz, w.member, "explain", focused="question", value="another")
    assert [c["value"] for c in ac.choices] == ["Q-105"]


async def test_explain_button_under_an_answer(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    post = (await post_quiz(fake, w, topic="CLI")).message
    click = await fake.click(post, post.custom_ids()[0], w.member)
    explain_id = next(c for c in click.message.custom_ids() if c.startswith("quiz:explain:"))
    opened = await fake.click(click.message, explain_id, w.member)
    assert opened.ephemeral and "Question and answer" in embed_text(opened)
