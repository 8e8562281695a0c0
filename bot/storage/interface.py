"""`Store`: every storage operation the bot, its scheduler and its CLI use, as one typed protocol.

The cogs, `quizbot practice` and `quizbot export-scores` see storage only through this protocol
(`bot.storage.open_store` returns one). `bot.storage.Storage` (SQLite, `bot/storage/sqlite/`) is
the implementation today; another backend is a new subpackage whose store class has these
methods, one entry in `bot.storage.open_store`, and one parameter of the contract tests' fixture
(`STORE_BACKENDS` in tests/conftest.py). See docs/storage.md.

Instants are timezone-aware datetimes (UTC); methods that take an optional instant use "now".
All figures are per guild. Methods raise ValueError with a one-line reason for a bad argument.
"""

from __future__ import annotations

import os
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from bot.core.dashboard import TeamWeakness, WeekActivity
from bot.core.exam import Exam, ExamItem, ExamResult, ExamSummary
from bot.core.models import (
    AnswerOutcome,
    AnswerResult,
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
from bot.core.reports import RATE_LIMIT, RATE_WINDOW, PausedQuestion, Report, ReportOutcome
from bot.core.review import CardView, Rating, ReminderSetting, ReviewOutcome, ReviewStats
from bot.core.schedule import DailyRun, DailySchedule, RotationEntry
from bot.core.shards import ShardFilter
from bot.core.spoiler import SpoilerFacts


class TaggedQuestion(Protocol):
    """What sync_question_tags needs from a question (bot.bank.model.Question has it; an optional
    `domain` attribute is stored too)."""

    @property
    def key(self) -> str: ...
    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def traps(self) -> tuple[str, ...]: ...


class Store(Protocol):
    """The bot's storage. Open one with `await bot.storage.open_store(target)`; close it with
    `await store.close()` (or `async with`), which writes the answers still queued first."""

    #: Keep the open dailies' question keys in memory between changes (set by the bot), instead
    #: of reading them at each spoiler check. SQLite: right only for the one process on the file
    #: (it sees its own changes, not another process's). PostgreSQL: setting it starts a listener
    #: of the `quizbot_dailies` notices (every process's changes, sent by the database), and the
    #: keys are kept only while it LISTENs; lost, every check reads again until it is back.
    cache_open_dailies: bool

    @property
    def hears_daily_changes(self) -> bool:
        """Whether this store hears the changes other processes make to the open dailies
        (PostgreSQL: yes; SQLite: no), so `cache_open_dailies` stays right beside them."""
        ...

    @property
    def batches_written(self) -> int:
        """Transactions the answer writer committed so far (group commit: far fewer than answers)."""
        ...

    # ---------------------------------------------------------------- lifecycle

    async def close(self) -> None: ...
    async def flush(self) -> None:
        """Wait until every answer queued so far is written."""
        ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    # ---------------------------------------------------------------- answers

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
        """Record a member's answer; returns once it is committed (durable) or refused. `letters`
        in any order or case; ValueError without an option letter."""
        ...

    async def get_answer(self, post_id: int, user_id: int) -> StoredAnswer | None: ...
    async def answers_for_post(self, post_id: int) -> list[StoredAnswer]: ...
    async def count_answers(self, post_id: int) -> int: ...
    async def answered_questions(
        self, guild_id: int, user_id: int, *, correct_only: bool = True
    ) -> set[str]: ...

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
    ) -> Post: ...
    async def set_message_id(
        self, post_id: int, message_id: int, *, posted_at: datetime | None = None
    ) -> Post | None: ...
    async def get_post(self, post_id: int) -> Post | None: ...
    async def get_post_by_message(self, message_id: int) -> Post | None: ...
    async def close_post(self, post_id: int, *, closed_at: datetime | None = None) -> CloseResult | None:
        """Close a post (idempotent): its answer distribution, and for a daily the streaks of the
        guild's members who missed it end. Answers queued before the call count."""
        ...

    async def due_posts(
        self, *, now: datetime | None = None, limit: int = 100, shards: ShardFilter | None = None
    ) -> list[Post]:
        """Open posts whose closing time has passed, oldest first, at most `limit`: of the servers
        of `shards` only (the filter is part of the query, so other processes' posts never fill
        the batch), or of every server (None)."""
        ...

    async def open_posts(self, guild_id: int, *, kind: str | None = None) -> list[Post]: ...
    async def last_practice_post(self, guild_id: int, user_id: int) -> Post | None: ...
    async def open_private_posts(self, guild_id: int, user_id: int) -> list[Post]: ...
    async def postpone_post(self, post_id: int, closes_at: datetime) -> Post | None: ...
    async def delete_unsent_post(self, post_id: int) -> bool: ...

    # ---------------------------------------------------------------- the spoiler rule (bot/core/spoiler.py)

    async def spoiler_facts(self, user_id: int, keys: Iterable[str] | None = None) -> SpoilerFacts: ...
    async def open_daily_keys(self, keys: Iterable[str]) -> set[str]: ...
    async def open_daily_key_set(self) -> frozenset[str]: ...

    # ---------------------------------------------------------------- mock exams (docs/exam.md)

    async def start_exam(
        self,
        guild_id: int,
        user_id: int,
        blueprint: str,
        items: Sequence[ExamItem],
        *,
        started_at: datetime,
        deadline: datetime,
        pass_mark: float,
        display_name: str | None = None,
    ) -> Exam | None:
        """Start a mock exam; None when the member already has an open one in this guild (one exam
        at a time). ValueError with no items or a deadline not after `started_at`."""
        ...

    async def open_exam(self, guild_id: int, user_id: int) -> Exam | None: ...
    async def get_exam(self, exam_id: int) -> Exam | None: ...
    async def set_exam_answer(self, exam_id: int, position: int, chosen: str) -> Exam | None:
        """Set (or with "" clear) an item's chosen letters (any order or case); None when the exam
        is unknown or submitted. ValueError for a position or a letter the item does not have."""
        ...

    async def set_exam_flag(self, exam_id: int, position: int, flagged: bool) -> Exam | None: ...
    async def set_exam_position(self, exam_id: int, position: int) -> Exam | None: ...
    async def submit_exam(
        self, exam_id: int, result: ExamResult, *, submitted_at: datetime, auto: bool
    ) -> Exam | None:
        """Submit a graded exam, once: None when it is unknown or already submitted (so of a click
        and the timer racing, one wins). Its answers then count in accuracy (totals, member and
        question days, topic stats, `recent_results`) but add no points and touch no streak."""
        ...

    async def exam_result(self, exam_id: int) -> ExamResult | None:
        """The result stored by `submit_exam`, as given then; None while open or unknown."""
        ...

    async def due_exams(
        self, *, now: datetime, limit: int = 50, shards: ShardFilter | None = None
    ) -> list[Exam]:
        """Open exams whose deadline has passed, oldest deadline first, at most `limit`: of the
        servers of `shards` only (in the query), or of any guild (None)."""
        ...

    async def next_exam_deadline(self, *, shards: ShardFilter | None = None) -> datetime | None:
        """The earliest deadline of an open exam of the servers of `shards` (None: of any guild);
        the timer sleeps until then, so another process's exams never wake it."""
        ...

    async def exam_history(self, guild_id: int, user_id: int, *, limit: int = 10) -> list[ExamSummary]:
        """Submitted exams, newest first."""
        ...

    async def recent_results(
        self,
        guild_id: int,
        user_id: int | None = None,
        *,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[AnswerResult]:
        """Answered questions of every kind (daily, practice, submitted exam items; an exam's
        unanswered items count as wrong), newest first: one member's, or with `user_id` None the
        guild's. At most `limit` rows, answered at or after `since`."""
        ...

    # ---------------------------------------------------------------- spaced repetition (docs/review.md)
    # Every answer (daily, practice, quizbot practice, submitted exam items) schedules the member's
    # card for its question: the writer records a cheap pending row with the answer, in the same
    # transaction; FSRS folds pending rows into card state later, in batches on the storage thread
    # (`fold_reviews`), and always before any method below reads a member's cards. Answers stored
    # before this feature were queued once by migration 0006. Reviews add no points and touch no
    # streak. Open dailies are never served (the spoiler rule): the methods that serve cards
    # exclude them themselves.

    async def record_review(
        self,
        guild_id: int,
        user_id: int,
        question_key: str,
        *,
        correct: bool,
        rating: Rating | None = None,
        reviewed_at: datetime,
        display_name: str | None = None,
    ) -> ReviewOutcome:
        """A /review answer: schedules the card at once (wrong → Again; right → `rating`, Good
        when None; see bot.core.review.rating_for_review) and logs it for retention. A card the
        member did not have yet is created. Adds no points, touches no streak."""
        ...

    async def next_due_card(
        self,
        guild_id: int,
        user_id: int,
        *,
        now: datetime,
        exclude: AbstractSet[str] = frozenset(),
    ) -> CardView | None:
        """The member's most overdue card (due at or before `now`), not an open daily and not in
        `exclude` (e.g. the keys already served in this session, or gone from the bank)."""
        ...

    async def due_cards(
        self,
        guild_id: int,
        user_id: int,
        *,
        now: datetime,
        limit: int = 50,
        exclude: AbstractSet[str] = frozenset(),
    ) -> list[CardView]:
        """The member's due cards, most overdue first (at most `limit`), open dailies and
        `exclude` left out."""
        ...

    async def get_card(self, guild_id: int, user_id: int, question_key: str) -> CardView | None: ...

    async def member_cards(self, guild_id: int, user_id: int, *, missed_only: bool = False) -> list[CardView]:
        """Every card of the member (for an export), soonest due first; `missed_only`: those ever
        answered wrong. Open dailies are left out."""
        ...

    async def review_stats(
        self, guild_id: int, user_id: int, *, now: datetime, exclude: AbstractSet[str] = frozenset()
    ) -> ReviewStats:
        """Due now / today / this week (local days in the server's zone, open dailies and `exclude`
        left out), and retention over the last RETENTION_DAYS days."""
        ...

    async def fold_reviews(self, *, limit: int = 10_000) -> int:
        """Fold up to `limit` pending answers (any guild; each card's in the order given) into card
        state; returns how many. The bot calls it now and then so reads find little to fold."""
        ...

    async def pending_reviews(self) -> int:
        """Answers recorded but not folded into card state yet."""
        ...

    # ---------------------------------------------------------------- review reminders

    async def get_review_reminder(self, guild_id: int, user_id: int) -> ReminderSetting | None: ...

    async def set_review_reminder(
        self, guild_id: int, user_id: int, *, enabled: bool, time: str | None = None, now: datetime
    ) -> ReminderSetting:
        """Turn a member's reminder on (at `time`, "HH:MM" local; None keeps the earlier time, or
        the default 19:00) or off. Turned on after today's time, today counts as sent (the first
        reminder comes tomorrow). ValueError for a bad time."""
        ...

    async def review_reminders(self) -> list[ReminderSetting]:
        """Every reminder that is on (any guild), with its server's time zone."""
        ...

    async def claim_review_reminder(
        self,
        guild_id: int,
        user_id: int,
        local_day: date,
        *,
        now: datetime,
        exclude: AbstractSet[str] = frozenset(),
    ) -> int | None:
        """Claim the member's reminder for `local_day`, exactly once (also across restarts and
        when two callers race): the number of cards due at `now` (> 0; open dailies and `exclude`
        left out) when this call claimed it;
        None when it is off, was claimed for that day (or a later one) already, or nothing is due
        (then nothing is claimed)."""

    # ---------------------------------------------------------------- reports of broken questions (docs/reports.md)

    async def add_report(
        self,
        guild_id: int,
        question_key: str,
        user_id: int,
        kind: str,
        note: str,
        *,
        bank_commit: str | None = None,
        display_name: str | None = None,
        notify_dm: bool = False,
        locale: str | None = None,
        now: datetime | None = None,
        limit: int = RATE_LIMIT,
        window: timedelta = RATE_WINDOW,
    ) -> ReportOutcome:
        """File a member's report on a question, in one transaction: `duplicate` (with their open
        report) when they have one on it already, `rate_limited` (with `retry_at`) when they filed
        `limit` reports within `window` before `now` (bot.core.reports.retry_at), else `stored`.
        ValueError for a kind not in REPORT_KINDS, or a note empty or over NOTE_MAX characters
        once stripped."""
        ...

    async def open_reports(
        self, guild_id: int | None = None, question_key: str | None = None
    ) -> list[Report]:
        """Open reports (of every server, or one; of one question), newest first."""
        ...

    async def report_members(self, guild_id: int | None = None) -> dict[int, dict[str, int]]:
        """guild -> question key -> how many members have an open report on it."""
        ...

    async def resolve_reports(
        self,
        guild_id: int,
        question_key: str,
        *,
        resolved_by: int,
        reply: str,
        now: datetime | None = None,
    ) -> list[Report]:
        """Resolve the question's open reports in the server with the admin's `reply` (checked like
        a note); the reports it resolved (empty when none was open)."""
        ...

    async def undelivered_replies(
        self, guild_id: int | None = None, user_id: int | None = None
    ) -> list[Report]:
        """Resolved reports whose reply has not reached the member yet, oldest first."""
        ...

    async def mark_delivered(self, report_ids: Iterable[int]) -> int:
        """The replies of these (resolved) reports reached their members; how many changed."""
        ...

    async def pause_question(
        self,
        guild_id: int,
        question_key: str,
        *,
        paused_by: int | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Take a question out of the server's daily rotation and /quiz; False if paused already."""
        ...

    async def unpause_question(self, guild_id: int, question_key: str) -> bool:
        """Put it back; False if it was not paused."""
        ...

    async def paused_questions(self, guild_id: int | None = None) -> list[PausedQuestion]:
        """The paused questions of a server (or of every server)."""
        ...

    # ---------------------------------------------------------------- guilds and members

    async def get_guild_settings(self, guild_id: int) -> GuildSettings: ...
    async def set_guild_settings(self, guild_id: int, **changes: Any) -> GuildSettings: ...
    async def set_guild_extra(self, guild_id: int, key: str, value: Any) -> GuildSettings: ...
    async def post_locales(self) -> dict[int, str]: ...
    async def upsert_member(self, guild_id: int, user_id: int, display_name: str | None) -> None: ...

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
    ) -> LeaderboardPage: ...
    async def user_stats(
        self, guild_id: int, user_id: int, *, at: datetime | None = None, weakest: int = 3
    ) -> UserStats: ...
    async def server_stats(
        self,
        guild_id: int,
        *,
        days: int = 30,
        at: datetime | None = None,
        limit: int = 5,
        min_question_answers: int = 5,
    ) -> ServerStats: ...
    async def export_scores(
        self, guild_id: int, period: PeriodKind = "all", *, at: datetime | None = None
    ) -> list[ScoreRow]: ...
    async def period_key(self, guild_id: int, period: PeriodKind, *, at: datetime | None = None) -> str:
        """The key of the period containing `at` in the guild's time zone ("all", "week:…", "month:…")."""
        ...

    # ---------------------------------------------------------------- the web dashboard (docs/dashboard.md)

    async def activity_by_week(
        self, guild_id: int, *, weeks: int = 12, at: datetime | None = None
    ) -> list[WeekActivity]:
        """The guild's last `weeks` local weeks (Monday first) up to the one holding `at`, oldest
        first, empty weeks included: answers of every kind, correct ones, members who answered."""
        ...

    async def team_weakness(
        self,
        guild_id: int,
        *,
        days: int = 30,
        at: datetime | None = None,
        questions: int = 10,
        min_answers: int = 3,
        hide: Iterable[str] = (),
    ) -> TeamWeakness:
        """The guild's weak spots over the local days of the last `days` up to `at`: every topic
        and trap answered, weakest first; the `questions` most missed questions with at least
        `min_answers` answers (keys in `hide`, the open dailies, left out), with the letters the
        members ticked on its posts in that window."""
        ...

    # ---------------------------------------------------------------- the daily question (docs/daily.md)

    async def get_daily_schedule(self, guild_id: int) -> DailySchedule | None: ...
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
    ) -> DailySchedule: ...
    async def disable_daily_schedule(
        self, guild_id: int, *, now: datetime | None = None
    ) -> DailySchedule | None: ...
    async def daily_overview(
        self, since_day: date
    ) -> tuple[list[DailySchedule], set[tuple[int, str]], list[DailyRun]]: ...
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
    ) -> tuple[DailyRun, Post | None] | None: ...
    async def get_daily_run(self, run_id: int) -> DailyRun | None: ...
    async def daily_runs(self, guild_id: int, *, limit: int = 10) -> list[DailyRun]: ...
    async def scheduled_days(self, guild_id: int, from_day: date) -> dict[str, str]: ...
    async def daily_rotation(self, guild_id: int) -> dict[str, RotationEntry]: ...
    async def start_daily_attempt(self, run_id: int, *, now: datetime) -> DailyRun | None: ...
    async def complete_daily_run(
        self, run_id: int, message_id: int | None, *, now: datetime
    ) -> DailyRun | None: ...
    async def fail_daily_run(
        self, run_id: int, status: str, error: str, *, now: datetime
    ) -> DailyRun | None: ...
    async def set_daily_error(self, guild_id: int, error: str | None, *, now: datetime) -> None: ...
    async def skip_daily(
        self, guild_id: int, local_day: date, *, due_at: datetime, now: datetime
    ) -> bool: ...
    async def unskip_daily(self, guild_id: int, from_day: date) -> str | None: ...

    # ---------------------------------------------------------------- admin and bookkeeping

    async def reset_scores(self, guild_id: int, user_id: int | None = None) -> int:
        """Delete a guild's (or one member's) answers, scores and review cards; returns answers deleted."""
        ...

    async def sync_question_tags(self, questions: Iterable[TaggedQuestion]) -> int: ...
    async def get_meta(self, key: str) -> str | None: ...
    async def set_meta(self, key: str, value: str) -> None: ...

    # ---------------------------------------------------------------- maintenance

    async def backup(self, path: str | os.PathLike[str]) -> Path:
        """A consistent copy of the store at `path`, which `open_store(path)` opens."""
        ...

    async def rebuild_aggregates(self, guild_id: int | None = None) -> None:
        """Recompute the kept totals and daily figures from the answers (streaks stay)."""
        ...

    async def snapshot_aggregates(self, guild_id: int) -> dict[str, list[tuple[Any, ...]]]:
        """Every kept aggregate of a guild, by table, in a stable order: after any history it equals
        the snapshot taken after `rebuild_aggregates` (the contract tests check it)."""
        ...

    async def integrity_check(self) -> list[str]:
        """Problems the backend finds in its own data (empty when healthy)."""
        ...

    async def schema_version(self) -> int: ...

    # ---------------------------------------------------------------- between processes

    async def notify_reload(self, sender: str) -> None:
        """Ask every process on this database to reload the question bank. PostgreSQL: a NOTIFY on
        channel `quizbot_reload` (payload: `sender` and the schema); SQLite: nothing (one process)."""
        ...

    async def listen_reload(
        self, callback: Callable[[str], Awaitable[None]]
    ) -> Callable[[], Awaitable[None]]:
        """Call `callback(sender)` for each reload notice on this database, this process's own
        included (compare `sender`), and `callback("")` after the listening connection was lost and
        made again (a notice may have been missed). Returns `stop`. A lost connection or a failing
        callback is logged, never raised. SQLite: never calls back."""
        ...
