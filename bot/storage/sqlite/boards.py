"""Leaderboards, member and server stats, and the score export: reads of the kept aggregates
(`totals`, `streaks`, the rank histograms, `question_day`, `member_day`); none reads `answers`
row by row except a member's own topic figures (their answers and submitted exam items)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
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
from bot.storage.sqlite.common import from_ms, guild_timezones, named, snapshot


@dataclass(frozen=True, slots=True)
class _Board:
    """How to read one metric: the table its rows are in and its rank histogram."""

    table: str  # totals or streaks
    bucketed: bool  # rows and histogram keyed by (guild_id, bucket), else by guild_id
    col: str  # the ranked value
    ranked: str  # which rows rank at all ("" or "AND <condition on col>")
    tiebreak: str  # ORDER BY terms between the value and user_id ("" or "answers DESC, ")
    hist_table: str
    hist_where: str  # WHERE of the histogram (params guild_id, [bucket])
    hist_col: str

    def sql(self, page_size: int) -> str:
        """The page, the caller's rank and the total in one statement: one read snapshot and one
        round trip. (PostgreSQL runs this module too: a statement each for the total, the seek,
        the page, the caller, their rank and the names was ten round trips, and those set the
        p99 there; docs/performance.md.)

        Params: `_board_params`. Rows, by `part`: 0 (always one), `pos` = the total ranked and
        `v` = how many members rank above the page's first row (NULL past the last page); 1, the
        page in order (`pos`); 2, the caller if ranked, `pos` = how many members rank above them.

        The page seeks with the histogram (CTE `s`): the value held by the member at `offset`
        and how many members hold a greater one; the index walk then starts at that value instead
        of skipping `offset` rows. Exactly one histogram row holds that position (above < offset + 1
        <= above + n), so the seek needs no ORDER BY and stops at it: for page 1, at the first.
        """
        key = "guild_id = ? AND bucket = ?" if self.bucketed else "guild_id = ?"
        me_key = "me.guild_id = ? AND me.bucket = ?" if self.bucketed else "me.guild_id = ?"
        ordered = "answers" if self.tiebreak else "NULL"
        page_order = f"p.v DESC, {self.tiebreak.replace('answers', 'p.o')}p.user_id"
        hist = f"{self.hist_table} WHERE {self.hist_where}"
        return (
            "WITH s AS (SELECT v, CAST(cum - n AS BIGINT) AS above FROM ("
            f"SELECT {self.hist_col} AS v, n, sum(n) OVER (ORDER BY {self.hist_col} DESC ROWS UNBOUNDED PRECEDING)"
            f" AS cum FROM {hist} AND n > 0) AS h WHERE cum > ? AND cum - n <= ? LIMIT 1), "
            f"page AS (SELECT user_id, {self.col} AS v, {ordered} AS o FROM {self.table}"
            f" WHERE {key} {self.ranked} AND {self.col} <= (SELECT v FROM s)"
            f" ORDER BY {self.col} DESC, {self.tiebreak}user_id"
            f" LIMIT {int(page_size)} OFFSET CAST(coalesce(? - (SELECT above FROM s), 0) AS BIGINT)) "
            f"SELECT 0 AS part, (SELECT coalesce(sum(n), 0) FROM {hist}) AS pos, NULL AS user_id,"
            " (SELECT above FROM s) AS v, NULL AS display_name, NULL AS points, NULL AS answers,"
            " NULL AS correct "
            "UNION ALL "
            f"SELECT 1, row_number() OVER (ORDER BY {page_order}), p.user_id, p.v,"
            " m.display_name, t.points, t.answers, t.correct FROM page AS p"
            " LEFT JOIN members AS m ON m.guild_id = ? AND m.user_id = p.user_id"
            " LEFT JOIN totals AS t ON t.guild_id = ? AND t.bucket = ? AND t.user_id = p.user_id "
            "UNION ALL "
            f"SELECT 2, (SELECT coalesce(sum(n), 0) FROM {hist} AND {self.hist_col} > me.{self.col}),"
            f" me.user_id, me.{self.col}, m.display_name, t.points, t.answers, t.correct"
            f" FROM {self.table} AS me"
            " LEFT JOIN members AS m ON m.guild_id = me.guild_id AND m.user_id = me.user_id"
            " LEFT JOIN totals AS t ON t.guild_id = me.guild_id AND t.bucket = ? AND t.user_id = me.user_id"
            f" WHERE {me_key} AND me.user_id = ? {self.ranked.replace('AND ', 'AND me.')} "
            "ORDER BY part, pos"
        )


def _board_params(key: tuple[Any, ...], bucket: str, offset: int, user_id: int | None) -> tuple[Any, ...]:
    """`_Board.sql`'s params, in order: the seek, the page, the total, the page's names and
    figures, the caller and their rank (`key`: the board's and its histogram's key)."""
    guild_id = key[0]
    return (
        *key, offset, offset,  # s
        *key, offset,  # page
        *key,  # the total
        guild_id, guild_id, bucket,  # the page's names and figures
        *key, bucket, *key, user_id,  # the caller: rank, figures, row
    )  # fmt: skip


_BOARDS: dict[str, _Board] = {
    "points": _Board(
        table="totals",
        bucketed=True,
        col="points",
        ranked="",
        tiebreak="",
        hist_table="points_hist",
        hist_where="guild_id = ? AND bucket = ?",
        hist_col="points",
    ),
    "accuracy": _Board(
        table="totals",
        bucketed=True,
        col="acc",
        ranked="AND acc IS NOT NULL",
        tiebreak="answers DESC, ",
        hist_table="acc_hist",
        hist_where="guild_id = ? AND bucket = ?",
        hist_col="acc",
    ),
    "current_streak": _Board(
        table="streaks",
        bucketed=False,
        col="current",
        ranked="AND current > 0",
        tiebreak="",
        hist_table="streak_hist",
        hist_where="guild_id = ? AND which = 'current' AND value > 0",
        hist_col="value",
    ),
    "best_streak": _Board(
        table="streaks",
        bucketed=False,
        col="best",
        ranked="AND best > 0",
        tiebreak="",
        hist_table="streak_hist",
        hist_where="guild_id = ? AND which = 'best' AND value > 0",
        hist_col="value",
    ),
}


@lru_cache(maxsize=64)
def _board_sql(metric: str, page_size: int) -> str:
    # The page size is part of the text (an int): PostgreSQL plans a LIMIT it can see as the short
    # index walk it is; a LIMIT parameter in a prepared statement's generic plan looks like 10% of
    # the table. Page sizes are few (the bot's and the dashboard's).
    return _BOARDS[metric].sql(page_size)


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
    rows = conn.execute(_board_sql(metric, page_size), _board_params(key, bucket, offset, user_id)).fetchall()
    entries: list[LeaderboardEntry] = []
    me: LeaderboardEntry | None = None
    total = 0
    rank = 1
    prev_value: Any = object()
    as_float = metric == "accuracy"  # SQLite gives 1 for 1.0 through this UNION
    for part, pos, uid, value, name, points, answers, correct in rows:
        figures = (int(points or 0), int(answers or 0), int(correct or 0))
        if as_float and value is not None and part:
            value = float(value)
        if part == 0:  # first: the total, and how many rank above the page's first row
            total, rank = int(pos), int(value or 0) + 1
        elif part == 1:  # tied values share the rank of the first of them
            if entries and value != prev_value:
                rank = offset + len(entries) + 1
            prev_value = value
            entries.append(LeaderboardEntry(rank, uid, name, value, *figures))
        else:
            me = LeaderboardEntry(int(pos) + 1, uid, name, value, *figures)
    return LeaderboardPage(guild_id, metric, bucket, page, page_size, total, entries, me)


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
            int(
                conn.execute(
                    "SELECT coalesce(sum(n), 0) FROM points_hist WHERE guild_id = ? AND bucket = ? AND points > ?",
                    (guild_id, ALL_KEY, pts),
                ).fetchone()[0]
            )
            + 1
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
