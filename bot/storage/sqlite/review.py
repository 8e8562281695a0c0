"""Cards, /review answers, review stats and reminders (migration 0006): the SQL of `ReviewStore`.

Answers reach the cards in two steps. The answer writer (`answers.record_batch`) and `submit_exam`
add a row to `review_pending` in the answer's own transaction; `fold` replays pending rows through
FSRS (`bot.core.review.schedule`) into `cards`, in pending order, and deletes them in the same
transaction. Every read of a member's cards folds that member's pending rows first, so a read
never misses an answer; `fold_pending` does the rest in bounded batches.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, timedelta
from typing import Any, cast

import orjson

from bot.core.review import (
    RETENTION_DAYS,
    CardView,
    Rating,
    ReminderSetting,
    ReviewOutcome,
    ReviewStats,
    rating_for_answer,
    rating_for_review,
    review_windows,
    schedule,
)
from bot.core.schedule import format_hhmm, local_day, parse_hhmm
from bot.storage.sqlite.answers import UPSERT_MEMBER
from bot.storage.sqlite.common import (
    chunks,
    ensure_guild,
    from_ms,
    guild_timezones,
    marks,
    named,
    named_one,
    to_ms,
    transaction,
)

DEFAULT_REMINDER_TIME = "19:00"
FOLD_BATCH = 500  # pending rows per transaction of fold_pending: the writer waits at most this long

_CARD_COLS = "guild_id, user_id, question_key, due, last_review, reps, lapses, last_rating, state"
_UPSERT_CARD = (
    f"INSERT INTO cards ({_CARD_COLS}) VALUES ({marks(9)}) ON CONFLICT (guild_id, user_id, question_key) "
    "DO UPDATE SET due = excluded.due, last_review = excluded.last_review, reps = excluded.reps, "
    "lapses = excluded.lapses, last_rating = excluded.last_rating, state = excluded.state"
)

Key = tuple[int, int, str]  # guild_id, user_id, question_key
CardRow = tuple[int, int, str, int, int, int, int, int, str]  # as _CARD_COLS


# --------------------------------------------------------------------------------------------
# folding pending answers into cards


def queue_exam(conn: sqlite3.Connection, exam_id: int) -> None:
    """Queue a submitted exam's items (inside submit_exam's transaction); unanswered is wrong."""
    conn.execute(
        "INSERT INTO review_pending (guild_id, user_id, question_key, correct, answered_at) "
        "SELECT guild_id, user_id, question_key, correct, answered_at FROM exam_answers "
        "WHERE exam_id = ? ORDER BY position",
        (exam_id,),
    )


def _read_cards(conn: sqlite3.Connection, keys: Iterable[Key]) -> dict[Key, CardRow]:
    by_member: dict[tuple[int, int], list[str]] = {}
    for g, u, q in keys:
        by_member.setdefault((g, u), []).append(q)
    found: dict[Key, CardRow] = {}
    for (g, u), qs in by_member.items():
        for chunk in chunks(qs):
            for row in conn.execute(
                f"SELECT {_CARD_COLS} FROM cards WHERE guild_id = ? AND user_id = ? "
                f"AND question_key IN ({marks(len(chunk))})",
                (g, u, *chunk),
            ):
                found[(row[0], row[1], row[2])] = row
    return found


def _apply(old: CardRow | None, key: Key, rating: Rating, at_ms: int) -> CardRow:
    """The card row after one review."""
    state = schedule(None if old is None else old[8], rating, from_ms(at_ms))
    reps = 1 if old is None else old[5] + 1
    lapses = (0 if old is None else old[6]) + (rating == Rating.AGAIN)
    assert state.last_review is not None
    return (*key, to_ms(state.due), to_ms(state.last_review), reps, lapses, int(rating), state.state_json)


# One statement reads a batch of pending answers with their cards' current rows (NULL when new).
_PENDING_WITH_CARDS = (
    "SELECT p.pending_id, p.guild_id, p.user_id, p.question_key, p.correct, p.answered_at, "
    "c.due, c.last_review, c.reps, c.lapses, c.last_rating, c.state "
    "FROM review_pending AS p LEFT JOIN cards AS c "
    "ON c.guild_id = p.guild_id AND c.user_id = p.user_id AND c.question_key = p.question_key"
)


def _fold_rows(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Replay pending rows (`_PENDING_WITH_CARDS`, in pending order) into their cards; inside a
    transaction. A card answered twice in the batch carries its state from one to the next."""
    cards: dict[Key, CardRow] = {}
    for _, g, u, q, correct, at_ms, *card in rows:
        key = (g, u, q)
        old = cards.get(key) or (None if card[0] is None else cast(CardRow, (g, u, q, *card)))
        cards[key] = _apply(old, key, rating_for_answer(bool(correct)), at_ms)
    conn.executemany(_UPSERT_CARD, cards.values())


