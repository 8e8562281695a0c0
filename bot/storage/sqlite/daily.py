"""The daily question (migration 0002): schedule, rotation and runs; see docs/daily.md."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date

from bot.core.models import Post
from bot.core.schedule import DailyRun, DailySchedule, RotationEntry, RotationStep, rotation_step
from bot.storage.sqlite.admin import validate_setting
from bot.storage.sqlite.common import ensure_guild, from_ms, named, named_one, opt_dt, snapshot, transaction
from bot.storage.sqlite.posts import delete_unsent, get_post

_SCHEDULE_COLS = (
    "d.guild_id, d.channel_id, d.time, g.timezone, d.topics, d.difficulty, d.role_id, d.enabled, "
    "d.active_since, d.last_error, d.last_error_at, d.updated_at"
)
_SCHEDULE_FROM = "daily_schedule AS d JOIN guild_settings AS g ON g.guild_id = d.guild_id"
_RUN_COLS = (
    "run_id, guild_id, local_day, scheduled, status, question_key, post_id, channel_id, role_id, "
    "due_at, claimed_at, attempts, attempt_at, sent_at, error"
)
DIFFICULTY_LEVELS = ("L1", "L2", "L3")


def _schedule_from_row(row: sqlite3.Row) -> DailySchedule:
    return DailySchedule(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        time=row["time"],
        timezone=row["timezone"],
        topics=tuple(json.loads(row["topics"])),
        difficulty=row["difficulty"],
        role_id=row["role_id"],
        enabled=bool(row["enabled"]),
        active_since=from_ms(row["active_since"]),
        last_error=row["last_error"],
        last_error_at=opt_dt(row["last_error_at"]),
        updated_at=from_ms(row["updated_at"]),
    )


def _run_from_row(row: sqlite3.Row) -> DailyRun:
    return DailyRun(
        run_id=row["run_id"],
        guild_id=row["guild_id"],
        local_day=date.fromisoformat(row["local_day"]),
        scheduled=bool(row["scheduled"]),
        status=row["status"],
        question_key=row["question_key"],
        post_id=row["post_id"],
        channel_id=row["channel_id"],
        role_id=row["role_id"],
        due_at=from_ms(row["due_at"]),
        claimed_at=from_ms(row["claimed_at"]),
        attempts=row["attempts"],
        attempt_at=opt_dt(row["attempt_at"]),
        sent_at=opt_dt(row["sent_at"]),
        error=row["error"],
    )


def get_daily_schedule(conn: sqlite3.Connection, guild_id: int) -> DailySchedule | None:
    row = named_one(conn, f"SELECT {_SCHEDULE_COLS} FROM {_SCHEDULE_FROM} WHERE d.guild_id = ?", (guild_id,))
    return _schedule_from_row(row) if row else None


def set_daily_schedule(
    conn: sqlite3.Connection,
    guild_id: int,
    *,
    channel_id: int,
    time: str,
    timezone: str,
    topics: Sequence[str],
    difficulty: str | None,
    role_id: int | None,
    now_ms: int,
) -> DailySchedule:
    """Set (and turn on) a server's schedule; its time zone becomes the server's time zone."""
    tz = validate_setting("timezone", timezone)
    hhmm = validate_setting("daily_time", time)
    if hhmm is None:
        raise ValueError("the daily needs a time of day")
    if difficulty is not None and difficulty not in DIFFICULTY_LEVELS:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTY_LEVELS)}")
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        conn.execute(
            "UPDATE guild_settings SET timezone = ?, daily_channel_id = ?, daily_time = ?, updated_at = ? "
            "WHERE guild_id = ?",
            (tz, channel_id, hhmm, now_ms, guild_id),
        )
        conn.execute(
            "INSERT INTO daily_schedule (guild_id, channel_id, time, topics, difficulty, role_id, enabled, "
            "active_since, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, time = excluded.time, "
            "topics = excluded.topics, difficulty = excluded.difficulty, role_id = excluded.role_id, "
            "enabled = 1, active_since = excluded.active_since, last_error = NULL, last_error_at = NULL, "
            "updated_at = excluded.updated_at",
            (
                guild_id,
                channel_id,
                hhmm,
                json.dumps(list(topics), ensure_ascii=False),
                difficulty,
                role_id,
                now_ms,
                now_ms,
            ),
        )
    found = get_daily_schedule(conn, guild_id)
    assert found is not None
    return found


def disable_daily_schedule(conn: sqlite3.Connection, guild_id: int, now_ms: int) -> DailySchedule | None:
    """Pause a server's daily (the schedule is kept for `show` and for setting it again)."""
    with transaction(conn):
        conn.execute(
            "UPDATE daily_schedule SET enabled = 0, updated_at = ? WHERE guild_id = ?", (now_ms, guild_id)
        )
        conn.execute(
            "UPDATE guild_settings SET daily_channel_id = NULL, daily_time = NULL, updated_at = ? "
            "WHERE guild_id = ?",
            (now_ms, guild_id),
        )
    return get_daily_schedule(conn, guild_id)


