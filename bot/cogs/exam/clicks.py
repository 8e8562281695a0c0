"""A click on an exam's message: answer, navigate, flag, submit, or (on the result) explain.

Only the exam's member may drive it. Nothing here tells right from wrong before the exam is
submitted: a page shows the letters picked, never the answer. A click after the deadline submits
the exam and shows the result.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.cogs.exam.layout import confirm_text, confirm_view, page_view, picked, result_view
from bot.cogs.exam.service import Submitted, blueprint_of, questions_of, result_of
from bot.cogs.explain import spoiler_text
from bot.core.exam import Exam
from bot.i18n import locale_of, t
from bot.render.exam import exam_overview, exam_page_async, exam_result
from bot.render.explain import OVERVIEW, explain_message
from bot.render.limits import MESSAGE, cut

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.bank import Bank

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- messages (also used by the commands)


async def page_message(
    bank: Bank, exam: Exam, pos: int, *, locale: str, now: datetime, note: str | None = None
) -> dict[str, Any]:
    """What a question page sends: `note` above the page embed and its components."""
    pos = max(0, min(pos, len(exam.items) - 1))
    question = bank.get(exam.items[pos].question_key)
    embed = await exam_page_async(exam, pos, question, blueprint_of(bank, exam), locale=locale, now=now)
    return {
        "content": cut(note, MESSAGE) if note else None,
        "embed": embed,
        "view": page_view(exam, pos, question, locale=locale),
    }


def result_message(bank: Bank, done: Submitted, *, locale: str, note: str | None = None) -> dict[str, Any]:
    """What a result sends: the graded exam and an Explain button per missed question."""
    exam = done.exam
    questions = questions_of(bank, exam)
    return {
        "content": cut(note, MESSAGE) if note else None,
        "embed": exam_result(exam, done.result, blueprint_of(bank, exam), questions, locale=locale),
        "view": result_view(exam, done.result, questions, locale=locale),
    }


def for_send(message: dict[str, Any]) -> dict[str, Any]:
    """A message for `send_message` (which takes no `view=None`)."""
    return {k: v for k, v in message.items() if v is not None or k == "content"}


async def _edit(interaction: discord.Interaction, message: dict[str, Any]) -> None:
    await interaction.response.edit_message(allowed_mentions=NO_MENTIONS, **message)


# ---------------------------------------------------------------- clicks


async def exam_click(
    interaction: discord.Interaction, exam_id: int, action: str, pos: int, letter: str
) -> None:
    """Any exam component: `handle_click`, and an unexpected error still gets a clear reply (the
    exam is kept: /exam resume brings it back)."""
    try:
        await handle_click(interaction, exam_id, action, pos, letter)
    except Exception:
        log.exception("exam %s: %s %s%s by %s failed", exam_id, action, pos, letter, interaction.user.id)
        await reply(interaction, t("examcmd.failed", locale_of(interaction.locale)))


async def handle_click(
    interaction: discord.Interaction, exam_id: int, action: str, pos: int, letter: str
) -> None:
    bot = client_of(interaction)
    locale = locale_of(interaction.locale)
    exam = await bot.storage.get_exam(exam_id)
    if exam is None:
        await reply(interaction, t("examcmd.unknown_exam", locale))
        return
    if exam.user_id != interaction.user.id:
        await reply(interaction, t("error.not_yours", locale, user=f"<@{exam.user_id}>"))
        return
    if action == "explain":
        await explain(interaction, bot, exam, pos, locale)
        return
    service = bot.services.exam
    if not exam.is_open:
        done = Submitted(exam, result_of(bot.bank, exam), False)
        await _edit(
            interaction,
            result_message(bot.bank, done, locale=locale, note=t("examcmd.was_submitted", locale)),
        )
        return
    if exam.deadline <= service.now():
        done = await service.submit(exam, auto=True)
        await _edit(
            interaction, result_message(bot.bank, done, locale=locale, note=t("examcmd.time_up", locale))
        )
        return
    pos = max(0, min(pos, len(exam.items) - 1))
    if action == "submit":
        text = f"{confirm_text(exam, locale=locale)}\n{exam_overview(exam, locale=locale)}"
        await _edit(
            interaction,
            {"content": cut(text, MESSAGE), "embed": None, "view": confirm_view(exam, pos, locale=locale)},
        )
        return
    if action == "confirm":
        done = await service.submit(exam, auto=False)
        await _edit(interaction, result_message(bot.bank, done, locale=locale))
        return
    updated, pos, note = await _apply(bot, exam, action, pos, letter, locale)
    if updated is None:  # submitted meanwhile (the timer): the result instead
        current = await bot.storage.get_exam(exam_id)
        if current is None or current.is_open:
            raise RuntimeError(f"exam {exam_id} vanished or refused a change")
        done = Submitted(current, result_of(bot.bank, current), False)
        await _edit(
            interaction, result_message(bot.bank, done, locale=locale, note=t("examcmd.time_up", locale))
        )
        return
    await _edit(
        interaction, await page_message(bot.bank, updated, pos, locale=locale, now=service.now(), note=note)
    )


async def _apply(
    bot: QuizBot, exam: Exam, action: str, pos: int, letter: str, locale: str
) -> tuple[Exam | None, int, str | None]:
    """Store what the click changes; (the exam after it, the position to show, a note)."""
    storage = bot.storage
    item = exam.items[pos]
    last = len(exam.items) - 1
    if action == "pick":
        if letter not in item.options:
            return exam, pos, None
        chosen = picked(item, letter)
        if chosen is None:
            return exam, pos, t("examcmd.choose_full", locale, n=len(item.correct))
        updated = await storage.set_exam_answer(exam.exam_id, pos, chosen)
        if updated is not None and updated.current != pos:
            updated = await storage.set_exam_position(exam.exam_id, pos)
        return updated, pos, None
    if action == "flag":
        return await storage.set_exam_flag(exam.exam_id, pos, not item.flagged), pos, None
    target = {"prev": pos - 1, "next": pos + 1}.get(action, pos)  # back, jump: pos itself
    target = max(0, min(target, last))
    if target == exam.current:
        return exam, target, None
    return await storage.set_exam_position(exam.exam_id, target), target, None


async def explain(interaction: discord.Interaction, bot: QuizBot, exam: Exam, pos: int, locale: str) -> None:
    """A result's Explain: the question's explanation, privately (only once the exam is submitted,
    and never an open daily the member may not see)."""
    if exam.is_open:
        await reply(interaction, t("examcmd.explain_after", locale))
        return
    if not 0 <= pos < len(exam.items):
        await reply(interaction, t("examcmd.unknown_exam", locale))
        return
    q = bot.bank.get(exam.items[pos].question_key)
    if q is None:
        await reply(interaction, t("answer.gone", locale))
        return
    exp = await bot.spoilers.check(interaction.user.id, exam.guild_id, q.key)
    refusal = spoiler_text(exp, q, locale)
    if refusal is not None:
        await reply(interaction, refusal)
        return
    embed, view = await explain_message(q, OVERVIEW, 0, interaction.user.id, locale=locale)
    await interaction.response.send_message(
        embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
    )