def _fold_member_in_txn(conn: sqlite3.Connection, guild_id: int, user_id: int) -> None:
    rows = conn.execute(
        f"{_PENDING_WITH_CARDS} WHERE p.guild_id = ? AND p.user_id = ? ORDER BY p.pending_id",
        (guild_id, user_id),
    ).fetchall()
    if rows:
        _fold_rows(conn, rows)
        conn.execute(
            "DELETE FROM review_pending WHERE guild_id = ? AND user_id = ? AND pending_id <= ?",
            (guild_id, user_id, rows[-1][0]),
        )


def fold_member(conn: sqlite3.Connection, guild_id: int, user_id: int) -> None:
    """Fold one member's pending answers (a read of the index when there are none)."""
    if conn.execute(
        "SELECT 1 FROM review_pending WHERE guild_id = ? AND user_id = ? LIMIT 1", (guild_id, user_id)
    ).fetchone():
        with transaction(conn):
            _fold_member_in_txn(conn, guild_id, user_id)


def fold_pending(conn: sqlite3.Connection, limit: int) -> int:
    """Fold `limit` pending rows (any member) in one transaction; returns how many. Rows are taken
    member by member (each member's in order): a member's cards share pages, so a batch rewrites
    far fewer pages than in answer order (bench/review.py: the commit's CPU ~5x less)."""
    with transaction(conn):
        rows = conn.execute(
            f"{_PENDING_WITH_CARDS} ORDER BY p.guild_id, p.user_id, p.pending_id LIMIT ?", (limit,)
        ).fetchall()
        if rows:
            _fold_rows(conn, rows)
            conn.executemany("DELETE FROM review_pending WHERE pending_id = ?", [(row[0],) for row in rows])
    return len(rows)


def pending_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM review_pending").fetchone()[0])


# --------------------------------------------------------------------------------------------
# cards


def _view(row: sqlite3.Row | CardRow) -> CardView:
    g, u, q, due, last, reps, lapses, rating, state = tuple(row)
    stability = orjson.loads(state).get("stability")
    return CardView(
        guild_id=g,
        user_id=u,
        question_key=q,
        due=from_ms(due),
        last_review=from_ms(last),
        reps=reps,
        lapses=lapses,
        last_rating=Rating(rating),
        stability=None if stability is None else float(stability),
    )


def _skip(rows: Iterable[CardRow], hidden: AbstractSet[str], limit: int) -> Iterator[CardView]:
    n = 0
    for row in rows:
        if n >= limit:
            return
        if row[2] not in hidden:
            n += 1
            yield _view(row)


def due_cards(
    conn: sqlite3.Connection, guild_id: int, user_id: int, now_ms: int, limit: int, hidden: AbstractSet[str]
) -> list[CardView]:
    """Due cards, most overdue first, leaving out `hidden` keys (open dailies, the caller's)."""
    fold_member(conn, guild_id, user_id)
    cur = conn.execute(
        f"SELECT {_CARD_COLS} FROM cards WHERE guild_id = ? AND user_id = ? AND due <= ? ORDER BY due",
        (guild_id, user_id, now_ms),
    )
    return list(_skip(cur, hidden, limit))


def get_card(conn: sqlite3.Connection, guild_id: int, user_id: int, question_key: str) -> CardView | None:
    fold_member(conn, guild_id, user_id)
    row = conn.execute(
        f"SELECT {_CARD_COLS} FROM cards WHERE guild_id = ? AND user_id = ? AND question_key = ?",
        (guild_id, user_id, question_key),
    ).fetchone()
    return None if row is None else _view(row)