def daily_overview(
    conn: sqlite3.Connection, since_day: str
) -> tuple[list[DailySchedule], set[tuple[int, str]], list[DailyRun]]:
    """For the scheduler, in one read snapshot: the enabled schedules, the (guild, local day) slots
    taken since `since_day`, and the runs recorded but not yet known to be sent."""
    with snapshot(conn):
        schedules = [
            _schedule_from_row(r)
            for r in named(conn, f"SELECT {_SCHEDULE_COLS} FROM {_SCHEDULE_FROM} WHERE d.enabled = 1")
        ]
        taken = {
            (int(r["guild_id"]), str(r["local_day"]))
            for r in named(
                conn,
                "SELECT guild_id, local_day FROM daily_runs WHERE scheduled = 1 AND local_day >= ?",
                (since_day,),
            )
        }
        claimed = [
            _run_from_row(r)
            for r in named(
                conn, f"SELECT {_RUN_COLS} FROM daily_runs WHERE status = 'claimed' ORDER BY run_id"
            )
        ]
    return schedules, taken, claimed


def get_daily_run(conn: sqlite3.Connection, run_id: int) -> DailyRun | None:
    row = named_one(conn, f"SELECT {_RUN_COLS} FROM daily_runs WHERE run_id = ?", (run_id,))
    return _run_from_row(row) if row else None


def daily_runs(conn: sqlite3.Connection, guild_id: int, limit: int) -> list[DailyRun]:
    """A server's latest runs, newest first."""
    rows = named(
        conn,
        f"SELECT {_RUN_COLS} FROM daily_runs WHERE guild_id = ? ORDER BY run_id DESC LIMIT ?",
        (guild_id, limit),
    )
    return [_run_from_row(r) for r in rows]


def scheduled_days(conn: sqlite3.Connection, guild_id: int, from_day: str) -> dict[str, str]:
    """local day -> status of the server's scheduled runs from `from_day` on."""
    rows = named(
        conn,
        "SELECT local_day, status FROM daily_runs WHERE guild_id = ? AND scheduled = 1 AND local_day >= ?",
        (guild_id, from_day),
    )
    return {str(r["local_day"]): str(r["status"]) for r in rows}


def daily_rotation(conn: sqlite3.Connection, guild_id: int) -> dict[str, RotationEntry]:
    rows = named(conn, "SELECT question_key, pos, used FROM daily_rotation WHERE guild_id = ?", (guild_id,))
    return {r["question_key"]: RotationEntry(int(r["pos"]), bool(r["used"])) for r in rows}


def _insert_run(
    conn: sqlite3.Connection,
    *,
    guild_id: int,
    local_day: str,
    scheduled: bool,
    status: str,
    due_ms: int,
    now_ms: int,
    question_key: str | None = None,
    post_id: int | None = None,
    channel_id: int | None = None,
    role_id: int | None = None,
    error: str | None = None,
    attempts: int = 0,
) -> int | None:
    """A run row; its id, or None when its scheduled slot is taken already."""
    cur = conn.execute(
        "INSERT INTO daily_runs (guild_id, local_day, scheduled, status, question_key, post_id, channel_id, "
        "role_id, due_at, claimed_at, error, attempts, attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (
            guild_id,
            local_day,
            int(scheduled),
            status,
            question_key,
            post_id,
            channel_id,
            role_id,
            due_ms,
            now_ms,
            error,
            attempts,
            now_ms if attempts else None,
        ),
    )
    return int(cur.lastrowid or 0) if cur.rowcount == 1 else None


