"""Every SQL statement of the bot, as synchronous functions on a `sqlite3.Connection`.

`Storage` runs each function whole on aiosqlite's worker thread (one thread hop per call, not
per statement). The connection is in autocommit mode; functions that write open and close
their own transaction (`_transaction`). Nothing here touches the event loop.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from bot.core.models import (
    GUILD_SETTING_FIELDS,
    AnswerOutcome,
    AnswerStatus,
    CloseResult,
    DayParticipation,
    GuildSettings,
    LeaderboardEntry,
    LeaderboardMetric,
    LeaderboardPage,
    Post,
    QuestionStat,
    ScoreRow,
    ServerStats,
    StoredAnswer,
    TagStat,
    UserStats,
)
from bot.core.periods import ALL_KEY, PeriodKind, bucket_keys, parse_timezone, period_start
from bot.core.rules import (
    LEADERBOARD_MIN_ANSWERS,
    TAG_MIN_ANSWERS,
    PostKind,
    StreakState,
    accuracy,
    score_answer,
    streak_after_daily_answer,
)
from bot.core.schedule import DailyRun, DailySchedule, RotationEntry, rotation_step
from bot.core.spoiler import OpenDaily, SpoilerFacts

T = TypeVar("T")
_CHUNK = 500  # bound parameters per IN (...) list


# --------------------------------------------------------------------------------------------
# helpers


def to_ms(instant: datetime) -> int:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return int(instant.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _opt_dt(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def configure(conn: sqlite3.Connection, synchronous: str = "FULL", cache_mib: int = 64) -> None:
    """Per-connection settings. WAL and FULL: a committed (acknowledged) answer survives a crash
    of the process and of the machine; see docs/storage.md. OFF is for bulk loads only."""
    if synchronous.upper() not in ("FULL", "NORMAL", "EXTRA", "OFF"):
        raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise RuntimeError(f"could not switch the database to WAL (journal_mode={mode})")
    conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute(f"PRAGMA cache_size = {-1024 * cache_mib}")


def pragma(conn: sqlite3.Connection, name: str) -> Any:
    if not name.replace("_", "").isalpha():
        raise ValueError(name)
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


# --------------------------------------------------------------------------------------------
# guild settings and members

_GUILD_COLS = (
    "guild_id, timezone, locale, practice_cooldown_s, practice_lifetime_s, daily_lifetime_s, "
    "daily_channel_id, daily_time, extra"
)


def _guild_from_row(row: Sequence[Any]) -> GuildSettings:
    return GuildSettings(
        guild_id=row[0],
        timezone=row[1],
        locale=row[2],
        practice_cooldown_s=row[3],
        practice_lifetime_s=row[4],
        daily_lifetime_s=row[5],
        daily_channel_id=row[6],
        daily_time=row[7],
        extra=json.loads(row[8]),
    )


def ensure_guild(conn: sqlite3.Connection, guild_id: int, now_ms: int) -> None:
    conn.execute(
        "INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (guild_id) DO NOTHING",
        (guild_id, now_ms, now_ms),
    )


def get_guild_settings(conn: sqlite3.Connection, guild_id: int) -> GuildSettings:
    row = conn.execute(f"SELECT {_GUILD_COLS} FROM guild_settings WHERE guild_id = ?", (guild_id,)).fetchone()
    return _guild_from_row(row) if row else GuildSettings(guild_id)


def _validate_setting(name: str, value: Any) -> Any:
    if name == "timezone":
        parse_timezone(str(value))
        return str(value)
    if name == "locale":
        if not isinstance(value, str) or not value.strip():
            raise ValueError("locale must be a non-empty string like 'en' or 'zh-TW'")
        return value.strip()
    if name in ("practice_cooldown_s", "practice_lifetime_s", "daily_lifetime_s"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer of seconds")
        if name != "practice_cooldown_s" and value == 0:
            raise ValueError(f"{name} must be at least 1 second")
        return value
    if name == "daily_channel_id":
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError("daily_channel_id must be a channel id or None")
        return value
    if name == "daily_time":
        if value is None:
            return None
        text = str(value).strip()
        try:
            parsed = datetime.strptime(text, "%H:%M")
        except ValueError:
            raise ValueError("daily_time must be 'HH:MM' (24 h, the guild's local time)") from None
        return parsed.strftime("%H:%M")
    if name == "extra":
        if not isinstance(value, dict):
            raise ValueError("extra must be a dict")
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    raise ValueError(f"unknown guild setting {name!r}; known: {', '.join(GUILD_SETTING_FIELDS)}")


def set_guild_settings(
    conn: sqlite3.Connection, guild_id: int, changes: dict[str, Any], now_ms: int
) -> GuildSettings:
    values = {name: _validate_setting(name, value) for name, value in changes.items()}
    with _transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        if values:
            assignments = ", ".join(f"{name} = ?" for name in values)  # names are validated above
            conn.execute(
                f"UPDATE guild_settings SET {assignments}, updated_at = ? WHERE guild_id = ?",
                (*values.values(), now_ms, guild_id),
            )
    return get_guild_settings(conn, guild_id)


def guild_timezones(conn: sqlite3.Connection, guild_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    ids = list(set(guild_ids))
    found: dict[int, ZoneInfo] = {}
    for chunk in _chunks(ids):
        for gid, tzname in conn.execute(
            f"SELECT guild_id, timezone FROM guild_settings WHERE guild_id IN ({_marks(len(chunk))})", chunk
        ):
            try:
                found[gid] = ZoneInfo(tzname)
            except (KeyError, ValueError):  # a zone removed from tzdata: fall back to UTC
                found[gid] = ZoneInfo("UTC")
    return {gid: found.get(gid, ZoneInfo("UTC")) for gid in ids}


_UPSERT_MEMBER = (
    "INSERT INTO members (guild_id, user_id, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, user_id) DO UPDATE SET "
    "display_name = coalesce(excluded.display_name, display_name), last_seen = excluded.last_seen"
)


def upsert_member(
    conn: sqlite3.Connection, guild_id: int, user_id: int, display_name: str | None, now_ms: int
) -> None:
    with _transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        conn.execute(_UPSERT_MEMBER, (guild_id, user_id, display_name, now_ms, now_ms))


# --------------------------------------------------------------------------------------------
# posts

_POST_COLS = (
    "post_id, guild_id, channel_id, message_id, question_key, kind, correct_letters, option_letters, "
    "created_at, posted_at, closes_at, closed_at, requested_by, private"
)


def _post_from_row(row: Sequence[Any]) -> Post:
    return Post(
        post_id=row[0],
        guild_id=row[1],
        channel_id=row[2],
        message_id=row[3],
        question_key=row[4],
        kind=row[5],
        correct_letters=row[6],
        option_letters=row[7],
        created_at=from_ms(row[8]),
        posted_at=_opt_dt(row[9]),
        closes_at=from_ms(row[10]),
        closed_at=_opt_dt(row[11]),
        requested_by=row[12],
        private=bool(row[13]),
    )


def create_post(
    conn: sqlite3.Connection,
    *,
    guild_id: int,
    channel_id: int,
    question_key: str,
    kind: str,
    correct_letters: str,
    option_letters: str,
    created_ms: int,
    closes_ms: int,
    requested_by: int | None,
    private: bool = False,
) -> Post:
    with _transaction(conn):
        ensure_guild(conn, guild_id, created_ms)
        cur = conn.execute(
            "INSERT INTO posts (guild_id, channel_id, question_key, kind, correct_letters, option_letters, "
            "requested_by, created_at, closes_at, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                channel_id,
                question_key,
                kind,
                correct_letters,
                option_letters,
                requested_by,
                created_ms,
                closes_ms,
                1 if private else 0,
            ),
        )
        post_id = cur.lastrowid
    post = get_post(conn, int(post_id or 0))
    assert post is not None
    return post


def get_post(conn: sqlite3.Connection, post_id: int) -> Post | None:
    row = conn.execute(f"SELECT {_POST_COLS} FROM posts WHERE post_id = ?", (post_id,)).fetchone()
    return _post_from_row(row) if row else None


def get_post_by_message(conn: sqlite3.Connection, message_id: int) -> Post | None:
    row = conn.execute(f"SELECT {_POST_COLS} FROM posts WHERE message_id = ?", (message_id,)).fetchone()
    return _post_from_row(row) if row else None


def set_message_id(conn: sqlite3.Connection, post_id: int, message_id: int, posted_ms: int) -> Post | None:
    with _transaction(conn):
        conn.execute(
            "UPDATE posts SET message_id = ?, posted_at = coalesce(posted_at, ?) WHERE post_id = ?",
            (message_id, posted_ms, post_id),
        )
    return get_post(conn, post_id)


def due_posts(conn: sqlite3.Connection, now_ms: int, limit: int) -> list[Post]:
    rows = conn.execute(
        f"SELECT {_POST_COLS} FROM posts WHERE closed_at IS NULL AND closes_at <= ? "
        "ORDER BY closes_at, post_id LIMIT ?",
        (now_ms, limit),
    ).fetchall()
    return [_post_from_row(r) for r in rows]


def open_posts(conn: sqlite3.Connection, guild_id: int, kind: str | None) -> list[Post]:
    sql = f"SELECT {_POST_COLS} FROM posts WHERE guild_id = ? AND closed_at IS NULL"
    params: list[Any] = [guild_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return [_post_from_row(r) for r in conn.execute(sql + " ORDER BY created_at, post_id", params)]


def last_practice_post(conn: sqlite3.Connection, guild_id: int, user_id: int) -> Post | None:
    row = conn.execute(
        f"SELECT {_POST_COLS} FROM posts WHERE guild_id = ? AND requested_by = ? AND private = 0 "
        "ORDER BY created_at DESC, post_id DESC LIMIT 1",
        (guild_id, user_id),
    ).fetchone()
    return _post_from_row(row) if row else None


def open_private_posts(conn: sqlite3.Connection, guild_id: int, user_id: int) -> list[Post]:
    rows = conn.execute(
        f"SELECT {_POST_COLS} FROM posts WHERE guild_id = ? AND requested_by = ? AND private = 1 "
        "AND closed_at IS NULL ORDER BY created_at, post_id",
        (guild_id, user_id),
    ).fetchall()
    return [_post_from_row(r) for r in rows]


def postpone_post(conn: sqlite3.Connection, post_id: int, closes_ms: int) -> Post | None:
    """Move an open post's closing time later (never earlier); the post as it is now."""
    with _transaction(conn):
        conn.execute(
            "UPDATE posts SET closes_at = max(closes_at, ?) WHERE post_id = ? AND closed_at IS NULL",
            (closes_ms, post_id),
        )
    return get_post(conn, post_id)


