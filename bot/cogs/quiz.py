"""/quiz: a practice question, public or private; the close sweep of every due post.

A thin adapter: the filters are bot.bank.select's (and a blueprint section's pool, bot.bank.blueprint);
serving the question is bot/cogs/practice.py (shared with the /plan buttons); posting, the cache
of open posts and the reveal are the QuizService's (bot/cogs/posts.py, `bot.services.quiz`);
answering is bot/cogs/answer.py.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.bank.model import Question
from bot.bank.select import Filter, close_tags, match_tags, resolve_tag, tag_counts
from bot.cogs.answer import AnswerButton, MultiSelect
from bot.cogs.blueprints import find_section, section_choices, section_pool, unknown_section
from bot.cogs.choices import DIFFICULTIES
from bot.cogs.common import reply
from bot.cogs.posts import CLOSE_SWEEP_SECONDS, QuizService
from bot.cogs.practice import ClosePrivateButton, ask
from bot.i18n import locale_of, t
from bot.render.exam import section_name
from bot.render.topics import topic_choices

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)


class Quiz(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.posts: QuizService = bot.services.quiz

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton, MultiSelect, ClosePrivateButton)
        self.close_due.start()

    async def cog_unload(self) -> None:
        self.close_due.cancel()
        self.posts.stop()
        self.bot.remove_dynamic_items(AnswerButton, MultiSelect, ClosePrivateButton)

    # ------------------------------------------------------------------ /quiz

    @app_commands.command(name="quiz", description="Get a practice question")
    @app_commands.describe(
        topic="Only questions on this topic",
        difficulty="Only questions of this level",
        trap="Only questions with this trap tag",
        private="Only you see the question (default: post it in the channel)",
        section="Only questions of this exam section (e.g. professional:monitoring-alerting)",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    @app_commands.guild_only()
    async def quiz(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        difficulty: app_commands.Choice[str] | None = None,
        trap: str | None = None,
        private: bool = False,
        section: str | None = None,
    ) -> None:
        locale = locale_of(interaction.locale)
        bank = self.bot.bank
        if interaction.guild_id is None or interaction.channel_id is None:
            await reply(interaction, t("quiz.guild_only", locale))
            return
        if not bank.questions:
            await reply(interaction, t("quiz.empty_bank", locale))
            return
        flt, problem = self._filter(topic, difficulty.value if difficulty else None, trap, locale)
        if problem:
            await reply(interaction, problem)
            return
        what = self._describe(flt)
        pool: list[Question] | None = None
        if section:
            found = find_section(bank, section)
            if found is None:
                await reply(interaction, unknown_section(bank, section, locale))
                return
            bp, sec = found
            pool = section_pool(bank, bp.key, sec.key)
            label = f"`{section_name(bp, sec.key, locale)}`"
            what = label if what == "—" else f"{label} + {what}"
        await ask(interaction, flt, private=private, what=what, questions=pool)

    def _filter(
        self, topic: str | None, difficulty: str | None, trap: str | None, locale: str
    ) -> tuple[Filter, str | None]:
        bank = self.bot.bank
        selection = None
        if topic:  # its family and topics.yaml groups (bot.bank.topics)
            selection = bank.topics.resolve(topic)
            if selection is None or not selection.count:  # (None: nothing but dashes and spaces)
                close = bank.topics.close(topic) or bank.topics.popular()
                message = t("quiz.unknown_topic", locale, topic=topic)
                message += "\n" + t("quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close))
                return Filter(), message
        if trap:
            counts = tag_counts(bank.questions, "traps")
            resolved = resolve_tag(counts, trap)
            if resolved is None:
                close = close_tags(counts, trap)
                message = t("quiz.no_match", locale, what=f"`{trap}`")
                if close:
                    message += "\n" + t(
                        "quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close)
                    )
                return Filter(), message
            trap = resolved
        return Filter.of(selection, difficulty=difficulty, trap=trap), None

    @staticmethod
    def _describe(flt: Filter) -> str:
        parts = [f"`{x}`" for x in (flt.topic, flt.difficulty, flt.trap) if x]
        return " + ".join(parts) or "—"

    @quiz.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The family (or topics.yaml group) of what is typed first, with its total, then the tags."""
        suggestions = self.bot.bank.topics.complete(current or "")
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in topic_choices(suggestions, locale_of(interaction.locale))
        ]

    @quiz.autocomplete("section")
    async def _section_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """ "Blueprint › Section — n questions", for every blueprint of the bank."""
        return section_choices(self.bot.bank, current or "", locale_of(interaction.locale))

    @quiz.autocomplete("trap")
    async def _trap_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        counts = tag_counts(self.bot.bank.questions, "traps")
        return [
            app_commands.Choice(name=f"{tag} ({n})"[:100], value=tag[:100])
            for tag, n in match_tags(counts, current)
        ]

    # ------------------------------------------------------------------ closing

    @tasks.loop(seconds=CLOSE_SWEEP_SECONDS)
    async def close_due(self) -> None:
        """Close posts whose time is up (`QuizService.close_due`); runs on start too."""
        await self.posts.close_due()

    @close_due.before_loop
    async def _before_close_due(self) -> None:
        await self.bot.wait_until_ready()

    @close_due.error
    async def _close_due_error(self, error: BaseException) -> None:
        log.exception("closing due posts failed; retrying at the next sweep", exc_info=error)
        self.close_due.restart()


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Quiz(bot))
