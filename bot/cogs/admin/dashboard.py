"""`/quizadmin dashboard public on|off`: publish the server's dashboard overview and leaderboard
at a stable address without a link (bot/web), or stop. Manage Server, checked by the group's
`interaction_check` (bot/cogs/admin/base.py) in code as well."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.cogs.admin.base import AdminPart, quizadmin
from bot.cogs.common import reply
from bot.cogs.dashboard import public_url
from bot.i18n import locale_of, t
from bot.web.app import PUBLIC_KEY

dashboard = app_commands.Group(
    name="dashboard", description="The web dashboard of this server", parent=quizadmin
)
STATES = [
    app_commands.Choice(name="on (public)", value="on"),
    app_commands.Choice(name="off (private)", value="off"),
]


class DashboardCommands(AdminPart):
    @dashboard.command(
        name="public", description="Publish the overview and leaderboard at a stable address, or stop"
    )
    @app_commands.describe(state="on: public; off: only members' links")
    @app_commands.choices(state=STATES)
    async def public(self, interaction: discord.Interaction, state: app_commands.Choice[str]) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None  # the group's interaction_check
        if not interaction.permissions.manage_guild:  # checked by the group too; never skipped
            raise app_commands.CheckFailure(t("admin.not_allowed", locale))
        on = state.value == "on"
        await self.bot.storage.set_guild_extra(guild_id, PUBLIC_KEY, True if on else None)
        server = self.bot.dashboard
        if not on:
            await reply(interaction, t("dash.admin.public_off", locale))
        elif server is None:
            await reply(interaction, t("dash.cmd.off", locale))
        else:
            url = public_url(server.dashboard.base_url, guild_id)
            await reply(interaction, t("dash.admin.public_on", locale, url=url))
