"""The daily question's scheduler: ONE loop for every server, its deliveries and their recovery.
One per bot (`bot.services.scheduler`), started and stopped by the Daily cog (bot/cogs/daily.py).

A thin adapter: the rules (due times, DST, catching up, rotation) are in bot.core.schedule, the
records in bot.storage (migration 0002), posting and the reveal in the QuizService
(bot/cogs/posts.py), the day's Git pull in the BankService (bot/cogs/bank_service.py). See
docs/daily.md.

Never posted twice: a daily is recorded in SQLite (run + post row, one transaction, unique per
server and local day) BEFORE anything is sent, and every send is recorded before it starts. On
start, a recorded daily whose message id is unknown is looked for in the channel (adopted when
found), otherwise re-sent once while its day lasts (with a nonce, which Discord also deduplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp
import discord

from bot.bank import Bank
from bot.bank.model import Question
from bot.bank.select import Filter
from bot.bank.topics import Selection
from bot.cogs.posts import PostFailed
from bot.core import Post
from bot.core.schedule import (
    DailyRun,
    DailySchedule,
    closes_at,
    day_over,
    local_day,
    next_due,
    resolve_timezone,
    slot_due,
)
from bot.render import ids

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.cogs.bank_service import BankService
    from bot.cogs.posts import QuizService
    from bot.cogs.reports_service import ReportService

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 3  # sends of one recorded daily, first try included; then it is given up
RETRY_AFTER = timedelta(minutes=2)  # after a transient error (5xx, timeout, network)
MAX_SLEEP = 3600.0  # the loop looks again at least hourly (clock jumps, suspended machines)
HISTORY_LOOKBACK = 100  # messages searched for a daily that may have gone out before a restart


def utcnow() -> datetime:
    return datetime.now(UTC)


def error_text(exc: discord.HTTPException) -> str:
    """A stored error ('<kind>|<detail>') for a failed send."""
    kind = "not_found" if isinstance(exc, discord.NotFound) else "forbidden"
    if isinstance(exc, discord.Forbidden) and exc.code == 50001:
        kind = "no_access"
    return f"{kind}|{exc.status} {exc.code}: {exc.text}"[:300]


class DailyScheduler:
    """ONE loop for every server: sleeps until the next due server (or until woken), posts what is
    due with bounded concurrency and a request pace, and recovers dailies recorded but not known
    to be sent.

    `now` is the clock (tests replace it); `wake()` makes the loop look again at once, and
    `await run_pending()` waits until a whole pass that began after the call, and the posts it
    started, are done.
    """

    def __init__(
        self,
        bot: QuizBot,
        *,
        quiz: QuizService,
        bank: BankService,
        reports: ReportService,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.bot = bot
        self.quiz = quiz
        self.bank = bank
        self.reports = reports
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
        self._candidates: dict[tuple[tuple[str, ...], str | None], dict[str, tuple[str, str]]] = {}
        self._candidates_of: Bank | None = None

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

    # ---------------------------------------------------------------- the daily's filter

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

    def guild_candidates(self, sch: DailySchedule) -> Mapping[str, tuple[str, str]]:
        """`candidates` of the server's filter, minus the questions the server paused (docs/reports.md)."""
        found = self.candidates(sch.topics, sch.difficulty)
        paused = self.reports.paused(sch.guild_id)
        if not paused:
            return found
        return {k: v for k, v in found.items() if k not in paused}

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
            if self.passes == 1:  # (tests of whole processes wait for it)
                log.info("daily scheduler: first pass done; next look at %s", self.next_wake)
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
            if not self.bot.owns(run.guild_id):  # another shard's process settles it
                continue
            if run.run_id in self._inflight or run.guild_id in self._busy:
                continue
            retry = self._retry_at.get(run.run_id)
            if retry is not None and retry > now:
                wake_at.append(retry)
                continue
            self._launch(self._recover(run), run.guild_id, run.run_id, started)
        due: list[tuple[DailySchedule, date, datetime]] = []
        for sch in schedules:
            if not self.bot.owns(sch.guild_id):  # another shard's process posts it
                continue
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
            await self.bank.refresh_bank(pull=True)
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
                candidates=self.guild_candidates(sch),
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
                args: dict[str, Any] = {
                    "due_at": now,
                    "now": now,
                    "channel_id": sch.channel_id,
                    "role_id": sch.role_id,
                    "candidates": self.guild_candidates(sch),
                    "closes_at": closes,
                    "rng": self.rng,
                }
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

    async def _close_previous(self, guild_id: int, keep: int) -> None:
        """Close (reveal) the server's open dailies older than post `keep`; members who did not
        answer them lose their streak (storage.close_post). Posts never sent are not among them:
        a given-up daily's post is deleted, and a server has one delivery in flight at a time."""
        for post in await self.bot.storage.open_posts(guild_id, kind="daily"):
            if post.post_id < keep:
                await self._pace()
                await self.quiz.close_post(post.post_id)

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
            sent = await self.quiz.post_question(
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
