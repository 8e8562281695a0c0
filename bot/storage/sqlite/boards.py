"""Leaderboards, member and server stats, and the score export: reads of the kept aggregates
(`totals`, `streaks`, the rank histograms, `question_day`, `member_day`); none reads `answers`
row by row except a member's own topic figures (their answers and submitted exam items)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.models import (
    DayParticipation,
    LeaderboardEntry,
    LeaderboardMetric,
    LeaderboardPage,
    QuestionStat,
    ScoreRow,
    ServerStats,
    TagStat,
    UserStats,
)
from bot.core.periods import ALL_KEY, PERIOD_KINDS, PeriodKind, period_start
from bot.core.rules import TAG_MIN_ANSWERS, accuracy
from bot.storage.sqlite.common import chunks, from_ms, guild_timezones, marks, named, snapshot


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

# (display name, points, answers, correct) of a member in the board's bucket
_Details = dict[int, tuple[str | None, int, int, int]]


def _count_above(conn: sqlite3.Connection, board: _Board, key: tuple[Any, ...], value: Any) -> int:
    row = conn.execute(
        f"SELECT coalesce(sum(n), 0) FROM {board.hist_table} WHERE {board.hist_where} AND {board.hist_col} > ?",
        (*key, value),
    ).fetchone()
    return int(row[0])


def bucket_for(conn: sqlite3.Connection, guild_id: int, period: PeriodKind, at_ms: int) -> str:
    """The totals bucket of the period containing `at_ms` in the guild's time zone."""
    if period not in PERIOD_KINDS:
        raise ValueError(f"unknown period {period!r}")
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
    if period not in PERIOD_KINDS:
        raise ValueError(f"unknown period {period!r}")
    if page < 1 or page_size < 1:
        raise ValueError("page and page_size start at 1")
    bucket = bucket_for(conn, guild_id, period, at_ms) if board.bucketed else ALL_KEY
    key: tuple[Any, ...] = (guild_id, bucket) if board.bucketed else (guild_id,)
    offset = (page - 1) * page_size
    with snapshot(conn):  # one read snapshot for the page, the count and the caller's rank
        total = int(
            conn.execute(
                f"SELECT coalesce(sum(n), 0) FROM {board.hist_table} WHERE {board.hist_where}", key
            ).fetchone()[0]
        )
        rows, first_rank = _page_rows(conn, board, key, offset, page_size) if offset < total else ([], 1)
        me_value: Any = None
        if user_id is not None:
            r = conn.execute(board.value_sql, (*key, user_id)).fetchone()
            me_value = r[0] if r else None
        me_rank = _count_above(conn, board, key, me_value) + 1 if me_value is not None else None
        ids = [uid for uid, _ in rows] + ([user_id] if user_id is not None and me_value is not None else [])
        details = _member_details(conn, guild_id, bucket, ids)
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


def _page_rows(
    conn: sqlite3.Connection, board: _Board, key: tuple[Any, ...], offset: int, page_size: int
) -> tuple[list[tuple[int, Any]], int]:
    """The page's (user, value) rows and the rank of its first row.

    Seek with the histogram: the value held by the member at `offset`, and how many members hold
    a greater value; the index walk then starts at that value instead of skipping `offset` rows.
    """
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
    if seek is None:
        return [], 1
    rows: list[tuple[int, Any]] = conn.execute(
        board.rows_sql, (*key, seek, page_size, offset - above)
    ).fetchall()
    first_rank = _count_above(conn, board, key, rows[0][1]) + 1 if rows and offset else 1
    return rows, first_rank


def _member_details(conn: sqlite3.Connection, guild_id: int, bucket: str, user_ids: list[int]) -> _Details:
    out: _Details = {}
    for chunk in chunks(list(set(user_ids))):
        in_list = marks(len(chunk))
        names: dict[int, str | None] = dict(
            conn.execute(
                f"SELECT user_id, display_name FROM members WHERE guild_id = ? AND user_id IN ({in_list})",
                (guild_id, *chunk),
            )
        )
        figures = {
            user_id: (points, answers, correct)
            for user_id, points, answers, correct in conn.execute(
                "SELECT user_id, points, answers, correct FROM totals WHERE guild_id = ? AND bucket = ? "
                f"AND user_id IN ({in_list})",
                (guild_id, bucket, *chunk),
            )
        }
        for uid in chunk:
            out[uid] = (names.get(uid), *figures.get(uid, (0, 0, 0)))
    return out


def _entry(rank: int, user_id: int, value: Any, details: _Details) -> LeaderboardEntry:
    name, pts, answers, correct = details.get(user_id, (None, 0, 0, 0))
    return LeaderboardEntry(rank, user_id, name, value, pts, answers, correct)


# --------------------------------------------------------------------------------------------
# stats