def claim_daily(
    conn: sqlite3.Connection,
    *,
    guild_id: int,
    local_day: str,
    scheduled: bool,
    due_ms: int,
    now_ms: int,
    channel_id: int,
    role_id: int | None,
    candidates: Mapping[str, tuple[str, str]],
    closes_ms: int,
    rng: random.Random,
) -> tuple[DailyRun, Post | None] | None:
    """Record a daily post before anything is sent, in ONE transaction: the run ("daily of guild G on
    local day D", unique when `scheduled`), the next question of the server's rotation, and its post
    row (message id NULL until sent).

    `candidates` maps the keys of the questions the server's filter allows to (correct letters,
    option letters). None when the scheduled slot is taken already. When no question is available,
    the run is recorded as failed (so the slot is not retried all day) and the post is None.
    The run's first send attempt is recorded with it (attempts = 1): the caller sends right away.
    """
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        if scheduled and named_one(
            conn,
            "SELECT 1 FROM daily_runs WHERE guild_id = ? AND local_day = ? AND scheduled = 1",
            (guild_id, local_day),
        ):
            return None
        last = named_one(
            conn,
            "SELECT question_key FROM daily_runs WHERE guild_id = ? AND question_key IS NOT NULL "
            "ORDER BY run_id DESC LIMIT 1",
            (guild_id,),
        )
        step = rotation_step(
            daily_rotation(conn, guild_id), candidates, rng, last=last["question_key"] if last else None
        )
        if step is None:
            error = "no_question|"
            run_id = _insert_run(
                conn,
                guild_id=guild_id,
                local_day=local_day,
                scheduled=scheduled,
                status="failed",
                due_ms=due_ms,
                now_ms=now_ms,
                channel_id=channel_id,
                error=error,
            )
            _set_daily_error(conn, guild_id, error, now_ms)
            post = None
        else:
            post = _claim_post(conn, guild_id, channel_id, step, candidates, now_ms, closes_ms)
            run_id = _insert_run(
                conn,
                guild_id=guild_id,
                local_day=local_day,
                scheduled=scheduled,
                status="claimed",
                due_ms=due_ms,
                now_ms=now_ms,
                question_key=step.key,
                post_id=post.post_id,
                channel_id=channel_id,
                role_id=role_id,
                attempts=1,  # the caller sends right away: its first attempt is recorded here
            )
        if run_id is None:  # pragma: no cover - the slot was checked above, on the one connection
            raise sqlite3.IntegrityError("daily slot taken")
    run = get_daily_run(conn, run_id)
    assert run is not None
    return run, post


def _claim_post(
    conn: sqlite3.Connection,
    guild_id: int,
    channel_id: int,
    step: RotationStep,
    candidates: Mapping[str, tuple[str, str]],
    now_ms: int,
    closes_ms: int,
) -> Post:
    """The rotation moved on to `step.key`: store the rotation and the daily's post row."""
    conn.executemany(
        "INSERT INTO daily_rotation (guild_id, question_key, pos, used) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (guild_id, question_key) DO UPDATE SET pos = excluded.pos, used = excluded.used",
        [(guild_id, k, e.pos, int(e.used)) for k, e in step.updates.items()],
    )
    correct, options = candidates[step.key]
    cur = conn.execute(
        "INSERT INTO posts (guild_id, channel_id, question_key, kind, correct_letters, option_letters, "
        "created_at, closes_at) VALUES (?, ?, ?, 'daily', ?, ?, ?, ?)",
        (guild_id, channel_id, step.key, correct, options, now_ms, max(closes_ms, now_ms)),
    )
    post = get_post(conn, int(cur.lastrowid or 0))
    assert post is not None
    return post