def member_cards(
    conn: sqlite3.Connection, guild_id: int, user_id: int, missed_only: bool, hidden: AbstractSet[str]
) -> list[CardView]:
    fold_member(conn, guild_id, user_id)
    missed = " AND lapses > 0" if missed_only else ""
    cur = conn.execute(
        f"SELECT {_CARD_COLS} FROM cards WHERE guild_id = ? AND user_id = ?{missed} ORDER BY due, question_key",
        (guild_id, user_id),
    )
    return [_view(row) for row in cur if row[2] not in hidden]


def record_review(
    conn: sqlite3.Connection,
    guild_id: int,
    user_id: int,
    question_key: str,
    correct: bool,
    chosen: Rating | None,
    at_ms: int,
    display_name: str | None,
) -> ReviewOutcome:
    """A /review answer: fold the member's pending answers, schedule the card, log the review."""
    rating = rating_for_review(correct, chosen)
    key = (guild_id, user_id, question_key)
    with transaction(conn):
        ensure_guild(conn, guild_id, at_ms)
        conn.execute(UPSERT_MEMBER, (guild_id, user_id, display_name, at_ms, at_ms))
        _fold_member_in_txn(conn, guild_id, user_id)
        old = _read_cards(conn, [key]).get(key)
        new = _apply(old, key, rating, at_ms)
        conn.execute(_UPSERT_CARD, new)
        conn.execute(
            "INSERT INTO reviews (guild_id, user_id, question_key, reviewed_at, correct, rating, seen_before, "
            "due_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (*key, at_ms, int(correct), int(rating), int(old is not None), None if old is None else old[3]),
        )
    return ReviewOutcome(
        card=_view(new),
        rating=rating,
        correct=correct,
        previous_due=None if old is None else from_ms(old[3]),
    )


def due_count(
    conn: sqlite3.Connection,
    guild_id: int,
    user_id: int,
    before_ms: int,
    hidden: AbstractSet[str],
    *,
    lt: bool = False,
) -> int:
    """The member's cards due at `before_ms` (before it, with `lt`), `hidden` keys left out."""
    op = "<" if lt else "<="
    n = conn.execute(
        f"SELECT count(*) FROM cards WHERE guild_id = ? AND user_id = ? AND due {op} ?",
        (guild_id, user_id, before_ms),
    ).fetchone()[0]
    for chunk in chunks(sorted(hidden)):
        n -= conn.execute(
            f"SELECT count(*) FROM cards WHERE guild_id = ? AND user_id = ? AND due {op} ? "
            f"AND question_key IN ({marks(len(chunk))})",
            (guild_id, user_id, before_ms, *chunk),
        ).fetchone()[0]
    return int(n)


def review_stats(
    conn: sqlite3.Connection, guild_id: int, user_id: int, now_ms: int, hidden: AbstractSet[str]
) -> ReviewStats:
    fold_member(conn, guild_id, user_id)
    now = from_ms(now_ms)
    end_today, end_week = review_windows(now, guild_timezones(conn, [guild_id])[guild_id])
    member = (guild_id, user_id)
    cards = conn.execute("SELECT count(*) FROM cards WHERE guild_id = ? AND user_id = ?", member).fetchone()[
        0
    ]
    nxt = next(
        (
            row[0]
            for row in conn.execute(
                "SELECT due, question_key FROM cards WHERE guild_id = ? AND user_id = ? ORDER BY due", member
            )
            if row[1] not in hidden
        ),
        None,
    )
    since = to_ms(now - timedelta(days=RETENTION_DAYS))
    reviews, recalls, recalled = conn.execute(
        "SELECT count(*), coalesce(sum(seen_before), 0), coalesce(sum(seen_before * correct), 0) "
        "FROM reviews WHERE guild_id = ? AND user_id = ? AND reviewed_at > ? AND reviewed_at <= ?",
        (*member, since, now_ms),
    ).fetchone()
    return ReviewStats(
        cards=int(cards),
        due_now=due_count(conn, guild_id, user_id, now_ms, hidden, lt=False),
        due_today=due_count(conn, guild_id, user_id, to_ms(end_today), hidden, lt=True),
        due_week=due_count(conn, guild_id, user_id, to_ms(end_week), hidden, lt=True),
        next_due=None if nxt is None else from_ms(nxt),
        recalls=int(recalls),
        recalled=int(recalled),
        reviews=int(reviews),
    )


