"""Rendering never blocks the event loop (issue 13): a bank with hostile text, the real bot on the
fake Discord, Discord's 3-second deadline for answering an interaction enforced."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest
from markdown_it import MarkdownIt

import bot.render.discord_markdown
from tests.fakediscord import BotHarness, Callback, FakeDiscord, World
from tests.helpers import embed_text

SPACES = 40_000
STEM = "Which setting makes a failed task run again?" + " " * SPACES + "Pick one."
# An explanation of ~100 KB: a long table and paragraphs, many pages.
TABLE = "| setting | what it does |\n|---|---|\n" + "".join(
    f"| `retry_{i}` | retries the task {i} times, waiting `min_retry_interval_millis` between runs |\n"
    for i in range(800)
)
EXPLANATION = TABLE + "\n" + ("A paragraph about retries and timeouts, with `code` and **bold**.\n" * 400)
SPACES_QUESTION = f"""# Question 7

## Question
{STEM}

## Options
- A. `max_retries` (Correct)
- B. `timeout_seconds`
- C. `min_retry_interval_millis`
- D. `retry_on_timeout`

## Explanation
{EXPLANATION}
"""


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return {"raw/Q-007.md": SPACES_QUESTION}


class Parses:
    """Counts Markdown conversions and parses, from any thread (renders run in worker threads)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._lock = threading.Lock()
        self.parse = 0
        self.to_discord = 0
        parse, to_discord = MarkdownIt.parse, bot.render.discord_markdown.to_discord

        def counted_parse(md: MarkdownIt, src: str, env: Any = None) -> Any:
            with self._lock:
                self.parse += 1
            return parse(md, src, env)

        def counted_to_discord(markdown: str, **kwargs: Any) -> str:
            with self._lock:
                self.to_discord += 1
            return to_discord(markdown, **kwargs)

        monkeypatch.setattr(MarkdownIt, "parse", counted_parse)
        monkeypatch.setattr(bot.render.discord_markdown, "to_discord", counted_to_discord)

    def seen(self) -> tuple[int, int]:
        with self._lock:
            return self.parse, self.to_discord


async def test_a_stem_with_40000_spaces_is_answered_within_discords_deadline(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w, fake = discord_world, fake_discord
    (q,) = quizbot.bot.bank.questions
    assert " " * SPACES in q.stem
    fake.interaction_deadline = 3.0  # a later callback gets Discord's 404 Unknown interaction
    h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})
    assert h.callback.type == Callback.CHANNEL_MESSAGE and not h.ephemeral
    post = h.message
    assert post.embeds[0]["description"].startswith("Which setting makes a failed task run again?")
    assert [b["label"] for b in post.buttons()] == ["A", "B", "C", "D"]

    right = await fake.click(post, post.custom_ids()[0], w.member)
    assert right.ephemeral and "Right: **A**" in embed_text(right)
    wrong = await fake.click(post, post.custom_ids()[1], w.member_zh)
    assert wrong.ephemeral and "正確答案是 **A**" in embed_text(wrong)

    # the explanation's pages, from the Explain button under the reply, then paged through
    explain_id = next(c for c in right.message.custom_ids() if c.startswith("quiz:explain:"))
    opened = await fake.click(right.message, explain_id, w.member)
    assert opened.ephemeral and "Q-" in opened.embeds[0]["title"]
    select = next(c for c in opened.message.custom_ids() if c.startswith("ex:pick:"))
    page = await fake.select(opened.message, select, ["0"], w.member)
    pages = 1
    while True:
        current = fake.message(opened.message.id)
        nxt = next(b for b in current.buttons() if b["custom_id"].startswith("ex:next:"))
        if nxt.get("disabled"):
            break
        page = await fake.click(current, nxt["custom_id"], w.member)
        assert page.callback.type == Callback.UPDATE_MESSAGE
        pages += 1
    assert (
        pages >= 10
        and f"1/{pages}" not in embed_text(page.message)
        and f"{pages}/{pages}" in embed_text(page.message)
    )
    assert not fake.unhandled and quizbot.errors.lines() == []


async def test_a_live_count_edit_and_a_repeated_answer_parse_no_markdown(
    quizbot: BotHarness[Any],
    fake_discord: FakeDiscord,
    discord_world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, fake = discord_world, fake_discord
    quiz = quizbot.bot.services.quiz
    cog_module = sys.modules[type(quiz).__module__]  # discord.py loads extensions as modules of its own
    monkeypatch.setattr(cog_module, "COUNT_EDIT_INTERVAL", 0.0)  # an edit for every answer
    parses = Parses(monkeypatch)
    post = (await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})).message
    first = await fake.click(post, post.custom_ids()[1], w.member)  # B: its feedback is rendered
    assert "Why B is wrong" in embed_text(first)
    await fake.wait_message(lambda m: m.id == post.id and "1 answered" in embed_text(m))
    before = parses.seen()
    assert before[0] > 0  # the counter does see the renderer (every conversion parses)

    post_id = int(post.custom_ids()[0].split(":")[2])
    others = [fake.create_member(w.guild, f"member{i}") for i in range(3)]
    for n, member in enumerate(others, start=2):
        again = await fake.click(post, post.custom_ids()[1], member)  # B again: the same reply
        assert "Why B is wrong" in embed_text(again)
        edit = quiz._count_tasks.get(post_id)  # noqa: SLF001 - the live-count edit this answer started
        if edit is not None:
            await edit
        assert f"{n} answered" in embed_text(fake.message(post.id))
    assert parses.seen() == before

    result = await quiz.close_post(post_id)  # the reveal, too
    assert result is not None and result.participants == 4
    await fake.wait_message(lambda m: m.id == post.id and "Closed · 4 answered" in embed_text(m))
    assert parses.seen() == before
