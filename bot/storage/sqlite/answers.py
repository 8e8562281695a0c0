"""Answers: the group-commit batch (read -> apply -> write) and reading stored answers.

`write_answers` writes a whole batch in ONE transaction: a handful of `IN (...)` reads for the
batch (`read_facts`), the rules of `bot.core.answers` in Python (`apply_answers`, pure), then one
`executemany` per table (`write_changes`). Totals are written as absolute values; the rank
histograms of totals get the batch's net changes (usually a few rows).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from typing import cast

from bot.core.answers import (
    AnswerRequest,
    BatchChanges,
    BatchFacts,
    BatchPlan,
    EarlierAnswer,
    MemberSeen,
    NewAnswer,
    PostFacts,
    Tally,
    apply_answers,
    plan_answers,
)
from bot.core.models import AnswerOutcome, StoredAnswer
from bot.core.rules import LEADERBOARD_MIN_ANSWERS, PostKind, StreakState, accuracy
from bot.storage.sqlite.common import (
    chunks,
    from_ms,
    guild_timezones,
    marks,
    named,
    named_one,
    pipelined,
    transaction,
)

UPSERT_MEMBER = (
    f"INSERT INTO members ({', '.join(MemberSeen._fields)}) VALUES ({marks(len(MemberSeen._fields))}) "
    "ON CONFLICT (guild_id, user_id) DO UPDATE SET "
    "display_name = coalesce(excluded.display_name, display_name), last_seen = excluded.last_seen"
)
_INSERT_ANSWER = (
    f"INSERT INTO answers ({', '.join(NewAnswer._fields)}) VALUES ({marks(len(NewAnswer._fields))})"
)
_INSERT_PENDING = "INSERT INTO review_pending (guild_id, user_id, question_key, correct, answered_at) VALUES (?, ?, ?, ?, ?)"
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
ADD_QUESTION_DAY = (
    "INSERT INTO question_day (guild_id, day, question_key, answers, correct) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, day, question_key) DO UPDATE SET answers = answers + excluded.answers, "
    "correct = correct + excluded.correct"
)
ADD_MEMBER_DAY = (
    "INSERT INTO member_day (guild_id, day, user_id, answers, correct) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, day, user_id) DO UPDATE SET answers = answers + excluded.answers, "
    "correct = correct + excluded.correct"
)


# --------------------------------------------------------------------------------------------
# the batch


def write_answers(conn: sqlite3.Connection, reqs: Sequence[AnswerRequest]) -> list[AnswerOutcome | Exception]:
    """Write a batch of answers in ONE transaction; an outcome (or error) per request, in order.

    If the batch fails as a whole (it should not), each request is retried in a transaction of
    its own so that one bad request cannot sink the others.
    """
    try:
        with transaction(conn):
            return list(record_batch(conn, reqs))
    except sqlite3.Error:
        if len(reqs) == 1:
            raise
    outcomes: list[AnswerOutcome | Exception] = []
    for req in reqs:
        try:
            with transaction(conn):
                outcomes.extend(record_batch(conn, [req]))
        except sqlite3.Error as e:
            outcomes.append(e)
    return outcomes


def record_batch(conn: sqlite3.Connection, reqs: Sequence[AnswerRequest]) -> list[AnswerOutcome]:
    """Read -> apply -> write, inside the caller's transaction."""
    posts = read_posts(conn, list({r.post_id for r in reqs}))
    plan = plan_answers(reqs, posts, guild_timezones(conn, {p.guild_id for p in posts.values()}))
    facts = read_facts(conn, plan)
    outcomes, changes = apply_answers(reqs, posts, plan, facts)
    if changes.answers:
        with pipelined(conn):
            write_changes(conn, facts, changes)
            # Each answer schedules its card: a pending row now, FSRS later (sqlite/review.py).
            conn.executemany(
                _INSERT_PENDING,
                [(a.guild_id, a.user_id, a.question_key, a.correct, a.answered_at) for a in changes.answers],
            )
    return outcomes