def _open_dailies(conn: sqlite3.Connection, keys: Sequence[str] | None) -> list[tuple[int, str, int, int]]:
    """(guild_id, question_key, post_id, closes_ms) of the open daily posts (of `keys` only, if given)."""
    sql = "SELECT guild_id, question_key, post_id, closes_at FROM posts WHERE closed_at IS NULL AND kind = 'daily'"
    if keys is None:
        return list(conn.execute(sql + " ORDER BY post_id"))
    rows: list[tuple[int, str, int, int]] = []
    for chunk in _chunks(sorted(set(keys))):
        rows += conn.execute(sql + f" AND question_key IN ({_marks(len(chunk))})", tuple(chunk))
    rows.sort(key=lambda r: r[2])
    return rows


def open_daily_key_set(conn: sqlite3.Connection) -> set[str]:
    """The question keys of every open daily post (in any server)."""
    return {
        key
        for (key,) in conn.execute(
            "SELECT DISTINCT question_key FROM posts WHERE closed_at IS NULL AND kind = 'daily'"
        )
    }


def spoiler_facts(conn: sqlite3.Connection, user_id: int, keys: Sequence[str] | None) -> SpoilerFacts:
    """What the spoiler rule needs about one member (bot/core/spoiler.py): the open daily posts
    (every one, or those asking `keys`), which of them the member answered, and in which of their
    servers storage knows the member."""
    rows = _open_dailies(conn, keys)
    if not rows:
        return SpoilerFacts()
    post_ids = [r[2] for r in rows]
    guild_ids = sorted({r[0] for r in rows})
    answered: set[int] = set()
    for chunk in _chunks(post_ids):
        answered.update(
            pid
            for (pid,) in conn.execute(
                f"SELECT post_id FROM answers WHERE user_id = ? AND post_id IN ({_marks(len(chunk))})",
                (user_id, *chunk),
            )
        )
    known: set[int] = set()
    for chunk in _chunks(guild_ids):
        known.update(
            gid
            for (gid,) in conn.execute(
                f"SELECT guild_id FROM members WHERE user_id = ? AND guild_id IN ({_marks(len(chunk))})",
                (user_id, *chunk),
            )
        )
    return SpoilerFacts(
        open_dailies=tuple(OpenDaily(gid, key, pid) for gid, key, pid, _ in rows),
        answered_posts=frozenset(answered),
        known_guilds=frozenset(known),
    )


def close_post(conn: sqlite3.Connection, post_id: int, now_ms: int) -> CloseResult | None:
    """Close a post (idempotent). For a daily post, members of the guild with a current streak who
    did not answer it lose that streak, in the same transaction."""
    with _transaction(conn):
        row = conn.execute(f"SELECT {_POST_COLS} FROM posts WHERE post_id = ?", (post_id,)).fetchone()
        if row is None:
            return None
        post = _post_from_row(row)
        newly_closed = post.closed_at is None
        reset = 0
        if newly_closed:
            conn.execute("UPDATE posts SET closed_at = ? WHERE post_id = ?", (now_ms, post_id))
            if post.kind == "daily":
                # streak_after_daily_closed(state, answered=False) for every member concerned.
                reset = conn.execute(
                    "UPDATE streaks SET current = 0, updated_at = ? "
                    "WHERE guild_id = ? AND current > 0 AND NOT EXISTS "
                    "(SELECT 1 FROM answers a WHERE a.post_id = ? AND a.user_id = streaks.user_id)",
                    (now_ms, post.guild_id, post_id),
                ).rowcount
            post = _post_from_row((*row[:11], now_ms, *row[12:]))
        choices = conn.execute(
            "SELECT letters, count(*), sum(correct) FROM answers WHERE post_id = ? GROUP BY letters",
            (post_id,),
        ).fetchall()
    per_choice = {letters: n for letters, n, _ in choices}
    per_letter = dict.fromkeys(post.option_letters, 0)
    for letters, n, _ in choices:
        for letter in letters:
            per_letter[letter] = per_letter.get(letter, 0) + n
    participants = sum(per_choice.values())
    correct_count = sum(c for _, _, c in choices)
    return CloseResult(
        post=post,
        per_letter=dict(sorted(per_letter.items())),
        per_choice=dict(sorted(per_choice.items())),
        participants=participants,
        correct_count=correct_count,
        accuracy=accuracy(correct_count, participants),
        streaks_reset=reset,
        newly_closed=newly_closed,
    )


# --------------------------------------------------------------------------------------------
# answers: the group-commit batch


@dataclass(frozen=True, slots=True)
class AnswerRequest:
    guild_id: int
    post_id: int
    user_id: int
    letters: str  # normalised (sorted, unique)
    display_name: str | None
    answered_ms: int


