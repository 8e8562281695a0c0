"""`/quizadmin reports`: the open reports grouped by question, most reported first, paged; a
question's page with Resolve (a modal for the reply to the reporters), Pause / Unpause (out of
this server's daily rotation and /quiz), Back. And the report settings of `/quizadmin settings`
(the reports channel, the flag threshold). Every button checks Manage Server again: the message is
ephemeral, but a custom_id can be replayed. See docs/reports.md.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.cogs.admin.base import AdminPart, missing_perms, quizadmin
from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.cogs.reports_service import CHANNEL_SETTING, THRESHOLD_SETTING
from bot.core.reports import NOTE_MAX, check_note, group_reports
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.limits import cut
from bot.render.reports import (
    Entry,
    detail_embed,
    detail_view,
    entries,
    list_embed,
    list_pages,
    list_view,
    question_name,
)

if TYPE_CHECKING:
    from bot.app import QuizBot


async def _entries(bot: QuizBot, guild_id: int) -> tuple[list[Entry], int]:
    """The server's list (reported questions, then paused ones) and its number of open reports."""
    reports = await bot.storage.open_reports(guild_id)
    paused = {p.question_key: p for p in await bot.storage.paused_questions(guild_id)}
    groups = group_reports(reports)
    bank = {key: bot.bank.get(key) for key in {*paused, *(g.question_key for g in groups)}}
    return entries(groups, paused, bank), len(reports)


async def list_message(
    bot: QuizBot, guild_id: int, page: int, locale: str
) -> tuple[discord.Embed, discord.ui.View]:
    items, n_reports = await _entries(bot, guild_id)
    pages = list_pages(items, locale)
    threshold = (await bot.services.reports.settings(guild_id)).threshold
    reported = sum(1 for e in items if e.group is not None)
    embed = list_embed(pages, page, totals=(reported, n_reports), threshold=threshold, locale=locale)
    return embed, list_view(pages, page, locale=locale)


async def _find(bot: QuizBot, guild_id: int, qhash: str) -> Entry | None:
    items, _ = await _entries(bot, guild_id)
    return next((e for e in items if ids.question_hash(e.key) == qhash), None)


async def _allowed(interaction: discord.Interaction) -> bool:
    """Manage Server in this server, or a refusal."""
    if interaction.guild_id is not None and interaction.permissions.manage_guild:
        return True
    await reply(interaction, t("admin.not_allowed", locale_of(interaction.locale)))
    return False


async def show_page(interaction: discord.Interaction, page: int, note: str | None = None) -> None:
    assert interaction.guild_id is not None
    locale = locale_of(interaction.locale)
    embed, view = await list_message(client_of(interaction), interaction.guild_id, page, locale)
    await interaction.response.edit_message(
        content=note, embed=embed, view=view, allowed_mentions=NO_MENTIONS
    )


async def show_question(
    interaction: discord.Interaction, qhash: str, page: int, note: str | None = None
) -> None:
    assert interaction.guild_id is not None
    entry = await _find(client_of(interaction), interaction.guild_id, qhash)
    if entry is None:  # resolved and unpaused meanwhile
        await show_page(interaction, page, t("report.unknown", locale_of(interaction.locale)))
        return
    locale = locale_of(interaction.locale)
    await interaction.response.edit_message(
        content=note,
        embed=detail_embed(entry, locale=locale),
        view=detail_view(entry, page, locale=locale),
        allowed_mentions=NO_MENTIONS,
    )


class ReportsPageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.REPORTS_PAGE):
    """Previous, Next and Back to the list."""

    def __init__(self, page: int) -> None:
        super().__init__(discord.ui.Button(custom_id=ids.reports_page(page)))
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReportsPageButton:
        return cls(int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if await _allowed(interaction):
            await show_page(interaction, self.page)


class ReportsPick(discord.ui.DynamicItem[discord.ui.Select[Any]], template=ids.REPORTS_PICK):
    """The question menu of a page: that question's page."""

    def __init__(self, page: int) -> None:
        super().__init__(discord.ui.Select(custom_id=ids.reports_pick(page)))
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReportsPick:
        self = cls(int(match["page"]))
        self.item = cast("discord.ui.Select[Any]", item)  # keeps the value the admin picked
        return self

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await _allowed(interaction):
            return
        if not self.item.values:
            await show_page(interaction, self.page)
            return
        await show_question(interaction, self.item.values[0], self.page)


class ReportsAction(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.REPORTS_ACT):
    """Resolve (opens the reply modal), Pause, Unpause."""

    def __init__(self, action: str, qhash: str, page: int) -> None:
        super().__init__(discord.ui.Button(custom_id=f"rep:{action}:{qhash}:{page}"))
        self.action, self.qhash, self.page = action, qhash, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ReportsAction:
        return cls(match["action"], match["q"], int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await _allowed(interaction):
            return
        assert interaction.guild_id is not None
        bot, locale = client_of(interaction), locale_of(interaction.locale)
        entry = await _find(bot, interaction.guild_id, self.qhash)
        if entry is None:
            await show_page(interaction, self.page, t("report.unknown", locale))
            return
        name = question_name(entry.key, entry.question)
        if self.action == "resolve":
            await interaction.response.send_modal(ResolveForm(entry.key, name, self.page, locale))
            return
        service = bot.services.reports
        if self.action == "pause":
            await service.pause(interaction.guild_id, entry.key, by=interaction.user.id)
            note = t("report.paused", locale, id=name)
        else:
            await service.unpause(interaction.guild_id, entry.key)
            note = t("report.unpaused", locale, id=name)
        await show_question(interaction, self.qhash, self.page, note)


class ResolveForm(discord.ui.Modal):
    """The admin's reply to the members who reported the question."""

    def __init__(self, key: str, name: str, page: int, locale: str) -> None:
        super().__init__(
            title=cut(t("report.resolve_title", locale, id=name), 45),
            timeout=30 * 60,
            custom_id=f"resolve:{ids.question_hash(key)}:{os.urandom(6).hex()}",
        )
        self.key, self.name, self.page = key, name, page
        self.text: discord.ui.TextInput[ResolveForm] = discord.ui.TextInput(
            custom_id="resolve:reply",
            style=discord.TextStyle.paragraph,
            placeholder=cut(t("report.resolve_placeholder", locale), 100),
            max_length=NOTE_MAX,
            required=True,
        )
        self.add_item(discord.ui.Label(text=cut(t("report.resolve_label", locale), 45), component=self.text))

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        if not await _allowed(interaction):
            return
        assert interaction.guild_id is not None
        locale = locale_of(interaction.locale)
        text, problem = check_note(self.text.value)
        if problem is not None:
            key = "report.reply_empty" if problem == "empty" else "report.reply_too_long"
            await reply(interaction, t(key, locale, length=f"{len(text):,}", max=f"{NOTE_MAX:,}"))
            return
        server = interaction.guild.name if interaction.guild is not None else str(interaction.guild_id)
        resolved, by_dm = await client_of(interaction).services.reports.resolve(
            interaction.guild_id, self.key, by=interaction.user.id, reply=text, server=server
        )
        if resolved:
            note = t("report.resolved", locale, n=len(resolved), id=self.name, dm=by_dm)
        else:
            note = t("report.resolved_none", locale, id=self.name)
        await show_page(interaction, self.page, note)


class ReportsCommands(AdminPart):
    @quizadmin.command(
        name="reports", description="Members' reports of broken questions: resolve or pause them"
    )
    @app_commands.describe(page="Open this page of the list")
    async def reports(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 999] | None = None
    ) -> None:
        locale = locale_of(interaction.locale)
        assert interaction.guild_id is not None
        embed, view = await list_message(self.bot, interaction.guild_id, (page or 1) - 1, locale)
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def apply_report_settings(
    bot: QuizBot,
    guild_id: int,
    *,
    channel: discord.TextChannel | None,
    off: bool,
    threshold: int | None,
    locale: str,
) -> str:
    """Save the report settings given to /quizadmin settings; the line describing them (with a
    warning when the bot cannot post in the channel)."""
    storage, service = bot.storage, bot.services.reports
    if off:
        await storage.set_guild_extra(guild_id, CHANNEL_SETTING, None)
    elif channel is not None:
        await storage.set_guild_extra(guild_id, CHANNEL_SETTING, channel.id)
    if threshold is not None:
        await storage.set_guild_extra(guild_id, THRESHOLD_SETTING, int(threshold))
        await service.refresh_flags(guild_id)
    settings = await service.settings(guild_id)
    shown = f"<#{settings.channel_id}>" if settings.channel_id else t("report.channel_none", locale)
    line = t("report.settings", locale, channel=shown, threshold=settings.threshold)
    posted = bot.get_channel(settings.channel_id) if settings.channel_id else None
    if isinstance(posted, discord.TextChannel):
        needed, _ = missing_perms(posted, locale)
        if needed:
            line += "\n" + t("report.channel_missing", locale, channel=shown, perms=", ".join(needed))
    return line
