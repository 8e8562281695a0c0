"""`/quizadmin reset` (confirmed with a button that works after a restart too) and
`/quizadmin export` (the scores as CSV, built by bot.core.export as `quizbot export-scores` does)."""

from __future__ import annotations

import io
import logging
from typing import Any, cast

import discord
from discord import app_commands

from bot.cogs.admin.base import AdminPart, quizadmin
from bot.cogs.choices import PERIODS
from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.core.export import score_records, scores_csv
from bot.core.periods import PeriodKind
from bot.i18n import locale_of, t
from bot.render import ids

log = logging.getLogger(__name__)

RESET_TEMPLATE = r"qadmin:reset:(?P<action>go|no):(?P<target>[0-9]{1,20}):(?P<owner>[0-9]{1,20})"


class ResetButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=RESET_TEMPLATE):
    """Yes / No under a reset question; only the admin who asked may answer."""

    def __init__(
        self, action: str, target: int, owner: int, *, label: str = "", danger: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or action,
                style=discord.ButtonStyle.danger if danger else discord.ButtonStyle.secondary,
                custom_id=f"qadmin:reset:{action}:{target}:{owner}",
            )
        )
        self.action, self.target, self.owner = action, target, owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ResetButton:
        return cls(match["action"], int(match["target"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await reset_click(interaction, self.action, self.target, self.owner)


async def reset_click(interaction: discord.Interaction, action: str, target: int, owner: int) -> None:
    """The admin's answer: reset `target`'s scores (0: everyone's) in this server, or not."""
    locale = locale_of(interaction.locale)
    if interaction.user.id != owner:
        await reply(
            interaction, t("error.not_yours", locale, user=f"<@{owner}>"), allowed_mentions=NO_MENTIONS
        )
        return
    if interaction.guild_id is None or not interaction.permissions.manage_guild:
        await reply(interaction, t("admin.not_allowed", locale))
        return
    if action != "go":
        await interaction.response.edit_message(content=t("admin.reset_cancelled", locale), view=None)
        return
    n = await client_of(interaction).storage.reset_scores(interaction.guild_id, target or None)
    done = (
        t("admin.reset_done_member", locale, member=f"<@{target}>", n=n)
        if target
        else t("admin.reset_done_all", locale, n=n)
    )
    log.info(
        "guild %s: %s reset the scores of %s (%d answers)",
        interaction.guild_id,
        owner,
        target or "everyone",
        n,
    )
    await interaction.response.edit_message(content=done, view=None, allowed_mentions=NO_MENTIONS)


class ScoresCommands(AdminPart):
    @quizadmin.command(name="reset", description="Reset one member's scores, or everyone's (asks to confirm)")
    @app_commands.describe(member="Only this member (default: everyone in this server)")
    async def reset(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        locale = locale_of(interaction.locale)
        target = member.id if member else 0
        question = (
            t("admin.reset_confirm_member", locale, member=member.mention)
            if member
            else t("admin.reset_confirm_all", locale)
        )
        view = discord.ui.View(timeout=None)
        view.add_item(
            ResetButton("go", target, interaction.user.id, label=t("admin.reset_yes", locale), danger=True)
        )
        view.add_item(ResetButton("no", target, interaction.user.id, label=t("admin.reset_no", locale)))
        await interaction.response.send_message(
            question, view=ids.dispatched_by_template(view), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @quizadmin.command(name="export", description="Download the scores as a CSV file")
    @app_commands.describe(period="Which totals (default: all time)")
    @app_commands.choices(period=PERIODS)
    async def export(
        self, interaction: discord.Interaction, period: app_commands.Choice[str] | None = None
    ) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        which = cast(PeriodKind, period.value if period else "all")
        rows = await self.bot.storage.export_scores(guild_id, which)
        text = scores_csv(score_records(rows))
        data = text.encode("utf-8-sig")  # the BOM makes spreadsheets read names as UTF-8
        file = discord.File(io.BytesIO(data), filename=f"quizbot-scores-{which}.csv")
        await interaction.response.send_message(
            t("admin.exported", locale, n=len(rows)), file=file, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