_INSERT_ANSWER = (
    "INSERT INTO answers (answer_id, post_id, guild_id, user_id, question_key, letters, correct, points, "
    "answered_at, latency_ms, local_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_TOTALS = (
    "INSERT INTO totals (points, answers, correct, guild_id, bucket, user_id) VALUES (?, ?, ?, ?, ?, ?)"
)
_UPDATE_TOTALS = (
    "UPDATE totals SET points = ?, answers = ?, correct = ? WHERE guild_id = ? AND bucket = ? AND user_id = ?"
)
_ADD_POINTS_HIST = (
    "INSERT INTO points_hist (guild_id, bucket, points, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (guild_id, bucket, points) DO UPDATE SET n = n + excluded.n"
)
_ADD_ACC_HIST = (
    "INSERT INTO acc_hist (guild_id, bucket, acc, n) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (guild_id, bucket, acc) DO UPDATE SET n = n + excluded.n"
)
_INSERT_STREAK = "INSERT INTO streaks (current, best, last_post_id, updated_at, guild_id, user_id) VALUES (?, ?, ?, ?, ?, ?)"
_UPDATE_STREAK = "UPDATE streaks SET current = ?, best = ?, last_post_id = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?"
_ADD_QUESTION_DAY = (
    "INSERT INTO question_day (guild_id, day, question_key, answers, correct) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, day, question_key) DO UPDATE SET answers = answers + excluded.answers, "
    "correct = correct + excluded.correct"
)
_ADD_MEMBER_DAY = (
    "INSERT INTO member_day (guild_id, day, user_id, answers, correct) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, day, user_id) DO UPDATE SET answers = answers + excluded.answers, "
    "correct = correct + excluded.correct"
)

# post_id -> (guild_id, question_key, kind, correct_letters, created_at, posted_at, closes_at, closed_at)
_PostInfo = tuple[int, str, str, str, int, int | None, int, int | None]


def _load_posts(conn: sqlite3.Connection, post_ids: list[int]) -> dict[int, _PostInfo]:
    posts: dict[int, _PostInfo] = {}
    for chunk in _chunks(post_ids):
        for row in conn.execute(
            "SELECT post_id, guild_id, question_key, kind, correct_letters, created_at, posted_at, closes_at, "
            f"closed_at FROM posts WHERE post_id IN ({_marks(len(chunk))})",
            chunk,
        ):
            posts[row[0]] = row[1:]
    return posts


def _acc(answers: int, correct: int) -> float | None:
    """The `acc` column of totals, computed the same way (an IEEE division, bit-identical)."""
    return correct / answers if answers >= LEADERBOARD_MIN_ANSWERS else None


def write_answers(conn: sqlite3.Connection, reqs: Sequence[AnswerRequest]) -> list[AnswerOutcome | Exception]:
    """Write a batch of answers in ONE transaction; an outcome (or error) per request, in order.

    If the batch fails as a whole (it should not), each request is retried in a transaction of
    its own so that one bad request cannot sink the others.
    """
    try:
        with _transaction(conn):
            return list(_apply_answers(conn, reqs))
    except sqlite3.Error:
        if len(reqs) == 1:
            raise
    outcomes: list[AnswerOutcome | Exception] = []
    for req in reqs:
        try:
            with _transaction(conn):
                outcomes.extend(_apply_answers(conn, [req]))
        except sqlite3.Error as e:
            outcomes.append(e)
    return outcomes


