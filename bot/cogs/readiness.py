"""/stats readiness: would the member (or the whole server) pass an exam blueprint, per section.

A thin adapter: the answers are bot.storage's (`recent_results`, every kind: daily, practice,
exam), the sections bot.bank's (`Bank.sections(..).section_of`), the figures bot.core.readiness's,
the looks bot/render/readiness.py and bot/render/radar.py. The Scores cog owns the `/stats`
group and calls `show_readiness`; /plan (bot/cogs/plan.py) reads `member_readiness`.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.bank.blueprint import Blueprint
from bot.cogs.blueprints import find_blueprint, unknown_blueprint
from bot.cogs.common import NO_MENTIONS, client_of, reply
from bot.core.models import AnswerResult
from bot.core.readiness import Readiness, readiness
from bot.i18n import locale_of, t
from bot.render.limits import cut
from bot.render.radar import RADAR_FILENAME, radar_png
from bot.render.readiness import readiness_embed

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.bank import Bank

log = logging.getLogger(__name__)

#: The recent answers readiness rests on: a member's, and the whole server's.
MEMBER_ANSWERS = 1000
SERVER_ANSWERS = 5000
#: The most missed questions shown per section for the server.
MISSED_PER_SECTION = 3
_MARKUP = re.compile(r"[`*_~|>#\[\]]")


def state_of(bank: Bank, blueprint: Blueprint, results: Sequence[AnswerResult]) -> Readiness:
    index = bank.sections(blueprint.key)
    return readiness(((index.section_of(r.question_key), r.correct) for r in results), blueprint.weights)


async def member_readiness(bot: QuizBot, guild_id: int, user_id: int, blueprint: Blueprint) -> Readiness:
    results = await bot.storage.recent_results(guild_id, user_id, limit=MEMBER_ANSWERS)
    return state_of(bot.bank, blueprint, results)


def question_label(bank: Bank, key: str) -> str:
    q = bank.get(key)
    if q is None:
        return f"`{cut(key, 60)}`"
    stem = _MARKUP.sub("", " ".join(q.stem.split()))
    return f"`{q.id}` {cut(stem, 50)}"


def most_missed(
    bank: Bank,
    blueprint: Blueprint,
    results: Sequence[AnswerResult],
    per_section: int = MISSED_PER_SECTION,
    *,
    exclude: frozenset[str] = frozenset(),
) -> dict[str, list[tuple[str, int, int]]]:
    """Section key -> (question label, misses, answers) of its most missed questions, most misses
    first (ties: more answers first); questions nobody missed, and those in `exclude` (the ones the
    server paused as broken), are left out."""
    index = bank.sections(blueprint.key)
    answers: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for r in results:
        key = bank.canonical(r.question_key)
        answers[key] += 1
        if not r.correct:
            misses[key] += 1
    by_section: dict[str, list[tuple[int, int, str]]] = {}
    for key, n in misses.items():
        if key in exclude:
            continue
        section = index.section_of(key)
        if section is not None:
            by_section.setdefault(section, []).append((-n, -answers[key], key))
    return {
        section: [(question_label(bank, key), -m, -a) for m, a, key in sorted(rows)[:per_section]]
        for section, rows in by_section.items()
    }


async def show_readiness(interaction: discord.Interaction, blueprint: str | None, server: bool) -> None:
    """/stats readiness: the member's (or with `server`, the server's) readiness, privately, with
    the radar chart attached."""
    bot = client_of(interaction)
    locale = locale_of(interaction.locale)
    if interaction.guild_id is None:
        await reply(interaction, t("error.guild_only", locale))
        return
    bp = find_blueprint(bot.bank, blueprint)
    if bp is None:
        await reply(interaction, unknown_blueprint(bot.bank, blueprint, locale))
        return
    try:
        user_id = None if server else interaction.user.id
        limit = SERVER_ANSWERS if server else MEMBER_ANSWERS
        results = await bot.storage.recent_results(interaction.guild_id, user_id, limit=limit)
    except Exception:
        log.exception("readiness of %s in %s: storage failed", interaction.user.id, interaction.guild_id)
        await reply(interaction, t("readinesscmd.failed", locale))
        return
    state = state_of(bot.bank, bp, results)
    if state.answers == 0:
        key = "readinesscmd.server_empty" if server else "readinesscmd.no_answers"
        await reply(interaction, t(key, locale, name=bp.name))
        return
    guild = interaction.guild
    who = (guild.name if guild is not None else "") if server else interaction.user.display_name
    paused = bot.services.reports.paused(interaction.guild_id)
    missed = most_missed(bot.bank, bp, results, exclude=paused) if server else None
    png = None
    try:
        png = await asyncio.to_thread(radar_png, state, bp, locale=locale)
    except Exception:  # the figures still go out without their picture
        log.exception(
            "could not draw the readiness radar for %s in %s", interaction.user.id, interaction.guild_id
        )
    embed = readiness_embed(
        state, bp, locale=locale, who=who, server=server, missed=missed, chart=png is not None
    )
    kwargs: dict[str, Any] = {}
    if png is not None:
        kwargs["file"] = discord.File(
            io.BytesIO(png), filename=RADAR_FILENAME, description=t("readinesscmd.radar", locale)
        )
    await interaction.response.send_message(
        embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS, **kwargs
    )
