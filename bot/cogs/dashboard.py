"""/dashboard: a member's private, signed link to their server's web dashboard (bot/web), valid for
7 days; with the server's pages public, their stable address too. A thin adapter: the signing is
bot/web/auth.py's, the key and the base URL the running dashboard's (`bot.dashboard`)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.common import reply
from bot.i18n import locale_of, t
from bot.web.app import PUBLIC_KEY
from bot.web.auth import LINK_SECONDS, sign

if TYPE_CHECKING:
    from bot.app import QuizBot


def public_url(base_url: str, guild_id: int) -> str:
    return f"{base_url}/g/{guild_id}/"


def member_link(base_url: str, key: bytes, guild_id: int, user_id: int, now: float) -> tuple[str, int]:
    """(the member's signed link, when it expires in Unix seconds)."""
    expires = int(now) + LINK_SECONDS
    return f"{base_url}/g/{guild_id}/t/{sign(key, guild_id, user_id, expires)}/", expires


class DashboardCog(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="dashboard", description="Open your server's team dashboard on the web (a private link)"
    )
    @app_commands.guild_only()
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    async def dashboard(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        server = self.bot.dashboard
        if server is None:
            await reply(interaction, t("dash.cmd.off", locale))
            return
        d = server.dashboard
        url, expires = member_link(d.base_url, d.key, interaction.guild_id, interaction.user.id, time.time())
        text = t("dash.cmd.link", locale, url=url, expires=f"<t:{expires}:f>")
        settings = await self.bot.storage.get_guild_settings(interaction.guild_id)
        if settings.extra.get(PUBLIC_KEY) is True:
            text += "\n" + t("dash.cmd.public", locale, url=public_url(d.base_url, interaction.guild_id))
        await self.bot.storage.upsert_member(
            interaction.guild_id, interaction.user.id, interaction.user.display_name
        )
        await reply(interaction, text)


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(DashboardCog(bot))
