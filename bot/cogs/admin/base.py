"""The `/quizadmin` group, who may use it, and what its parts share.

Each part (daily.py, bank.py, scores.py, settings.py) is a class of commands of this group; the
Admin cog (`__init__.py`) is all of them, so the group and its check are one cog's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.schedule import DailySchedule
from bot.i18n import MESSAGES, locale_of, t

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.cogs.services import Services

log = logging.getLogger(__name__)

quizadmin = app_commands.Group(
    name="quizadmin",
    description="Server admin: the daily question, the question bank, scores and settings",
    default_permissions=discord.Permissions(manage_guild=True),
    guild_only=True,
    allowed_contexts=app_commands.AppCommandContext(guild=True),  # not in DMs, nor group DMs
)
daily = app_commands.Group(name="daily", description="The daily question's schedule", parent=quizadmin)


class AdminPart(commands.Cog):
    """A part of the Admin cog: its commands, and what they may use (the cog sets them). Never
    loaded alone; a Cog so that discord.py binds its commands to the Admin cog."""

    bot: QuizBot
    services: Services


class AdminBase(AdminPart):
    #: /quizadmin commands that change things for every server the bot is in: the bot's owners
    #: only (OWNER_IDS, the application's owner or team), not a server's admins.
    BOT_WIDE = frozenset({"quizadmin reload"})

    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.services = bot.services

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """/quizadmin needs Manage Server, checked here too: `default_permissions` only hides the
        command, and a server's owner can make it visible to anyone. Bot-wide commands
        (`BOT_WIDE`) need one of the bot's owners instead."""
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            raise app_commands.CheckFailure(t("admin.guild_only", locale))
        command = interaction.command
        if command is not None and command.qualified_name in self.BOT_WIDE:
            if not await self.bot.is_bot_owner(interaction.user):
                owners = ", ".join(self.bot.owner_mentions()) or "—"
                log.info(
                    "guild %s: %s may not run /%s (not an owner of the bot)",
                    interaction.guild_id,
                    interaction.user.id,
                    command.qualified_name,
                )
                raise app_commands.CheckFailure(t("admin.owner_only", locale, owners=owners))
            return True
        if not interaction.permissions.manage_guild:
            raise app_commands.CheckFailure(t("admin.not_allowed", locale))
        return True


def missing_perms(channel: discord.abc.GuildChannel, locale: str) -> tuple[list[str], list[str]]:
    """(missing needed, missing advised) permission names of the bot in `channel`."""
    me = channel.guild.me
    if me is None:  # not cached (yet): let Discord be the judge when posting
        return [], []
    perms = channel.permissions_for(me)
    needed = [name for name in ("view_channel", "send_messages", "embed_links") if not getattr(perms, name)]
    advised = [] if perms.read_message_history else ["read_message_history"]
    return [t(f"admin.perm.{n}", locale) for n in needed], [t(f"admin.perm.{n}", locale) for n in advised]


def describe_error(stored: str, locale: str) -> str:
    """A stored daily error ('<kind>|<detail>', bot.cogs.scheduler.error_text) in words."""
    kind, _, detail = stored.partition("|")
    key = f"daily.err.{kind}"
    text = t(key, locale) if key in MESSAGES else kind
    return f"{text} ({detail})" if detail else text


def describe_filter(sch: DailySchedule, locale: str) -> str:
    """The daily's topics and level, or "every question"."""
    parts = [", ".join(f"`{x}`" for x in sch.topics)] if sch.topics else []
    if sch.difficulty:
        parts.append(f"`{sch.difficulty}`")
    return " · ".join(parts) or t("daily.filter_all", locale)