def read_posts(conn: sqlite3.Connection, post_ids: list[int]) -> dict[int, PostFacts]:
    posts: dict[int, PostFacts] = {}
    for chunk in chunks(post_ids):
        for row in named(
            conn,
            "SELECT post_id, guild_id, question_key, kind, correct_letters, created_at, posted_at, closes_at, "
            f"closed_at FROM posts WHERE post_id IN ({marks(len(chunk))})",
            chunk,
        ):
            posts[row["post_id"]] = PostFacts(
                guild_id=row["guild_id"],
                question_key=row["question_key"],
                kind=cast(PostKind, row["kind"]),
                correct_letters=row["correct_letters"],
                created_ms=row["created_at"],
                posted_ms=row["posted_at"],
                closes_ms=row["closes_at"],
                closed_ms=row["closed_at"],
            )
    return posts


def read_facts(conn: sqlite3.Connection, plan: BatchPlan) -> BatchFacts:
    """The stored facts the batch's rules need (see `bot.core.answers.plan_answers`): earlier
    answers to these posts by these members, their totals in every bucket the batch touches, their
    streaks, the questions they already solved (practice answers: no farming), the next answer id.

    Every query is asked before any is read: on PostgreSQL they go out together (`pipelined`) and
    the server runs the next while this thread reads the one before; on SQLite the cursors are
    stepped as they are read, as before."""
    with pipelined(conn):
        earlier = [
            (
                post_id,
                conn.execute(
                    "SELECT user_id, answer_id, letters, correct FROM answers "
                    f"WHERE post_id = ? AND user_id IN ({marks(len(chunk))})",
                    (post_id, *chunk),
                ),
            )
            for post_id, user_ids in plan.answerers.items()
            for chunk in chunks(list(user_ids))
        ]
        totals, streaks = [], []
        for guild_id, user_ids in plan.members.items():
            buckets = sorted(plan.buckets[guild_id])
            for chunk in chunks(list(user_ids)):
                totals.append(
                    (
                        guild_id,
                        conn.execute(
                            "SELECT bucket, user_id, points, answers, correct FROM totals WHERE guild_id = ? "
                            f"AND bucket IN ({marks(len(buckets))}) AND user_id IN ({marks(len(chunk))})",
                            (guild_id, *buckets, *chunk),
                        ),
                    )
                )
                streaks.append(
                    (
                        guild_id,
                        conn.execute(
                            f"SELECT user_id, current, best FROM streaks WHERE guild_id = ? AND user_id IN ({marks(len(chunk))})",
                            (guild_id, *chunk),
                        ),
                    )
                )
        solved = [
            (
                guild_id,
                conn.execute(
                    "SELECT DISTINCT user_id, question_key FROM answers WHERE guild_id = ? "
                    f"AND user_id IN ({marks(len(user_chunk))}) AND question_key IN ({marks(len(key_chunk))}) "
                    "AND correct = 1",
                    (guild_id, *user_chunk, *key_chunk),
                ),
            )
            for guild_id, keys in plan.practice_questions.items()
            for key_chunk in chunks(list(keys), 200)
            for user_chunk in chunks(list(plan.members[guild_id]), 200)
        ]
        last = conn.execute("SELECT max(answer_id) FROM answers")
        return BatchFacts(
            earlier={
                (post_id, user_id): EarlierAnswer(answer_id, letters, bool(correct))
                for post_id, cur in earlier
                for user_id, answer_id, letters, correct in cur
            },
            totals={
                (guild_id, bucket, user_id): Tally(points, answers, correct)
                for guild_id, cur in totals
                for bucket, user_id, points, answers, correct in cur
            },
            streaks={
                (guild_id, user_id): StreakState(current, best)
                for guild_id, cur in streaks
                for user_id, current, best in cur
            },
            solved={(guild_id, user_id, key) for guild_id, cur in solved for user_id, key in cur},
            next_answer_id=(last.fetchone()[0] or 0) + 1,
        )


def write_changes(conn: sqlite3.Connection, facts: BatchFacts, changes: BatchChanges) -> None:
    """The batch's rows: one executemany per table."""
    conn.executemany(UPSERT_MEMBER, changes.members.values())
    conn.executemany(_INSERT_ANSWER, changes.answers)
    write_totals(conn, facts.totals, changes.totals)
    streaks = changes.streaks.items()
    conn.executemany(_UPDATE_STREAK, [(*c, *key) for key, c in streaks if key in facts.streaks])
    conn.executemany(_INSERT_STREAK, [(*c, *key) for key, c in streaks if key not in facts.streaks])
    conn.executemany(
        ADD_QUESTION_DAY,
        [(g, day, q, n.answers, n.correct) for (g, day, q), n in changes.question_days.items()],
    )
    conn.executemany(
        ADD_MEMBER_DAY, [(g, day, u, n.answers, n.correct) for (g, day, u), n in changes.member_days.items()]
    )


