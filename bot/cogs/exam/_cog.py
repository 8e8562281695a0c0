"""/exam start | resume | history: timed mock exams, private to the member (ephemeral).

A thin adapter: the service (bot/cogs/exam/service.py, `bot.services.exam`) draws, submits and
runs the timer; the clicks are bot/cogs/exam/clicks.py; the looks bot/render/exam.py.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.blueprints import blueprint_choices, find_blueprint, unknown_blueprint
from bot.cogs.common import NO_MENTIONS, reply
from bot.cogs.exam.clicks import for_send, page_message, result_message
from bot.cogs.exam.service import Started, Submitted
from bot.cogs.exam.views import ITEMS
from bot.core.exam import Exam
from bot.i18n import locale_of, t
from bot.render.exam import blueprint_name, exam_history_embed

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)

#: The command's bounds; a blueprint's own bound (twice its size) is checked when it is known.
MAX_QUESTIONS = 500
MAX_MINUTES = 600
HISTORY = 10


def minutes_left(exam: Exam, now: datetime) -> int:
    """Whole minutes left, rounded up."""
    return max(0, math.ceil(exam.remaining(now).total_seconds() / 60))


class ExamCog(commands.Cog, name="Exam"):
    exam = app_commands.Group(
        name="exam",
        description="Timed mock exams, private to you, graded per section",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.service = bot.services.exam

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*ITEMS)
        self.service.start()

    async def cog_unload(self) -> None:
        await self.service.stop()
        self.bot.remove_dynamic_items(*ITEMS)

    async def _send(self, interaction: discord.Interaction, message: dict[str, Any]) -> None:
        await interaction.response.send_message(
            ephemeral=True, allowed_mentions=NO_MENTIONS, **for_send(message)
        )

    # ------------------------------------------------------------------ /exam start

    @exam.command(name="start", description="Start a timed mock exam (only you see it)")
    @app_commands.describe(
        blueprint="Which exam (default: the bank's own, else the Professional one)",
        questions="How many questions (default: as many as the real exam)",
        minutes="Time limit in minutes (default: the real exam's pace for that many questions)",
    )
    async def start(
        self,
        interaction: discord.Interaction,
        blueprint: str | None = None,
        questions: app_commands.Range[int, 1, MAX_QUESTIONS] | None = None,
        minutes: app_commands.Range[int, 1, MAX_MINUTES] | None = None,
    ) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        bank = self.bot.bank
        bp = find_blueprint(bank, blueprint)
        if bp is None:
            await reply(interaction, unknown_blueprint(bank, blueprint, locale))
            return
        wanted = questions or bp.questions
        if wanted > 2 * bp.questions:
            await reply(
                interaction, t("examcmd.too_many", locale, n=wanted, max=2 * bp.questions, name=bp.name)
            )
            return
        try:
            started = await self.service.begin(
                interaction.guild_id,
                interaction.user.id,
                bp,
                wanted,
                minutes,
                display_name=interaction.user.display_name,
                locale=locale,
            )
        except Exception:
            log.exception("exam start by %s in %s failed", interaction.user.id, interaction.guild_id)
            await reply(interaction, t("examcmd.failed", locale))
            return
        await self._started(interaction, started, blueprint_name(bp, locale), locale)

    async def _started(
        self, interaction: discord.Interaction, started: Started, name: str, locale: str
    ) -> None:
        notes = []
        if started.previous is not None:
            notes.append(t("examcmd.previous_submitted", locale))
        if started.existing is not None:
            when = discord.utils.format_dt(started.existing.deadline, "R")
            notes.append(t("examcmd.already_open", locale, when=when))
            await reply(interaction, "\n".join(notes))
            return
        exam = started.exam
        if exam is None:
            notes.append(t("examcmd.no_questions", locale, name=name))
            await reply(interaction, "\n".join(notes))
            return
        minutes = minutes_left(exam, exam.started_at)
        notes.append(t("examcmd.started", locale, n=len(exam.items), name=name, minutes=minutes))
        if len(exam.items) < started.requested:
            notes.append(t("examcmd.fewer", locale, n=len(exam.items), asked=started.requested))
        now, note = self.service.now(), "\n".join(notes)
        await self._send(
            interaction, await page_message(self.bot.bank, exam, 0, locale=locale, now=now, note=note)
        )

    @start.autocomplete("blueprint")
    async def _start_blueprint(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return blueprint_choices(self.bot.bank, current, locale_of(interaction.locale))

    # ------------------------------------------------------------------ /exam resume

    @exam.command(name="resume", description="Bring back your exam in progress, with the time left")
    async def resume(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        try:
            exam = await self.bot.storage.open_exam(interaction.guild_id, interaction.user.id)
            done: Submitted | None = None
            if exam is not None and exam.deadline <= self.service.now():
                done = await self.service.submit(exam, auto=True)
        except Exception:
            log.exception("exam resume by %s in %s failed", interaction.user.id, interaction.guild_id)
            await reply(interaction, t("examcmd.failed", locale))
            return
        if exam is None:
            await reply(interaction, t("examcmd.none_open", locale))
            return
        if done is not None:
            await self._send(
                interaction,
                result_message(self.bot.bank, done, locale=locale, note=t("examcmd.time_up", locale)),
            )
            return
        note = t(
            "examcmd.resumed",
            locale,
            minutes=minutes_left(exam, self.service.now()),
            when=discord.utils.format_dt(exam.deadline, "t"),
        )
        now = self.service.now()
        message = await page_message(self.bot.bank, exam, exam.current, locale=locale, now=now, note=note)
        await self._send(interaction, message)

    # ------------------------------------------------------------------ /exam history

    @exam.command(name="history", description="Your submitted mock exams and their scores")
    async def history(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        try:
            summaries = await self.bot.storage.exam_history(
                interaction.guild_id, interaction.user.id, limit=HISTORY
            )
        except Exception:
            log.exception("exam history of %s in %s failed", interaction.user.id, interaction.guild_id)
            await reply(interaction, t("examcmd.failed", locale))
            return
        if not summaries:
            await reply(interaction, t("examcmd.no_history", locale))
            return
        blueprints = {b.key: b for b in self.bot.bank.blueprints}
        embed = exam_history_embed(summaries, blueprints, locale=locale)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
