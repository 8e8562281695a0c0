"""/explain: the question's explanation, paged, with a section menu only the caller can drive."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import Bank
from bot.bank.lookup import search
from bot.bank.model import Question
from bot.cogs.common import NO_MENTIONS, client_of, public_refusal, reply
from bot.cogs.guard import Exposure
from bot.i18n import locale_of, t
from bot.render import ids
from bot.render.explain import OVERVIEW, explain_message, option_embed_async
from bot.render.limits import cut
from bot.render.reports import with_flag

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)


class SectionSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=ids.EXPLAIN_SECTION):
    def __init__(self, qhash: str, owner: int) -> None:
        super().__init__(discord.ui.Select(custom_id=f"ex:pick:{qhash}:{owner}"))
        self.qhash, self.owner = qhash, owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> SectionSelect:
        self = cls(match["q"], int(match["owner"]))
        self.item = cast("discord.ui.Select[Any]", item)  # the select the member picked from
        return self

    async def callback(self, interaction: discord.Interaction) -> None:
        value = int(self.item.values[0]) if self.item.values else OVERVIEW
        await navigate(interaction, self.qhash, self.owner, value, 0)


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.EXPLAIN_NAV):
    def __init__(self, action: str, qhash: str, section: int, page: int, owner: int) -> None:
        super().__init__(discord.ui.Button(custom_id=f"ex:{action}:{qhash}:{section}:{page}:{owner}"))
        self.action, self.qhash, self.section, self.page, self.owner = action, qhash, section, page, owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> PageButton:
        return cls(match["action"], match["q"], int(match["sec"]), int(match["page"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        step = {"prev": -1, "next": 1}.get(self.action, 0)
        await navigate(interaction, self.qhash, self.owner, self.section, self.page + step)


class ExplainPostButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.EXPLAIN_POST):
    """The "Explain" button under an answer reply."""

    def __init__(self, post_id: int) -> None:
        super().__init__(discord.ui.Button(custom_id=ids.explain_post(post_id)))
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ExplainPostButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await explain_post(interaction, self.post_id)


def _by_hash(bank: Bank, qhash: str) -> Question | None:
    return bank.by_hash.get(qhash)


def spoiler_text(exp: Exposure, q: Question, locale: str) -> str | None:
    """Why `q` is not explained to this member now (bot/core/spoiler.py), or None.

    The rule has no exemption: a server admin who has not answered the daily waits like
    everyone else.
    """
    if q.key not in exp.hidden(assume_member=False):
        return None
    return t("explain.spoiler" if exp.hidden_here(q.key) else "explain.spoiler_elsewhere", locale)


async def in_open_exam(interaction: discord.Interaction, q: Question) -> bool:
    """Whether `q` is in the member's exam in progress in this server: its explanation would give
    the answer away before they submit (docs/exam.md: no feedback until submit)."""
    if interaction.guild_id is None:
        return False
    held = await client_of(interaction).services.exam.held_keys(interaction.guild_id, interaction.user.id)
    return q.key in held


async def _refusal(interaction: discord.Interaction, q: Question) -> str | None:
    exp = await client_of(interaction).spoilers.check(interaction.user.id, interaction.guild_id, q.key)
    refusal = spoiler_text(exp, q, locale_of(interaction.locale))
    if refusal is None and await in_open_exam(interaction, q):
        refusal = t("explain.in_exam", locale_of(interaction.locale))
    return refusal


def flagged(interaction: discord.Interaction, q: Question, embed: discord.Embed) -> discord.Embed:
    """The embed with "members reported a problem" when the question is flagged in this server."""
    if client_of(interaction).services.reports.is_flagged(interaction.guild_id or 0, q.key):
        return with_flag(embed, locale_of(interaction.locale))
    return embed


async def explain_post(interaction: discord.Interaction, post_id: int) -> None:
    """The "Explain" button under an answer reply: the question's explanation, from its overview."""
    locale = locale_of(interaction.locale)
    bot = client_of(interaction)
    post = await bot.storage.get_post(post_id)
    q = bot.bank.get(post.question_key) if post is not None else None
    if q is None:
        await reply(interaction, t("answer.gone", locale))
        return
    refusal = await _refusal(interaction, q)
    if refusal is not None:
        await reply(interaction, refusal)
        return
    embed, view = await explain_message(q, OVERVIEW, 0, interaction.user.id, locale=locale)
    await interaction.response.send_message(
        embed=flagged(interaction, q, embed),
        view=view,
        ephemeral=True,
        allowed_mentions=NO_MENTIONS,
    )


async def navigate(interaction: discord.Interaction, qhash: str, owner: int, section: int, page: int) -> None:
    """The section menu and page buttons: only the member who opened the explanation drives it."""
    locale = locale_of(interaction.locale)
    if interaction.user.id != owner:
        await reply(interaction, t("error.not_yours", locale, user=f"<@{owner}>"))
        return
    q = _by_hash(client_of(interaction).bank, qhash)
    if q is None:
        await reply(interaction, t("answer.gone", locale))
        return
    refusal = await _refusal(interaction, q)  # it may have become an open daily since
    if refusal is not None:
        await reply(interaction, refusal)
        return
    embed, view = await explain_message(q, section, page, owner, locale=locale)  # page clamped
    if section == OVERVIEW:
        embed = flagged(interaction, q, embed)
    await interaction.response.edit_message(
        embed=embed,
        view=view,
        allowed_mentions=NO_MENTIONS,
    )


