"""Ten options (A–J) through the fake Discord, which refuses any payload over Discord's limits:
buttons in two rows, a select for choose-3, feedback, the reveal and /explain option:J."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from bot.app import QuizBot
from bot.bank import Bank
from bot.settings import Settings
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.helpers import LETTERS, embed_text, ten_options


@pytest.fixture
def bot_factory() -> Callable[[Settings], QuizBot]:
    # The bank readers of this branch stop at F: the questions are given to the bot as a Bank.
    one = ten_options(size=900)
    three = replace(ten_options(size=300, choose=3), key="ten/Q-11", id="Q-11")
    bank = Bank([one, three])
    return lambda settings: QuizBot(settings, bank=bank)


async def test_ten_buttons_in_two_rows_and_every_letter_answers(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    h = await fake.invoke(w.guild, w.quiz, w.member, "explain", {"question": "Q-10", "option": "J"})
    assert "Q-10 · option J" in embed_text(h)

    await quizbot.bot.storage.set_guild_settings(w.guild.id, practice_cooldown_s=0)
    for _ in range(30):  # two questions in the bank: draw until the one-answer one comes up
        h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})
        assert h.callback.type == Callback.CHANNEL_MESSAGE
        if h.message.buttons():
            break
    post = h.message
    rows = [[c["label"] for c in row["components"]] for row in post.components]
    assert rows == [list("ABCDE"), list("FGHIJ")]
    text = embed_text(post)
    assert all(f"{x}." in text for x in LETTERS)

    ids = {b["label"]: b["custom_id"] for b in post.buttons()}
    right = await fake.click(post, ids["J"], w.member)
    assert "Right: **J**" in embed_text(right)
    wrong = await fake.click(post, ids["G"], w.member_zh)
    assert "為什麼 G 不對" in embed_text(wrong) and "Option G sets" in embed_text(wrong)

    quiz = quizbot.bot.services.quiz
    result = await quiz.close_post(int(ids["A"].split(":")[2]))
    assert result is not None and result.participants == 2
    revealed = await fake.wait_message(
        lambda m: m.id == post.id and all(b.get("disabled") for b in m.buttons())
    )
    assert [b["style"] for b in revealed.buttons()][9] == 3  # J, the right one, is green
    assert "J    " in embed_text(revealed) and "Answer: **J**" in embed_text(revealed)
    assert quizbot.errors.lines() == []


async def test_choose_three_of_ten_in_a_select(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    await quizbot.bot.storage.set_guild_settings(w.guild.id, practice_cooldown_s=0)
    for _ in range(30):
        h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})
        if not h.message.buttons():
            break
    post = h.message
    (select_id,) = post.custom_ids()
    menu = post.component(select_id)
    assert [o["value"] for o in menu["options"]] == list(LETTERS)
    assert menu["min_values"] == menu["max_values"] == 3
    right = await fake.select(post, select_id, ["J", "H", "I"], w.member)
    assert "Right: **H, I, J**" in embed_text(right)
    wrong = await fake.select(post, select_id, ["A", "B", "J"], w.member_zh)
    assert "為什麼 A 不對" in embed_text(wrong)
