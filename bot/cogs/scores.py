"""Scores on Discord: /leaderboard (paged, owner-only buttons), /stats me|member|server.

A thin adapter: the figures come from bot.storage (all per server), the looks from
bot.render.scores and bot.render.chart. Member names are the stored display names, sent
with no allowed mentions.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.blueprints import blueprint_choices
from bot.cogs.choices import METRICS, PERIODS
from bot.cogs.common import NO_MENTIONS, client_of, public_refusal, reply
from bot.cogs.readiness import show_readiness
from bot.core.models import LeaderboardMetric, LeaderboardPage
from bot.core.periods import PeriodKind
from bot.i18n import locale_of, t
from bot.render.ids import LB_NAV, lb_nav
from bot.render.limits import cut
from bot.render.scores import (
    CHART_FILENAME,
    leaderboard_embed,
    leaderboard_empty,
    leaderboard_view,
    no_answers_message,
    server_stats_embed,
    stats_chart,
    stats_embed,
)

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.storage import Store

log = logging.getLogger(__name__)
PAGE_SIZE = 10
SERVER_DAYS = 30
HARDEST_MIN_ANSWERS = 5
_MARKUP = re.compile(r"[`*_~|>#\[\]]")


async def _reply(interaction: discord.Interaction, message: str) -> None:
    await reply(interaction, message, allowed_mentions=NO_MENTIONS)


class LeaderboardButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=LB_NAV):
    """Previous/Next under a leaderboard, also after a restart; only its owner may page."""

    def __init__(self, action: str, period: str, metric: str, page: int, owner: int) -> None:
        super().__init__(discord.ui.Button(custom_id=lb_nav(action, period, metric, page, owner)))
        self.action, self.period, self.metric, self.page, self.owner = action, period, metric, page, owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> LeaderboardButton:
        return cls(match["action"], match["period"], match["metric"], int(match["page"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        step = 1 if self.action == "next" else -1
        await turn_page(
            interaction,
            cast(PeriodKind, self.period),
            cast(LeaderboardMetric, self.metric),
            self.page + step,
            self.owner,
        )


async def _page(
    storage: Store, guild_id: int, period: PeriodKind, metric: LeaderboardMetric, page: int, user_id: int
) -> LeaderboardPage:
    """A page of the board (the last one if it shrank since it was drawn)."""
    result = await storage.leaderboard(
        guild_id, period, metric, page=max(1, page), page_size=PAGE_SIZE, user_id=user_id
    )
    if result.total and result.page > result.pages:  # the board shrank since it was drawn
        result = await storage.leaderboard(
            guild_id, period, metric, page=result.pages, page_size=PAGE_SIZE, user_id=user_id
        )
    return result


async def turn_page(
    interaction: discord.Interaction,
    period: PeriodKind,
    metric: LeaderboardMetric,
    page: int,
    owner: int,
) -> None:
    locale = locale_of(interaction.locale)
    if interaction.user.id != owner:
        await _reply(interaction, t("lb.not_yours", locale, user=f"<@{owner}>"))
        return
    if interaction.guild_id is None:
        await _reply(interaction, t("lb.guild_only", locale))
        return
    result = await _page(client_of(interaction).storage, interaction.guild_id, period, metric, page, owner)
    if result.total == 0:
        await interaction.response.edit_message(
            content=leaderboard_empty(metric, locale), embed=None, view=None, allowed_mentions=NO_MENTIONS
        )
        return
    await interaction.response.edit_message(
        embed=leaderboard_embed(result, viewer_id=owner, locale=locale),
        view=leaderboard_view(result, period=period, owner=owner, locale=locale),
        allowed_mentions=NO_MENTIONS,
    )


class Scores(commands.Cog):
    stats = app_commands.Group(
        name="stats",
        description="Answers, accuracy, streaks and weak spots in this server",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),  # not in DMs, nor group DMs
    )

    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(LeaderboardButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(LeaderboardButton)

    # ------------------------------------------------------------------ /leaderboard

    @app_commands.command(name="leaderboard", description="This server's leaderboard")
    @app_commands.describe(
        period="Which period (weeks start on Monday in the server's time zone; default: all time)",
        metric="Rank by (default: points)",
        private="Only you see it (default: post it in the channel)",
    )
    @app_commands.choices(period=PERIODS, metric=METRICS)
    @app_commands.guild_only()
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: app_commands.Choice[str] | None = None,
        metric: app_commands.Choice[str] | None = None,
        private: bool = False,
    ) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await _reply(interaction, t("lb.guild_only", locale))
            return
        kind = cast(PeriodKind, period.value if period else "all")
        board = cast(LeaderboardMetric, metric.value if metric else "points")
        page = await _page(self.bot.storage, interaction.guild_id, kind, board, 1, interaction.user.id)
        if page.total == 0:
            await _reply(interaction, leaderboard_empty(board, locale))
            return
        note = None if private else public_refusal(interaction)
        await interaction.response.send_message(
            content=note,
            embed=leaderboard_embed(page, viewer_id=interaction.user.id, locale=locale),
            view=leaderboard_view(page, period=kind, owner=interaction.user.id, locale=locale),
            ephemeral=private or note is not None,
            allowed_mentions=NO_MENTIONS,
        )

    # ------------------------------------------------------------------ /stats me | member

    @stats.command(name="me", description="Your answers, accuracy, streaks and weak spots in this server")
    @app_commands.describe(public="Show it to the channel (default: only you)")
    async def stats_me(self, interaction: discord.Interaction, public: bool = False) -> None:
        await self._member_stats(interaction, interaction.user, public)

    @stats.command(name="member", description="A member's answers, accuracy, streaks and weak spots here")
    @app_commands.describe(member="Whose stats", public="Show it to the channel (default: only you)")
    async def stats_member(
        self, interaction: discord.Interaction, member: discord.Member, public: bool = False
    ) -> None:
        await self._member_stats(interaction, member, public)

    async def _member_stats(
        self, interaction: discord.Interaction, who: discord.User | discord.Member, public: bool
    ) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await _reply(interaction, t("lb.guild_only", locale))
            return
        is_self = who.id == interaction.user.id
        stats = await self.bot.storage.user_stats(interaction.guild_id, who.id)
        name = who.display_name or stats.display_name
        if stats.answers == 0:
            await _reply(interaction, no_answers_message(name, is_self=is_self, locale=locale))
            return
        chart = None
        try:
            chart = await asyncio.to_thread(stats_chart, stats)
        except Exception:  # the figures still go out without their picture
            log.exception("could not draw the stats chart for %s in %s", who.id, interaction.guild_id)
        review = None
        try:
            review = await self.bot.storage.review_stats(
                interaction.guild_id,
                who.id,
                now=self.bot.services.review.now(),
                exclude=self.bot.services.reports.paused(interaction.guild_id),
            )
        except Exception:  # the figures still go out without the review line
            log.exception("could not read the review stats of %s in %s", who.id, interaction.guild_id)
        embed = stats_embed(stats, name=name, is_self=is_self, locale=locale, chart=chart, review=review)
        kwargs: dict[str, Any] = {}
        if chart is not None:
            kwargs["file"] = discord.File(
                io.BytesIO(chart.png), filename=CHART_FILENAME, description=t("stats.topics", locale)
            )
        note = public_refusal(interaction, files=chart is not None) if public else None
        await interaction.response.send_message(
            content=note,
            embed=embed,
            ephemeral=not public or note is not None,
            allowed_mentions=NO_MENTIONS,
            **kwargs,
        )

    # ------------------------------------------------------------------ /stats server

    @stats.command(name="server", description="What this server gets wrong: topics, traps, hardest questions")
    @app_commands.describe(public="Show it to the channel (default: only you)")
    async def stats_server(self, interaction: discord.Interaction, public: bool = False) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await _reply(interaction, t("lb.guild_only", locale))
            return
        stats = await self.bot.storage.server_stats(
            interaction.guild_id, days=SERVER_DAYS, min_question_answers=HARDEST_MIN_ANSWERS
        )
        if stats.answers == 0:
            await _reply(interaction, t("stats.server_empty", locale, days=SERVER_DAYS))
            return
        guild = interaction.guild
        embed = server_stats_embed(
            stats,
            guild_name=guild.name if guild is not None else "",
            days=SERVER_DAYS,
            locale=locale,
            question_label=self._question_label,
            min_question_answers=HARDEST_MIN_ANSWERS,
        )
        note = public_refusal(interaction) if public else None
        await interaction.response.send_message(
            content=note, embed=embed, ephemeral=not public or note is not None, allowed_mentions=NO_MENTIONS
        )

    # ------------------------------------------------------------------ /stats readiness (bot/cogs/readiness.py)

    @stats.command(
        name="readiness", description="Would you pass? Accuracy per exam section, a predicted score"
    )
    @app_commands.describe(
        blueprint="Which exam (default: the bank's own, else the Professional one)",
        server="The whole server's weak sections and most missed questions (default: yours)",
    )
    async def stats_readiness(
        self, interaction: discord.Interaction, blueprint: str | None = None, server: bool = False
    ) -> None:
        await show_readiness(interaction, blueprint, server)

    @stats_readiness.autocomplete("blueprint")
    async def _readiness_blueprint(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return blueprint_choices(self.bot.bank, current or "", locale_of(interaction.locale))

    def _question_label(self, key: str) -> str:
        q = self.bot.bank.get(key)
        if q is None:
            return f"`{cut(key, 60)}`"
        stem = _MARKUP.sub("", " ".join(q.stem.split()))
        return f"`{q.id}` {cut(stem, 60)}"


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Scores(bot))