def _tag_stats(rows: Iterable[sqlite3.Row]) -> tuple[list[TagStat], list[TagStat]]:
    """Topic and trap figures from rows of (kind, tag, answers, correct), each list by tag."""
    topics: list[TagStat] = []
    traps: list[TagStat] = []
    for r in rows:
        stat = TagStat(r["kind"], r["tag"], int(r["answers"]), int(r["correct"] or 0))
        if stat.kind == "topic":
            topics.append(stat)
        elif stat.kind == "trap":
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
    with snapshot(conn):
        figures = {
            r["bucket"]: (r["points"], r["answers"], r["correct"])
            for r in named(
                conn,
                "SELECT bucket, points, answers, correct FROM totals WHERE guild_id = ? AND user_id = ? "
                "AND bucket IN (?, ?, ?)",
                (guild_id, user_id, ALL_KEY, week, month),
            )
        }
        streak = named(
            conn, "SELECT current, best FROM streaks WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ).fetchone()
        name_row = named(
            conn, "SELECT display_name FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ).fetchone()
        tag_rows = named(
            conn,
            "SELECT t.kind, t.tag, sum(a.n) AS answers, sum(a.c) AS correct FROM "
            "(SELECT question_key, count(*) AS n, sum(correct) AS c FROM "
            " (SELECT question_key, correct FROM answers WHERE guild_id = ? AND user_id = ? "
            "  UNION ALL SELECT question_key, correct FROM exam_answers WHERE guild_id = ? AND user_id = ?) AS r "
            " GROUP BY question_key) AS a "
            "JOIN question_tags AS t ON t.question_key = a.question_key GROUP BY t.kind, t.tag",
            (guild_id, user_id, guild_id, user_id),
        ).fetchall()
        pts, answers, correct = figures.get(ALL_KEY, (0, 0, 0))
        rank = (
            _count_above(conn, _BOARDS["points"], (guild_id, ALL_KEY), pts) + 1
            if ALL_KEY in figures
            else None
        )
    topics, traps = _tag_stats(tag_rows)
    return UserStats(
        guild_id=guild_id,
        user_id=user_id,
        display_name=name_row["display_name"] if name_row else None,
        answers=answers,
        correct=correct,
        accuracy=accuracy(correct, answers),
        points=pts,
        week_points=figures.get(week, (0, 0, 0))[0],
        month_points=figures.get(month, (0, 0, 0))[0],
        current_streak=streak["current"] if streak else 0,
        best_streak=streak["best"] if streak else 0,
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
    window = (guild_id, since.isoformat())
    with snapshot(conn):
        tag_rows = named(
            conn,
            "SELECT t.kind, t.tag, sum(q.answers) AS answers, sum(q.correct) AS correct FROM "
            "(SELECT question_key, sum(answers) AS answers, sum(correct) AS correct FROM question_day "
            " WHERE guild_id = ? AND day >= ? GROUP BY question_key) AS q "
            "JOIN question_tags AS t ON t.question_key = q.question_key GROUP BY t.kind, t.tag",
            window,
        ).fetchall()
        hardest = named(
            conn,
            "SELECT question_key, sum(answers) AS n, sum(correct) AS c FROM question_day "
            "WHERE guild_id = ? AND day >= ? GROUP BY question_key HAVING sum(answers) >= ? "
            "ORDER BY CAST(sum(correct) AS REAL) / sum(answers), n DESC, question_key LIMIT ?",
            (*window, min_question_answers, limit),
        ).fetchall()
        per_day = named(
            conn,
            "SELECT day, count(*) AS participants, sum(answers) AS answers, sum(correct) AS correct "
            "FROM member_day WHERE guild_id = ? AND day >= ? GROUP BY day ORDER BY day",
            window,
        ).fetchall()
        participants = conn.execute(
            "SELECT count(DISTINCT user_id) FROM member_day WHERE guild_id = ? AND day >= ?", window
        ).fetchone()[0]
    topics, traps = _tag_stats(tag_rows)
    return ServerStats(
        guild_id=guild_id,
        since=since,
        answers=sum(int(r["answers"]) for r in per_day),
        correct=sum(int(r["correct"]) for r in per_day),
        participants=int(participants),
        weakest_topics=_weakest(topics, limit, 1),
        weakest_traps=_weakest(traps, limit, 1),
        hardest_questions=[QuestionStat(r["question_key"], int(r["n"]), int(r["c"])) for r in hardest],
        per_day=[
            DayParticipation(
                date.fromisoformat(r["day"]), int(r["participants"]), int(r["answers"]), int(r["correct"])
            )
            for r in per_day
        ],
    )


def export_scores(conn: sqlite3.Connection, guild_id: int, period: PeriodKind, at_ms: int) -> list[ScoreRow]:
    bucket = bucket_for(conn, guild_id, period, at_ms)
    rows = named(
        conn,
        "SELECT t.user_id, m.display_name, t.points, t.answers, t.correct, "
        "coalesce(s.current, 0) AS current, coalesce(s.best, 0) AS best FROM totals AS t "
        "LEFT JOIN members AS m ON m.guild_id = t.guild_id AND m.user_id = t.user_id "
        "LEFT JOIN streaks AS s ON s.guild_id = t.guild_id AND s.user_id = t.user_id "
        "WHERE t.guild_id = ? AND t.bucket = ? ORDER BY t.points DESC, t.user_id",
        (guild_id, bucket),
    )
    return [
        ScoreRow(
            guild_id=guild_id,
            user_id=r["user_id"],
            display_name=r["display_name"],
            period_key=bucket,
            points=r["points"],
            answers=r["answers"],
            correct=r["correct"],
            accuracy=accuracy(r["correct"], r["answers"]),
            current_streak=r["current"],
            best_streak=r["best"],
        )
        for r in rows
    ]
