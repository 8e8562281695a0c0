"""Guilds, members and the bot's bookkeeping: settings (and the free-form `extra`), member names,
the question tags synced from the bank, the `meta` key/value table, score resets, and maintenance
(rebuilding the kept aggregates, snapshots of them, backup, integrity check)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.core.models import GUILD_SETTING_FIELDS, GuildSettings
from bot.core.periods import parse_timezone
from bot.storage.sqlite import review
from bot.storage.sqlite.answers import UPSERT_MEMBER
from bot.storage.sqlite.common import ensure_guild, named, named_one, transaction

_GUILD_COLS = (
    "guild_id, timezone, locale, practice_cooldown_s, practice_lifetime_s, daily_lifetime_s, "
    "daily_channel_id, daily_time, extra"
)


def _guild_from_row(row: sqlite3.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        timezone=row["timezone"],
        locale=row["locale"],
        practice_cooldown_s=row["practice_cooldown_s"],
        practice_lifetime_s=row["practice_lifetime_s"],
        daily_lifetime_s=row["daily_lifetime_s"],
        daily_channel_id=row["daily_channel_id"],
        daily_time=row["daily_time"],
        extra=json.loads(row["extra"]),
    )


def get_guild_settings(conn: sqlite3.Connection, guild_id: int) -> GuildSettings:
    row = named_one(conn, f"SELECT {_GUILD_COLS} FROM guild_settings WHERE guild_id = ?", (guild_id,))
    return _guild_from_row(row) if row else GuildSettings(guild_id)


def validate_setting(name: str, value: Any) -> Any:
    """The value to store for the setting `name`; ValueError with a one-line reason."""
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
        return None if value is None else _hhmm(str(value))
    if name == "extra":
        if not isinstance(value, dict):
            raise ValueError("extra must be a dict")
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    raise ValueError(f"unknown guild setting {name!r}; known: {', '.join(GUILD_SETTING_FIELDS)}")


def _hhmm(text: str) -> str:
    try:
        parsed = datetime.strptime(text.strip(), "%H:%M")
    except ValueError:
        raise ValueError("daily_time must be 'HH:MM' (24 h, the guild's local time)") from None
    return parsed.strftime("%H:%M")


def set_guild_settings(
    conn: sqlite3.Connection, guild_id: int, changes: dict[str, Any], now_ms: int
) -> GuildSettings:
    values = {name: validate_setting(name, value) for name, value in changes.items()}
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        if values:
            assignments = ", ".join(f"{name} = ?" for name in values)  # names are validated above
            conn.execute(
                f"UPDATE guild_settings SET {assignments}, updated_at = ? WHERE guild_id = ?",
                (*values.values(), now_ms, guild_id),
            )
    return get_guild_settings(conn, guild_id)


def _check_extra_key(key: str) -> None:
    if not key.replace("_", "").isalnum():
        raise ValueError(f"bad settings key {key!r}")


def set_guild_extra(
    conn: sqlite3.Connection, guild_id: int, key: str, value: Any, now_ms: int
) -> GuildSettings:
    """Set (or, with None, remove) one key of guild_settings.extra, atomically."""
    _check_extra_key(key)
    with transaction(conn):
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
    _check_extra_key(key)
    rows = named(
        conn,
        "SELECT guild_id, json_extract(extra, ?) AS value FROM guild_settings "
        "WHERE json_extract(extra, ?) IS NOT NULL",
        (f"$.{key}", f"$.{key}"),
    )
    return {int(r["guild_id"]): r["value"] for r in rows}


def upsert_member(
    conn: sqlite3.Connection, guild_id: int, user_id: int, display_name: str | None, now_ms: int
) -> None:
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        conn.execute(UPSERT_MEMBER, (guild_id, user_id, display_name, now_ms, now_ms))


# --------------------------------------------------------------------------------------------
# question tags and the meta table (migration 0003)


def sync_question_tags(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str]]) -> int:
    """Replace every (question_key, kind, tag) row with `rows`; return how many are stored."""
    wanted = sorted(set(rows))
    with transaction(conn):
        conn.execute("DELETE FROM question_tags")
        conn.executemany("INSERT INTO question_tags (question_key, kind, tag) VALUES (?, ?, ?)", wanted)
    return len(wanted)


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = named_one(conn, "SELECT value FROM meta WHERE key = ?", (key,))
    return None if row is None else str(row["value"])


def set_meta(conn: sqlite3.Connection, key: str, value: str, now_ms: int) -> None:
    conn.execute(
        "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (key, value, now_ms),
    )


# --------------------------------------------------------------------------------------------
# score resets

_GUILD_AGGREGATES = (
    "totals",
    "streaks",
    "question_day",
    "member_day",
    "points_hist",
    "acc_hist",
    "streak_hist",
)


def reset_scores(conn: sqlite3.Connection, guild_id: int, user_id: int | None) -> int:
    """Delete one member's (or every member's) answers, exams (open ones too), totals, streaks and
    review cards (pending answers and /review answers too) in a guild, keeping the kept aggregates
    equal to a rebuild, in one transaction. Returns the answers deleted, the items of submitted
    exams included.

    Posts, members (names), the daily schedule and review reminder settings stay.
    """
    with transaction(conn):
        if user_id is None:
            review.reset(conn, "guild_id = ?", (guild_id,))
            n = _exam_answers(conn, "guild_id = ?", (guild_id,))
            n += conn.execute("DELETE FROM answers WHERE guild_id = ?", (guild_id,)).rowcount
            conn.execute("DELETE FROM exams WHERE guild_id = ?", (guild_id,))  # their items cascade
            for table in _GUILD_AGGREGATES:
                conn.execute(f"DELETE FROM {table} WHERE guild_id = ?", (guild_id,))
            return int(n)
        review.reset(conn, "guild_id = ? AND user_id = ?", (guild_id, user_id))
        return _reset_member(conn, guild_id, user_id)


def _exam_answers(conn: sqlite3.Connection, where: str, params: tuple[int, ...]) -> int:
    """How many items of submitted exams count as answers (`where` on `exam_answers`)."""
    return int(conn.execute(f"SELECT count(*) FROM exam_answers WHERE {where}", params).fetchone()[0])


def _reset_member(conn: sqlite3.Connection, g: int, u: int) -> int:
    """One member's part of every aggregate, then their answers, exams, totals and streak."""
    conn.execute(
        "UPDATE question_day SET answers = question_day.answers - x.n, correct = question_day.correct - x.c "
        "FROM (SELECT local_day, question_key, count(*) AS n, sum(correct) AS c FROM "
        "      (SELECT local_day, question_key, correct FROM answers WHERE guild_id = ? AND user_id = ? "
        "       UNION ALL SELECT local_day, question_key, correct FROM exam_answers "
        "       WHERE guild_id = ? AND user_id = ?) AS r GROUP BY local_day, question_key) AS x "
        "WHERE question_day.guild_id = ? AND question_day.day = x.local_day "
        "AND question_day.question_key = x.question_key",
        (g, u, g, u, g),
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
    n = _exam_answers(conn, "guild_id = ? AND user_id = ?", (g, u))
    n += conn.execute("DELETE FROM answers WHERE guild_id = ? AND user_id = ?", (g, u)).rowcount
    conn.execute("DELETE FROM exams WHERE guild_id = ? AND user_id = ?", (g, u))  # their items cascade
    conn.execute("DELETE FROM streaks WHERE guild_id = ? AND user_id = ?", (g, u))
    return int(n)


# --------------------------------------------------------------------------------------------
# maintenance

# Buckets from a stored local day, the same keys as bot.core.periods.bucket_keys().
WEEK_SQL = "'week:' || date(local_day, '-6 days', 'weekday 1')"
MONTH_SQL = "'month:' || date(local_day, 'start of month')"


def rebuild_aggregates(conn: sqlite3.Connection, guild_id: int | None) -> None:
    """Recompute totals and daily aggregates from the answers and the items of submitted exams
    (points 0), all guilds if guild_id is None.

    Streaks cannot be recomputed from answers alone (they depend on when dailies closed) and are
    left alone. Used after bulk imports and to check the incremental figures in tests.
    """
    where = "" if guild_id is None else "WHERE guild_id = ?"
    params: tuple[Any, ...] = () if guild_id is None else (guild_id,)
    # Every answer that counts, with its local day: answers, and the items of submitted exams.
    results = (
        f"(SELECT guild_id, user_id, question_key, correct, points, local_day FROM answers {where} "
        f"UNION ALL SELECT guild_id, user_id, question_key, correct, 0, local_day FROM exam_answers {where}) AS r"
    )
    with transaction(conn):
        for table in ("totals", "question_day", "member_day"):
            conn.execute(f"DELETE FROM {table} {where}", params)
        for bucket_sql in ("'all'", WEEK_SQL, MONTH_SQL):
            conn.execute(
                "INSERT INTO totals (guild_id, bucket, user_id, points, answers, correct) "
                f"SELECT guild_id, {bucket_sql} AS b, user_id, sum(points), count(*), sum(correct) FROM {results} "
                "GROUP BY guild_id, b, user_id",
                params * 2,
            )
        conn.execute(
            "INSERT INTO question_day (guild_id, day, question_key, answers, correct) "
            f"SELECT guild_id, local_day, question_key, count(*), sum(correct) FROM {results} "
            "GROUP BY guild_id, local_day, question_key",
            params * 2,
        )
        conn.execute(
            "INSERT INTO member_day (guild_id, day, user_id, answers, correct) "
            f"SELECT guild_id, local_day, user_id, count(*), sum(correct) FROM {results} "
            "GROUP BY guild_id, local_day, user_id",
            params * 2,
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
    """Every aggregate row of a guild, as plain tuples (for consistency checks)."""
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
    """A consistent copy of the database at `path` (SQLite's online backup API)."""
    target = sqlite3.connect(path)
    try:
        conn.backup(target)
    finally:
        target.close()


def integrity_check(conn: sqlite3.Connection) -> list[str]:
    """Problems found by SQLite's integrity and foreign key checks (empty when healthy)."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    rows += [f"foreign key: {tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
    return [] if rows == ["ok"] else [r for r in rows if r != "ok"]
