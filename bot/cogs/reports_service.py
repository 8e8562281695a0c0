"""Reports of broken questions, for every cog (`bot.services.reports`; docs/reports.md).

It keeps in memory what the hot paths ask: the questions each server paused (the daily's
candidates and /quiz's pick leave them out) and the questions flagged in each server (open reports
from at least the server's threshold of members: the answer feedback and /explain say so). Both
are read from storage at start and changed only through this service, so a click costs a dict
look-up. It files reports (then tells the server's reports channel), resolves them (the reply goes
by DM to who asked for it, and to the others as an ephemeral follow-up the next time they use the
bot in that server), and pauses questions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.bank.model import Question
from bot.cogs.common import NO_MENTIONS
from bot.core.reports import FLAG_THRESHOLD, Report, ReportKind, ReportOutcome, flagged_keys
from bot.i18n import locale_of
from bot.render.reports import channel_message, notice

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.cogs.bank_service import BankService

log = logging.getLogger(__name__)

#: Guild settings (`extra`) of reports: the reports channel's id and the flag threshold.
CHANNEL_SETTING = "reports_channel"
THRESHOLD_SETTING = "report_threshold"
#: Interactions after which a reply may be shown (not autocompletes: they take no follow-up).
_FOLLOWED = (
    discord.InteractionType.application_command,
    discord.InteractionType.component,
    discord.InteractionType.modal_submit,
)


@dataclass(frozen=True, slots=True)
class ReportSettings:
    channel_id: int | None
    threshold: int


def report_settings(extra: dict[str, object]) -> ReportSettings:
    """A server's report settings from its `GuildSettings.extra`."""
    channel = extra.get(CHANNEL_SETTING)
    threshold = extra.get(THRESHOLD_SETTING)
    return ReportSettings(
        int(channel) if isinstance(channel, int | str) and str(channel).isdigit() else None,
        threshold if isinstance(threshold, int) and threshold > 0 else FLAG_THRESHOLD,
    )


