"""/review's service (`bot.services.review`): its clock, and the loop that sends the daily review
reminders and folds recorded answers into card state. Run by the Review cog (bot/cogs/review/).

The clock is the daily scheduler's (`bot.services.scheduler.now`, which tests replace), so the
reminders, the review sessions, /stats and the daily question all read the same time.

Reminders, exactly once: each member's reminder is due at their local time in the server's time
zone (DST as for the daily: bot.core.schedule); at that time `Store.claim_review_reminder` checks
that cards are due and claims the local day in one transaction, and only then is the message
sent. A claimed day is never claimed again (by a restart, or a second process), so a crash
between the claim and the send loses that day's reminder rather than sending two. When nothing
is due nothing is claimed and nothing is sent; the day is remembered here so that the loop does
not ask again (a restart the same day asks once more). A bot that was down at the member's time
sends the reminder when it starts, while that local day lasts.

The message is a DM; when the member's DMs are closed (403), a mention of the member, and no one
else, in the server's daily question channel. It carries a "Stop reminders" button. A member who
has left the server (Discord says so, asked at most once a day each: bot.cogs.guard) gets none:
their reminder is turned off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.cogs.common import NO_MENTIONS
from bot.cogs.loop import WakeableLoop
from bot.core.bounded import BoundedMap
from bot.core.review import ReminderSetting, next_reminder_at
from bot.core.schedule import local_day
from bot.i18n import locale_of
from bot.render.review import reminder_text, reminder_view

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)

#: The loop looks again at least this often: it folds recorded answers into card state then.
FOLD_EVERY = 600.0
RETRY_SLEEP = 60.0  # after a failed pass
#: Answers folded per transaction: ~15 µs of FSRS each, so a batch holds the storage thread for
#: tens of milliseconds and the answer writer's batches interleave with a big backlog's.
FOLD_BATCH = 1000
#: Members whose reminder found nothing due today (so the loop does not ask again today).
EMPTY_KEPT = 100_000


class ReviewService(WakeableLoop):
    """The review reminders' loop (`start()`/`stop()`, `wake()`; `await run_pending()` waits for a
    whole pass that began after the call) and the clock of everything /review does (`now()`)."""

    def __init__(self, bot: QuizBot, *, now: Callable[[], datetime]) -> None:
        super().__init__(bot)
        self.now = now
        #: When the loop means to look again (the next reminder due), after its last pass.
        self.next_wake: datetime | None = None
        #: Reminders sent by this process: (guild, user, local day) — tests and logs.
        self.sent: list[tuple[int, int, date]] = []
        self._empty: BoundedMap[tuple[int, int], date] = BoundedMap(EMPTY_KEPT)
        self._clicks: set[tuple[int, int, str]] = set()

    # ---------------------------------------------------------------- control

    task_name = "review-reminders"
    what = "the review reminders"
    retry_sleep = RETRY_SLEEP
    max_sleep = FOLD_EVERY

    def changed(self, guild_id: int, user_id: int) -> None:
        """A member turned their reminder on or changed its time: look again (today included)."""
        self._empty.pop((guild_id, user_id), None)
        self.wake()

    def claim_click(self, guild_id: int, user_id: int, key: str) -> bool:
        """Whether a review click on this card may go ahead (False while another is in flight:
        a double click records one review). Release with `release_click`."""
        token = (guild_id, user_id, key)
        if token in self._clicks:
            return False
        self._clicks.add(token)
        return True

    def release_click(self, guild_id: int, user_id: int, key: str) -> None:
        self._clicks.discard((guild_id, user_id, key))

    async def run_pass(self) -> float:
        """Fold what is pending, send what is due; the seconds until the next reminder is due."""
        try:
            while await self.bot.storage.fold_reviews(limit=FOLD_BATCH) >= FOLD_BATCH:
                pass  # a backlog (a big seed): folded in batches, each its own transaction
        except Exception:  # reads fold what they need themselves: the reminders still go out
            log.exception("folding answers into review cards failed; trying again at the next pass")
        now = self.now()
        wake_at = await self.run_due(now)
        self.next_wake = min(wake_at) if wake_at else None
        if self.next_wake is None:
            return FOLD_EVERY
        return (self.next_wake - now).total_seconds()

    # ---------------------------------------------------------------- reminders

    async def run_due(self, now: datetime) -> list[datetime]:
        """Send every reminder due at `now`; returns when the others are due."""
        wake_at: list[datetime] = []
        for setting in await self.bot.storage.review_reminders():
            if not self.bot.owns(setting.guild_id):  # another shard's process sends it
                continue
            try:
                zone = ZoneInfo(setting.timezone)
                at = next_reminder_at(setting, now)
            except (ValueError, KeyError):
                log.warning(
                    "review reminder of %s in %s: bad time or zone", setting.user_id, setting.guild_id
                )
                continue
            if at is None:
                continue
            day = local_day(at, zone)
            who = (setting.guild_id, setting.user_id)
            if self._empty.get(who) == day:  # nothing was due at today's time: tomorrow
                at = setting.due_at(day + timedelta(days=1))
            if at > now:
                wake_at.append(at)
                continue
            if self.bot.get_guild(setting.guild_id) is None:  # not (or not yet) in that server
                continue
            if not await self.bot.spoilers.is_member(*who):  # they left: no more reminders
                log.info(
                    "review reminder of %s in %s turned off: not a member", setting.user_id, setting.guild_id
                )
                await self.bot.storage.set_review_reminder(*who, enabled=False, now=now)
                continue
            paused = self.bot.services.reports.paused(setting.guild_id)  # /review skips them
            count = await self.bot.storage.claim_review_reminder(*who, day, now=now, exclude=paused)
            if count is None:
                self._empty[who] = day
            else:
                self.sent.append((*who, day))
                await self.send(setting, count)
            wake_at.append(setting.due_at(day + timedelta(days=1)))
        return wake_at

    async def send(self, setting: ReminderSetting, count: int) -> bool:
        """The reminder: a DM, or (DMs closed) a mention in the daily's channel. Failures are logged."""
        guild = self.bot.get_guild(setting.guild_id)
        name = guild.name if guild is not None else str(setting.guild_id)
        locale = locale_of(guild.preferred_locale) if guild is not None else "en"
        view = reminder_view(setting.guild_id, setting.user_id, locale=locale)
        try:
            dm = await self.bot.create_dm(discord.Object(setting.user_id))
            await dm.send(reminder_text(count, name, locale=locale), view=view, allowed_mentions=NO_MENTIONS)
            return True
        except discord.Forbidden as exc:  # DMs closed (50007), or blocked
            log.info("review reminder of %s: no DM (%s); mentioning them in the server", setting.user_id, exc)
        except discord.HTTPException as exc:  # it may have gone out: no second copy elsewhere
            log.warning("review reminder of %s in %s failed: %s", setting.user_id, setting.guild_id, exc)
            return False
        channel_id = await self._channel(setting.guild_id)
        if channel_id is None:
            log.warning("review reminder of %s in %s: DMs closed and no daily channel", setting.user_id, name)
            return False
        only_them = discord.AllowedMentions(
            everyone=False, roles=False, users=[discord.Object(setting.user_id)], replied_user=False
        )
        text = reminder_text(count, name, locale=locale, mention=setting.user_id)
        try:
            channel = self.bot.get_partial_messageable(channel_id, guild_id=setting.guild_id)
            await channel.send(text, view=view, allowed_mentions=only_them)
        except discord.HTTPException as exc:
            log.warning("review reminder of %s in %s: channel %s: %s", setting.user_id, name, channel_id, exc)
            return False
        return True

    async def _channel(self, guild_id: int) -> int | None:
        """The server's daily question channel (where its members look), if it has one."""
        schedule = await self.bot.storage.get_daily_schedule(guild_id)
        if schedule is not None:
            return schedule.channel_id
        return (await self.bot.storage.get_guild_settings(guild_id)).daily_channel_id
