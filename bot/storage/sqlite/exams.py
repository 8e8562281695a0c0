"""Mock exams (migration 0005): starting one (one open exam per member and server), an open exam's
answers, flags and position, submitting it once, the timer's queries, the history, and
`recent_results` (answers and submitted exam items, for readiness).

A submitted exam's items count as answers in accuracy, like the answer writer counts an answer
(`sqlite/answers.py`): the member's totals in the buckets of the submission's local day (points
0), `member_day` and `question_day`; the topic stats read them through the `exam_answers` view.
No points, no streak. See docs/storage.md.
"""

from __future__ import annotations

import heapq
import itertools
import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal, cast

from bot.core.answers import DayCount, Tally
from bot.core.exam import Exam, ExamItem, ExamResult, ExamSummary, SectionScore
from bot.core.models import AnswerResult
from bot.core.periods import bucket_keys
from bot.core.shards import ShardFilter
from bot.storage.shared import check_result
from bot.storage.sqlite import review
from bot.storage.sqlite.answers import ADD_MEMBER_DAY, ADD_QUESTION_DAY, UPSERT_MEMBER, write_totals
from bot.storage.sqlite.common import (
    and_owned,
    ensure_guild,
    from_ms,
    guild_timezones,
    marks,
    named,
    opt_dt,
    snapshot,
    transaction,
)

_EXAM_COLS = (
    "exam_id, guild_id, user_id, blueprint, started_at, deadline, pass_mark, current, submitted_at, "
    "auto_submitted"
)
_ITEM_COLS = "position, question_key, section, correct_letters, option_letters, chosen, flagged"
_Kind = Literal["daily", "practice", "exam"]

# --------------------------------------------------------------------------------------------
# reading exams