class ReportService:
    def __init__(self, bot: QuizBot, *, bank: BankService) -> None:
        self.bot = bot
        self.bank = bank
        self._paused: dict[int, frozenset[str]] = {}
        self._flagged: dict[int, frozenset[str]] = {}
        self._pending: set[tuple[int, int]] = set()  # (guild, member) with a reply to deliver
        self._delivering: set[tuple[int, int]] = set()
        self._listening = False

    async def load(self) -> None:
        """Read the paused questions, the flags and the replies still to deliver."""
        storage = self.bot.storage
        paused: defaultdict[int, set[str]] = defaultdict(set)
        for p in await storage.paused_questions():
            paused[p.guild_id].add(p.question_key)
        self._paused = {g: frozenset(keys) for g, keys in paused.items()}
        for guild_id, members in (await storage.report_members()).items():
            settings = await self.settings(guild_id)
            self._flagged[guild_id] = flagged_keys(members, settings.threshold)
        self._pending = {(r.guild_id, r.user_id) for r in await storage.undelivered_replies()}
        self._update_listener()

    def stop(self) -> None:
        self._pending.clear()
        self._update_listener()

    # ---------------------------------------------------------------- what the hot paths read

    def paused(self, guild_id: int) -> frozenset[str]:
        """The question keys paused in the server."""
        return self._paused.get(guild_id, frozenset())

    def is_flagged(self, guild_id: int, key: str) -> bool:
        flagged = self._flagged.get(guild_id)
        return flagged is not None and key in flagged

    async def settings(self, guild_id: int) -> ReportSettings:
        return report_settings((await self.bot.storage.get_guild_settings(guild_id)).extra)

    async def refresh_flags(self, guild_id: int) -> None:
        """Re-read the server's flags (after a report, a resolution or a new threshold)."""
        members = (await self.bot.storage.report_members(guild_id)).get(guild_id, {})
        threshold = (await self.settings(guild_id)).threshold
        self._flagged[guild_id] = flagged_keys(members, threshold)

    # ---------------------------------------------------------------- filing

    async def file(
        self,
        guild_id: int,
        question: Question,
        member: discord.abc.User,
        kind: ReportKind,
        note: str,
        *,
        notify_dm: bool,
        locale: str,
    ) -> ReportOutcome:
        """Store a member's report (with the bank's commit when the bank is from Git)."""
        outcome = await self.bot.storage.add_report(
            guild_id,
            question.key,
            member.id,
            kind,
            note,
            bank_commit=self.bank.commit,
            display_name=member.display_name,
            notify_dm=notify_dm,
            locale=locale,
        )
        if outcome.status == "stored":
            await self.refresh_flags(guild_id)
        return outcome

    async def tell_channel(self, report: Report, question: Question | None, locale: str) -> None:
        """Post the report in the server's reports channel, if it has one (mentions off)."""
        settings = await self.settings(report.guild_id)
        if settings.channel_id is None:
            return
        channel = self.bot.get_channel(settings.channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("guild %s: the reports channel %s is gone", report.guild_id, settings.channel_id)
            return
        count = len(await self.bot.storage.open_reports(report.guild_id, report.question_key))
        try:
            await channel.send(channel_message(report, question, count, locale), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning(
                "guild %s: could not post a report in channel %s: %s",
                report.guild_id,
                settings.channel_id,
                exc,
            )

    # ---------------------------------------------------------------- acting on reports

    async def resolve(
        self, guild_id: int, key: str, *, by: int, reply: str, server: str
    ) -> tuple[list[Report], int]:
        """Resolve the question's open reports with `reply`; (the reports, how many members got it
        by DM now). The others get it the next time they use the bot in the server."""
        resolved = await self.bot.storage.resolve_reports(guild_id, key, resolved_by=by, reply=reply)
        await self.refresh_flags(guild_id)
        question = self.bot.bank.get(key)
        by_member: defaultdict[int, list[Report]] = defaultdict(list)
        for r in resolved:
            by_member[r.user_id].append(r)
        sent = 0
        for user_id, reports in by_member.items():
            if any(r.notify_dm for r in reports) and await self._direct(user_id, reports, question, server):
                sent += 1
            else:
                self._pending.add((guild_id, user_id))
        self._update_listener()
        return resolved, sent

    async def _direct(
        self, user_id: int, reports: Sequence[Report], question: Question | None, server: str
    ) -> bool:
        """Send the reply by DM, in the member's language when they reported; False when their DMs
        are closed (it waits for their next use of the bot then)."""
        locale = reports[0].locale or "en"
        try:
            channel = await self.bot.create_dm(discord.Object(user_id))
            await channel.send(
                notice([(r, question) for r in reports], server, locale), allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException as exc:
            log.info("could not DM member %s the reply to their report: %s", user_id, exc)
            return False
        await self.bot.storage.mark_delivered([r.report_id for r in reports])
        return True

    async def pause(self, guild_id: int, key: str, *, by: int) -> bool:
        changed = await self.bot.storage.pause_question(guild_id, key, paused_by=by)
        self._paused[guild_id] = self.paused(guild_id) | {key}
        return changed

    async def unpause(self, guild_id: int, key: str) -> bool:
        changed = await self.bot.storage.unpause_question(guild_id, key)
        self._paused[guild_id] = self.paused(guild_id) - {key}
        return changed

    # ---------------------------------------------------------------- replies, the next time

    def _update_listener(self) -> None:
        """Listen to interactions only while a reply waits for someone (a click costs nothing else)."""
        wanted = bool(self._pending)
        if wanted and not self._listening:
            self.bot.add_listener(self._on_interaction, "on_interaction")
        elif not wanted and self._listening:
            self.bot.remove_listener(self._on_interaction, "on_interaction")
        self._listening = wanted
        self.bot.watch_handlers = wanted

    async def _on_interaction(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id
        if guild_id is None or interaction.type not in _FOLLOWED:
            return
        who = (guild_id, interaction.user.id)
        if who not in self._pending or who in self._delivering:
            return
        self._delivering.add(who)
        try:
            await self._deliver(interaction, guild_id)
        except Exception:
            log.exception("could not show member %s the replies to their reports", interaction.user.id)
        finally:
            self._delivering.discard(who)
            self._update_listener()

    async def _deliver(self, interaction: discord.Interaction, guild_id: int) -> None:
        """After the interaction's own handlers answered it: the replies as an ephemeral follow-up."""
        await self.bot.handled(interaction.id)
        response = interaction.response
        if not response.is_done() or response.type is discord.InteractionResponseType.modal:
            return  # nothing to follow (yet): the next interaction will do
        storage = self.bot.storage
        waiting = await storage.undelivered_replies(guild_id, interaction.user.id)
        if waiting:
            server = interaction.guild.name if interaction.guild is not None else str(guild_id)
            text = notice(
                [(r, self.bot.bank.get(r.question_key)) for r in waiting],
                server,
                locale_of(interaction.locale),
            )
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            await storage.mark_delivered([r.report_id for r in waiting])
        if not await storage.undelivered_replies(guild_id, interaction.user.id):
            self._pending.discard((guild_id, interaction.user.id))
