"""`/quizadmin settings`: the practice cooldown, how long a practice post stays open, the
language of the server's public posts (which the QuizService uses from then on), and where members'
reports go and how many flag a question (bot/cogs/admin/reports.py)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.cogs.admin.base import AdminPart, quizadmin
from bot.cogs.admin.reports import apply_report_settings
from bot.cogs.choices import LANGUAGE_NAMES, LANGUAGES
from bot.cogs.common import reply
from bot.i18n import locale_of, t


class SettingsCommands(AdminPart):
    @quizadmin.command(
        name="settings", description="Practice cooldown, practice post lifetime, language of posts"
    )
    @app_commands.describe(
        cooldown="Seconds a member waits between public /quiz posts (0: no wait)",
        practice_lifetime="Minutes a /quiz post stays open before its answer is revealed",
        language="Language of public posts (auto: the server's Discord language)",
        reports_channel="Where members' reports of broken questions are posted (mentions off)",
        reports_off="Stop posting reports in a channel (see them with /quizadmin reports)",
        report_threshold="How many members' reports flag a question for everyone (default 3)",
    )
    @app_commands.choices(language=LANGUAGES)
    async def settings(
        self,
        interaction: discord.Interaction,
        cooldown: app_commands.Range[int, 0, 86_400] | None = None,
        practice_lifetime: app_commands.Range[int, 1, 10_080] | None = None,
        language: app_commands.Choice[str] | None = None,
        reports_channel: discord.TextChannel | None = None,
        reports_off: bool = False,
        report_threshold: app_commands.Range[int, 1, 25] | None = None,
    ) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        storage = self.bot.storage
        changes: dict[str, Any] = {}
        if cooldown is not None:
            changes["practice_cooldown_s"] = int(cooldown)
        if practice_lifetime is not None:
            changes["practice_lifetime_s"] = int(practice_lifetime) * 60
        settings = await storage.set_guild_settings(guild_id, **changes)
        if language is not None:
            value = None if language.value == "auto" else language.value
            settings = await storage.set_guild_extra(guild_id, "post_locale", value)
            self.services.quiz.set_post_locale(guild_id, value)
        chosen = settings.extra.get("post_locale")
        lang = LANGUAGE_NAMES.get(str(chosen)) or t("admin.language_auto", locale)
        text = t(
            "admin.settings",
            locale,
            cooldown=settings.practice_cooldown_s,
            lifetime=settings.practice_lifetime_s // 60,
            language=lang,
            zone=settings.timezone,
        )
        text += "\n" + await apply_report_settings(
            self.bot,
            guild_id,
            channel=reports_channel,
            off=reports_off,
            threshold=report_threshold,
            locale=locale,
        )
        changed = reports_channel is not None or reports_off or report_threshold is not None
        if changes or language is not None or changed:
            text = t("admin.settings_saved", locale) + "\n" + text
        await reply(interaction, text)