# --------------------------------------------------------------------------------------------
# reminders

_REMINDER_SQL = (
    "SELECT r.guild_id, r.user_id, r.enabled, r.time, coalesce(g.timezone, 'UTC') AS timezone, "
    "r.last_sent_day FROM review_reminders AS r LEFT JOIN guild_settings AS g ON g.guild_id = r.guild_id"
)


def _reminder(row: sqlite3.Row) -> ReminderSetting:
    tz = row["timezone"]
    return ReminderSetting(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        enabled=bool(row["enabled"]),
        time=row["time"],
        timezone=tz,
        last_sent_day=None if row["last_sent_day"] is None else date.fromisoformat(row["last_sent_day"]),
    )


def get_reminder(conn: sqlite3.Connection, guild_id: int, user_id: int) -> ReminderSetting | None:
    row = named_one(conn, f"{_REMINDER_SQL} WHERE r.guild_id = ? AND r.user_id = ?", (guild_id, user_id))
    return None if row is None else _reminder(row)


def reminders(conn: sqlite3.Connection) -> list[ReminderSetting]:
    rows = named(conn, f"{_REMINDER_SQL} WHERE r.enabled = 1 ORDER BY r.guild_id, r.user_id")
    return [_reminder(row) for row in rows]


def set_reminder(
    conn: sqlite3.Connection, guild_id: int, user_id: int, enabled: bool, time: str | None, now_ms: int
) -> ReminderSetting:
    """Turn a reminder on or off; on after today's time, today counts as sent."""
    hhmm = None if time is None else format_hhmm(parse_hhmm(time))  # ValueError for a bad time
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        old = get_reminder(conn, guild_id, user_id)
        at = hhmm or (old.time if old else DEFAULT_REMINDER_TIME)
        sent = old.last_sent_day if old else None
        if enabled:
            zone = guild_timezones(conn, [guild_id])[guild_id]
            now = from_ms(now_ms)
            today = local_day(now, zone)
            probe = ReminderSetting(guild_id, user_id, True, at, zone.key, sent)
            if (sent is None or sent < today) and probe.due_at(today) <= now:
                sent = today
        conn.execute(
            "INSERT INTO review_reminders (guild_id, user_id, enabled, time, last_sent_day, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET enabled = excluded.enabled, "
            "time = excluded.time, last_sent_day = excluded.last_sent_day, updated_at = excluded.updated_at",
            (guild_id, user_id, int(enabled), at, None if sent is None else sent.isoformat(), now_ms),
        )
        found = get_reminder(conn, guild_id, user_id)
    assert found is not None
    return found


def claim_reminder(
    conn: sqlite3.Connection, guild_id: int, user_id: int, day: date, now_ms: int, hidden: AbstractSet[str]
) -> int | None:
    """Count the due cards and claim `day`, in one transaction; None when not claimed."""
    with transaction(conn):
        row = conn.execute(
            "SELECT enabled, last_sent_day FROM review_reminders WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        ).fetchone()
        if row is None or not row[0] or (row[1] is not None and row[1] >= day.isoformat()):
            return None
        _fold_member_in_txn(conn, guild_id, user_id)
        due = due_count(conn, guild_id, user_id, now_ms, hidden, lt=False)
        if due == 0:
            return None
        conn.execute(
            "UPDATE review_reminders SET last_sent_day = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (day.isoformat(), now_ms, guild_id, user_id),
        )
    return due


def reset(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> None:
    """Delete cards, pending answers and reviews (inside reset_scores' transaction)."""
    for table in ("cards", "review_pending", "reviews"):
        conn.execute(f"DELETE FROM {table} WHERE {where}", params)
