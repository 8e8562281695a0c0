"""The daily question (one scheduler loop for every server) and the server admin's `/quizadmin`.

A thin adapter: the rules (due times, DST, catching up, rotation) are in bot.core.schedule, the
records in bot.storage (migration 0002), posting and the reveal in the Quiz cog, the Git bank in
bot.bank.git. See docs/daily.md.

Never posted twice: a daily is recorded in SQLite (run + post row, one transaction, unique per
server and local day) BEFORE anything is sent, and every send is recorded before it starts. On
start, a recorded daily whose message id is unknown is looked for in the channel (adopted when
found), otherwise re-sent once while its day lasts (with a nonce, which Discord also deduplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import Bank, Problem, load_bank
from bot.bank import git as bank_git
from bot.bank.model import Question
from bot.bank.select import Filter
from bot.bank.topics import Selection, topic_key
from bot.cogs.common import reply
from bot.cogs.posts import PostFailed
from bot.core import Post
from bot.core.schedule import (
    DailyRun,
    DailySchedule,
    close_timezones,
    closes_at,
    day_over,
    due_at,
    format_hhmm,
    local_day,
    next_due,
    parse_hhmm,
    resolve_timezone,
    rotation_progress,
    slot_due,
    timezone_choices,
)
from bot.heap import settle_heap
from bot.i18n import MESSAGES, locale_of, t
from bot.render import ids
from bot.render.limits import MESSAGE, cut
from bot.render.topics import topic_choices

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.cogs.posts import QuizService

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
MAX_SEND_ATTEMPTS = 3  # sends of one recorded daily, first try included; then it is given up
RETRY_AFTER = timedelta(minutes=2)  # after a transient error (5xx, timeout, network)
MAX_SLEEP = 3600.0  # the loop looks again at least hourly (clock jumps, suspended machines)
HISTORY_LOOKBACK = 100  # messages searched for a daily that may have gone out before a restart
DIFFICULTIES = [
    app_commands.Choice(name="L1 · Basic", value="L1"),
    app_commands.Choice(name="L2 · Intermediate", value="L2"),
    app_commands.Choice(name="L3 · Advanced", value="L3"),
]
LANGUAGES = [
    app_commands.Choice(name="Auto (the server's Discord language)", value="auto"),
    app_commands.Choice(name="English", value="en"),
    app_commands.Choice(name="繁體中文", value="zh-TW"),
]
PERIODS = [
    app_commands.Choice(name="All time", value="all"),
    app_commands.Choice(name="This month", value="month"),
    app_commands.Choice(name="This week", value="week"),
]
RESET_TEMPLATE = r"qadmin:reset:(?P<action>go|no):(?P<target>[0-9]{1,20}):(?P<owner>[0-9]{1,20})"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _bot(interaction: discord.Interaction) -> QuizBot:
    return interaction.client  # type: ignore[return-value]


def _daily(interaction: discord.Interaction) -> Daily:
    cog = _bot(interaction).get_cog("Daily")
    if cog is None:
        raise RuntimeError("the Daily cog is not loaded")
    return cog  # type: ignore[return-value]


def error_text(exc: discord.HTTPException) -> str:
    """A stored error ('<kind>|<detail>') for a failed send."""
    kind = "not_found" if isinstance(exc, discord.NotFound) else "forbidden"
    if isinstance(exc, discord.Forbidden) and exc.code == 50001:
        kind = "no_access"
    return f"{kind}|{exc.status} {exc.code}: {exc.text}"[:300]


def describe_error(stored: str, locale: str) -> str:
    kind, _, detail = stored.partition("|")
    key = f"daily.err.{kind}"
    text = t(key, locale) if key in MESSAGES else kind
    return f"{text} ({detail})" if detail else text


def diff_banks(old: Bank, new: Bank) -> tuple[list[str], list[str], list[str]]:
    """(added, changed, removed) question keys between two banks; "changed" is about content."""

    def content(q: Question) -> tuple[Any, ...]:
        return (
            q.stem,
            tuple(q.options.items()),
            q.answer,
            q.difficulty,
            q.topics,
            q.traps,
            q.domain,
            q.sections,
            tuple(sorted(q.rationales.items())),
            q.disputed,
            q.dispute_note,
            q.disagreement,
            q.references,
        )

    old_keys = {q.key for q in old.questions}
    new_keys = {q.key for q in new.questions}
    changed = []
    for key in sorted(old_keys & new_keys):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and content(a) != content(b):
            changed.append(key)
    return sorted(new_keys - old_keys), changed, sorted(old_keys - new_keys)


TOPIC_SEPARATORS = ",;，、；"


def split_topics(text: str | None) -> list[str]:
    if not text:
        return []
    for sep in TOPIC_SEPARATORS[1:]:
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def _csv_cell(value: object) -> object:
    """Keep spreadsheets from running a display name as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass
class BankStatus:
    """Where the bank comes from and how its last update went (for /quizadmin bank and reload)."""

    git: bank_git.GitSource | None = None
    last_sync: bank_git.GitResult | None = None
    last_sync_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None


@dataclass
class ReloadReport:
    old_count: int
    git: bank_git.GitResult | None = None
    git_error: str | None = None
    bank: Bank | None = None
    swapped: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# the scheduler