class Explain(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(SectionSelect, PageButton, ExplainPostButton)

    @app_commands.command(name="explain", description="Read a question's explanation")
    @app_commands.describe(
        question="Question id (e.g. Q-104) or the start of its text",
        section="Open this section first",
        option="Only why this option is wrong (or right)",
        public="Show it to the channel (default: only you)",
    )
    @app_commands.guild_only()
    async def explain(
        self,
        interaction: discord.Interaction,
        question: str,
        section: str | None = None,
        option: str | None = None,
        public: bool = False,
    ) -> None:
        locale = locale_of(interaction.locale)
        bank = self.bot.bank
        found = bank.find(question)
        if not found:
            message = t("explain.unknown", locale, ref=question)
            close = bank.closest(question)
            if close:
                message += "\n" + t("explain.closest", locale, ids=", ".join(f"`{c}`" for c in close))
            await reply(interaction, message)
            return
        if len(found) > 1:
            await reply(interaction, await self._ambiguous(interaction, question, found, locale))
            return
        q = found[0]
        exp = await self.bot.spoilers.check(interaction.user.id, interaction.guild_id, q.key)
        refusal = spoiler_text(exp, q, locale)
        if refusal is None and public and exp.is_open_daily(q.key):
            refusal = t("explain.spoiler_public", locale)
        if refusal is None and await in_open_exam(interaction, q):
            refusal = t("explain.in_exam", locale)
        if refusal is not None:
            await reply(interaction, refusal)
            return
        note = public_refusal(interaction) if public else None
        ephemeral = not public or note is not None
        if option:
            letter = option.strip().upper()[:1]
            if letter not in q.options:
                await reply(
                    interaction,
                    t("explain.unknown_option", locale, letter=option, letters=", ".join(q.options)),
                )
                return
            await interaction.response.send_message(
                content=note,
                embed=flagged(interaction, q, await option_embed_async(q, letter, locale=locale)),
                ephemeral=ephemeral,
                allowed_mentions=NO_MENTIONS,
            )
            return
        index = OVERVIEW
        if section:
            chosen = self._section_index(q, section)
            if chosen is None:
                names = ", ".join(s.title for s in q.sections) or "—"
                await reply(
                    interaction,
                    cut(t("explain.unknown_section", locale, section=section, sections=names), 2000),
                )
                return
            index = chosen
        embed, view = await explain_message(q, index, 0, interaction.user.id, locale=locale)
        if index == OVERVIEW:
            embed = flagged(interaction, q, embed)
        await interaction.response.send_message(
            content=note,
            embed=embed,
            view=view,
            ephemeral=ephemeral,
            allowed_mentions=NO_MENTIONS,
        )

    async def _ambiguous(
        self, interaction: discord.Interaction, ref: str, found: list[Question], locale: str
    ) -> str:
        """The questions `ref` names (ten at most), each with its stem's first line unless the
        spoiler rule hides it."""
        shown = found[:10]
        exp = await self.bot.spoilers.exposure(
            interaction.user.id, interaction.guild_id, [q.key for q in shown]
        )
        hidden = exp.hidden()  # an undecided server counts as theirs: a list asks nobody
        lines = [t("explain.ambiguous", locale, ref=ref, n=len(found))]
        lines += [
            f"- `{q.key}` — "
            + (t("explain.hidden_stem", locale) if q.key in hidden else cut(q.stem.splitlines()[0], 80))
            for q in shown
        ]
        return cut("\n".join(lines), 2000)

    @staticmethod
    def _section_index(q: Question, wanted: str) -> int | None:
        wanted = wanted.strip()
        if wanted.lstrip("-").isdigit():
            i = int(wanted)
            return i if -1 <= i < len(q.sections) else None
        folded = wanted.casefold()
        for i, s in enumerate(q.sections):
            if folded in (s.key.casefold(), s.heading.casefold(), s.title.casefold()):
                return i
        for i, s in enumerate(q.sections):
            if folded in s.heading.casefold():
                return i
        return None

    @explain.autocomplete("question")
    async def _question_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Open dailies the member may not see are not offered (Discord is not asked from here: a
        # server not known yet counts as theirs).
        hidden = (await self.bot.spoilers.exposure(interaction.user.id, interaction.guild_id)).hidden()
        out: list[app_commands.Choice[str]] = []
        for entry in search(self.bot.bank.lookup, current, hidden=hidden):
            q = entry.question
            label = f"{q.id} · {q.collection} · {entry.stem}" if entry.shared_id else f"{q.id} · {entry.stem}"
            value = q.key if entry.shared_id else q.id
            out.append(app_commands.Choice(name=cut(label, 100), value=value[:100]))
        return out

    @explain.autocomplete("section")
    async def _section_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        ref = str(getattr(interaction.namespace, "question", "") or "")
        found = self.bot.bank.find(ref) if ref else []
        if len(found) != 1:
            return []
        exp = await self.bot.spoilers.exposure(interaction.user.id, interaction.guild_id, [found[0].key])
        if found[0].key in exp.hidden() or await in_open_exam(interaction, found[0]):
            return []  # section titles can name the answer
        needle = current.casefold()
        return [
            app_commands.Choice(name=cut(s.title, 100), value=s.key[:100])
            for s in found[0].sections
            if needle in s.title.casefold() or needle in s.key
        ][:25]


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Explain(bot))