def start_daily_attempt(conn: sqlite3.Connection, run_id: int, now_ms: int) -> DailyRun | None:
    """Record that a send is starting (before it starts): recovery then knows it may have gone out."""
    with transaction(conn):
        conn.execute(
            "UPDATE daily_runs SET attempts = attempts + 1, attempt_at = ? WHERE run_id = ? AND status = 'claimed'",
            (now_ms, run_id),
        )
    return get_daily_run(conn, run_id)


def complete_daily_run(
    conn: sqlite3.Connection, run_id: int, message_id: int | None, now_ms: int
) -> DailyRun | None:
    """The daily's message is out: its id on the post (if known and not there yet), the run sent,
    no error."""
    with transaction(conn):
        run = get_daily_run(conn, run_id)
        if run is None:
            return None
        if run.post_id is not None and message_id is not None:
            conn.execute(
                "UPDATE posts SET message_id = coalesce(message_id, ?), posted_at = coalesce(posted_at, ?) "
                "WHERE post_id = ?",
                (message_id, now_ms, run.post_id),
            )
        conn.execute(
            "UPDATE daily_runs SET status = 'sent', sent_at = ?, error = NULL WHERE run_id = ? "
            "AND status = 'claimed'",
            (now_ms, run_id),
        )
        conn.execute(
            "UPDATE daily_schedule SET last_error = NULL, last_error_at = NULL WHERE guild_id = ?",
            (run.guild_id,),
        )
    return get_daily_run(conn, run_id)


def fail_daily_run(
    conn: sqlite3.Connection, run_id: int, status: str, error: str, now_ms: int
) -> DailyRun | None:
    """A claimed daily that will not be posted (`failed`, or `missed` when its day ended): its unsent
    post is deleted (nobody saw it, so closing it must not end streaks), its question goes back
    into the rotation, and the error is kept for `/quizadmin daily show`. No-op unless claimed."""
    if status not in ("failed", "missed"):
        raise ValueError(f"status must be failed or missed, not {status!r}")
    with transaction(conn):
        run = get_daily_run(conn, run_id)
        if run is None or run.status != "claimed":
            return run
        conn.execute("UPDATE daily_runs SET status = ?, error = ? WHERE run_id = ?", (status, error, run_id))
        if run.post_id is not None:
            delete_unsent(conn, run.post_id)
        if run.question_key is not None:
            conn.execute(
                "UPDATE daily_rotation SET used = 0 WHERE guild_id = ? AND question_key = ?",
                (run.guild_id, run.question_key),
            )
        _set_daily_error(conn, run.guild_id, error, now_ms)
    return get_daily_run(conn, run_id)


def _set_daily_error(conn: sqlite3.Connection, guild_id: int, error: str | None, now_ms: int) -> None:
    conn.execute(
        "UPDATE daily_schedule SET last_error = ?, last_error_at = ? WHERE guild_id = ?",
        (error, now_ms if error else None, guild_id),
    )


def set_daily_error(conn: sqlite3.Connection, guild_id: int, error: str | None, now_ms: int) -> None:
    with transaction(conn):
        _set_daily_error(conn, guild_id, error, now_ms)


def skip_daily(conn: sqlite3.Connection, guild_id: int, local_day: str, due_ms: int, now_ms: int) -> bool:
    """Take the scheduled slot of `local_day` without posting (False if it is taken already)."""
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        run_id = _insert_run(
            conn,
            guild_id=guild_id,
            local_day=local_day,
            scheduled=True,
            status="skipped",
            due_ms=due_ms,
            now_ms=now_ms,
        )
    return run_id is not None


def unskip_daily(conn: sqlite3.Connection, guild_id: int, from_day: str) -> str | None:
    """Cancel the first skip on or after `from_day`; its local day, or None if there is none."""
    with transaction(conn):
        row = named_one(
            conn,
            "SELECT run_id, local_day FROM daily_runs WHERE guild_id = ? AND scheduled = 1 "
            "AND status = 'skipped' AND local_day >= ? ORDER BY local_day LIMIT 1",
            (guild_id, from_day),
        )
        if row is None:
            return None
        conn.execute("DELETE FROM daily_runs WHERE run_id = ?", (row["run_id"],))
    return str(row["local_day"])