def write_totals(
    conn: sqlite3.Connection,
    before: dict[tuple[int, str, int], Tally],
    after: dict[tuple[int, str, int], Tally],
) -> None:
    """Totals as absolute values, and the net change of each rank histogram row."""
    new_rows = []
    changed_rows = []
    points_delta: defaultdict[tuple[int, str, int], int] = defaultdict(int)
    acc_delta: defaultdict[tuple[int, str, float], int] = defaultdict(int)
    for key, tally in after.items():
        guild_id, bucket, _ = key
        old = before.get(key)
        row = (tally.points, tally.answers, tally.correct, *key)
        if old is None:
            new_rows.append(row)
        else:
            changed_rows.append(row)
        if old is None or old.points != tally.points:
            if old is not None:
                points_delta[(guild_id, bucket, old.points)] -= 1
            points_delta[(guild_id, bucket, tally.points)] += 1
        # The `acc` column of totals is this same division (a virtual column), bit for bit.
        old_acc = None if old is None else accuracy(old.correct, old.answers, LEADERBOARD_MIN_ANSWERS)
        new_acc = accuracy(tally.correct, tally.answers, LEADERBOARD_MIN_ANSWERS)
        if old_acc != new_acc:
            if old_acc is not None:
                acc_delta[(guild_id, bucket, old_acc)] -= 1
            if new_acc is not None:
                acc_delta[(guild_id, bucket, new_acc)] += 1
    conn.executemany(_UPDATE_TOTALS, changed_rows)
    conn.executemany(_INSERT_TOTALS, new_rows)
    conn.executemany(_ADD_POINTS_HIST, [(*k, n) for k, n in points_delta.items() if n])
    conn.executemany(_ADD_ACC_HIST, [(*k, n) for k, n in acc_delta.items() if n])


# --------------------------------------------------------------------------------------------
# reading answers

_ANSWER_COLS = (
    "answer_id, post_id, guild_id, user_id, question_key, letters, correct, points, answered_at, latency_ms"
)


def _answer_from_row(row: sqlite3.Row) -> StoredAnswer:
    return StoredAnswer(
        answer_id=row["answer_id"],
        post_id=row["post_id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        question_key=row["question_key"],
        letters=row["letters"],
        correct=bool(row["correct"]),
        points=row["points"],
        answered_at=from_ms(row["answered_at"]),
        latency_ms=row["latency_ms"],
    )


def get_answer(conn: sqlite3.Connection, post_id: int, user_id: int) -> StoredAnswer | None:
    row = named_one(
        conn, f"SELECT {_ANSWER_COLS} FROM answers WHERE post_id = ? AND user_id = ?", (post_id, user_id)
    )
    return _answer_from_row(row) if row else None


def answers_for_post(conn: sqlite3.Connection, post_id: int) -> list[StoredAnswer]:
    rows = named(conn, f"SELECT {_ANSWER_COLS} FROM answers WHERE post_id = ? ORDER BY answer_id", (post_id,))
    return [_answer_from_row(r) for r in rows]


def count_answers(conn: sqlite3.Connection, post_id: int) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM answers WHERE post_id = ?", (post_id,)).fetchone()[0])


def answered_questions(conn: sqlite3.Connection, guild_id: int, user_id: int, correct_only: bool) -> set[str]:
    """Questions the member answered (correctly), on posts or in submitted exams."""
    right = " AND correct = 1" if correct_only else ""
    sql = (
        f"SELECT question_key FROM answers WHERE guild_id = ? AND user_id = ?{right} "
        f"UNION SELECT question_key FROM exam_answers WHERE guild_id = ? AND user_id = ?{right}"
    )
    return {key for (key,) in conn.execute(sql, (guild_id, user_id, guild_id, user_id))}
