"""`Storage`: the SQLite `Store` (bot/storage/interface.py): one database connection per process,
the answer writer, and every query.

Every public method runs one synchronous function of `bot/storage/sqlite/` (answers, posts,
boards, daily, admin, exams: those methods are in `exam_store.py`) whole on aiosqlite's worker
thread (`connection.py`), so a method costs one thread hop, not one per statement. Answers go through the group-commit writer
(`bot/storage/writer.py`): the answers that arrive while the previous batch is being written are
written together in one transaction, and each caller's await returns once its answer is committed.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from bot.core.answers import AnswerRequest
from bot.core.models import (
    AnswerOutcome,
    CloseResult,
    GuildSettings,
    LeaderboardMetric,
    LeaderboardPage,
    Post,
    ScoreRow,
    ServerStats,
    StoredAnswer,
    UserStats,
)
from bot.core.periods import PeriodKind
from bot.core.rules import normalize_letters
from bot.core.schedule import DailyRun, DailySchedule, RotationEntry
from bot.core.shards import ShardFilter
from bot.core.spoiler import SpoilerFacts
from bot.storage import migrate
from bot.storage.interface import TaggedQuestion
from bot.storage.shared import OpenDailyKeys, check_post, tag_rows, utcnow
from bot.storage.sqlite import admin, answers, boards, common, daily, posts
from bot.storage.sqlite.common import configure, to_ms
from bot.storage.sqlite.connection import WorkerConnection
from bot.storage.sqlite.dashboard_store import DashboardStore
from bot.storage.sqlite.exam_store import ExamStore
from bot.storage.sqlite.report_store import ReportStore
from bot.storage.sqlite.review_store import ReviewStore
from bot.storage.writer import AnswerWriter

log = logging.getLogger(__name__)
T = TypeVar("T")


class Worker(Protocol):
    """What runs the statement modules: SQLite's WorkerConnection, PostgreSQL's PgWorker."""

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T: ...
    async def close(self) -> None: ...


class Storage(ExamStore, ReviewStore, ReportStore, DashboardStore):
    """The SQLite store. Open with `await Storage.open(path)` (or `async with await Storage.open(path)`).
    The mock-exam methods come from `ExamStore` (sqlite/exam_store.py), the review ones from
    `ReviewStore` (sqlite/review_store.py), the reports and paused questions from `ReportStore`
    (sqlite/report_store.py), the web dashboard's from `DashboardStore` (sqlite/dashboard_store.py)."""

    def __init__(self, conn: Worker, path: str, max_batch: int) -> None:
        self._worker = conn
        self.path = path
        self._writer = AnswerWriter(self._write_batch, max_batch)
        self._closed = False
        self._dailies = OpenDailyKeys()

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    async def open(
        cls,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        max_batch: int = 4096,
        cache_mib: int = 64,
    ) -> Storage:
        """Open (creating if needed) the database, set it up and apply pending migrations."""
        path_s = str(path)
        if path_s != ":memory:" and not path_s.startswith("file:"):
            Path(path_s).parent.mkdir(parents=True, exist_ok=True)
        conn = await WorkerConnection.open(path_s)
        try:

            def setup(raw: sqlite3.Connection) -> list[int]:
                configure(raw, synchronous, cache_mib)
                return migrate.migrate(raw)

            applied = await conn.run(setup)
        except BaseException:
            await conn.close()
            raise
        if applied:
            log.info("database %s: applied migrations %s", path_s, applied)
        return cls(conn, path_s, max_batch)

    #: See `Store.hears_daily_changes`: another process's changes to the file go unseen.
    hears_daily_changes = False

    @property
    def cache_open_dailies(self) -> bool:
        """See `Store.cache_open_dailies`: the bot sets it when it is the one process on the file."""
        return self._dailies.enabled

    @cache_open_dailies.setter
    def cache_open_dailies(self, value: bool) -> None:
        self._dailies.enabled = value

    @property
    def open_daily_reads(self) -> int:
        """How many times `open_daily_key_set` read the database (tests, benches)."""
        return self._dailies.reads

    @property
    def batches_written(self) -> int:
        return self._writer.batches_written

    @property
    def answers_written(self) -> int:
        return self._writer.answers_written

    async def close(self) -> None:
        """Write the answers still queued, then close the connection."""
        if self._closed:
            return
        self._closed = True
        await self._writer.flush()
        await self._worker.close()

    async def notify_reload(self, sender: str) -> None:
        """Nothing: an SQLite database has one process (the one that reloaded)."""

    async def listen_reload(
        self, callback: Callable[[str], Awaitable[None]]
    ) -> Callable[[], Awaitable[None]]:
        """Never calls back (one process); the stop function does nothing."""

        async def stop() -> None:
            return None

        return stop

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(conn, *args, **kwargs)` whole on the connection's worker thread."""
        return await self._worker.run(fn, *args, **kwargs)

    async def _run_dailies(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`_run` for a call that may open or close a daily post (see `open_daily_key_set`)."""
        with self._dailies.changing():
            return await self._worker.run(fn, *args, **kwargs)

    # ---------------------------------------------------------------- answers (group commit)

    async def record_answer(
        self,
        guild_id: int,
        post_id: int,
        user_id: int,
        letters: str,
        *,
        display_name: str | None = None,
        answered_at: datetime | None = None,
    ) -> AnswerOutcome:
        """Record a member's answer to a post; returns once it is committed (or refused).

        `letters` may be in any order/case ("da" is stored as "AD"); ValueError if it has no
        option letter. Concurrent calls are written together in one transaction.
        """
        if self._closed:
            raise RuntimeError("storage is closed")
        req = AnswerRequest(
            guild_id=guild_id,
            post_id=post_id,
            user_id=user_id,
            letters=normalize_letters(letters),
            display_name=display_name,
            answered_ms=to_ms(answered_at or utcnow()),
        )
        return await self._writer.submit(req)

    async def _write_batch(self, reqs: Sequence[AnswerRequest]) -> list[AnswerOutcome | Exception]:
        return await self._worker.run(answers.write_answers, reqs)

    async def get_answer(self, post_id: int, user_id: int) -> StoredAnswer | None:
        return await self._run(answers.get_answer, post_id, user_id)

    async def answers_for_post(self, post_id: int) -> list[StoredAnswer]:
        return await self._run(answers.answers_for_post, post_id)

    async def count_answers(self, post_id: int) -> int:
        """How many members answered the post (answers still queued are not counted)."""
        return await self._run(answers.count_answers, post_id)

    async def answered_questions(self, guild_id: int, user_id: int, *, correct_only: bool = True) -> set[str]:
        """Question keys this member answered (correctly, by default) in this guild."""
        return await self._run(answers.answered_questions, guild_id, user_id, correct_only)

    # ---------------------------------------------------------------- posts

    async def create_post(
        self,
        guild_id: int,
        channel_id: int,
        question_key: str,
        kind: str,
        correct_letters: str | Iterable[str],
        *,
        closes_at: datetime | None = None,
        lifetime: timedelta | None = None,
        option_letters: str | Iterable[str] = "",
        requested_by: int | None = None,
        created_at: datetime | None = None,
        private: bool = False,
    ) -> Post:
        """Create a post before sending its message (its post_id goes into the custom_ids).

        Give `closes_at`, or `lifetime`, or neither: then the guild's daily/practice lifetime applies.
        `private`: an ephemeral practice post, seen by its requester only (`requested_by`).
        """
        correct, options = check_post(
            kind, correct_letters, option_letters, private=private, requested_by=requested_by
        )
        created = created_at or utcnow()
        if closes_at is None:
            if lifetime is None:
                settings = await self.get_guild_settings(guild_id)
                seconds = settings.daily_lifetime_s if kind == "daily" else settings.practice_lifetime_s
                lifetime = timedelta(seconds=seconds)
            closes_at = created + lifetime
        run = self._run_dailies if kind == "daily" else self._run
        return await run(
            posts.create_post,
            guild_id=guild_id,
            channel_id=channel_id,
            question_key=question_key,
            kind=kind,
            correct_letters=correct,
            option_letters=options,
            created_ms=to_ms(created),
            closes_ms=to_ms(closes_at),
            requested_by=requested_by,
            private=private,
        )

    async def set_message_id(
        self, post_id: int, message_id: int, *, posted_at: datetime | None = None
    ) -> Post | None:
        return await self._run(posts.set_message_id, post_id, message_id, to_ms(posted_at or utcnow()))

    async def get_post(self, post_id: int) -> Post | None:
        return await self._run(posts.get_post, post_id)

    async def get_post_by_message(self, message_id: int) -> Post | None:
        return await self._run(posts.get_post_by_message, message_id)

    async def close_post(self, post_id: int, *, closed_at: datetime | None = None) -> CloseResult | None:
        """Close a post: answer distribution, and for a daily the missed-daily streak resets.

        Idempotent: closing a closed post returns its figures with newly_closed=False and
        streaks_reset=0. None if there is no such post. Answers queued before this call are
        written first (they were clicked before the close).
        """
        await self.flush()
        result = await self._run(posts.close_post, post_id, to_ms(closed_at or utcnow()))
        if result is not None and result.post.kind == "daily":  # (until then, it is hidden a bit longer)
            self._dailies.changed()
        return result

    async def due_posts(
        self, *, now: datetime | None = None, limit: int = 100, shards: ShardFilter | None = None
    ) -> list[Post]:
        """Open posts whose closes_at has passed (close them; survives restarts), of the servers
        of `shards` (None: every server)."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        return await self._run(posts.due_posts, to_ms(now or utcnow()), limit, shards)

    async def open_posts(self, guild_id: int, *, kind: str | None = None) -> list[Post]:
        return await self._run(posts.open_posts, guild_id, kind)

    async def last_practice_post(self, guild_id: int, user_id: int) -> Post | None:
        """The latest public post this member requested (for the practice cooldown)."""
        return await self._run(posts.last_practice_post, guild_id, user_id)

    async def open_private_posts(self, guild_id: int, user_id: int) -> list[Post]:
        """This member's private (ephemeral) practice posts still open in this guild, oldest first."""
        return await self._run(posts.open_private_posts, guild_id, user_id)

    async def postpone_post(self, post_id: int, closes_at: datetime) -> Post | None:
        """Keep an open post open until `closes_at` at least (its reveal waits)."""
        return await self._run(posts.postpone_post, post_id, to_ms(closes_at))

    # ---------------------------------------------------------------- the spoiler rule (bot/core/spoiler.py)

    async def spoiler_facts(self, user_id: int, keys: Iterable[str] | None = None) -> SpoilerFacts:
        """The open daily posts (of every question, or of `keys`), which of them `user_id` answered,
        and the servers among theirs where this user is a known member. No query when none of
        `keys` (or no question at all) is an open daily."""
        wanted = None if keys is None else list(keys)
        open_keys = await self.open_daily_key_set()
        if not open_keys or (wanted is not None and open_keys.isdisjoint(wanted)):
            return SpoilerFacts()
        return await self._run(posts.spoiler_facts, user_id, wanted)

    async def open_daily_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` that are the question of an open daily post, in any server."""
        return set(await self.open_daily_key_set()).intersection(keys)

    async def open_daily_key_set(self) -> frozenset[str]:
        """The question keys of every open daily post. With `cache_open_dailies` (the bot, the only
        writer of daily posts) read again only after a change made through this Storage (a daily
        posted, closed or given up; `run_sync`); otherwise read every time. (PostgreSQL: after a
        change by any process too, while it hears them: `PostgresStore`.)"""
        return await self._dailies.get(lambda: self._run(posts.open_daily_key_set))

    async def flush(self) -> None:
        """Wait until every answer queued so far is written."""
        await self._writer.flush()

    # ---------------------------------------------------------------- guilds and members

    async def get_guild_settings(self, guild_id: int) -> GuildSettings:
        """The guild's settings (defaults if it has none stored)."""
        return await self._run(admin.get_guild_settings, guild_id)

    async def set_guild_settings(self, guild_id: int, **changes: Any) -> GuildSettings:
        """Change settings (names of GuildSettings fields); ValueError with a one-line reason if invalid.

        A new timezone applies to answers from now on; totals already kept stay in their buckets.
        """
        return await self._run(admin.set_guild_settings, guild_id, changes, to_ms(utcnow()))

    async def upsert_member(self, guild_id: int, user_id: int, display_name: str | None) -> None:
        """Remember a member's current display name (answers do this too)."""
        await self._run(admin.upsert_member, guild_id, user_id, display_name, to_ms(utcnow()))

    # ---------------------------------------------------------------- leaderboards and stats

    async def leaderboard(
        self,
        guild_id: int,
        period: PeriodKind = "all",
        metric: LeaderboardMetric = "points",
        *,
        page: int = 1,
        page_size: int = 10,
        user_id: int | None = None,
        at: datetime | None = None,
    ) -> LeaderboardPage:
        """One page of a leaderboard, its total count, and `user_id`'s own line even off the page.

        period: the week/month containing `at` (default now) in the guild's time zone, or all time.
        metric: points | accuracy (members with >= 10 answers in the period) | current_streak |
        best_streak (streaks ignore the period; members with a streak of 0 are not ranked).
        """
        return await self._run(
            boards.leaderboard, guild_id, period, metric, page, page_size, user_id, to_ms(at or utcnow())
        )

    async def user_stats(
        self, guild_id: int, user_id: int, *, at: datetime | None = None, weakest: int = 3
    ) -> UserStats:
        return await self._run(boards.user_stats, guild_id, user_id, to_ms(at or utcnow()), weakest)

    async def server_stats(
        self,
        guild_id: int,
        *,
        days: int = 30,
        at: datetime | None = None,
        limit: int = 5,
        min_question_answers: int = 5,
    ) -> ServerStats:
        """Weakest topics/trap tags and hardest questions over the last `days` local days, and
        participation per day."""
        if days < 1:
            raise ValueError("days must be at least 1")
        return await self._run(
            boards.server_stats, guild_id, to_ms(at or utcnow()), days, limit, min_question_answers
        )

    async def export_scores(
        self, guild_id: int, period: PeriodKind = "all", *, at: datetime | None = None
    ) -> list[ScoreRow]:
        """Every ranked member's figures for the period, by points (for CSV/JSON export)."""
        return await self._run(boards.export_scores, guild_id, period, to_ms(at or utcnow()))

    async def period_key(self, guild_id: int, period: PeriodKind, *, at: datetime | None = None) -> str:
        """The key of the period containing `at` (default now) in the guild's time zone."""
        return await self._run(boards.bucket_for, guild_id, period, to_ms(at or utcnow()))

    # ---------------------------------------------------------------- tags and maintenance

    async def sync_question_tags(self, questions: Iterable[TaggedQuestion]) -> int:
        """Replace the stored topics/trap tags by those of `questions` (the loaded bank)."""
        rows = tag_rows(questions)
        return await self._run(admin.sync_question_tags, rows)

    async def backup(self, path: str | os.PathLike[str]) -> Path:
        """A consistent copy of the database at `path` (SQLite online backup API)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        await self.flush()
        await self._run(admin.backup_to, str(target))
        return target

    async def rebuild_aggregates(self, guild_id: int | None = None) -> None:
        """Recompute totals and daily aggregates from the answers (repair / after an import)."""
        await self.flush()
        await self._run(admin.rebuild_aggregates, guild_id)

    async def snapshot_aggregates(self, guild_id: int) -> dict[str, list[tuple[Any, ...]]]:
        """Every kept aggregate row of a guild (totals, daily tables, rank histograms), by table."""
        await self.flush()
        return await self._run(admin.snapshot_aggregates, guild_id)

    async def integrity_check(self) -> list[str]:
        """Problems found by SQLite's integrity and foreign key checks (empty when healthy)."""
        return await self._run(admin.integrity_check)

    async def schema_version(self) -> int:
        return await self._run(migrate.schema_version)

    async def pragma(self, name: str) -> Any:
        """An SQLite PRAGMA's value (tests and maintenance; not part of `Store`)."""
        return await self._run(common.pragma, name)

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(sqlite3_connection, *args)` on the worker thread (tests, bench, maintenance; SQLite
        only, not part of `Store`)."""
        return await self._run_dailies(fn, *args)  # it may change anything

    # ---------------------------------------------------------------- the daily question (docs/daily.md)

    async def get_daily_schedule(self, guild_id: int) -> DailySchedule | None:
        return await self._run(daily.get_daily_schedule, guild_id)

    async def set_daily_schedule(
        self,
        guild_id: int,
        *,
        channel_id: int,
        time: str,
        timezone: str,
        topics: Sequence[str] = (),
        difficulty: str | None = None,
        role_id: int | None = None,
        now: datetime | None = None,
    ) -> DailySchedule:
        """Set and turn on the daily; `timezone` becomes the server's time zone. ValueError if invalid."""
        return await self._run(
            daily.set_daily_schedule,
            guild_id,
            channel_id=channel_id,
            time=time,
            timezone=timezone,
            topics=list(topics),
            difficulty=difficulty,
            role_id=role_id,
            now_ms=to_ms(now or utcnow()),
        )

    async def disable_daily_schedule(
        self, guild_id: int, *, now: datetime | None = None
    ) -> DailySchedule | None:
        return await self._run(daily.disable_daily_schedule, guild_id, to_ms(now or utcnow()))

    async def daily_overview(
        self, since_day: date
    ) -> tuple[list[DailySchedule], set[tuple[int, str]], list[DailyRun]]:
        """Enabled schedules, scheduled slots taken since `since_day`, runs claimed but not sent."""
        return await self._run(daily.daily_overview, since_day.isoformat())

    async def claim_daily(
        self,
        guild_id: int,
        local_day: date,
        *,
        scheduled: bool,
        due_at: datetime,
        now: datetime,
        channel_id: int,
        role_id: int | None,
        candidates: Mapping[str, tuple[str, str]],
        closes_at: datetime,
        rng: random.Random,
    ) -> tuple[DailyRun, Post | None] | None:
        """Record a daily (run + rotation step + post row) before sending; None if the slot is taken."""
        return await self._run_dailies(
            daily.claim_daily,
            guild_id=guild_id,
            local_day=local_day.isoformat(),
            scheduled=scheduled,
            due_ms=to_ms(due_at),
            now_ms=to_ms(now),
            channel_id=channel_id,
            role_id=role_id,
            candidates=candidates,
            closes_ms=to_ms(closes_at),
            rng=rng,
        )

    async def get_daily_run(self, run_id: int) -> DailyRun | None:
        return await self._run(daily.get_daily_run, run_id)

    async def daily_runs(self, guild_id: int, *, limit: int = 10) -> list[DailyRun]:
        return await self._run(daily.daily_runs, guild_id, limit)

    async def scheduled_days(self, guild_id: int, from_day: date) -> dict[str, str]:
        return await self._run(daily.scheduled_days, guild_id, from_day.isoformat())

    async def daily_rotation(self, guild_id: int) -> dict[str, RotationEntry]:
        return await self._run(daily.daily_rotation, guild_id)

    async def start_daily_attempt(self, run_id: int, *, now: datetime) -> DailyRun | None:
        return await self._run(daily.start_daily_attempt, run_id, to_ms(now))

    async def complete_daily_run(
        self, run_id: int, message_id: int | None, *, now: datetime
    ) -> DailyRun | None:
        return await self._run(daily.complete_daily_run, run_id, message_id, to_ms(now))

    async def fail_daily_run(self, run_id: int, status: str, error: str, *, now: datetime) -> DailyRun | None:
        return await self._run_dailies(daily.fail_daily_run, run_id, status, error, to_ms(now))

    async def delete_unsent_post(self, post_id: int) -> bool:
        """Delete a post whose message was never sent (no message id, no answer)."""
        return await self._run_dailies(posts.delete_unsent_post, post_id)

    async def set_daily_error(self, guild_id: int, error: str | None, *, now: datetime) -> None:
        await self._run(daily.set_daily_error, guild_id, error, to_ms(now))

    async def skip_daily(self, guild_id: int, local_day: date, *, due_at: datetime, now: datetime) -> bool:
        return await self._run(daily.skip_daily, guild_id, local_day.isoformat(), to_ms(due_at), to_ms(now))

    async def unskip_daily(self, guild_id: int, from_day: date) -> str | None:
        return await self._run(daily.unskip_daily, guild_id, from_day.isoformat())

    # ---------------------------------------------------------------- admin

    async def reset_scores(self, guild_id: int, user_id: int | None = None) -> int:
        """Delete one member's (or, with None, everyone's) answers, exams, points and streaks in a
        guild; returns the answers deleted, a submitted exam's items included."""
        await self.flush()
        return await self._run(admin.reset_scores, guild_id, user_id)

    async def set_guild_extra(self, guild_id: int, key: str, value: Any) -> GuildSettings:
        """Set (None: remove) one small free-form setting in guild_settings.extra."""
        return await self._run(admin.set_guild_extra, guild_id, key, value, to_ms(utcnow()))

    async def post_locales(self) -> dict[int, str]:
        """guild_id -> language chosen for public posts (/quizadmin settings), where one was chosen."""
        return {g: str(v) for g, v in (await self._run(admin.guild_extra_values, "post_locale")).items()}

    # ---------------------------------------------------------------- meta (bot bookkeeping)

    async def get_meta(self, key: str) -> str | None:
        """A value the bot keeps for itself (e.g. the hash of the last synced command tree)."""
        return await self._run(admin.get_meta, key)

    async def set_meta(self, key: str, value: str) -> None:
        await self._run(admin.set_meta, key, value, to_ms(utcnow()))
