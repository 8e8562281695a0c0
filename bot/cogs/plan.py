"""/plan: a day-by-day sprint plan for an exam blueprint, from the member's readiness; a button per
section of the plan posts a private practice question of that section.

A thin adapter: the plan is bot.core.readiness.sprint_plan's, the readiness bot/cogs/readiness.py's,
the looks bot/render/readiness.py's (`plan_embed`); the question is served like /quiz section:
(bot/cogs/practice.py). See docs/exam.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank.bank import key_hash
from bot.bank.blueprint import Blueprint, BlueprintSection
from bot.bank.select import Filter
from bot.cogs.blueprints import blueprint_choices, find_blueprint, section_pool, unknown_blueprint
from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.cogs.practice import ask
from bot.cogs.readiness import member_readiness
from bot.core.readiness import PlanDay, sprint_plan
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.exam import section_name
from bot.render.limits import CUSTOM_ID, cut
from bot.render.readiness import plan_embed

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.bank import Bank

log = logging.getLogger(__name__)

#: `plan:<blueprint key>:<section key>`, or `plan:~:<hash>` when the keys would not fit in a
#: custom_id (or hold a colon): the hash of "<blueprint>:<section>" (bot.bank.bank.key_hash).
PLAN = r"plan:(?P<bp>[^:]{1,90}):(?P<sec>[^:]{1,90})"
HASHED = "~"
MAX_DAYS = 30
BUTTONS = 25


def plan_id(blueprint: str, section: str) -> str:
    plain = f"plan:{blueprint}:{section}"
    if len(plain) <= CUSTOM_ID and ":" not in blueprint + section and blueprint != HASHED:
        return plain
    return f"plan:{HASHED}:{key_hash(f'{blueprint}:{section}')}"


def find_plan_section(bank: Bank, blueprint: str, section: str) -> tuple[Blueprint, BlueprintSection] | None:
    """The blueprint section a plan button names (by keys, or by the hash of its keys)."""
    if blueprint == HASHED:
        for bp in bank.blueprints:
            for sec in bp.sections:
                if key_hash(f"{bp.key}:{sec.key}") == section:
                    return bp, sec
        return None
    found = bank.blueprint(blueprint)
    part = found.section(section) if found is not None else None
    return (found, part) if found is not None and part is not None else None


class PlanButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PLAN):
    """A section of a /plan: a private practice question of that section (for whoever clicks)."""

    def __init__(self, blueprint: str, section: str) -> None:
        super().__init__(discord.ui.Button(custom_id=f"plan:{blueprint}:{section}"))
        self.blueprint, self.section = blueprint, section

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> PlanButton:
        return cls(match["bp"], match["sec"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await practise(interaction, self.blueprint, self.section)
        except Exception:
            log.exception("plan button %s:%s by %s failed", self.blueprint, self.section, interaction.user.id)
            await reply(interaction, t("plancmd.failed", locale_of(interaction.locale)))


async def practise(interaction: discord.Interaction, blueprint: str, section: str) -> None:
    bot = client_of(interaction)
    locale = locale_of(interaction.locale)
    if interaction.guild_id is None or interaction.channel_id is None:
        await reply(interaction, t("error.guild_only", locale))
        return
    found = find_plan_section(bot.bank, blueprint, section)
    if found is None:
        await reply(interaction, t("plancmd.section_gone", locale))
        return
    bp, sec = found
    name = section_name(bp, sec.key, locale)
    pool = section_pool(bot.bank, bp.key, sec.key)
    if not pool:
        await reply(interaction, t("plancmd.empty_section", locale, section=name))
        return
    await ask(interaction, Filter(), private=True, what=f"`{name}`", questions=pool)


def _days_label(days: Sequence[int], locale: str) -> str:
    if len(days) == 1:
        return t("plancmd.day", locale, n=days[0])
    return t("plancmd.days", locale, first=days[0], last=days[-1])


def plan_view(plan: Sequence[PlanDay], blueprint: Blueprint, *, locale: str) -> discord.ui.View | None:
    """A button per section of the plan, in plan order, labelled with the days it takes."""
    days: dict[str, list[int]] = {}
    for day in plan:
        for item in day.items:
            if item.count > 0:
                days.setdefault(item.section, []).append(day.day)
    if not days:
        return None
    view = discord.ui.View(timeout=None)
    for key, on in list(days.items())[:BUTTONS]:
        label = f"{_days_label(on, locale)} · {section_name(blueprint, key, locale)}"
        view.add_item(
            discord.ui.Button(
                label=cut(label, 80),
                emoji="📝",
                style=discord.ButtonStyle.secondary,
                custom_id=plan_id(blueprint.key, key),
            )
        )
    return ids.dispatched_by_template(view)


class Plan(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PlanButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PlanButton)

    @app_commands.command(
        name="plan", description="A day-by-day study plan for an exam, weakest sections first"
    )
    @app_commands.describe(
        days="How many days (default: 7)",
        blueprint="Which exam (default: the bank's own, else the Professional one)",
    )
    @app_commands.guild_only()
    async def plan(
        self,
        interaction: discord.Interaction,
        days: app_commands.Range[int, 1, MAX_DAYS] = 7,
        blueprint: str | None = None,
    ) -> None:
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            await reply(interaction, t("error.guild_only", locale))
            return
        bp = find_blueprint(self.bot.bank, blueprint)
        if bp is None:
            await reply(interaction, unknown_blueprint(self.bot.bank, blueprint, locale))
            return
        try:
            state = await member_readiness(self.bot, interaction.guild_id, interaction.user.id, bp)
        except Exception:
            log.exception("plan of %s in %s: storage failed", interaction.user.id, interaction.guild_id)
            await reply(interaction, t("plancmd.failed", locale))
            return
        plan = sprint_plan(state, days)
        embed = plan_embed(plan, state, bp, locale=locale, days=days)
        view = plan_view(plan, bp, locale=locale)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra
        )

    @plan.autocomplete("blueprint")
    async def _blueprint(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return blueprint_choices(self.bot.bank, current or "", locale_of(interaction.locale))


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Plan(bot))
