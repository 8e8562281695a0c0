"""/review start | remind on | remind off | export, and the "Stop reminders" button.

A thin adapter: cards, reviews and reminders are bot.storage's (the Store's spaced-repetition
methods), FSRS is bot.core.review's, the looks bot.render.review's, the deck bot.bank.anki's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank.model import Question
from bot.bank.select import Filter
from bot.cogs.blueprints import find_section, section_choices, unknown_section
from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.cogs.review import export
from bot.cogs.review.session import ITEMS, serve
from bot.core.review import next_reminder_at
from bot.core.schedule import parse_hhmm
from bot.i18n import locale_of, t
from bot.render import review as view
from bot.render.exam import section_name
from bot.render.limits import MESSAGE, cut
from bot.render.topics import topic_choices

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.cogs.review.service import ReviewService

log = logging.getLogger(__name__)


class ReminderOff(discord.ui.DynamicItem[discord.ui.Button[Any]], template=view.REMIND_OFF):
    """ "Stop reminders" under a reminder (in a DM, or in the server's channel)."""

    def __init__(self, guild: int, owner: int) -> None:
        super().__init__(discord.ui.Button(custom_id=view.remind_off_id(guild, owner)))
        self.guild, self.owner = guild, owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReminderOff:
        return cls(int(match["guild"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        if interaction.user.id != self.owner:
            await reply(interaction, t("error.not_yours", locale, user=f"<@{self.owner}>"))
            return
        bot = client_of(interaction)
        await bot.storage.set_review_reminder(
            self.guild, self.owner, enabled=False, now=bot.services.review.now()
        )
        guild = bot.get_guild(self.guild)
        name = discord.utils.escape_markdown(guild.name if guild is not None else str(self.guild))
        await interaction.response.edit_message(
            content=t("review.remind_stopped", locale, guild=name), view=None, allowed_mentions=NO_MENTIONS
        )


class Review(commands.Cog):
    review = app_commands.Group(
        name="review",
        description="Spaced repetition of the questions you answered here",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )
    remind = app_commands.Group(
        name="remind", description="A reminder once a day when cards are due", parent=review
    )

    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.service: ReviewService = bot.services.review

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*ITEMS, ReminderOff)
        self.service.start()

    async def cog_unload(self) -> None:
        await self.service.stop()
        self.bot.remove_dynamic_items(*ITEMS, ReminderOff)

    # ------------------------------------------------------------------ /review start

    @review.command(name="start", description="Review your due cards, most overdue first")
    async def start(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale_of(interaction.locale)))
            return
        await serve(interaction, interaction.guild_id, interaction.user.id, 0, 0, edit=False)

    # ------------------------------------------------------------------ /review remind on | off

    @remind.command(name="on", description="Remind me once a day when cards are due (never when none)")
    @app_commands.describe(time="Local time in this server's time zone, 24-hour HH:MM (default: 19:00)")
    async def remind_on(self, interaction: discord.Interaction, time: str | None = None) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        now = self.service.now()
        try:
            if time is not None:
                parse_hhmm(time)
            setting = await self.bot.storage.set_review_reminder(
                interaction.guild_id, interaction.user.id, enabled=True, time=time, now=now
            )
        except ValueError:
            await reply(interaction, t("review.bad_time", locale, time=cut(time or "", 40)))
            return
        self.service.changed(interaction.guild_id, interaction.user.id)
        nxt = next_reminder_at(setting, now)
        when = view.when(nxt) if nxt is not None else "—"
        await reply(
            interaction, t("review.remind_on", locale, time=setting.time, tz=setting.timezone, when=when)
        )

    @remind.command(name="off", description="Stop the reminders")
    async def remind_off(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        await self.bot.storage.set_review_reminder(
            interaction.guild_id, interaction.user.id, enabled=False, now=self.service.now()
        )
        await reply(interaction, t("review.remind_off", locale))

    # ------------------------------------------------------------------ /review export

    @review.command(name="export", description="Your cards as an Anki deck (.apkg)")
    @app_commands.describe(
        topic="Only questions on this topic",
        section="Only questions of this exam section (e.g. professional:monitoring-alerting)",
        missed="Only the cards you got wrong at least once",
    )
    async def export_deck(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        section: str | None = None,
        missed: bool = False,
    ) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        chosen = await self._chosen(interaction, topic, section, missed, locale)
        if chosen is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        limit = export.upload_limit(interaction)
        try:
            files = await export.deck_files(chosen, limit, locale)
        except export.TooBig as big:
            text = t(
                "review.export_too_big",
                locale,
                size=export.mib(big.size),
                limit=export.mib(limit),
                parts=big.parts,
            )
            await interaction.followup.send(text, ephemeral=True)
            return
        except Exception:
            log.exception("the Anki export of %s in %s failed", interaction.user.id, interaction.guild_id)
            await interaction.followup.send(t("review.export_failed", locale), ephemeral=True)
            return
        names = export.filenames(len(files))
        if len(files) == 1:
            text = t("review.export_done", locale, n=len(chosen))
        else:
            text = t("review.export_parts", locale, n=len(chosen), parts=len(files), limit=export.mib(limit))
        await interaction.followup.send(text, file=export.as_file(files[0], names[0]), ephemeral=True)
        for i, (data, name) in enumerate(zip(files[1:], names[1:], strict=True), start=2):
            part = t("review.export_part", locale, i=i, parts=len(files))
            await interaction.followup.send(part, file=export.as_file(data, name), ephemeral=True)

    async def _chosen(
        self,
        interaction: discord.Interaction,
        topic: str | None,
        section: str | None,
        missed: bool,
        locale: str,
    ) -> list[Question] | None:
        """The questions of the member's cards the options select (None after saying why none)."""
        assert interaction.guild_id is not None
        bank = self.bot.bank
        flt, what = Filter(), []
        if topic:
            selection = bank.topics.resolve(topic)
            if selection is None or not selection.count:
                close = bank.topics.close(topic) or bank.topics.popular()
                message = t("quiz.unknown_topic", locale, topic=topic)
                message += "\n" + t("quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close))
                await reply(interaction, cut(message, MESSAGE))
                return None
            flt = Filter.of(selection)
            what.append(f"`{flt.topic}`")
        pool: set[str] | None = None
        if section:
            found = find_section(bank, section)
            if found is None:
                await reply(interaction, unknown_section(bank, section, locale))
                return None
            bp, sec = found
            pool = set(bank.sections(bp.key).pools.get(sec.key, ()))
            what.append(f"`{section_name(bp, sec.key, locale)}`")
        if missed:
            what.append(t("review.export_missed", locale))
        cards = await self.bot.storage.member_cards(
            interaction.guild_id, interaction.user.id, missed_only=missed
        )
        held = await self.bot.services.exam.held_keys(interaction.guild_id, interaction.user.id)
        chosen: dict[str, Question] = {}
        for card in cards:
            q = bank.get(card.question_key)
            if q is None or q.key in chosen or q.key in held or not flt.matches(q):
                continue
            if pool is not None and q.key not in pool:
                continue
            chosen[q.key] = q
        if not chosen:
            if not cards and not missed:
                await reply(interaction, t("review.export_empty", locale))
            else:
                await reply(
                    interaction, cut(t("review.export_none", locale, what=" + ".join(what) or "—"), MESSAGE)
                )
            return None
        return list(chosen.values())

    @export_deck.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        suggestions = self.bot.bank.topics.complete(current or "")
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in topic_choices(suggestions, locale_of(interaction.locale))
        ]

    @export_deck.autocomplete("section")
    async def _section_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return section_choices(self.bot.bank, current or "", locale_of(interaction.locale))