def _apply_answers(conn: sqlite3.Connection, reqs: Sequence[AnswerRequest]) -> list[AnswerOutcome]:
    """The batch's reads and writes, inside the caller's transaction.

    Reads first (a handful of IN (...) queries for the whole batch), then the rules in Python
    (bot.core), then one executemany per table. Totals are written as absolute values, and the
    rank histograms of totals get the batch's net changes (usually a few rows).
    """
    posts = _load_posts(conn, list({r.post_id for r in reqs}))
    tzs = guild_timezones(conn, {p[0] for p in posts.values()})

    # Local day and bucket keys of each answer; bursts share a minute, so cache per minute.
    minute_cache: dict[tuple[int, int], tuple[str, tuple[str, str, str]]] = {}
    day_of: list[tuple[str, tuple[str, str, str]] | None] = []
    users: dict[int, set[int]] = {}
    buckets: dict[int, set[str]] = {}
    practice_q: dict[int, set[str]] = {}
    per_post: dict[int, set[int]] = {}
    for r in reqs:
        users.setdefault(r.guild_id, set()).add(r.user_id)
        p = posts.get(r.post_id)
        if p is None or p[0] != r.guild_id:
            day_of.append(None)
            continue
        per_post.setdefault(r.post_id, set()).add(r.user_id)
        mkey = (r.guild_id, r.answered_ms // 60_000)
        d = minute_cache.get(mkey)
        if d is None:
            day = datetime.fromtimestamp(r.answered_ms / 1000, tzs[r.guild_id]).date()
            d = (day.isoformat(), bucket_keys(day))
            minute_cache[mkey] = d
        day_of.append(d)
        buckets.setdefault(r.guild_id, set()).update(d[1])
        if p[2] == "practice":
            practice_q.setdefault(r.guild_id, set()).add(p[1])

    # Earlier answers to these posts by these members.
    existing: dict[tuple[int, int], tuple[int, str, int]] = {}
    for pid, uids in per_post.items():
        for chunk in _chunks(list(uids)):
            for uid, aid, letters, correct in conn.execute(
                "SELECT user_id, answer_id, letters, correct FROM answers "
                f"WHERE post_id = ? AND user_id IN ({_marks(len(chunk))})",
                (pid, *chunk),
            ):
                existing[(pid, uid)] = (aid, letters, correct)

    # Totals (every bucket touched) and streaks before this batch.
    totals_before: dict[tuple[int, str, int], tuple[int, int, int]] = {}
    streaks_before: dict[tuple[int, int], tuple[int, int]] = {}
    for gid, uset in users.items():
        blist = sorted(buckets.get(gid, set()) | {ALL_KEY})
        bmarks = _marks(len(blist))
        for chunk in _chunks(list(uset)):
            marks = _marks(len(chunk))
            for bucket, uid, pts, n, c in conn.execute(
                f"SELECT bucket, user_id, points, answers, correct FROM totals WHERE guild_id = ? "
                f"AND bucket IN ({bmarks}) AND user_id IN ({marks})",
                (gid, *blist, *chunk),
            ):
                totals_before[(gid, bucket, uid)] = (pts, n, c)
            for uid, cur, best in conn.execute(
                f"SELECT user_id, current, best FROM streaks WHERE guild_id = ? AND user_id IN ({marks})",
                (gid, *chunk),
            ):
                streaks_before[(gid, uid)] = (cur, best)

    # Questions already answered correctly by these members, for practice answers (no farming).
    solved: set[tuple[int, int, str]] = set()
    for gid, qkeys in practice_q.items():
        qlist = list(qkeys)
        ulist = list(users[gid])
        for qchunk in _chunks(qlist, 200):
            for uchunk in _chunks(ulist, 200):
                for uid, qkey in conn.execute(
                    "SELECT DISTINCT user_id, question_key FROM answers WHERE guild_id = ? "
                    f"AND user_id IN ({_marks(len(uchunk))}) AND question_key IN ({_marks(len(qchunk))}) "
                    "AND correct = 1",
                    (gid, *uchunk, *qchunk),
                ):
                    solved.add((gid, uid, qkey))

    # The rules, request by request, in arrival order.
    totals: dict[tuple[int, str, int], list[int]] = {}
    streaks: dict[tuple[int, int], StreakState] = {}
    streak_rows: dict[tuple[int, int], tuple[int, int, int, int, int, int]] = {}
    members: dict[tuple[int, int], tuple[int, int, str | None, int, int]] = {}
    answer_rows: list[tuple[Any, ...]] = []
    qday: dict[tuple[int, str, str], list[int]] = {}
    mday: dict[tuple[int, str, int], list[int]] = {}
    # A stored answer's outcome carries the figures right after it; the others (duplicate,
    # refused) get the member's figures after the whole batch, filled in at the end.
    results: list[
        AnswerOutcome | tuple[AnswerStatus, int | None, str | None, bool | None, PostKind | None]
    ] = []
    next_id = (conn.execute("SELECT max(answer_id) FROM answers").fetchone()[0] or 0) + 1

    for r, d in zip(reqs, day_of, strict=True):
        p = posts.get(r.post_id)
        if p is None or d is None:
            results.append(("unknown_post", None, None, None, None))
            continue
        gid, qkey, kind_s, correct_letters, created_ms, posted_ms, closes_ms, closed_ms = p
        kind = cast(PostKind, kind_s)
        prev = existing.get((r.post_id, r.user_id))
        if prev is not None:
            results.append(("duplicate", prev[0], prev[1], bool(prev[2]), kind))
            continue
        if closed_ms is not None or r.answered_ms >= closes_ms:
            results.append(("closed", None, None, None, kind))
            continue

        uid = r.user_id
        correct = r.letters == correct_letters
        c = 1 if correct else 0
        already = (gid, uid, qkey) in solved
        pts = score_answer(kind, correct, already)
        if correct:
            solved.add((gid, uid, qkey))
        skey = (gid, uid)
        state = streaks.get(skey)
        if state is None:
            before = streaks_before.get(skey)
            state = StreakState(*before) if before else StreakState()
            streaks[skey] = state
        if kind == "daily":
            state = streak_after_daily_answer(state, correct)
            streaks[skey] = state
            streak_rows[skey] = (state.current, state.best, r.post_id, r.answered_ms, gid, uid)

        answer_id = next_id
        next_id += 1
        existing[(r.post_id, uid)] = (answer_id, r.letters, c)
        latency = r.answered_ms - (posted_ms if posted_ms is not None else created_ms)
        day_s, bkeys = d
        answer_rows.append(
            (answer_id, r.post_id, gid, uid, qkey, r.letters, c, pts, r.answered_ms, max(0, latency), day_s)
        )
        prev_member = members.get((gid, uid))
        name = r.display_name if r.display_name is not None else (prev_member[2] if prev_member else None)
        members[(gid, uid)] = (gid, uid, name, r.answered_ms, r.answered_ms)
        for bucket in bkeys:
            tkey = (gid, bucket, uid)
            t = totals.get(tkey)
            if t is None:
                t = list(totals_before.get(tkey, (0, 0, 0)))
                totals[tkey] = t
            t[0] += pts
            t[1] += 1
            t[2] += c
        q = qday.get((gid, day_s, qkey))
        if q is None:
            qday[(gid, day_s, qkey)] = [1, c]
        else:
            q[0] += 1
            q[1] += c
        m = mday.get((gid, day_s, uid))
        if m is None:
            mday[(gid, day_s, uid)] = [1, c]
        else:
            m[0] += 1
            m[1] += c
        total = totals[(gid, ALL_KEY, uid)][0]
        results.append(
            AnswerOutcome(
                "stored", answer_id, r.letters, correct, pts, total, state.current, state.best, kind
            )
        )

    if answer_rows:
        conn.executemany(_UPSERT_MEMBER, members.values())
        conn.executemany(_INSERT_ANSWER, answer_rows)
        new_totals = []
        changed_totals = []
        points_delta: dict[tuple[int, str, int], int] = {}
        acc_delta: dict[tuple[int, str, float], int] = {}
        for tkey, (pts, n, c) in totals.items():
            gid, bucket, _ = tkey
            old = totals_before.get(tkey)
            row = (pts, n, c, *tkey)
            if old is None:
                new_totals.append(row)
                points_delta[(gid, bucket, pts)] = points_delta.get((gid, bucket, pts), 0) + 1
                old_acc = None
            else:
                changed_totals.append(row)
                if old[0] != pts:
                    points_delta[(gid, bucket, old[0])] = points_delta.get((gid, bucket, old[0]), 0) - 1
                    points_delta[(gid, bucket, pts)] = points_delta.get((gid, bucket, pts), 0) + 1
                old_acc = _acc(old[1], old[2])
            new_acc = _acc(n, c)
            if old_acc != new_acc:
                if old_acc is not None:
                    acc_delta[(gid, bucket, old_acc)] = acc_delta.get((gid, bucket, old_acc), 0) - 1
                if new_acc is not None:
                    acc_delta[(gid, bucket, new_acc)] = acc_delta.get((gid, bucket, new_acc), 0) + 1
        conn.executemany(_UPDATE_TOTALS, changed_totals)
        conn.executemany(_INSERT_TOTALS, new_totals)
        conn.executemany(_ADD_POINTS_HIST, [(*k, dn) for k, dn in points_delta.items() if dn])
        conn.executemany(_ADD_ACC_HIST, [(*k, dn) for k, dn in acc_delta.items() if dn])
        if streak_rows:
            conn.executemany(_UPDATE_STREAK, [row for k, row in streak_rows.items() if k in streaks_before])
            conn.executemany(
                _INSERT_STREAK, [row for k, row in streak_rows.items() if k not in streaks_before]
            )
        conn.executemany(_ADD_QUESTION_DAY, [(g, d, q, *v) for (g, d, q), v in qday.items()])
        conn.executemany(_ADD_MEMBER_DAY, [(g, d, u, *v) for (g, d, u), v in mday.items()])

    outcomes: list[AnswerOutcome] = []
    for r, res in zip(reqs, results, strict=True):
        if isinstance(res, AnswerOutcome):
            outcomes.append(res)
            continue
        key = (r.guild_id, r.user_id)
        tkey = (r.guild_id, ALL_KEY, r.user_id)
        total = (totals.get(tkey) or totals_before.get(tkey) or (0,))[0]
        state = streaks.get(key) or StreakState(*streaks_before.get(key, (0, 0)))
        status, aid, letters, correct_, kind_ = res
        outcomes.append(
            AnswerOutcome(status, aid, letters, correct_, 0, total, state.current, state.best, kind_)
        )
    return outcomes


def _answer_from_row(row: Sequence[Any]) -> StoredAnswer:
    return StoredAnswer(
        answer_id=row[0],
        post_id=row[1],
        guild_id=row[2],
        user_id=row[3],
        question_key=row[4],
        letters=row[5],
        correct=bool(row[6]),
        points=row[7],
        answered_at=from_ms(row[8]),
        latency_ms=row[9],
    )


_ANSWER_COLS = (
    "answer_id, post_id, guild_id, user_id, question_key, letters, correct, points, answered_at, latency_ms"
)


def get_answer(conn: sqlite3.Connection, post_id: int, user_id: int) -> StoredAnswer | None:
    row = conn.execute(
        f"SELECT {_ANSWER_COLS} FROM answers WHERE post_id = ? AND user_id = ?", (post_id, user_id)
    ).fetchone()
    return _answer_from_row(row) if row else None


def answers_for_post(conn: sqlite3.Connection, post_id: int) -> list[StoredAnswer]:
    rows = conn.execute(
        f"SELECT {_ANSWER_COLS} FROM answers WHERE post_id = ? ORDER BY answer_id", (post_id,)
    )
    return [_answer_from_row(r) for r in rows]


def count_answers(conn: sqlite3.Connection, post_id: int) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM answers WHERE post_id = ?", (post_id,)).fetchone()[0])


def answered_questions(conn: sqlite3.Connection, guild_id: int, user_id: int, correct_only: bool) -> set[str]:
    sql = "SELECT DISTINCT question_key FROM answers WHERE guild_id = ? AND user_id = ?"
    if correct_only:
        sql += " AND correct = 1"
    return {row[0] for row in conn.execute(sql, (guild_id, user_id))}


# --------------------------------------------------------------------------------------------
# leaderboards


@dataclass(frozen=True, slots=True)
class _Board:
    """How to read one metric: its ordered rows and its rank histogram."""

    rows_sql: str  # params: guild_id, [bucket], seek value; ORDER BY metric
    value_sql: str  # the caller's row: params guild_id, [bucket], user_id -> value or no row
    hist_where: str  # WHERE of the histogram (params guild_id, [bucket])
    hist_table: str
    hist_col: str
    bucketed: bool


_BOARDS: dict[str, _Board] = {
    "points": _Board(
        rows_sql="SELECT user_id, points FROM totals WHERE guild_id = ? AND bucket = ? AND points <= ? "
        "ORDER BY points DESC, user_id LIMIT ? OFFSET ?",
        value_sql="SELECT points FROM totals WHERE guild_id = ? AND bucket = ? AND user_id = ?",
        hist_where="guild_id = ? AND bucket = ?",
        hist_table="points_hist",
        hist_col="points",
        bucketed=True,
    ),
    "accuracy": _Board(
        rows_sql="SELECT user_id, acc FROM totals WHERE guild_id = ? AND bucket = ? AND acc IS NOT NULL "
        "AND acc <= ? ORDER BY acc DESC, answers DESC, user_id LIMIT ? OFFSET ?",
        value_sql="SELECT acc FROM totals WHERE guild_id = ? AND bucket = ? AND user_id = ? AND acc IS NOT NULL",
        hist_where="guild_id = ? AND bucket = ?",
        hist_table="acc_hist",
        hist_col="acc",
        bucketed=True,
    ),
    "current_streak": _Board(
        rows_sql="SELECT user_id, current FROM streaks WHERE guild_id = ? AND current > 0 AND current <= ? "
        "ORDER BY current DESC, user_id LIMIT ? OFFSET ?",
        value_sql="SELECT current FROM streaks WHERE guild_id = ? AND user_id = ? AND current > 0",
        hist_where="guild_id = ? AND which = 'current' AND value > 0",
        hist_table="streak_hist",
        hist_col="value",
        bucketed=False,
    ),
    "best_streak": _Board(
        rows_sql="SELECT user_id, best FROM streaks WHERE guild_id = ? AND best > 0 AND best <= ? "
        "ORDER BY best DESC, user_id LIMIT ? OFFSET ?",
        value_sql="SELECT best FROM streaks WHERE guild_id = ? AND user_id = ? AND best > 0",
        hist_where="guild_id = ? AND which = 'best' AND value > 0",
        hist_table="streak_hist",
        hist_col="value",
        bucketed=False,
    ),
}


def _count_above(conn: sqlite3.Connection, board: _Board, key: tuple[Any, ...], value: Any) -> int:
    row = conn.execute(
        f"SELECT coalesce(sum(n), 0) FROM {board.hist_table} WHERE {board.hist_where} AND {board.hist_col} > ?",
        (*key, value),
    ).fetchone()
    return int(row[0])


def bucket_for(conn: sqlite3.Connection, guild_id: int, period: PeriodKind, at_ms: int) -> str:
    if period == "all":
        return ALL_KEY
    tz = guild_timezones(conn, [guild_id])[guild_id]
    return period_start(period, from_ms(at_ms), tz).key


def leaderboard(
    conn: sqlite3.Connection,
    guild_id: int,
    period: PeriodKind,
    metric: LeaderboardMetric,
    page: int,
    page_size: int,
    user_id: int | None,
    at_ms: int,
) -> LeaderboardPage:
    board = _BOARDS.get(metric)
    if board is None:
        raise ValueError(f"unknown leaderboard metric {metric!r}")
    if period not in ("week", "month", "all"):
        raise ValueError(f"unknown period {period!r}")
    if page < 1 or page_size < 1:
        raise ValueError("page and page_size start at 1")
    bucket = bucket_for(conn, guild_id, period, at_ms) if board.bucketed else ALL_KEY
    key: tuple[Any, ...] = (guild_id, bucket) if board.bucketed else (guild_id,)

    conn.execute("BEGIN")  # one read snapshot for the page, the count and the caller's rank
    try:
        total = int(
            conn.execute(
                f"SELECT coalesce(sum(n), 0) FROM {board.hist_table} WHERE {board.hist_where}", key
            ).fetchone()[0]
        )
        offset = (page - 1) * page_size
        rows: list[tuple[int, Any]] = []
        first_rank = 1
        if offset < total:
            # Seek with the histogram: the value held by the member at `offset`, and how many
            # members hold a greater value; the index walk then starts at that value.
            seek: Any = None
            above = 0
            cum = 0
            hist = conn.execute(
                f"SELECT {board.hist_col}, n FROM {board.hist_table} WHERE {board.hist_where} AND n > 0 "
                f"ORDER BY {board.hist_col} DESC",
                key,
            )
            for value, n in hist:
                if cum + n > offset:
                    seek, above = value, cum
                    break
                cum += n
            hist.close()
            if seek is not None:
                rows = conn.execute(board.rows_sql, (*key, seek, page_size, offset - above)).fetchall()
            if rows and offset:
                first_rank = _count_above(conn, board, key, rows[0][1]) + 1
        me_value: Any = None
        if user_id is not None:
            r = conn.execute(board.value_sql, (*key, user_id)).fetchone()
            me_value = r[0] if r else None
        me_rank = _count_above(conn, board, key, me_value) + 1 if me_value is not None else None
        ids = [uid for uid, _ in rows] + ([user_id] if user_id is not None and me_value is not None else [])
        details = _member_details(conn, guild_id, bucket if board.bucketed else ALL_KEY, ids)
    finally:
        conn.execute("COMMIT")

    entries: list[LeaderboardEntry] = []
    prev_value: Any = object()
    rank = first_rank
    for i, (uid, value) in enumerate(rows):
        if i > 0 and value != prev_value:
            rank = offset + i + 1
        prev_value = value
        entries.append(_entry(rank, uid, value, details))
    me = _entry(me_rank, user_id, me_value, details) if me_rank is not None and user_id is not None else None
    return LeaderboardPage(guild_id, metric, bucket, page, page_size, total, entries, me)


def _member_details(
    conn: sqlite3.Connection, guild_id: int, bucket: str, user_ids: list[int]
) -> dict[int, tuple[str | None, int, int, int]]:
    out: dict[int, tuple[str | None, int, int, int]] = {}
    ids = list(set(user_ids))
    for chunk in _chunks(ids):
        marks = _marks(len(chunk))
        names = dict(
            conn.execute(
                f"SELECT user_id, display_name FROM members WHERE guild_id = ? AND user_id IN ({marks})",
                (guild_id, *chunk),
            ).fetchall()
        )
        figures = {
            uid: (p, a, c)
            for uid, p, a, c in conn.execute(
                f"SELECT user_id, points, answers, correct FROM totals WHERE guild_id = ? AND bucket = ? "
                f"AND user_id IN ({marks})",
                (guild_id, bucket, *chunk),
            )
        }
        for uid in chunk:
            out[uid] = (names.get(uid), *figures.get(uid, (0, 0, 0)))
    return out


def _entry(
    rank: int, user_id: int, value: Any, details: dict[int, tuple[str | None, int, int, int]]
) -> LeaderboardEntry:
    name, pts, answers, correct = details.get(user_id, (None, 0, 0, 0))
    return LeaderboardEntry(rank, user_id, name, value, pts, answers, correct)


# --------------------------------------------------------------------------------------------
# stats


def _tag_stats(rows: Iterable[tuple[str, str, int, int]]) -> tuple[list[TagStat], list[TagStat]]:
    topics: list[TagStat] = []
    traps: list[TagStat] = []
    for kind, tag, n, c in rows:
        stat = TagStat(kind, tag, int(n), int(c or 0))
        if kind == "topic":
            topics.append(stat)
        elif kind == "trap":
            traps.append(stat)
    topics.sort(key=lambda s: s.tag)
    traps.sort(key=lambda s: s.tag)
    return topics, traps


def _weakest(stats: list[TagStat], limit: int, min_answers: int = TAG_MIN_ANSWERS) -> list[TagStat]:
    eligible = [s for s in stats if s.answers >= min_answers]
    eligible.sort(key=lambda s: (s.correct / s.answers, -s.answers, s.tag))
    return eligible[:limit]


def user_stats(conn: sqlite3.Connection, guild_id: int, user_id: int, at_ms: int, weakest: int) -> UserStats:
    tz = guild_timezones(conn, [guild_id])[guild_id]
    at = from_ms(at_ms)
    week = period_start("week", at, tz).key
    month = period_start("month", at, tz).key
    conn.execute("BEGIN")
    try:
        figures = {
            bucket: (p, a, c)
            for bucket, p, a, c in conn.execute(
                "SELECT bucket, points, answers, correct FROM totals WHERE guild_id = ? AND user_id = ? "
                "AND bucket IN (?, ?, ?)",
                (guild_id, user_id, ALL_KEY, week, month),
            )
        }
        streak = conn.execute(
            "SELECT current, best FROM streaks WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ).fetchone()
        name_row = conn.execute(
            "SELECT display_name FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ).fetchone()
        tag_rows = conn.execute(
            "SELECT t.kind, t.tag, sum(a.n), sum(a.c) FROM "
            "(SELECT question_key, count(*) AS n, sum(correct) AS c FROM answers "
            " WHERE guild_id = ? AND user_id = ? GROUP BY question_key) AS a "
            "JOIN question_tags AS t ON t.question_key = a.question_key GROUP BY t.kind, t.tag",
            (guild_id, user_id),
        ).fetchall()
        points_all = figures.get(ALL_KEY, (0, 0, 0))[0]
        rank = (
            _count_above(conn, _BOARDS["points"], (guild_id, ALL_KEY), points_all) + 1
            if ALL_KEY in figures
            else None
        )
    finally:
        conn.execute("COMMIT")
    pts, answers, correct = figures.get(ALL_KEY, (0, 0, 0))
    topics, traps = _tag_stats(tag_rows)
    current, best = streak if streak else (0, 0)
    return UserStats(
        guild_id=guild_id,
        user_id=user_id,
        display_name=name_row[0] if name_row else None,
        answers=answers,
        correct=correct,
        accuracy=accuracy(correct, answers),
        points=pts,
        week_points=figures.get(week, (0, 0, 0))[0],
        month_points=figures.get(month, (0, 0, 0))[0],
        current_streak=current,
        best_streak=best,
        rank=rank,
        topics=topics,
        traps=traps,
        weakest_topics=_weakest(topics, weakest),
    )


def server_stats(
    conn: sqlite3.Connection, guild_id: int, at_ms: int, days: int, limit: int, min_question_answers: int
) -> ServerStats:
    tz = guild_timezones(conn, [guild_id])[guild_id]
    today = from_ms(at_ms).astimezone(tz).date()
    since = today - timedelta(days=days - 1)
    since_s = since.isoformat()
    conn.execute("BEGIN")
    try:
        tag_rows = conn.execute(
            "SELECT t.kind, t.tag, sum(q.answers), sum(q.correct) FROM "
            "(SELECT question_key, sum(answers) AS answers, sum(correct) AS correct FROM question_day "
            " WHERE guild_id = ? AND day >= ? GROUP BY question_key) AS q "
            "JOIN question_tags AS t ON t.question_key = q.question_key GROUP BY t.kind, t.tag",
            (guild_id, since_s),
        ).fetchall()
        hardest = conn.execute(
            "SELECT question_key, sum(answers) AS n, sum(correct) AS c FROM question_day "
            "WHERE guild_id = ? AND day >= ? GROUP BY question_key HAVING n >= ? "
            "ORDER BY CAST(c AS REAL) / n, n DESC, question_key LIMIT ?",
            (guild_id, since_s, min_question_answers, limit),
        ).fetchall()
        per_day = conn.execute(
            "SELECT day, count(*), sum(answers), sum(correct) FROM member_day WHERE guild_id = ? AND day >= ? "
            "GROUP BY day ORDER BY day",
            (guild_id, since_s),
        ).fetchall()
        participants = conn.execute(
            "SELECT count(DISTINCT user_id) FROM member_day WHERE guild_id = ? AND day >= ?",
            (guild_id, since_s),
        ).fetchone()[0]
    finally:
        conn.execute("COMMIT")
    topics, traps = _tag_stats(tag_rows)
    return ServerStats(
        guild_id=guild_id,
        since=since,
        answers=sum(int(r[2]) for r in per_day),
        correct=sum(int(r[3]) for r in per_day),
        participants=int(participants),
        weakest_topics=_weakest(topics, limit, 1),
        weakest_traps=_weakest(traps, limit, 1),
        hardest_questions=[QuestionStat(q, int(n), int(c)) for q, n, c in hardest],
        per_day=[DayParticipation(date.fromisoformat(d), int(p), int(n), int(c)) for d, p, n, c in per_day],
    )


def export_scores(conn: sqlite3.Connection, guild_id: int, period: PeriodKind, at_ms: int) -> list[ScoreRow]:
    bucket = bucket_for(conn, guild_id, period, at_ms)
    rows = conn.execute(
        "SELECT t.user_id, m.display_name, t.points, t.answers, t.correct, "
        "coalesce(s.current, 0), coalesce(s.best, 0) FROM totals AS t "
        "LEFT JOIN members AS m ON m.guild_id = t.guild_id AND m.user_id = t.user_id "
        "LEFT JOIN streaks AS s ON s.guild_id = t.guild_id AND s.user_id = t.user_id "
        "WHERE t.guild_id = ? AND t.bucket = ? ORDER BY t.points DESC, t.user_id",
        (guild_id, bucket),
    ).fetchall()
    return [
        ScoreRow(guild_id, uid, name, bucket, p, a, c, accuracy(c, a), cur, best)
        for uid, name, p, a, c, cur, best in rows
    ]


# --------------------------------------------------------------------------------------------
# question tags


def sync_question_tags(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str]]) -> int:
    """Replace every (question_key, kind, tag) row with `rows`; return how many are stored."""
    wanted = sorted(set(rows))
    with _transaction(conn):
        conn.execute("DELETE FROM question_tags")
        conn.executemany("INSERT INTO question_tags (question_key, kind, tag) VALUES (?, ?, ?)", wanted)
    return len(wanted)


# --------------------------------------------------------------------------------------------
# maintenance

# Buckets from a stored local day, the same keys as bot.core.periods.bucket_keys().
_WEEK_SQL = "'week:' || date(local_day, '-6 days', 'weekday 1')"
_MONTH_SQL = "'month:' || date(local_day, 'start of month')"


def rebuild_aggregates(conn: sqlite3.Connection, guild_id: int | None) -> None:
    """Recompute totals and daily aggregates from the answers (all guilds if guild_id is None).

    Streaks cannot be recomputed from answers alone (they depend on when dailies closed) and are
    left alone. Used after bulk imports and to check the incremental figures in tests.
    """
    where = "" if guild_id is None else "WHERE guild_id = ?"
    params: tuple[Any, ...] = () if guild_id is None else (guild_id,)
    with _transaction(conn):
        conn.execute(f"DELETE FROM totals {where}", params)
        conn.execute(f"DELETE FROM question_day {where}", params)
        conn.execute(f"DELETE FROM member_day {where}", params)
        for bucket_sql in ("'all'", _WEEK_SQL, _MONTH_SQL):
            conn.execute(
                "INSERT INTO totals (guild_id, bucket, user_id, points, answers, correct) "
                f"SELECT guild_id, {bucket_sql} AS b, user_id, sum(points), count(*), sum(correct) FROM answers "
                f"{where} GROUP BY guild_id, b, user_id",
                params,
            )
        conn.execute(
            "INSERT INTO question_day (guild_id, day, question_key, answers, correct) "
            f"SELECT guild_id, local_day, question_key, count(*), sum(correct) FROM answers {where} "
            "GROUP BY guild_id, local_day, question_key",
            params,
        )
        conn.execute(
            "INSERT INTO member_day (guild_id, day, user_id, answers, correct) "
            f"SELECT guild_id, local_day, user_id, count(*), sum(correct) FROM answers {where} "
            "GROUP BY guild_id, local_day, user_id",
            params,
        )
        conn.execute(f"DELETE FROM points_hist {where}", params)
        conn.execute(f"DELETE FROM acc_hist {where}", params)
        conn.execute(
            "INSERT INTO points_hist (guild_id, bucket, points, n) "
            f"SELECT guild_id, bucket, points, count(*) FROM totals {where} GROUP BY guild_id, bucket, points",
            params,
        )
        conn.execute(
            "INSERT INTO acc_hist (guild_id, bucket, acc, n) SELECT guild_id, bucket, acc, count(*) FROM totals "
            f"WHERE acc IS NOT NULL {'' if guild_id is None else 'AND guild_id = ?'} GROUP BY guild_id, bucket, acc",
            params,
        )
        conn.execute("DELETE FROM streak_hist WHERE n = 0")


def snapshot_aggregates(conn: sqlite3.Connection, guild_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every aggregate row of a guild (for consistency checks)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table, cols in (
        ("totals", "bucket, user_id, points, answers, correct"),
        ("question_day", "day, question_key, answers, correct"),
        ("member_day", "day, user_id, answers, correct"),
        ("points_hist", "bucket, points, n"),
        ("acc_hist", "bucket, acc, n"),
        ("streak_hist", "which, value, n"),
    ):
        where = " AND n > 0" if table.endswith("_hist") else ""
        out[table] = conn.execute(
            f"SELECT {cols} FROM {table} WHERE guild_id = ?{where} ORDER BY {cols}", (guild_id,)
        ).fetchall()
    return out


def backup_to(conn: sqlite3.Connection, path: str) -> None:
    target = sqlite3.connect(path)
    try:
        conn.backup(target)
    finally:
        target.close()


def integrity_check(conn: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    rows += [f"foreign key: {r}" for r in conn.execute("PRAGMA foreign_key_check")]
    return [] if rows == ["ok"] else [r for r in rows if r != "ok"]


# --------------------------------------------------------------------------------------------
# the daily question (migration 0002): schedule, rotation and runs; see docs/daily.md

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


def _schedule_from_row(row: Sequence[Any]) -> DailySchedule:
    return DailySchedule(
        guild_id=row[0],
        channel_id=row[1],
        time=row[2],
        timezone=row[3],
        topics=tuple(json.loads(row[4])),
        difficulty=row[5],
        role_id=row[6],
        enabled=bool(row[7]),
        active_since=from_ms(row[8]),
        last_error=row[9],
        last_error_at=_opt_dt(row[10]),
        updated_at=from_ms(row[11]),
    )


def _run_from_row(row: Sequence[Any]) -> DailyRun:
    return DailyRun(
        run_id=row[0],
        guild_id=row[1],
        local_day=date.fromisoformat(row[2]),
        scheduled=bool(row[3]),
        status=row[4],
        question_key=row[5],
        post_id=row[6],
        channel_id=row[7],
        role_id=row[8],
        due_at=from_ms(row[9]),
        claimed_at=from_ms(row[10]),
        attempts=row[11],
        attempt_at=_opt_dt(row[12]),
        sent_at=_opt_dt(row[13]),
        error=row[14],
    )


def get_daily_schedule(conn: sqlite3.Connection, guild_id: int) -> DailySchedule | None:
    row = conn.execute(
        f"SELECT {_SCHEDULE_COLS} FROM {_SCHEDULE_FROM} WHERE d.guild_id = ?", (guild_id,)
    ).fetchone()
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
    tz = _validate_setting("timezone", timezone)
    hhmm = _validate_setting("daily_time", time)
    if hhmm is None:
        raise ValueError("the daily needs a time of day")
    if difficulty is not None and difficulty not in DIFFICULTY_LEVELS:
        raise ValueError(f"difficulty must be one of {', '.join(DIFFICULTY_LEVELS)}")
    with _transaction(conn):
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
    with _transaction(conn):
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
    conn.execute("BEGIN")
    try:
        schedules = [
            _schedule_from_row(r)
            for r in conn.execute(f"SELECT {_SCHEDULE_COLS} FROM {_SCHEDULE_FROM} WHERE d.enabled = 1")
        ]
        taken = {
            (int(g), str(d))
            for g, d in conn.execute(
                "SELECT guild_id, local_day FROM daily_runs WHERE scheduled = 1 AND local_day >= ?",
                (since_day,),
            )
        }
        claimed = [
            _run_from_row(r)
            for r in conn.execute(
                f"SELECT {_RUN_COLS} FROM daily_runs WHERE status = 'claimed' ORDER BY run_id"
            )
        ]
    finally:
        conn.execute("COMMIT")
    return schedules, taken, claimed


def get_daily_run(conn: sqlite3.Connection, run_id: int) -> DailyRun | None:
    row = conn.execute(f"SELECT {_RUN_COLS} FROM daily_runs WHERE run_id = ?", (run_id,)).fetchone()
    return _run_from_row(row) if row else None


def daily_runs(conn: sqlite3.Connection, guild_id: int, limit: int) -> list[DailyRun]:
    """A server's latest runs, newest first."""
    rows = conn.execute(
        f"SELECT {_RUN_COLS} FROM daily_runs WHERE guild_id = ? ORDER BY run_id DESC LIMIT ?",
        (guild_id, limit),
    )
    return [_run_from_row(r) for r in rows]


def scheduled_days(conn: sqlite3.Connection, guild_id: int, from_day: str) -> dict[str, str]:
    """local day -> status of the server's scheduled runs from `from_day` on."""
    rows = conn.execute(
        "SELECT local_day, status FROM daily_runs WHERE guild_id = ? AND scheduled = 1 AND local_day >= ?",
        (guild_id, from_day),
    )
    return {str(d): str(s) for d, s in rows}


def daily_rotation(conn: sqlite3.Connection, guild_id: int) -> dict[str, RotationEntry]:
    rows = conn.execute("SELECT question_key, pos, used FROM daily_rotation WHERE guild_id = ?", (guild_id,))
    return {k: RotationEntry(int(p), bool(u)) for k, p, u in rows}


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
    with _transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        if (
            scheduled
            and conn.execute(
                "SELECT 1 FROM daily_runs WHERE guild_id = ? AND local_day = ? AND scheduled = 1",
                (guild_id, local_day),
            ).fetchone()
        ):
            return None
        entries = daily_rotation(conn, guild_id)
        last = conn.execute(
            "SELECT question_key FROM daily_runs WHERE guild_id = ? AND question_key IS NOT NULL "
            "ORDER BY run_id DESC LIMIT 1",
            (guild_id,),
        ).fetchone()
        step = rotation_step(entries, candidates, rng, last=last[0] if last else None)
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
            post_id = int(cur.lastrowid or 0)
            run_id = _insert_run(
                conn,
                guild_id=guild_id,
                local_day=local_day,
                scheduled=scheduled,
                status="claimed",
                due_ms=due_ms,
                now_ms=now_ms,
                question_key=step.key,
                post_id=post_id,
                channel_id=channel_id,
                role_id=role_id,
                attempts=1,  # the caller sends right away: its first attempt is recorded here
            )
            post = get_post(conn, post_id)
        if run_id is None:  # pragma: no cover - the slot was checked above, on the one connection
            raise sqlite3.IntegrityError("daily slot taken")
    run = get_daily_run(conn, run_id)
    assert run is not None
    return run, post


def start_daily_attempt(conn: sqlite3.Connection, run_id: int, now_ms: int) -> DailyRun | None:
    """Record that a send is starting (before it starts): recovery then knows it may have gone out."""
    with _transaction(conn):
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
    with _transaction(conn):
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
    with _transaction(conn):
        run = get_daily_run(conn, run_id)
        if run is None or run.status != "claimed":
            return run
        conn.execute("UPDATE daily_runs SET status = ?, error = ? WHERE run_id = ?", (status, error, run_id))
        if run.post_id is not None:
            _delete_unsent_post(conn, run.post_id)
        if run.question_key is not None:
            conn.execute(
                "UPDATE daily_rotation SET used = 0 WHERE guild_id = ? AND question_key = ?",
                (run.guild_id, run.question_key),
            )
        _set_daily_error(conn, run.guild_id, error, now_ms)
    return get_daily_run(conn, run_id)


def _delete_unsent_post(conn: sqlite3.Connection, post_id: int) -> bool:
    return (
        conn.execute(
            "DELETE FROM posts WHERE post_id = ? AND message_id IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM answers WHERE answers.post_id = posts.post_id)",
            (post_id,),
        ).rowcount
        == 1
    )


def delete_unsent_post(conn: sqlite3.Connection, post_id: int) -> bool:
    """Delete a post whose message was never sent (no message id, no answer); False if it was kept."""
    with _transaction(conn):
        return _delete_unsent_post(conn, post_id)


def _set_daily_error(conn: sqlite3.Connection, guild_id: int, error: str | None, now_ms: int) -> None:
    conn.execute(
        "UPDATE daily_schedule SET last_error = ?, last_error_at = ? WHERE guild_id = ?",
        (error, now_ms if error else None, guild_id),
    )


def set_daily_error(conn: sqlite3.Connection, guild_id: int, error: str | None, now_ms: int) -> None:
    with _transaction(conn):
        _set_daily_error(conn, guild_id, error, now_ms)


def skip_daily(conn: sqlite3.Connection, guild_id: int, local_day: str, due_ms: int, now_ms: int) -> bool:
    """Take the scheduled slot of `local_day` without posting (False if it is taken already)."""
    with _transaction(conn):
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
    with _transaction(conn):
        row = conn.execute(
            "SELECT run_id, local_day FROM daily_runs WHERE guild_id = ? AND scheduled = 1 "
            "AND status = 'skipped' AND local_day >= ? ORDER BY local_day LIMIT 1",
            (guild_id, from_day),
        ).fetchone()
        if row is None:
            return None
        conn.execute("DELETE FROM daily_runs WHERE run_id = ?", (row[0],))
    return str(row[1])


# --------------------------------------------------------------------------------------------
# admin: score resets and small per-guild settings kept in guild_settings.extra


def reset_scores(conn: sqlite3.Connection, guild_id: int, user_id: int | None) -> int:
    """Delete one member's (or every member's) answers, totals and streaks in a guild, keeping the
    kept aggregates equal to a rebuild, in one transaction. Returns the answers deleted.

    Posts, members (names) and the daily schedule stay.
    """
    g, u = guild_id, user_id
    with _transaction(conn):
        if u is None:
            n = conn.execute("DELETE FROM answers WHERE guild_id = ?", (g,)).rowcount
            for table in (
                "totals",
                "streaks",
                "question_day",
                "member_day",
                "points_hist",
                "acc_hist",
                "streak_hist",
            ):
                conn.execute(f"DELETE FROM {table} WHERE guild_id = ?", (g,))
            return int(n)
        conn.execute(
            "UPDATE question_day SET answers = question_day.answers - x.n, correct = question_day.correct - x.c "
            "FROM (SELECT local_day, question_key, count(*) AS n, sum(correct) AS c FROM answers "
            "      WHERE guild_id = ? AND user_id = ? GROUP BY local_day, question_key) AS x "
            "WHERE question_day.guild_id = ? AND question_day.day = x.local_day "
            "AND question_day.question_key = x.question_key",
            (g, u, g),
        )
        conn.execute("DELETE FROM question_day WHERE guild_id = ? AND answers <= 0", (g,))
        conn.execute("DELETE FROM member_day WHERE guild_id = ? AND user_id = ?", (g, u))
        conn.execute(
            "UPDATE points_hist SET n = points_hist.n - 1 "
            "FROM (SELECT bucket, points FROM totals WHERE guild_id = ? AND user_id = ?) AS t "
            "WHERE points_hist.guild_id = ? AND points_hist.bucket = t.bucket AND points_hist.points = t.points",
            (g, u, g),
        )
        conn.execute(
            "UPDATE acc_hist SET n = acc_hist.n - 1 "
            "FROM (SELECT bucket, acc FROM totals WHERE guild_id = ? AND user_id = ? AND acc IS NOT NULL) AS t "
            "WHERE acc_hist.guild_id = ? AND acc_hist.bucket = t.bucket AND acc_hist.acc = t.acc",
            (g, u, g),
        )
        conn.execute("DELETE FROM totals WHERE guild_id = ? AND user_id = ?", (g, u))
        n = conn.execute("DELETE FROM answers WHERE guild_id = ? AND user_id = ?", (g, u)).rowcount
        conn.execute("DELETE FROM streaks WHERE guild_id = ? AND user_id = ?", (g, u))
    return int(n)


def set_guild_extra(
    conn: sqlite3.Connection, guild_id: int, key: str, value: Any, now_ms: int
) -> GuildSettings:
    """Set (or, with None, remove) one key of guild_settings.extra, atomically."""
    if not key.replace("_", "").isalnum():
        raise ValueError(f"bad settings key {key!r}")
    with _transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        if value is None:
            conn.execute(
                "UPDATE guild_settings SET extra = json_remove(extra, ?), updated_at = ? WHERE guild_id = ?",
                (f"$.{key}", now_ms, guild_id),
            )
        else:
            conn.execute(
                "UPDATE guild_settings SET extra = json_set(extra, ?, json(?)), updated_at = ? WHERE guild_id = ?",
                (f"$.{key}", json.dumps(value, ensure_ascii=False), now_ms, guild_id),
            )
    return get_guild_settings(conn, guild_id)


def guild_extra_values(conn: sqlite3.Connection, key: str) -> dict[int, Any]:
    """guild_id -> extra[key], for every guild that has it set."""
    if not key.replace("_", "").isalnum():
        raise ValueError(f"bad settings key {key!r}")
    rows = conn.execute(
        "SELECT guild_id, json_extract(extra, ?) FROM guild_settings WHERE json_extract(extra, ?) IS NOT NULL",
        (f"$.{key}", f"$.{key}"),
    )
    return {int(g): v for g, v in rows}


# --------------------------------------------------------------------------------------------
# meta: the bot's own key/value bookkeeping (migration 0003)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str, now_ms: int) -> None:
    conn.execute(
        "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, now_ms),
    )