def _exams(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[Exam]:
    """The exams matching `where` (which may end in ORDER BY / LIMIT), with their items."""
    with snapshot(conn):
        heads = named(conn, f"SELECT {_EXAM_COLS} FROM exams WHERE {where}", params).fetchall()
        items: defaultdict[int, list[ExamItem]] = defaultdict(list)
        ids = [h["exam_id"] for h in heads]
        if ids:
            for exam_id, *row in conn.execute(
                f"SELECT exam_id, {_ITEM_COLS} FROM exam_items WHERE exam_id IN ({marks(len(ids))}) "
                "ORDER BY exam_id, position",
                ids,
            ):
                position, key, section, correct, options, chosen, flagged = row
                items[exam_id].append(
                    ExamItem(position, key, section, correct, options, chosen, bool(flagged))
                )
    return [
        Exam(
            exam_id=h["exam_id"],
            guild_id=h["guild_id"],
            user_id=h["user_id"],
            blueprint=h["blueprint"],
            started_at=from_ms(h["started_at"]),
            deadline=from_ms(h["deadline"]),
            pass_mark=h["pass_mark"],
            items=tuple(items[h["exam_id"]]),
            current=h["current"],
            submitted_at=opt_dt(h["submitted_at"]),
            auto_submitted=bool(h["auto_submitted"]),
        )
        for h in heads
    ]


def get_exam(conn: sqlite3.Connection, exam_id: int) -> Exam | None:
    found = _exams(conn, "exam_id = ?", (exam_id,))
    return found[0] if found else None


def open_exam(conn: sqlite3.Connection, guild_id: int, user_id: int) -> Exam | None:
    found = _exams(conn, "guild_id = ? AND user_id = ? AND submitted_at IS NULL", (guild_id, user_id))
    return found[0] if found else None


def due_exams(
    conn: sqlite3.Connection, now_ms: int, limit: int, shards: ShardFilter | None = None
) -> list[Exam]:
    """Open exams past their deadline, oldest first: of the servers of `shards` only (in the WHERE,
    so other processes' exams never fill the batch), or of every server."""
    owned, params = and_owned(shards)
    return _exams(
        conn,
        f"submitted_at IS NULL AND deadline <= ?{owned} ORDER BY deadline, exam_id LIMIT ?",
        (now_ms, *params, limit),
    )


def next_exam_deadline(conn: sqlite3.Connection, shards: ShardFilter | None = None) -> int | None:
    """The earliest deadline of an open exam of the servers of `shards` (or of any server): the
    exams_due index in deadline order, up to the first one of those servers."""
    owned, params = and_owned(shards)
    row = conn.execute(
        f"SELECT deadline FROM exams WHERE submitted_at IS NULL{owned} ORDER BY deadline LIMIT 1", params
    ).fetchone()
    return None if row is None else int(row[0])


def exam_history(conn: sqlite3.Connection, guild_id: int, user_id: int, limit: int) -> list[ExamSummary]:
    rows = named(
        conn,
        "SELECT exam_id, blueprint, started_at, submitted_at, correct, total, "
        "json_extract(result, '$.pass_mark') AS result_pass_mark, auto_submitted FROM exams "
        "WHERE guild_id = ? AND user_id = ? AND submitted_at IS NOT NULL "
        "ORDER BY submitted_at DESC, exam_id DESC LIMIT ?",
        (guild_id, user_id, limit),
    )
    return [
        ExamSummary(
            exam_id=r["exam_id"],
            blueprint=r["blueprint"],
            started_at=from_ms(r["started_at"]),
            submitted_at=from_ms(r["submitted_at"]),
            correct=r["correct"],
            total=r["total"],
            pass_mark=float(r["result_pass_mark"]),
            auto_submitted=bool(r["auto_submitted"]),
        )
        for r in rows
    ]


def exam_result(conn: sqlite3.Connection, exam_id: int) -> ExamResult | None:
    row = conn.execute(
        "SELECT correct, total, result FROM exams WHERE exam_id = ? AND submitted_at IS NOT NULL", (exam_id,)
    ).fetchone()
    if row is None:
        return None
    correct, total, stored = row
    rest = json.loads(stored)
    return ExamResult(
        correct=correct,
        total=total,
        pass_mark=float(rest["pass_mark"]),
        sections=tuple(SectionScore(k, float(w), int(c), int(n)) for k, w, c, n in rest["sections"]),
        weakest=tuple(rest["weakest"]),
        missed=tuple(rest["missed"]),
        time_used=timedelta(milliseconds=rest["time_used_ms"]),
    )


# --------------------------------------------------------------------------------------------
# an open exam


def start_exam(
    conn: sqlite3.Connection,
    guild_id: int,
    user_id: int,
    blueprint: str,
    items: Sequence[ExamItem],
    started_ms: int,
    deadline_ms: int,
    pass_mark: float,
    display_name: str | None,
) -> Exam | None:
    """A new exam with `items` (checked by `bot.storage.shared.check_exam`); None when the member
    has an open exam in this guild. The partial unique index settles two starts racing."""
    with transaction(conn):
        ensure_guild(conn, guild_id, started_ms)
        conn.execute(UPSERT_MEMBER, (guild_id, user_id, display_name, started_ms, started_ms))
        inserted = conn.execute(
            "INSERT INTO exams (guild_id, user_id, blueprint, started_at, deadline, pass_mark) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) WHERE submitted_at IS NULL DO NOTHING "
            "RETURNING exam_id",
            (guild_id, user_id, blueprint, started_ms, deadline_ms, pass_mark),
        ).fetchall()
        if not inserted:
            return None
        exam_id = int(inserted[0][0])
        conn.executemany(
            f"INSERT INTO exam_items (exam_id, {_ITEM_COLS}) VALUES (?, {marks(7)})",
            [
                (
                    exam_id,
                    i.position,
                    i.question_key,
                    i.section,
                    i.correct,
                    i.options,
                    i.chosen,
                    int(i.flagged),
                )
                for i in items
            ],
        )
    return get_exam(conn, exam_id)


def _open_item(conn: sqlite3.Connection, exam_id: int, position: int) -> str | None:
    """The option letters of an open exam's item; None when the exam is unknown or submitted.
    ValueError when it has no such position. Inside the caller's transaction."""
    head = conn.execute("SELECT submitted_at FROM exams WHERE exam_id = ?", (exam_id,)).fetchone()
    if head is None or head[0] is not None:
        return None
    row = conn.execute(
        "SELECT option_letters FROM exam_items WHERE exam_id = ? AND position = ?", (exam_id, position)
    ).fetchone()
    if row is None:
        raise ValueError(f"exam {exam_id} has no question at position {position}")
    return str(row[0])


def set_exam_answer(conn: sqlite3.Connection, exam_id: int, position: int, choice: str) -> Exam | None:
    """Set an open exam's item's letters (`choice` normalised by `shared.exam_choice`; "" clears)."""
    with transaction(conn):
        options = _open_item(conn, exam_id, position)
        if options is None:
            return None
        bad = sorted(set(choice) - set(options))
        if bad:
            raise ValueError(f"{''.join(bad)!r} is not an option of this question (options: {options})")
        conn.execute(
            "UPDATE exam_items SET chosen = ? WHERE exam_id = ? AND position = ?", (choice, exam_id, position)
        )
    return get_exam(conn, exam_id)


def set_exam_flag(conn: sqlite3.Connection, exam_id: int, position: int, flagged: bool) -> Exam | None:
    with transaction(conn):
        if _open_item(conn, exam_id, position) is None:
            return None
        conn.execute(
            "UPDATE exam_items SET flagged = ? WHERE exam_id = ? AND position = ?",
            (int(flagged), exam_id, position),
        )
    return get_exam(conn, exam_id)


def set_exam_position(conn: sqlite3.Connection, exam_id: int, position: int) -> Exam | None:
    with transaction(conn):
        if _open_item(conn, exam_id, position) is None:
            return None
        conn.execute("UPDATE exams SET current = ? WHERE exam_id = ?", (position, exam_id))
    return get_exam(conn, exam_id)


# --------------------------------------------------------------------------------------------
# submitting


def _result_json(result: ExamResult) -> str:
    return json.dumps(
        {
            "pass_mark": result.pass_mark,
            "sections": [[s.key, s.weight, s.correct, s.total] for s in result.sections],
            "weakest": list(result.weakest),
            "missed": list(result.missed),
            "time_used_ms": int(result.time_used.total_seconds() * 1000),
        },
        ensure_ascii=False,
    )


def submit_exam(
    conn: sqlite3.Connection, exam_id: int, result: ExamResult, submitted_ms: int, auto: bool
) -> Exam | None:
    """Submit an open exam once, storing `result`, and count its items in accuracy; None when the
    exam is unknown or already submitted (the UPDATE only matches an open exam)."""
    with transaction(conn):
        head = conn.execute(
            "SELECT guild_id, user_id, started_at FROM exams WHERE exam_id = ? AND submitted_at IS NULL",
            (exam_id,),
        ).fetchone()
        if head is None:
            return None
        guild_id, user_id, started_ms = head
        items: list[tuple[str, int]] = conn.execute(
            "SELECT question_key, chosen = correct_letters FROM exam_items WHERE exam_id = ? ORDER BY position",
            (exam_id,),
        ).fetchall()
        check_result(result, len(items), from_ms(started_ms), from_ms(submitted_ms))
        zone = guild_timezones(conn, [guild_id])[guild_id]
        day = from_ms(submitted_ms).astimezone(zone).date()
        updated = conn.execute(
            "UPDATE exams SET submitted_at = ?, auto_submitted = ?, local_day = ?, correct = ?, total = ?, "
            "result = ? WHERE exam_id = ? AND submitted_at IS NULL",
            (
                submitted_ms,
                int(auto),
                day.isoformat(),
                result.correct,
                result.total,
                _result_json(result),
                exam_id,
            ),
        ).rowcount
        if updated != 1:
            return None
        _count_items(conn, guild_id, user_id, day.isoformat(), bucket_keys(day), items)
        review.queue_exam(conn, exam_id)  # each item schedules its card (sqlite/review.py)
    return get_exam(conn, exam_id)


def _count_items(
    conn: sqlite3.Connection,
    guild_id: int,
    user_id: int,
    day: str,
    buckets: Sequence[str],
    items: Sequence[tuple[str, int]],
) -> None:
    """A submitted exam's items as answers of `day`: totals (no points), member_day, question_day."""
    n, right = len(items), sum(ok for _, ok in items)
    before = {
        (guild_id, bucket, user_id): Tally(points, answers, correct)
        for bucket, points, answers, correct in conn.execute(
            f"SELECT bucket, points, answers, correct FROM totals WHERE guild_id = ? AND user_id = ? "
            f"AND bucket IN ({marks(len(buckets))})",
            (guild_id, user_id, *buckets),
        )
    }
    after = {}
    for bucket in buckets:
        had = before.get((guild_id, bucket, user_id), Tally())
        after[(guild_id, bucket, user_id)] = Tally(had.points, had.answers + n, had.correct + right)
    write_totals(conn, before, after)
    conn.execute(ADD_MEMBER_DAY, (guild_id, day, user_id, n, right))
    per_question: defaultdict[str, DayCount] = defaultdict(DayCount)
    for key, ok in items:
        per_question[key].answers += 1
        per_question[key].correct += ok
    conn.executemany(
        ADD_QUESTION_DAY, [(guild_id, day, key, c.answers, c.correct) for key, c in per_question.items()]
    )


# --------------------------------------------------------------------------------------------
# readiness: every answered question, newest first


def recent_results(
    conn: sqlite3.Connection, guild_id: int, user_id: int | None, since_ms: int | None, limit: int
) -> list[AnswerResult]:
    """Answers (kind from their post) and submitted exam items ('exam'), newest first, at most
    `limit`: each side read newest first through its index, then merged."""
    answer_where, exam_where = ["a.guild_id = ?"], ["e.guild_id = ?", "e.submitted_at IS NOT NULL"]
    params: list[Any] = [guild_id]
    if user_id is not None:
        answer_where.append("a.user_id = ?")
        exam_where.append("e.user_id = ?")
        params.append(user_id)
    if since_ms is not None:
        answer_where.append("a.answered_at >= ?")
        exam_where.append("e.submitted_at >= ?")
        params.append(since_ms)
    with snapshot(conn):
        answers = conn.execute(
            "SELECT a.answered_at, a.user_id, a.question_key, a.correct, p.kind FROM answers AS a "
            f"JOIN posts AS p ON p.post_id = a.post_id WHERE {' AND '.join(answer_where)} "
            "ORDER BY a.answered_at DESC, a.answer_id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        items = conn.execute(
            "SELECT e.submitted_at, e.user_id, i.question_key, i.chosen = i.correct_letters, 'exam' "
            f"FROM exams AS e JOIN exam_items AS i ON i.exam_id = e.exam_id WHERE {' AND '.join(exam_where)} "
            "ORDER BY e.submitted_at DESC, e.exam_id DESC, i.position LIMIT ?",
            (*params, limit),
        ).fetchall()
    merged = heapq.merge(answers, items, key=lambda r: -r[0])  # each side is newest first already
    return [
        AnswerResult(uid, key, bool(ok), from_ms(at), cast(_Kind, kind))
        for at, uid, key, ok, kind in itertools.islice(merged, limit)
    ]