class DailyScheduler:
    """ONE loop for every server: sleeps until the next due server (or until woken), posts what is
    due with bounded concurrency and a request pace, and recovers dailies recorded but not known
    to be sent.

    `now` is the clock (tests replace it); `wake()` makes the loop look again at once, and
    `await run_pending()` waits until a whole pass that began after the call, and the posts it
    started, are done.
    """

    def __init__(self, cog: Daily, *, now: Callable[[], datetime] = utcnow) -> None:
        self.cog = cog
        self.bot = cog.bot
        self.now = now
        #: Deliveries at once. Sends are queued per route by discord.py; this bounds what the
        #: scheduler puts in flight (and in the database queue) so answers are never stuck behind.
        self.concurrency = 4
        #: REST calls per second the scheduler starts at most (None: no pacing). Below Discord's
        #: global 50/s so that a burst of dailies never trips the global limit, which would hold
        #: every request of the bot, answer replies included.
        self.max_rate: float | None = 40.0
        self.rng = random.Random()
        self.passes = 0
        #: When the loop means to look again (the next due daily or retry), after its last pass.
        self.next_wake: datetime | None = None
        self._wake = asyncio.Event()
        self._waiters: list[asyncio.Future[None]] = []
        self._task: asyncio.Task[None] | None = None
        self._workers: set[asyncio.Task[Any]] = set()
        self._settling: set[asyncio.Task[None]] = set()
        self._sem = asyncio.Semaphore(self.concurrency)
        self._inflight: set[int] = set()  # run ids being delivered by this process
        self._busy: set[int] = set()  # guilds with a delivery in flight
        self._launched: set[tuple[int, date]] = set()  # scheduled slots on their way
        self._deferred = False  # a due guild was busy: look again when a delivery ends
        self._in_pass = False
        self._retry_at: dict[int, datetime] = {}  # run id -> after a transient error here
        self._next_start = 0.0
        self._pulled_on: date | None = None

    # ---------------------------------------------------------------- control

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._sem = asyncio.Semaphore(self.concurrency)
            self._task = asyncio.create_task(self._run(), name="daily-scheduler")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._workers, *self._settling) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None
        for fut in self._waiters:
            if not fut.done():
                fut.cancel()

    def wake(self) -> None:
        self._wake.set()

    async def run_pending(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wake the loop and wait until it is idle: a pass that began after this call is over, with
        every post in flight, and nothing more is due at `now()` (tests; admin tools)."""

        async def settle() -> None:
            loop = asyncio.get_running_loop()
            while True:
                fut: asyncio.Future[None] = loop.create_future()
                self._waiters.append(fut)
                self.wake()
                await fut
                if self.idle and not self._in_pass and not self._deferred and not self._wake.is_set():
                    return

        await asyncio.wait_for(settle(), timeout)

    @property
    def idle(self) -> bool:
        """No delivery in flight."""
        return not self._workers

    # ---------------------------------------------------------------- the loop

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self._wake.clear()
            waiters, self._waiters = self._waiters, []
            started: list[asyncio.Task[Any]] = []
            self._in_pass = True
            try:
                delay = await self._pass(started)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a pass of the daily scheduler failed; trying again in a minute")
                delay = 60.0
            finally:
                self._in_pass = False
            self.passes += 1
            if waiters:
                task = asyncio.create_task(self._settle(waiters))
                self._settling.add(task)
                task.add_done_callback(self._settling.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, min(delay, MAX_SLEEP)))

    async def _settle(self, waiters: list[asyncio.Future[None]]) -> None:
        while self._workers:  # every delivery in flight, also those of earlier passes
            await asyncio.gather(*list(self._workers), return_exceptions=True)
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._workers.add(task)
        task.add_done_callback(self._workers.discard)
        return task

    def _launch(self, coro: Any, guild_id: int, run_id: int | None, started: list[asyncio.Task[Any]]) -> None:
        self._busy.add(guild_id)
        if run_id is not None:
            self._inflight.add(run_id)

        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the daily of guild %s failed", guild_id)
            finally:
                self._busy.discard(guild_id)
                if run_id is not None:
                    self._inflight.discard(run_id)
                if self._deferred:
                    self._deferred = False
                    self.wake()

        started.append(self._spawn(guarded()))

    async def _pass(self, started: list[asyncio.Task[Any]]) -> float:
        """Start what is due now; return the seconds until something may be due next."""
        now = self.now()
        storage = self.bot.storage
        schedules, taken, claimed = await storage.daily_overview(now.date() - timedelta(days=2))
        wake_at: list[datetime] = []
        unsettled = {run.guild_id for run in claimed}  # no new daily there before these are settled
        for run in claimed:  # recorded but not known to be sent: a restart, or a transient error
            if run.run_id in self._inflight or run.guild_id in self._busy:
                continue
            retry = self._retry_at.get(run.run_id)
            if retry is not None and retry > now:
                wake_at.append(retry)
                continue
            self._launch(self._recover(run), run.guild_id, run.run_id, started)
        due: list[tuple[DailySchedule, date, datetime]] = []
        for sch in schedules:
            try:
                tz, at = sch.tz, sch.at
            except (ValueError, KeyError):
                log.warning("guild %s: bad daily schedule %s %s", sch.guild_id, sch.time, sch.timezone)
                continue
            wake_at.append(next_due(now, at, tz))
            slot = slot_due(now, at, tz, sch.active_since)
            if slot is None or (sch.guild_id, slot[0].isoformat()) in taken:
                continue
            if self.bot.get_guild(sch.guild_id) is None:  # not (or not yet) in that server
                continue
            if (sch.guild_id, slot[0]) in self._launched:
                continue  # on its way already
            if sch.guild_id in self._busy or sch.guild_id in unsettled:
                self._deferred = True  # a post-now or a recovery: look again once it is over
                continue
            due.append((sch, *slot))
        if due and self.bot.settings.questions_git and self._pulled_on != now.date():
            self._pulled_on = now.date()  # the day's pull, before its first daily
            await self.cog.refresh_bank(pull=True)
        for sch, day, due_instant in due:
            self._launched.add((sch.guild_id, day))
            self._launch(self._post_scheduled(sch, day, due_instant), sch.guild_id, None, started)
        self.next_wake = min(wake_at) if wake_at else None
        if self.next_wake is None:
            return MAX_SLEEP
        return (self.next_wake - now).total_seconds()

    # ---------------------------------------------------------------- one server's daily

    async def _pace(self) -> None:
        """Space the REST calls the scheduler starts to at most `max_rate` per second."""
        if not self.max_rate:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self._next_start)
        self._next_start = start + 1.0 / self.max_rate
        if start > now:
            await asyncio.sleep(start - now)

    async def _post_scheduled(self, sch: DailySchedule, day: date, due: datetime) -> None:
        try:
            await self._post_scheduled_now(sch, day, due)
        finally:
            self._launched.discard((sch.guild_id, day))

    async def _post_scheduled_now(self, sch: DailySchedule, day: date, due: datetime) -> None:
        async with self._sem:
            now = self.now()
            claimed = await self.bot.storage.claim_daily(
                sch.guild_id,
                day,
                scheduled=True,
                due_at=due,
                now=now,
                channel_id=sch.channel_id,
                role_id=sch.role_id,
                candidates=self.cog.candidates(sch.topics, sch.difficulty),
                closes_at=closes_at(day, sch.at, sch.tz, now),
                rng=self.rng,
            )
            if claimed is None:  # taken meanwhile (post-now)
                return
            run, post = claimed
            if post is None:
                log.warning("guild %s: no question matches the daily's filter", sch.guild_id)
                return
            self._inflight.add(run.run_id)
            try:
                await self._deliver(run, post)
            finally:
                self._inflight.discard(run.run_id)

    async def post_now(self, sch: DailySchedule) -> DailyRun | None:
        """Post the next daily now: today's scheduled daily if it is not out yet, else an extra
        one (which closes and replaces the open one). The run as it ended, or None if refused."""
        if any(r.status == "claimed" for r in await self.bot.storage.daily_runs(sch.guild_id, limit=5)):
            return None  # a daily is still being settled (retry, recovery)
        if sch.guild_id in self._busy:  # (checked after the await, then taken at once)
            return None
        self._busy.add(sch.guild_id)
        try:
            async with self._sem:
                now = self.now()
                tz, at = sch.tz, sch.at
                today = local_day(now, tz)
                if sch.enabled:
                    closes = closes_at(today, at, tz, now)
                else:  # paused: no next daily to replace it, so the usual daily lifetime
                    lifetime = (await self.bot.storage.get_guild_settings(sch.guild_id)).daily_lifetime_s
                    closes = now + timedelta(seconds=lifetime)
                args: dict[str, Any] = dict(
                    due_at=now,
                    now=now,
                    channel_id=sch.channel_id,
                    role_id=sch.role_id,
                    candidates=self.cog.candidates(sch.topics, sch.difficulty),
                    closes_at=closes,
                    rng=self.rng,
                )
                claimed = await self.bot.storage.claim_daily(sch.guild_id, today, scheduled=True, **args)
                if claimed is None:
                    claimed = await self.bot.storage.claim_daily(sch.guild_id, today, scheduled=False, **args)
                assert claimed is not None
                run, post = claimed
                if post is not None:
                    self._inflight.add(run.run_id)
                    try:
                        await self._deliver(run, post)
                    finally:
                        self._inflight.discard(run.run_id)
                return await self.bot.storage.get_daily_run(run.run_id)
        finally:
            self._busy.discard(sch.guild_id)

    def _quiz(self) -> QuizService:
        return self.bot.services.quiz

    async def _close_previous(self, guild_id: int, keep: int) -> None:
        """Close (reveal) the server's open dailies older than post `keep`; members who did not
        answer them lose their streak (storage.close_post). Posts never sent are not among them:
        a given-up daily's post is deleted, and a server has one delivery in flight at a time."""
        quiz = self._quiz()
        for post in await self.bot.storage.open_posts(guild_id, kind="daily"):
            if post.post_id < keep:
                await self._pace()
                await quiz.close_post(post.post_id)

    async def _deliver(self, run: DailyRun, post: Post, *, first: bool = True) -> None:
        """Send a recorded daily: close the previous one, record the attempt (the claim recorded the
        first), send, record the message id."""
        storage = self.bot.storage
        question = self.bot.bank.get(post.question_key)
        if question is None:
            await storage.fail_daily_run(run.run_id, "failed", f"gone|{post.question_key}", now=self.now())
            return
        await self._close_previous(run.guild_id, keep=post.post_id)
        if not first:
            await storage.start_daily_attempt(run.run_id, now=self.now())
        await self._pace()
        try:
            sent = await self._quiz().post_question(
                run.channel_id or post.channel_id,
                run.guild_id,
                question,
                kind="daily",
                mention_role_id=run.role_id,
                closes_at=post.closes_at,
                post=post,
            )
        except PostFailed as exc:
            await storage.fail_daily_run(run.run_id, "failed", error_text(exc.error), now=self.now())
            return
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            # The message may or may not be out: recovery looks for it before sending again.
            log.warning("guild %s: sending the daily failed (%s); retrying later", run.guild_id, exc)
            self._retry_at[run.run_id] = self.now() + RETRY_AFTER
            await storage.set_daily_error(run.guild_id, f"http|{exc}"[:300], now=self.now())
            self.wake()
            return
        self._retry_at.pop(run.run_id, None)
        if sent.message_id is not None:
            await storage.complete_daily_run(run.run_id, sent.message_id, now=self.now())

    async def _find_sent(self, post: Post) -> int | None:
        """The id of the daily's message if it is in the channel (sent before a restart)."""
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        wanted = {ids.answer(post.post_id, letter) for letter in post.option_letters or ids.LETTERS}
        wanted.add(ids.multi(post.post_id))
        me = self.bot.user.id if self.bot.user else None
        try:
            async for message in channel.history(limit=HISTORY_LOOKBACK):
                if message.author.id != me:
                    continue
                for row in message.components:
                    for child in getattr(row, "children", ()):
                        if getattr(child, "custom_id", None) in wanted:
                            return message.id
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning(
                "guild %s: cannot read channel %s to check a daily: %s", post.guild_id, post.channel_id, exc
            )
        return None

    async def _recover(self, run: DailyRun) -> None:
        """A daily recorded but not known to be sent: complete it, send it, or give it up."""
        async with self._sem:
            storage = self.bot.storage
            now = self.now()
            post = await storage.get_post(run.post_id) if run.post_id is not None else None
            if post is None:
                await storage.fail_daily_run(run.run_id, "failed", "gone|post", now=now)
                return
            if post.message_id is not None:  # sent; only the last step was not recorded
                await storage.complete_daily_run(run.run_id, post.message_id, now=now)
                return
            if run.attempts > 0:  # a send had started: it may be out
                await self._pace()
                found = await self._find_sent(post)
                if found is None and await storage.count_answers(post.post_id) > 0:
                    # not found (no Read Message History?), but members answered it: it is out
                    log.info("guild %s: the daily of %s has answers: it was out", run.guild_id, run.local_day)
                    await storage.complete_daily_run(run.run_id, None, now=self.now())
                    return
                if found is not None:
                    log.info(
                        "guild %s: the daily of %s was out already (message %s)",
                        run.guild_id,
                        run.local_day,
                        found,
                    )
                    await storage.complete_daily_run(run.run_id, found, now=self.now())
                    return
            if post.is_closed:  # closed meanwhile: too late to show it
                await storage.fail_daily_run(run.run_id, "failed", "missed|", now=now)
                return
            tz = (await storage.get_guild_settings(run.guild_id)).timezone
            try:
                zone = ZoneInfo(resolve_timezone(tz))
            except ValueError:
                zone = ZoneInfo("UTC")
            if day_over(run.local_day, now, zone):
                await storage.fail_daily_run(run.run_id, "missed", "missed|", now=now)
                return
            if run.attempts >= MAX_SEND_ATTEMPTS:
                await storage.fail_daily_run(run.run_id, "failed", "unconfirmed|", now=now)
                return
            log.info(
                "guild %s: sending the daily of %s again (attempt %d)",
                run.guild_id,
                run.local_day,
                run.attempts + 1,
            )
            await self._deliver(run, post, first=False)


# --------------------------------------------------------------------------------------------
# the reset confirmation (persistent: works after a restart too)


class ResetButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=RESET_TEMPLATE):
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
        cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any, /
    ) -> ResetButton:
        return cls(match["action"], int(match["target"]), int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await _daily(interaction).reset_click(interaction, self.action, self.target, self.owner)


# --------------------------------------------------------------------------------------------
# the cog


class Daily(commands.Cog):
    quizadmin = app_commands.Group(
        name="quizadmin",
        description="Server admin: the daily question, the question bank, scores and settings",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),  # not in DMs, nor group DMs
    )
    daily = app_commands.Group(name="daily", description="The daily question's schedule", parent=quizadmin)

    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.scheduler = DailyScheduler(self)
        self.bank_status = BankStatus()
        if bot.settings.questions_git:
            with contextlib.suppress(bank_git.GitError):
                self.bank_status.git = bank_git.parse_source(bot.settings.questions_git)
            if bot.bank_git_error:
                self.bank_status.last_error, self.bank_status.last_error_at = bot.bank_git_error, utcnow()
        self._reload_lock = asyncio.Lock()
        self._candidates: dict[tuple[tuple[str, ...], str | None], dict[str, tuple[str, str]]] = {}
        self._candidates_of: Bank | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ResetButton)
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()
        self.bot.remove_dynamic_items(ResetButton)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.scheduler.wake()

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.scheduler.wake()

    #: /quizadmin commands that change things for every server the bot is in: the bot's owners
    #: only (OWNER_IDS, the application's owner or team), not a server's admins.
    BOT_WIDE = frozenset({"quizadmin reload"})

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """/quizadmin needs Manage Server, checked here too: `default_permissions` only hides the
        command, and a server's owner can make it visible to anyone. Bot-wide commands
        (`BOT_WIDE`) need one of the bot's owners instead."""
        locale = locale_of(interaction.locale)
        if interaction.guild_id is None:
            raise app_commands.CheckFailure(t("admin.guild_only", locale))
        command = interaction.command
        if command is not None and command.qualified_name in self.BOT_WIDE:
            if not await self.bot.is_bot_owner(interaction.user):
                owners = ", ".join(self.bot.owner_mentions()) or "—"
                log.info(
                    "guild %s: %s may not run /%s (not an owner of the bot)",
                    interaction.guild_id,
                    interaction.user.id,
                    command.qualified_name,
                )
                raise app_commands.CheckFailure(t("admin.owner_only", locale, owners=owners))
            return True
        if not interaction.permissions.manage_guild:
            raise app_commands.CheckFailure(t("admin.not_allowed", locale))
        return True

    # ---------------------------------------------------------------- helpers

    def _quiz(self) -> QuizService:
        return self.bot.services.quiz

    def matching(self, topics: Sequence[str], difficulty: str | None) -> list[Question]:
        """The questions a daily with this filter can ask (any of the topics, and the level). Each
        topic selects its family and topics.yaml group in the bank as it is now (bot.bank.topics)."""
        bank = self.bot.bank
        level = Filter(difficulty=difficulty) if difficulty else None
        tops = [
            Filter.of(bank.topics.resolve(topic) or Selection(topic, "family", frozenset(), 0))
            for topic in topics
        ]
        return [
            q
            for q in bank.questions
            if (level is None or level.matches(q)) and (not tops or any(f.matches(q) for f in tops))
        ]

    def candidates(self, topics: Sequence[str], difficulty: str | None) -> dict[str, tuple[str, str]]:
        """key -> (correct letters, option letters) of the matching questions (cached per bank)."""
        if self._candidates_of is not self.bot.bank or len(self._candidates) > 256:
            self._candidates_of = self.bot.bank  # (a reference, so its id is never reused meanwhile)
            self._candidates.clear()
        key = (tuple(topics), difficulty)
        found = self._candidates.get(key)
        if found is None:
            found = {
                q.key: ("".join(q.answer), "".join(q.options)) for q in self.matching(topics, difficulty)
            }
            self._candidates[key] = found
        return found

    def _describe_filter(self, sch: DailySchedule, locale: str) -> str:
        parts = [", ".join(f"`{x}`" for x in sch.topics)] if sch.topics else []
        if sch.difficulty:
            parts.append(f"`{sch.difficulty}`")
        return " · ".join(parts) or t("daily.filter_all", locale)

    @staticmethod
    def _missing_perms(channel: discord.abc.GuildChannel, locale: str) -> tuple[list[str], list[str]]:
        """(missing needed, missing advised) permission names of the bot in `channel`."""
        me = channel.guild.me
        if me is None:  # not cached (yet): let Discord be the judge when posting
            return [], []
        perms = channel.permissions_for(me)
        needed = [
            name for name in ("view_channel", "send_messages", "embed_links") if not getattr(perms, name)
        ]
        advised = [] if perms.read_message_history else ["read_message_history"]
        return [t(f"admin.perm.{n}", locale) for n in needed], [t(f"admin.perm.{n}", locale) for n in advised]

    def _next_post(self, sch: DailySchedule, taken: dict[str, str]) -> datetime | None:
        if not sch.enabled:
            return None
        now, tz, at = self.scheduler.now(), sch.tz, sch.at
        slot = slot_due(now, at, tz, sch.active_since)
        if slot is not None and slot[0].isoformat() not in taken:
            return now  # due now (catching up)
        day = local_day(now, tz)
        for offset in range(0, 400):
            d = day + timedelta(days=offset)
            due = due_at(d, at, tz)
            if due > now and d.isoformat() not in taken:
                return due
        return None

    # ---------------------------------------------------------------- the bank

    async def refresh_bank(self, *, pull: bool) -> ReloadReport:
        """Pull the Git bank (if any), re-read the bank and swap it in atomically. A failed pull, or
        a bank that reads as empty, keeps the bank already loaded."""
        async with self._reload_lock:
            bot, status = self.bot, self.bank_status
            settings = bot.settings
            report = ReloadReport(old_count=len(bot.bank.questions))
            if settings.questions_git:
                try:
                    source = bank_git.parse_source(settings.questions_git)
                    status.git = source
                    report.git = await bank_git.sync(source, settings.questions_dir, pull=pull)
                    status.last_sync, status.last_sync_at = report.git, self.scheduler.now()
                    status.last_error = status.last_error_at = None
                except bank_git.GitError as exc:
                    log.warning("updating the question bank from Git failed: %s", exc)
                    report.git_error = status.last_error = str(exc)
                    status.last_error_at = self.scheduler.now()
                    return report
            try:
                root = bank_git.safe_bank_dir(settings.questions_dir, settings.questions_git)
            except bank_git.GitError as exc:
                log.warning("the question bank folder is refused: %s", exc)
                report.git_error = status.last_error = str(exc)
                status.last_error_at = self.scheduler.now()
                return report
            # a file that loaded before and is broken now keeps its last good questions
            new = (await asyncio.to_thread(load_bank, root)).keeping_last_good(bot.bank)
            report.bank = new
            if not new.questions and bot.bank.questions:
                log.warning(
                    "the reloaded bank has no question; keeping the %d loaded", len(bot.bank.questions)
                )
                return report
            report.added, report.changed, report.removed = diff_banks(bot.bank, new)
            bot.bank = new
            report.swapped = True
            await bot.storage.sync_question_tags(new.questions)
            settle_heap()
            log.info("question bank reloaded: %s", new.summary_line())
            return report

    def _reload_text(self, report: ReloadReport, locale: str) -> str:
        lines: list[str] = []
        if report.git is not None:
            lines.append(t("admin.reload_git", locale, result=report.git.describe()))
        if report.git_error is not None:
            lines.append(t("admin.reload_git_failed", locale, reason=report.git_error, n=report.old_count))
            return "\n".join(lines)
        bank = report.bank
        assert bank is not None
        if not report.swapped:
            lines.append(t("admin.reload_empty", locale, n=report.old_count))
        else:
            lines.append(
                t(
                    "admin.reload_done",
                    locale,
                    n=len(bank.questions),
                    added=len(report.added),
                    changed=len(report.changed),
                    removed=len(report.removed),
                )
            )
            for label, keys in (
                ("admin.reload_added", report.added),
                ("admin.reload_changed", report.changed),
                ("admin.reload_removed", report.removed),
            ):
                if keys:
                    shown = ", ".join(f"`{k}`" for k in keys[:15])
                    more = t("admin.more", locale, n=len(keys) - 15) if len(keys) > 15 else ""
                    lines.append(f"{t(label, locale)} {shown}{more}")
        if bank.kept:
            files = ", ".join(f"`{path}`" for path in list(bank.kept)[:8])
            more = t("admin.more", locale, n=len(bank.kept) - 8) if len(bank.kept) > 8 else ""
            lines.append(t("admin.reload_kept", locale, files=files + more))
        errors = bank.errors
        if errors:
            lines.append(t("admin.reload_failed_files", locale, n=len(errors)))
            lines += [f"- `{p.path}:{p.line}` {cut(p.reason, 160)}" for p in errors[:12]]
            if len(errors) > 12:
                lines.append(t("admin.more", locale, n=len(errors) - 12))
        return cut("\n".join(lines), MESSAGE)

    def _bank_text(self, locale: str) -> str:
        bank, status = self.bot.bank, self.bank_status
        qs = bank.questions

        def counts(counter: Counter[str], limit: int) -> str:
            items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            text = ", ".join(f"{k} {v}" for k, v in items[:limit]) or "—"
            return text + (f", … (+{len(items) - limit})" if len(items) > limit else "")

        lines = [t("admin.bank_empty", locale)] if not qs else []
        lines += [
            t(
                "admin.bank_summary",
                locale,
                n=len(qs),
                files=bank.files_read,
                copies=bank.copies_merged,
                skipped=len(bank.skipped),
                errors=len(bank.errors),
                warnings=len(bank.problems) - len(bank.errors),
            ),
            f"{t('admin.bank_collections', locale)} {counts(Counter(q.collection or '(root)' for q in qs), 8)}",
            f"{t('admin.bank_difficulty', locale)} {counts(Counter(q.difficulty or '—' for q in qs), 6)}",
            f"{t('admin.bank_topics', locale)} {counts(bank.topic_counts(), 12)}",
        ]
        if status.git is not None:
            lines.append(t("admin.bank_git", locale, source=status.git.describe()))
            if status.last_sync is not None and status.last_sync_at is not None:
                when = discord.utils.format_dt(status.last_sync_at, "R")
                lines.append(
                    t("admin.bank_git_synced", locale, result=status.last_sync.describe(), when=when)
                )
            if status.last_error is not None and status.last_error_at is not None:
                when = discord.utils.format_dt(status.last_error_at, "R")
                lines.append(t("admin.bank_git_error", locale, reason=status.last_error, when=when))
        problems: list[Problem] = bank.errors + [p for p in bank.problems if p.severity != "error"]
        if problems:
            lines.append(t("admin.bank_problems", locale))
            budget = MESSAGE - sum(len(x) + 1 for x in lines) - 80
            shown = 0
            for p in problems:
                line = f"- {'❌' if p.severity == 'error' else '⚠️'} `{p.path}:{p.line}` {cut(p.reason, 150)}"
                if len(line) + 1 > budget:
                    break
                lines.append(line)
                budget -= len(line) + 1
                shown += 1
            if shown < len(problems):
                lines.append(t("admin.more", locale, n=len(problems) - shown))
        if bank.skipped:
            budget = MESSAGE - sum(len(x) + 1 for x in lines) - 80
            header = t("admin.bank_skipped", locale)
            shown_skipped: list[str] = []
            for s in bank.skipped:
                line = f"- ⏭️ `{s.path}` {cut(s.reason, 100)}"
                if len(line) + len(header) + 2 > budget:
                    break
                shown_skipped.append(line)
                budget -= len(line) + 1
            if shown_skipped:
                lines.append(header)
                lines += shown_skipped
                if len(shown_skipped) < len(bank.skipped):
                    lines.append(t("admin.more", locale, n=len(bank.skipped) - len(shown_skipped)))
        return cut("\n".join(lines), MESSAGE)

    # ---------------------------------------------------------------- /quizadmin daily set|show|off

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
        storage = self.bot.storage
        try:
            when = parse_hhmm(at)
        except ValueError:
            await reply(interaction, t("daily.bad_time", locale, value=at))
            return
        zone_name = timezone or (await storage.get_guild_settings(guild_id)).timezone
        try:
            zone_name = resolve_timezone(zone_name)
        except ValueError:
            message = t("daily.bad_timezone", locale, value=zone_name)
            close = close_timezones(zone_name)
            if close:
                message += "\n" + t("quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close))
            await reply(interaction, message)
            return
        wanted = split_topics(topics)
        index = self.bot.bank.topics
        resolved: list[str] = []  # stored as resolved names: each selects its family or group again
        for topic in wanted:
            selection = index.resolve(topic)
            if selection is None or not selection.count:
                message = t("quiz.unknown_topic", locale, topic=topic)
                close = index.close(topic) or index.popular()
                if close:
                    message += "\n" + t(
                        "quiz.did_you_mean", locale, options=", ".join(f"`{c}`" for c in close)
                    )
                await reply(interaction, message)
                return
            if selection.name not in resolved:
                resolved.append(selection.name)
        if role is not None and role.is_default():
            await reply(interaction, t("daily.role_everyone", locale))
            return
        missing, advised = self._missing_perms(channel, locale)
        if missing:
            await reply(
                interaction, t("daily.cannot_post", locale, channel=channel.mention, perms=", ".join(missing))
            )
            return
        level = difficulty.value if difficulty else None
        n = len(self.matching(resolved, level))
        if self.bot.bank.questions and n == 0:
            await reply(interaction, t("daily.no_match", locale))
            return
        now = self.scheduler.now()
        sch = await storage.set_daily_schedule(
            guild_id,
            channel_id=channel.id,
            time=format_hhmm(when),
            timezone=zone_name,
            topics=resolved,
            difficulty=level,
            role_id=role.id if role else None,
            now=now,
        )
        self.scheduler.wake()
        nxt = self._next_post(sch, await storage.scheduled_days(guild_id, local_day(now, sch.tz)))
        lines = [
            t(
                "daily.set_done",
                locale,
                channel=channel.mention,
                time=sch.time,
                zone=sch.timezone,
                questions=self._describe_filter(sch, locale),
                n=n,
            )
        ]
        if nxt is not None:
            lines.append(
                t(
                    "daily.next",
                    locale,
                    when=discord.utils.format_dt(nxt, "F"),
                    relative=discord.utils.format_dt(nxt, "R"),
                )
            )
        if role is not None:
            lines.append(t("daily.mentions", locale, role=role.mention))
            me = channel.guild.me
            if not role.mentionable and not channel.permissions_for(me).mention_everyone:
                lines.append(t("daily.role_not_mentionable", locale, role=role.mention))
        if advised:
            lines.append(t("daily.advise_history", locale, perms=", ".join(advised)))
        if not self.bot.bank.questions:
            lines.append(t("quiz.empty_bank", locale))
        await reply(interaction, "\n".join(lines), allowed_mentions=NO_MENTIONS)

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

    @daily.command(name="show", description="Show the daily question's schedule and how it went")
    async def daily_show(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        storage = self.bot.storage
        sch = await storage.get_daily_schedule(guild_id)
        if sch is None:
            await reply(interaction, t("daily.none", locale))
            return
        now = self.scheduler.now()
        tz = sch.tz
        taken = await storage.scheduled_days(guild_id, local_day(now, tz) - timedelta(days=1))
        state = t("daily.state_on" if sch.enabled else "daily.state_off", locale)
        utc_time = format_hhmm(due_at(local_day(now, tz), sch.at, tz).time())
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
        nxt = self._next_post(sch, taken)
        if nxt is not None:
            lines.append(
                t(
                    "daily.next",
                    locale,
                    when=discord.utils.format_dt(nxt, "F"),
                    relative=discord.utils.format_dt(nxt, "R"),
                )
            )
        matching = [q.key for q in self.matching(sch.topics, sch.difficulty)]
        used, total = rotation_progress(await storage.daily_rotation(guild_id), matching)
        lines.append(
            t(
                "daily.show_questions",
                locale,
                questions=self._describe_filter(sch, locale),
                n=total,
                used=used,
            )
        )
        lines.append(
            t(
                "daily.show_role",
                locale,
                role=f"<@&{sch.role_id}>" if sch.role_id else t("daily.no_role", locale),
            )
        )
        skipped = sorted(
            d for d, s in taken.items() if s == "skipped" and d >= local_day(now, tz).isoformat()
        )
        if skipped:
            lines.append(t("daily.show_skipped", locale, days=", ".join(skipped)))
        runs = await storage.daily_runs(guild_id, limit=5)
        if runs:
            lines.append(t("daily.show_recent", locale))
            for run in runs:
                status = t(f"daily.status.{run.status}", locale)
                what = f" `{run.question_key}`" if run.question_key else ""
                error = (
                    f" — {describe_error(run.error, locale)}" if run.error and run.status != "sent" else ""
                )
                lines.append(f"- {run.local_day.isoformat()}{what}: {status}{error}")
        if sch.last_error and sch.last_error_at is not None:
            lines.append(
                t(
                    "daily.show_error",
                    locale,
                    when=discord.utils.format_dt(sch.last_error_at, "R"),
                    error=describe_error(sch.last_error, locale),
                )
            )
        channel = interaction.guild.get_channel(sch.channel_id) if interaction.guild else None
        if channel is None:
            lines.append(t("daily.channel_gone", locale))
        else:
            missing, _ = self._missing_perms(channel, locale)
            if missing:
                lines.append(
                    t("daily.cannot_post", locale, channel=channel.mention, perms=", ".join(missing))
                )
        bank_status = self.bank_status
        if bank_status.last_error and bank_status.last_error_at is not None:
            when = discord.utils.format_dt(bank_status.last_error_at, "R")
            lines.append(t("admin.bank_git_error", locale, reason=bank_status.last_error, when=when))
        await reply(interaction, cut("\n".join(lines), MESSAGE), allowed_mentions=NO_MENTIONS)

    @daily.command(name="off", description="Pause the daily question (the schedule is kept)")
    async def daily_off(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        sch = await self.bot.storage.get_daily_schedule(guild_id)
        if sch is None or not sch.enabled:
            await reply(interaction, t("daily.already_off", locale))
            return
        await self.bot.storage.disable_daily_schedule(guild_id, now=self.scheduler.now())
        self.scheduler.wake()
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
        missing, _ = self._missing_perms(channel, locale)
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
        run = await self.scheduler.post_now(sch)
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
        storage = self.bot.storage
        sch = await storage.get_daily_schedule(guild_id)
        if sch is None or not sch.enabled:
            await reply(interaction, t("daily.none" if sch is None else "daily.already_off", locale))
            return
        now, tz, at = self.scheduler.now(), sch.tz, sch.at
        today = local_day(now, tz)
        if undo:
            unskipped = await storage.unskip_daily(guild_id, today)
            self.scheduler.wake()
            key = "admin.unskipped" if unskipped else "admin.nothing_skipped"
            await reply(interaction, t(key, locale, day=unskipped or ""))
            return
        taken = await storage.scheduled_days(guild_id, today)
        for offset in range(0, 400):
            day = today + timedelta(days=offset)
            due = due_at(day, at, tz)
            if day.isoformat() in taken or due < sch.active_since:
                continue  # posted (or skipped) already, or before the schedule was set
            if await storage.skip_daily(guild_id, day, due_at=due, now=now):
                self.scheduler.wake()
                await reply(
                    interaction,
                    t("admin.skipped", locale, day=day.isoformat(), when=discord.utils.format_dt(due, "F")),
                )
                return
        await reply(interaction, t("admin.nothing_skipped", locale, day=""))

    # ---------------------------------------------------------------- reload, bank

    @quizadmin.command(
        name="reload", description="Re-read the question bank (pulling it first when it comes from Git)"
    )
    async def reload(self, interaction: discord.Interaction) -> None:
        locale = locale_of(interaction.locale)
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.refresh_bank(pull=True)
        await reply(interaction, self._reload_text(report, locale))

    @quizadmin.command(name="bank", description="The question bank: counts and problems")
    async def bank(self, interaction: discord.Interaction) -> None:
        await reply(interaction, self._bank_text(locale_of(interaction.locale)))

    # ---------------------------------------------------------------- reset, export

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

    async def reset_click(
        self, interaction: discord.Interaction, action: str, target: int, owner: int
    ) -> None:
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
        n = await self.bot.storage.reset_scores(interaction.guild_id, target or None)
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

    @quizadmin.command(name="export", description="Download the scores as a CSV file")
    @app_commands.describe(period="Which totals (default: all time)")
    @app_commands.choices(period=PERIODS)
    async def export(
        self, interaction: discord.Interaction, period: app_commands.Choice[str] | None = None
    ) -> None:
        locale = locale_of(interaction.locale)
        guild_id = interaction.guild_id
        assert guild_id is not None
        which = period.value if period else "all"
        rows = await self.bot.storage.export_scores(guild_id, which)  # type: ignore[arg-type]
        buf = io.StringIO()
        out = csv.writer(buf)
        out.writerow(
            [
                "rank",
                "user_id",
                "display_name",
                "period",
                "points",
                "answers",
                "correct",
                "accuracy",
                "current_streak",
                "best_streak",
            ]
        )
        for rank, row in enumerate(rows, start=1):
            out.writerow(
                [
                    rank,
                    str(row.user_id),
                    _csv_cell(row.display_name or ""),
                    row.period_key,
                    row.points,
                    row.answers,
                    row.correct,
                    "" if row.accuracy is None else f"{row.accuracy:.4f}",
                    row.current_streak,
                    row.best_streak,
                ]
            )
        data = buf.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read names as UTF-8
        file = discord.File(io.BytesIO(data), filename=f"quizbot-scores-{which}.csv")
        await interaction.response.send_message(
            t("admin.exported", locale, n=len(rows)), file=file, ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # ---------------------------------------------------------------- settings

    @quizadmin.command(
        name="settings", description="Practice cooldown, practice post lifetime, language of posts"
    )
    @app_commands.describe(
        cooldown="Seconds a member waits between public /quiz posts (0: no wait)",
        practice_lifetime="Minutes a /quiz post stays open before its answer is revealed",
        language="Language of public posts (auto: the server's Discord language)",
    )
    @app_commands.choices(language=LANGUAGES)
    async def settings(
        self,
        interaction: discord.Interaction,
        cooldown: app_commands.Range[int, 0, 86_400] | None = None,
        practice_lifetime: app_commands.Range[int, 1, 10_080] | None = None,
        language: app_commands.Choice[str] | None = None,
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
            self._quiz().set_post_locale(guild_id, value)
        chosen = settings.extra.get("post_locale")
        lang = {"en": "English", "zh-TW": "繁體中文"}.get(str(chosen), t("admin.language_auto", locale))
        text = t(
            "admin.settings",
            locale,
            cooldown=settings.practice_cooldown_s,
            lifetime=settings.practice_lifetime_s // 60,
            language=lang,
            zone=settings.timezone,
        )
        if changes or language is not None:
            text = t("admin.settings_saved", locale) + "\n" + text
        await reply(interaction, text)


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Daily(bot))
