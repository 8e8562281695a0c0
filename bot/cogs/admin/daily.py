"""`/quizadmin daily set|show|off`, `post-now` and `skip`: the daily question's schedule.

The rules are bot.core.schedule's; the schedule and runs are stored by bot.storage; the posts are
made by the scheduler (`bot.services.scheduler`, bot/cogs/scheduler.py). See docs/daily.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import discord
from discord import app_commands

from bot.bank.topics import topic_key
from bot.cogs.admin.base import AdminPart, daily, describe_error, describe_filter, missing_perms, quizadmin
from bot.cogs.choices import DIFFICULTIES
from bot.cogs.common import NO_MENTIONS, reply
from bot.core.schedule import (
    TOPIC_SEPARATORS,
    DailyRun,
    DailySchedule,
    close_timezones,
    due_at,
    format_hhmm,
    local_day,
    next_post_at,
    parse_hhmm,
    resolve_timezone,
    rotation_progress,
    skippable_slots,
    split_topics,
    timezone_choices,
)
from bot.i18n import locale_of, t
from bot.render.limits import MESSAGE, cut
from bot.render.topics import topic_choices


def _did_you_mean(message: str, close: list[str], locale: str) -> str:
    if not close:
        return message
    return message + "\n" + t("quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close))


def _next_line(nxt: datetime | None, locale: str) -> list[str]:
    if nxt is None:
        return []
    return [
        t(
            "daily.next",
            locale,
            when=discord.utils.format_dt(nxt, "F"),
            relative=discord.utils.format_dt(nxt, "R"),
        )
    ]


class DailyCommands(AdminPart):
    # ---------------------------------------------------------------- /quizadmin daily set

    @daily.command(name="set", description="Post a daily question every day at a local time")
    @app_commands.rename(at="time")
    @app_commands.describe(
        channel="Where to post it",
        at="Local time, 24-hour HH:MM (e.g. 09:00)",
        timezone="IANA time zone, e.g. Asia/Taipei (default: the server's, UTC at first)",
        topics="Only questions on these topics (comma-separated)",
        difficulty="Only questions of this level",
        role="A role to mention in each daily post",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    async def daily_set(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        at: str,
        timezone: str | None = None,
        topics: str | None = None,
        difficulty: app_commands.Choice[str] | None = None,
        role: discord.Role | None = None,
    ) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        try:
            when = parse_hhmm(at)
        except ValueError:
            await reply(interaction, t("daily.bad_time", locale, value=at))
            return
        zone_name = timezone or (await self.bot.storage.get_guild_settings(guild_id)).timezone
        try:
            zone_name = resolve_timezone(zone_name)
        except ValueError:
            message = t("daily.bad_timezone", locale, value=zone_name)
            await reply(interaction, _did_you_mean(message, close_timezones(zone_name), locale))
            return
        resolved, problem = self._resolve_topics(split_topics(topics), locale)
        missing, advised = missing_perms(channel, locale)
        level = difficulty.value if difficulty else None
        n = 0 if problem else len(self.services.scheduler.matching(resolved, level))
        problem = problem or self._set_refusal(channel, role, missing, n, locale)
        if problem is not None:
            await reply(interaction, problem)
            return
        now = self.services.scheduler.now()
        sch = await self.bot.storage.set_daily_schedule(
            guild_id,
            channel_id=channel.id,
            time=format_hhmm(when),
            timezone=zone_name,
            topics=resolved,
            difficulty=level,
            role_id=role.id if role else None,
            now=now,
        )
        self.services.scheduler.wake()
        lines = await self._set_done(sch, now, channel, role, n, advised, locale)
        await reply(interaction, "\n".join(lines), allowed_mentions=NO_MENTIONS)

    def _resolve_topics(self, wanted: list[str], locale: str) -> tuple[list[str], str | None]:
        """The topics as stored (resolved names: each selects its family or group again), or why
        one is unknown."""
        index = self.bot.bank.topics
        resolved: list[str] = []
        for topic in wanted:
            selection = index.resolve(topic)
            if selection is None or not selection.count:
                message = t("quiz.unknown_topic", locale, topic=topic)
                return [], _did_you_mean(message, index.close(topic) or index.popular(), locale)
            if selection.name not in resolved:
                resolved.append(selection.name)
        return resolved, None

    def _set_refusal(
        self, channel: discord.TextChannel, role: discord.Role | None, missing: list[str], n: int, locale: str
    ) -> str | None:
        """Why a schedule with this role, channel and number of questions is not saved, or None."""
        if role is not None and role.is_default():
            return t("daily.role_everyone", locale)
        if missing:
            return t("daily.cannot_post", locale, channel=channel.mention, perms=", ".join(missing))
        if self.bot.bank.questions and n == 0:
            return t("daily.no_match", locale)
        return None

    async def _set_done(
        self,
        sch: DailySchedule,
        now: datetime,
        channel: discord.TextChannel,
        role: discord.Role | None,
        n: int,
        advised: list[str],
        locale: str,
    ) -> list[str]:
        """The reply to a schedule saved: what, where, when next, and what may go wrong."""
        taken = await self.bot.storage.scheduled_days(sch.guild_id, local_day(now, sch.tz))
        lines = [
            t(
                "daily.set_done",
                locale,
                channel=channel.mention,
                time=sch.time,
                zone=sch.timezone,
                questions=describe_filter(sch, locale),
                n=n,
            )
        ]
        lines += _next_line(self._next_post(sch, taken, now), locale)
        if role is not None:
            lines.append(t("daily.mentions", locale, role=role.mention))
            me = channel.guild.me
            if not role.mentionable and not channel.permissions_for(me).mention_everyone:
                lines.append(t("daily.role_not_mentionable", locale, role=role.mention))
        if advised:
            lines.append(t("daily.advise_history", locale, perms=", ".join(advised)))
        if not self.bot.bank.questions:
            lines.append(t("quiz.empty_bank", locale))
        return lines

    @staticmethod
    def _next_post(sch: DailySchedule, taken: dict[str, str], now: datetime) -> datetime | None:
        if not sch.enabled:
            return None
        return next_post_at(now, sch.at, sch.tz, taken, sch.active_since)

    @daily_set.autocomplete("timezone")
    async def _timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in timezone_choices(current)]

    @daily_set.autocomplete("topics")
    async def _topics_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        text = current or ""
        cut_at = max(text.rfind(sep) for sep in TOPIC_SEPARATORS)  # the topic being typed comes last
        done = split_topics(text[:cut_at]) if cut_at >= 0 else []
        prefix = ", ".join(done) + (", " if done else "")
        suggestions = self.bot.bank.topics.complete(text[cut_at + 1 :])
        choices = topic_choices(
            suggestions, locale_of(interaction.locale), prefix=prefix, skip=frozenset(map(topic_key, done))
        )
        return [app_commands.Choice(name=name, value=value) for name, value in choices]

    # ---------------------------------------------------------------- /quizadmin daily show

    @daily.command(name="show", description="Show the daily question's schedule and how it went")
    async def daily_show(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        sch = await self.bot.storage.get_daily_schedule(guild_id)
        if sch is None:
            await reply(interaction, t("daily.none", locale))
            return
        lines = await self._show_schedule(sch, locale)
        lines += self._show_runs(sch, await self.bot.storage.daily_runs(guild_id, limit=5), locale)
        lines += self._show_problems(sch, interaction.guild, locale)
        await reply(interaction, cut("\n".join(lines), MESSAGE), allowed_mentions=NO_MENTIONS)

    async def _show_schedule(self, sch: DailySchedule, locale: str) -> list[str]:
        """Where and when, the next post, the questions and the rotation, the role, skipped days."""
        storage = self.bot.storage
        now, tz = self.services.scheduler.now(), sch.tz
        today = local_day(now, tz)
        taken = await storage.scheduled_days(sch.guild_id, today - timedelta(days=1))
        state = t("daily.state_on" if sch.enabled else "daily.state_off", locale)
        utc_time = format_hhmm(due_at(today, sch.at, tz).time())
        lines = [
            t("daily.show_title", locale, state=state),
            t(
                "daily.show_where",
                locale,
                channel=f"<#{sch.channel_id}>",
                time=sch.time,
                zone=sch.timezone,
                utc=utc_time,
            ),
        ]
        lines += _next_line(self._next_post(sch, taken, now), locale)
        matching = [q.key for q in self.services.scheduler.matching(sch.topics, sch.difficulty)]
        used, total = rotation_progress(await storage.daily_rotation(sch.guild_id), matching)
        questions = describe_filter(sch, locale)
        lines.append(t("daily.show_questions", locale, questions=questions, n=total, used=used))
        role = f"<@&{sch.role_id}>" if sch.role_id else t("daily.no_role", locale)
        lines.append(t("daily.show_role", locale, role=role))
        skipped = sorted(d for d, s in taken.items() if s == "skipped" and d >= today.isoformat())
        if skipped:
            lines.append(t("daily.show_skipped", locale, days=", ".join(skipped)))
        return lines

    @staticmethod
    def _show_runs(sch: DailySchedule, runs: list[DailyRun], locale: str) -> list[str]:
        """The last dailies and how each went, and the schedule's last error."""
        lines = [t("daily.show_recent", locale)] if runs else []
        for run in runs:
            status = t(f"daily.status.{run.status}", locale)
            what = f" `{run.question_key}`" if run.question_key else ""
            error = f" — {describe_error(run.error, locale)}" if run.error and run.status != "sent" else ""
            lines.append(f"- {run.local_day.isoformat()}{what}: {status}{error}")
        if sch.last_error and sch.last_error_at is not None:
            when = discord.utils.format_dt(sch.last_error_at, "R")
            lines.append(
                t("daily.show_error", locale, when=when, error=describe_error(sch.last_error, locale))
            )
        return lines

    def _show_problems(self, sch: DailySchedule, guild: discord.Guild | None, locale: str) -> list[str]:
        """What would stop the next daily: its channel, the bot's permissions, the Git bank."""
        lines: list[str] = []
        channel = guild.get_channel(sch.channel_id) if guild else None
        if channel is None:
            lines.append(t("daily.channel_gone", locale))
        else:
            missing, _ = missing_perms(channel, locale)
            if missing:
                lines.append(
                    t("daily.cannot_post", locale, channel=channel.mention, perms=", ".join(missing))
                )
        status = self.services.bank.status
        if status.last_error and status.last_error_at is not None:
            when = discord.utils.format_dt(status.last_error_at, "R")
            lines.append(t("admin.bank_git_error", locale, reason=status.last_error, when=when))
        return lines

    # ---------------------------------------------------------------- /quizadmin daily off

    @daily.command(name="off", description="Pause the daily question (the schedule is kept)")
    async def daily_off(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        sch = await self.bot.storage.get_daily_schedule(guild_id)
        if sch is None or not sch.enabled:
            await reply(interaction, t("daily.already_off", locale))
            return
        await self.bot.storage.disable_daily_schedule(guild_id, now=self.services.scheduler.now())
        self.services.scheduler.wake()
        await reply(interaction, t("daily.off_done", locale))

    # ---------------------------------------------------------------- post-now, skip

    async def _usable_schedule(self, interaction: discord.Interaction, locale: str) -> DailySchedule | None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        sch = await self.bot.storage.get_daily_schedule(guild_id)
        if sch is None:
            await reply(interaction, t("daily.none", locale))
            return None
        channel = interaction.guild.get_channel(sch.channel_id) if interaction.guild else None
        if channel is None:
            await reply(interaction, t("daily.channel_gone", locale))
            return None
        missing, _ = missing_perms(channel, locale)
        if missing:
            await reply(
                interaction, t("daily.cannot_post", locale, channel=channel.mention, perms=", ".join(missing))
            )
            return None
        return sch

    @quizadmin.command(
        name="post-now", description="Post the next daily question now (it replaces the open one)"
    )
    async def post_now(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        sch = await self._usable_schedule(interaction, locale)
        if sch is None:
            return
        if not self.bot.bank.questions:
            await reply(interaction, t("quiz.empty_bank", locale))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        run = await self.services.scheduler.post_now(sch)
        if run is None:
            await reply(interaction, t("admin.post_busy", locale))
        elif run.status == "sent":
            post = await self.bot.storage.get_post(run.post_id) if run.post_id else None
            link = (
                f"https://discord.com/channels/{sch.guild_id}/{post.channel_id}/{post.message_id}"
                if post is not None and post.message_id
                else f"<#{sch.channel_id}>"
            )
            key = "admin.posted_today" if run.scheduled else "admin.posted_extra"
            await reply(interaction, t(key, locale, question=f"`{run.question_key}`", link=link))
        else:
            error = describe_error(run.error or "", locale)
            await reply(interaction, t("admin.post_failed", locale, error=error))

    @quizadmin.command(name="skip", description="No daily question at the next scheduled time (a holiday)")
    @app_commands.describe(undo="Cancel the next skip instead")
    async def skip(self, interaction: discord.Interaction, undo: bool = False) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        storage, scheduler = self.bot.storage, self.services.scheduler
        sch = await storage.get_daily_schedule(guild_id)
        if sch is None or not sch.enabled:
            await reply(interaction, t("daily.none" if sch is None else "daily.already_off", locale))
            return
        now = scheduler.now()
        today = local_day(now, sch.tz)
        if undo:
            unskipped = await storage.unskip_daily(guild_id, today)
            scheduler.wake()
            key = "admin.unskipped" if unskipped else "admin.nothing_skipped"
            await reply(interaction, t(key, locale, day=unskipped or ""))
            return
        taken = await storage.scheduled_days(guild_id, today)
        for day, due in skippable_slots(today, sch.at, sch.tz, taken, sch.active_since):
            if await storage.skip_daily(guild_id, day, due_at=due, now=now):
                scheduler.wake()
                when = discord.utils.format_dt(due, "F")
                await reply(interaction, t("admin.skipped", locale, day=day.isoformat(), when=when))
                return
        await reply(interaction, t("admin.nothing_skipped", locale, day=""))
