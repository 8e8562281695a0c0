"""Bulk loading (imports, benchmarks) and the one-commit-per-answer baseline writer.

Bulk loading writes rows straight into the tables with `executemany` in large transactions,
then recomputes the aggregates with `bot.storage.sqlite.admin.rebuild_aggregates` (a few GROUP BY statements),
instead of going through the answer writer row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from bot.storage.sqlite.common import ensure_guild, transaction

_BATCH = 50_000


def _batched(rows: Iterable[tuple[Any, ...]], size: int = _BATCH) -> Iterable[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_guild(conn: sqlite3.Connection, guild_id: int, timezone: str, now_ms: int) -> None:
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        conn.execute("UPDATE guild_settings SET timezone = ? WHERE guild_id = ?", (timezone, guild_id))


def load_members(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, str | None, int, int]]) -> None:
    """rows: (guild_id, user_id, display_name, first_seen_ms, last_seen_ms)."""
    for batch in _batched(rows):
        with transaction(conn):
            conn.executemany(
                "INSERT INTO members (guild_id, user_id, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
                batch,
            )


def load_posts(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, int, int, str, str, str, str, int, int, int | None]]
) -> None:
    """rows: (post_id, guild_id, channel_id, question_key, kind, correct_letters, option_letters,
    created_ms, closes_ms, closed_ms)."""
    for batch in _batched(rows):
        with transaction(conn):
            conn.executemany(
                "INSERT INTO posts (post_id, guild_id, channel_id, question_key, kind, correct_letters, "
                "option_letters, created_at, closes_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )


def load_answers(
    conn: sqlite3.Connection,
    rows: Iterable[tuple[int, int, int, str, str, int, int, int, int, str]],
) -> None:
    """rows: (post_id, guild_id, user_id, question_key, letters, correct, points, answered_ms,
    latency_ms, local_day). Aggregates are NOT updated: call admin.rebuild_aggregates after."""
    for batch in _batched(rows):
        with transaction(conn):
            conn.executemany(
                "INSERT INTO answers (post_id, guild_id, user_id, question_key, letters, correct, points, "
                "answered_at, latency_ms, local_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                batch,
            )


def load_streaks(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, int, int, int]]) -> None:
    """rows: (guild_id, user_id, current, best, updated_ms)."""
    for batch in _batched(rows):
        with transaction(conn):
            conn.executemany(
                "INSERT INTO streaks (guild_id, user_id, current, best, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET current = excluded.current, best = excluded.best",
                batch,
            )


def analyze(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA optimize")


# ---------------------------------------------------------------------------------------------
# baselines for bench/storage.py: raw sqlite3, one transaction (and commit) per answer


BASELINE_INSERT_SQL = (
    "INSERT INTO answers (post_id, guild_id, user_id, question_key, letters, correct, points, "
    "answered_at, latency_ms, local_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def baseline_insert_one(
    conn: sqlite3.Connection, row: tuple[int, int, int, str, str, int, int, int, int, str]
) -> None:
    """The minimal baseline: just the answer row, committed on its own."""
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(BASELINE_INSERT_SQL, row)
    conn.execute("COMMIT")
