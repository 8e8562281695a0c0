"""Spaced repetition in the `Store` contract (the `store` fixture: every backend): cards from
answers of every kind, due order, the spoiler rule, /review answers, stats, reminders, resets;
then SQLite's own part: seeding from a version-5 file, and the next-card query's plan.

FSRS intervals used here (hand-checked in tests/test_core_review.py): a new card rated Again is
due 1 day later, Good 2 days, Easy 8 days; Again then Good one day later: 2 more days."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core import Post
from bot.core.exam import ExamItem, ExamResult, SectionScore
from bot.core.review import Rating
from bot.storage import Storage, Store, migrate
from bot.storage.sqlite import review as sqlite_review

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
CH = 333_333_333_333_333_333
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


async def post(s: Store, q: str, kind: str = "practice", *, at: datetime = T0, guild: int = G1) -> Post:
    return await s.create_post(
        guild, CH, q, kind, "B", option_letters="ABCD", created_at=at, closes_at=at + DAY
    )


async def answer(
    s: Store, q: str, letters: str, *, kind: str = "practice", at: datetime = T0, user: int = 1
) -> Post:
    """Member `user` answers question `q` (correct letter B) on a new post at `at`; returns the post."""
    p = await post(s, q, kind, at=at)
    out = await s.record_answer(G1, p.post_id, user, letters, answered_at=at + MIN)
    assert out.status == "stored"
    return p


async def exam(s: Store, chosen: list[str], *, at: datetime, user: int = 1) -> None:
    """A submitted exam of questions ex/0.. (correct A); "" leaves an item unanswered."""
    items = [ExamItem(i, f"ex/{i}", "dev", "A", "ABCD") for i in range(len(chosen))]
    e = await s.start_exam(G1, user, "professional", items, started_at=at, deadline=at + HOUR, pass_mark=70.0)
    assert e is not None
    for i, letters in enumerate(chosen):
        if letters:
            await s.set_exam_answer(e.exam_id, i, letters)
    right = sum(c == "A" for c in chosen)
    result = ExamResult(
        correct=right,
        total=len(chosen),
        pass_mark=70.0,
        sections=(SectionScore("dev", 100.0, right, len(chosen)),),
        weakest=(),
        missed=tuple(i for i, c in enumerate(chosen) if c != "A"),
        time_used=10 * MIN,
    )
    assert await s.submit_exam(e.exam_id, result, submitted_at=at + 10 * MIN, auto=False) is not None


async def keys(s: Store, now: datetime, user: int = 1, **kw: object) -> list[str]:
    return [c.question_key for c in await s.due_cards(G1, user, now=now, **kw)]  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ cards from answers


async def test_every_kind_of_answer_schedules_its_card(store: Store) -> None:
    await answer(store, "d/1", "C", kind="daily")  # wrong daily
    await answer(store, "p/1", "B")  # right practice
    await exam(store, ["A", "C", ""], at=T0 + HOUR)  # right, wrong, unanswered
    got = {k: await store.get_card(G1, 1, k) for k in ("d/1", "p/1", "ex/0", "ex/1", "ex/2")}
    d, p = got["d/1"], got["p/1"]
    assert d is not None and p is not None
    assert (d.due, d.reps, d.lapses, d.last_rating) == (T0 + MIN + DAY, 1, 1, Rating.AGAIN)
    assert (p.due, p.reps, p.lapses, p.last_rating) == (T0 + MIN + 2 * DAY, 1, 0, Rating.GOOD)
    submitted = T0 + HOUR + 10 * MIN
    assert [(c.due, c.last_rating) for c in (got["ex/0"], got["ex/1"], got["ex/2"]) if c] == [
        (submitted + 2 * DAY, Rating.GOOD),
        (submitted + DAY, Rating.AGAIN),
        (submitted + DAY, Rating.AGAIN),
    ]
    assert await store.get_card(G1, 2, "d/1") is None and await store.get_card(G2, 1, "d/1") is None
    assert await store.pending_reviews() == 0  # the reads folded everything


async def test_a_refused_answer_schedules_nothing(store: Store) -> None:
    p = await answer(store, "p/1", "C")
    again = await store.record_answer(G1, p.post_id, 1, "B", answered_at=T0 + 2 * MIN)
    assert again.status == "duplicate"
    card = await store.get_card(G1, 1, "p/1")
    assert card is not None and (card.reps, card.last_rating) == (1, Rating.AGAIN)


async def test_answers_fold_in_order_and_in_batches(store: Store) -> None:
    await answer(store, "q/1", "C", at=T0)  # Again: due T0+1d
    await answer(store, "q/1", "B", at=T0 + DAY)  # Good one day later: 2 more days
    for u in range(2, 40):
        await answer(store, f"q/{u}", "B", user=u)
    assert await store.pending_reviews() == 40
    assert await store.fold_reviews(limit=15) == 15
    assert await store.pending_reviews() == 25
    assert await store.fold_reviews() == 25
    assert await store.fold_reviews() == 0
    card = await store.get_card(G1, 1, "q/1")
    assert card is not None
    assert (card.reps, card.lapses, card.due) == (2, 1, T0 + DAY + MIN + 2 * DAY)
    with pytest.raises(ValueError):
        await store.fold_reviews(limit=-1)


# ------------------------------------------------------------------------------ serving due cards


async def test_a_missed_daily_is_due_the_next_day_and_a_right_review_moves_it_out(store: Store) -> None:
    d = await answer(store, "d/1", "C", kind="daily")
    assert await keys(store, T0 + 12 * HOUR) == []  # not yet (and still an open daily)
    await store.close_post(d.post_id, closed_at=T0 + DAY)
    assert await keys(store, T0 + DAY + MIN) == ["d/1"]
    stats = await store.review_stats(G1, 1, now=T0 + DAY + MIN)
    assert (stats.due_now, stats.due_today, stats.due_week) == (1, 1, 1)
    out = await store.record_review(G1, 1, "d/1", correct=True, reviewed_at=T0 + DAY + MIN)
    assert (out.rating, out.correct, out.previous_due) == (Rating.GOOD, True, T0 + DAY + MIN)
    assert out.card.due == T0 + DAY + MIN + 2 * DAY
    assert (out.card.reps, out.card.lapses) == (2, 1)
    assert await keys(store, T0 + 2 * DAY) == []
    stats = await store.review_stats(G1, 1, now=T0 + DAY + 2 * MIN)
    assert (stats.due_now, stats.due_today, stats.due_week, stats.next_due) == (0, 0, 1, out.card.due)
    assert (stats.reviews, stats.recalls, stats.recalled, stats.retention) == (1, 1, 1, 1.0)


async def test_due_cards_most_overdue_first(store: Store) -> None:
    await answer(store, "a", "B", at=T0)  # due T0+2d+1m
    await answer(store, "b", "C", at=T0 + HOUR)  # due T0+1d+1h+1m
    await answer(store, "c", "C", at=T0 - 3 * DAY)  # due T0-2d+1m: missed, never reviewed
    await answer(store, "e", "B", at=T0 - 10 * DAY)  # Easy-less Good: due T0-8d+1m
    now = T0 + 3 * DAY
    assert await keys(store, now) == ["e", "c", "b", "a"]
    assert await keys(store, now, limit=2) == ["e", "c"]
    assert await keys(store, now, exclude=frozenset({"e", "b"})) == ["c", "a"]
    assert await keys(store, T0) == ["e", "c"]
    nxt = await store.next_due_card(G1, 1, now=now, exclude=frozenset({"e"}))
    assert nxt is not None and nxt.question_key == "c" and nxt.overdue(now) == 5 * DAY - MIN
    assert nxt.missed and nxt.is_due(now)
    assert await store.next_due_card(G1, 2, now=now) is None
    assert await keys(store, now, limit=0) == []
    with pytest.raises(ValueError):
        await store.due_cards(G1, 1, now=now, limit=-1)


async def test_open_dailies_are_never_served(store: Store) -> None:
    await answer(store, "q/1", "C", at=T0 - 5 * DAY)  # missed long ago: due
    await answer(store, "q/2", "C", at=T0 - 5 * DAY)
    today = await post(store, "q/1", "daily", at=T0)  # ... and q/1 is today's open daily (any guild's)
    assert await keys(store, T0 + HOUR) == ["q/2"]
    nxt = await store.next_due_card(G1, 1, now=T0 + HOUR)
    assert nxt is not None and nxt.question_key == "q/2"
    assert [c.question_key for c in await store.member_cards(G1, 1)] == ["q/2"]
    stats = await store.review_stats(G1, 1, now=T0 + HOUR)
    assert (stats.cards, stats.due_now, stats.due_today) == (2, 1, 1)
    await store.close_post(today.post_id, closed_at=T0 + DAY)
    assert await keys(store, T0 + DAY) == ["q/1", "q/2"]
    other = await post(store, "q/2", "daily", at=T0 + DAY, guild=G2)  # another server's daily too
    assert await keys(store, T0 + DAY) == ["q/1"]
    await store.close_post(other.post_id, closed_at=T0 + 2 * DAY)


async def test_member_cards_and_missed_ones(store: Store) -> None:
    await answer(store, "a", "B")
    await answer(store, "b", "C")
    assert [c.question_key for c in await store.member_cards(G1, 1)] == ["b", "a"]  # soonest due first
    assert [c.question_key for c in await store.member_cards(G1, 1, missed_only=True)] == ["b"]
    await store.record_review(G1, 1, "b", correct=True, reviewed_at=T0 + DAY + MIN)
    assert [c.question_key for c in await store.member_cards(G1, 1, missed_only=True)] == ["b"]  # ever missed
    assert await store.member_cards(G1, 2) == []


# ------------------------------------------------------------------------------ /review answers


async def test_review_ratings(store: Store) -> None:
    for k in ("h", "g", "e", "a", "w"):
        await answer(store, k, "C", at=T0 - DAY)  # all missed: due at T0+1m
    at = T0 + HOUR
    got = {
        "h": await store.record_review(G1, 1, "h", correct=True, rating=Rating.HARD, reviewed_at=at),
        "g": await store.record_review(G1, 1, "g", correct=True, reviewed_at=at),
        "e": await store.record_review(G1, 1, "e", correct=True, rating=Rating.EASY, reviewed_at=at),
        "a": await store.record_review(G1, 1, "a", correct=True, rating=Rating.AGAIN, reviewed_at=at),
        "w": await store.record_review(G1, 1, "w", correct=False, rating=Rating.EASY, reviewed_at=at),
    }
    assert {k: o.rating for k, o in got.items()} == {
        "h": Rating.HARD,
        "g": Rating.GOOD,
        "e": Rating.EASY,
        "a": Rating.AGAIN,
        "w": Rating.AGAIN,  # wrong is Again whatever was chosen
    }
    assert got["a"].card.due == got["w"].card.due == at + DAY
    assert got["h"].card.due <= got["g"].card.due < got["e"].card.due
    stats = await store.review_stats(G1, 1, now=at)
    assert (stats.reviews, stats.recalls, stats.recalled) == (5, 5, 4)
    assert stats.retention == pytest.approx(0.8)


async def test_a_review_of_a_question_never_answered_makes_a_new_card(store: Store) -> None:
    out = await store.record_review(G1, 1, "new/1", correct=True, reviewed_at=T0, display_name="Ada")
    assert (out.previous_due, out.card.reps, out.card.due) == (None, 1, T0 + 2 * DAY)
    stats = await store.review_stats(G1, 1, now=T0)
    assert (stats.reviews, stats.recalls, stats.retention) == (1, 0, None)
    with pytest.raises(ValueError):
        await store.record_review(G1, 1, "", correct=True, reviewed_at=T0)
    with pytest.raises(ValueError):
        await store.record_review(G1, 1, "x", correct=True, rating=7, reviewed_at=T0)  # type: ignore[arg-type]


async def test_reviews_add_no_points_and_touch_no_streak(store: Store) -> None:
    await answer(store, "d/1", "B", kind="daily")
    await answer(store, "p/1", "C")
    before = await store.user_stats(G1, 1, at=T0 + HOUR)
    kept = await store.snapshot_aggregates(G1)
    for k in ("d/1", "p/1", "other"):
        await store.record_review(G1, 1, k, correct=True, reviewed_at=T0 + 3 * DAY)
    await store.record_review(G1, 1, "p/1", correct=False, reviewed_at=T0 + 3 * DAY)
    after = await store.user_stats(G1, 1, at=T0 + HOUR)
    assert (after.points, after.answers, after.correct, after.current_streak, after.best_streak) == (
        before.points,
        before.answers,
        before.correct,
        before.current_streak,
        before.best_streak,
    )
    assert await store.snapshot_aggregates(G1) == kept
    assert len(await store.recent_results(G1, 1)) == 2  # reviews are no answers


async def test_review_stats_windows_in_the_servers_zone(store: Store) -> None:
    await store.set_guild_settings(G1, timezone="Asia/Taipei")  # T0 = 20:00 local on the 25th
    await answer(store, "now", "C", at=T0 - 2 * DAY)  # due T0-1d+1m
    await answer(store, "tonight", "C", at=T0 - 21 * HOUR)  # due T0+3h+1m = 23:01 local: today
    await answer(store, "tomorrow", "C", at=T0 - 19 * HOUR)  # due T0+5h+1m = 01:01 local tomorrow
    await answer(store, "in6", "B", at=T0 + 4 * DAY - 19 * HOUR)  # due 01:01 local on the 31st: this week
    await answer(store, "in7", "B", at=T0 + 5 * DAY - 19 * HOUR)  # due 01:01 local on 2 Dec: not this week
    stats = await store.review_stats(G1, 1, now=T0)
    assert (stats.cards, stats.due_now, stats.due_today, stats.due_week) == (5, 1, 2, 4)
    assert stats.next_due == T0 - DAY + MIN
    empty = await store.review_stats(G1, 9, now=T0)
    assert (empty.cards, empty.due_now, empty.next_due, empty.retention) == (0, 0, None, None)


async def test_retention_counts_the_last_30_days(store: Store) -> None:
    await answer(store, "a", "C", at=T0 - 60 * DAY)
    await store.record_review(G1, 1, "a", correct=False, reviewed_at=T0 - 40 * DAY)  # too old
    await store.record_review(G1, 1, "a", correct=True, reviewed_at=T0 - 20 * DAY)
    await store.record_review(G1, 1, "a", correct=False, reviewed_at=T0 - 10 * DAY)
    await store.record_review(G1, 1, "a", correct=True, reviewed_at=T0 - DAY)
    stats = await store.review_stats(G1, 1, now=T0)
    assert (stats.reviews, stats.recalls, stats.recalled) == (3, 3, 2)
    assert stats.retention == pytest.approx(2 / 3)


# ------------------------------------------------------------------------------ reminders


async def test_reminder_settings(store: Store) -> None:
    await store.set_guild_settings(G1, timezone="Asia/Taipei")  # T0 = 20:00 local
    assert await store.get_review_reminder(G1, 1) is None
    on = await store.set_review_reminder(G1, 1, enabled=True, time="21:30", now=T0)
    assert (on.enabled, on.time, on.timezone, on.last_sent_day) == (True, "21:30", "Asia/Taipei", None)
    late = await store.set_review_reminder(G1, 2, enabled=True, time="8:05", now=T0)
    assert (late.time, late.last_sent_day) == ("08:05", date(2026, 11, 25))  # today's time has passed
    default = await store.set_review_reminder(G1, 3, enabled=True, now=T0 - 12 * HOUR)
    assert (default.time, default.last_sent_day) == ("19:00", None)
    off = await store.set_review_reminder(G1, 1, enabled=False, now=T0)
    assert (off.enabled, off.time) == (False, "21:30")  # the time is kept for next time
    assert [(r.user_id, r.time) for r in await store.review_reminders()] == [(2, "08:05"), (3, "19:00")]
    again = await store.set_review_reminder(G1, 1, enabled=True, now=T0)
    assert (again.time, again.last_sent_day) == ("21:30", None)
    await store.set_guild_settings(G1, timezone="Europe/Berlin")
    got = await store.get_review_reminder(G1, 1)
    assert got is not None and got.timezone == "Europe/Berlin"  # follows the server
    for bad in ("25:00", "noon", ""):
        with pytest.raises(ValueError):
            await store.set_review_reminder(G1, 1, enabled=True, time=bad, now=T0)


async def test_a_reminder_is_claimed_once_a_day_and_only_when_cards_are_due(store: Store) -> None:
    day = date(2026, 11, 26)
    await store.set_review_reminder(G1, 1, enabled=True, time="09:00", now=T0)
    assert await store.claim_review_reminder(G1, 1, day, now=T0 + DAY) is None  # nothing due: not claimed
    await answer(store, "a", "C", at=T0 - DAY)
    await answer(store, "b", "C", at=T0 - DAY)
    assert await store.claim_review_reminder(G1, 1, day, now=T0 + DAY) == 2
    assert await store.claim_review_reminder(G1, 1, day, now=T0 + DAY + HOUR) is None
    assert await store.claim_review_reminder(G1, 1, day - DAY, now=T0 + DAY + HOUR) is None  # earlier day
    got = await store.get_review_reminder(G1, 1)
    assert got is not None and got.last_sent_day == day
    assert await store.claim_review_reminder(G1, 1, day + DAY, now=T0 + 2 * DAY) == 2
    assert await store.claim_review_reminder(G1, 2, day, now=T0 + DAY) is None  # no reminder set
    await store.set_review_reminder(G1, 1, enabled=False, now=T0 + 2 * DAY)
    assert await store.claim_review_reminder(G1, 1, day + 2 * DAY, now=T0 + 3 * DAY) is None


async def test_two_concurrent_claims_one_wins(store: Store) -> None:
    await answer(store, "a", "C", at=T0 - 2 * DAY)
    await store.set_review_reminder(G1, 1, enabled=True, time="09:00", now=T0 - 4 * HOUR)
    results = await asyncio.gather(
        *(store.claim_review_reminder(G1, 1, date(2026, 11, 25), now=T0) for _ in range(10))
    )
    assert sorted(results, key=str) == [1] + [None] * 9


async def test_a_reminder_open_daily_does_not_count_as_due(store: Store) -> None:
    await answer(store, "a", "C", at=T0 - 2 * DAY)
    daily = await post(store, "a", "daily", at=T0 - HOUR)
    await store.set_review_reminder(G1, 1, enabled=True, time="09:00", now=T0 - 4 * HOUR)
    assert await store.claim_review_reminder(G1, 1, date(2026, 11, 25), now=T0) is None
    await store.close_post(daily.post_id, closed_at=T0 + HOUR)
    assert await store.claim_review_reminder(G1, 1, date(2026, 11, 25), now=T0 + HOUR) == 1


# ------------------------------------------------------------------------------ resets


async def test_reset_scores_clears_cards(store: Store) -> None:
    for u in (1, 2):
        await answer(store, f"q/{u}", "C", user=u)
        await store.record_review(G1, u, f"q/{u}", correct=True, reviewed_at=T0 + DAY)
        await store.set_review_reminder(G1, u, enabled=True, time="09:00", now=T0)
    p = await post(store, "q/9")
    await store.record_answer(G1, p.post_id, 1, "C", answered_at=T0 + MIN)  # still pending
    await store.reset_scores(G1, 1)
    assert await store.member_cards(G1, 1) == []
    assert (await store.review_stats(G1, 1, now=T0 + DAY)).reviews == 0
    assert [c.question_key for c in await store.member_cards(G1, 2)] == ["q/2"]
    assert await store.get_review_reminder(G1, 1) is not None  # a setting, not a score
    await store.reset_scores(G1)
    assert await store.member_cards(G1, 2) == [] and await store.pending_reviews() == 0


# ------------------------------------------------------------------------------ SQLite's own


def _v5_database(path: Path) -> None:
    """A version-5 file: member 7 answered d/1 right and p/1 wrong, then an exam (ex/0 right,
    ex/1 unanswered), before reviews existed."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate.migrate(conn, migrate.load_migrations()[:5])
        assert migrate.schema_version(conn) == 5
        ms = int(T0.timestamp() * 1000)
        day = 86_400_000
        conn.executescript(
            f"""
            BEGIN;
            INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES ({G1}, {ms}, {ms});
            INSERT INTO members VALUES ({G1}, 7, 'Old timer', {ms}, {ms});
            INSERT INTO posts (post_id, guild_id, channel_id, question_key, kind, correct_letters,
                option_letters, created_at, closes_at, closed_at) VALUES
                (1, {G1}, {CH}, 'd/1', 'daily', 'E', 'ABCDE', {ms}, {ms + day}, {ms + day}),
                (2, {G1}, {CH}, 'p/1', 'practice', 'A', 'ABCD', {ms}, {ms + day}, {ms + day});
            INSERT INTO answers VALUES (1, 1, {G1}, 7, 'd/1', 'E', 1, 10, {ms + 60_000}, 60000, '2026-11-25');
            INSERT INTO answers VALUES (2, 2, {G1}, 7, 'p/1', 'B', 0, 0, {ms + 120_000}, 60000, '2026-11-25');
            INSERT INTO exams (exam_id, guild_id, user_id, blueprint, started_at, deadline, pass_mark,
                submitted_at, local_day, correct, total, result) VALUES
                (1, {G1}, 7, 'professional', {ms}, {ms + day}, 70.0, {ms + 600_000}, '2026-11-25', 1, 2, '{{}}');
            INSERT INTO exam_items (exam_id, position, question_key, section, correct_letters, option_letters,
                chosen) VALUES (1, 0, 'ex/0', 'dev', 'A', 'ABCD', 'A'), (1, 1, 'ex/1', 'dev', 'A', 'ABCD', '');
            COMMIT;
            """
        )
    finally:
        conn.close()


async def test_a_version_5_database_seeds_cards_once(tmp_path: Path) -> None:
    path = tmp_path / "v5.sqlite3"
    _v5_database(path)
    s = await Storage.open(path)
    try:
        assert await s.schema_version() == len(migrate.load_migrations()) >= 6
        assert await s.get_meta("review.seeded") == "4"
        assert await s.pending_reviews() == 4
        assert await s.fold_reviews() == 4
        cards = {c.question_key: c for c in await s.member_cards(G1, 7)}
        assert {k: (c.due, c.last_rating) for k, c in cards.items()} == {
            "d/1": (T0 + MIN + 2 * DAY, Rating.GOOD),
            "p/1": (T0 + 2 * MIN + DAY, Rating.AGAIN),
            "ex/0": (T0 + 10 * MIN + 2 * DAY, Rating.GOOD),
            "ex/1": (T0 + 10 * MIN + DAY, Rating.AGAIN),
        }
        # missed and never reviewed: due (most overdue first)
        assert [c.question_key for c in await s.due_cards(G1, 7, now=T0 + 5 * DAY)] == [
            "p/1",
            "ex/1",
            "d/1",
            "ex/0",
        ]
    finally:
        await s.close()
    s = await Storage.open(path)  # opening again replays nothing
    try:
        assert await s.pending_reviews() == 0
        assert all(c.reps == 1 for c in await s.member_cards(G1, 7))
        assert await s.integrity_check() == []
    finally:
        await s.close()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert migrate.migrate(conn) == []
    finally:
        conn.close()


async def test_two_stores_on_one_file_claim_a_reminder_once(tmp_path: Path) -> None:
    path = tmp_path / "two.sqlite3"
    a = await Storage.open(path)
    b = await Storage.open(path)
    try:
        await answer(a, "a", "C", at=T0 - 2 * DAY)
        await a.set_review_reminder(G1, 1, enabled=True, time="09:00", now=T0 - 4 * HOUR)
        day = date(2026, 11, 25)
        results = await asyncio.gather(
            *(s.claim_review_reminder(G1, 1, day, now=T0) for s in (a, b, a, b, a, b))
        )
        assert sorted(results, key=str) == [1] + [None] * 5
    finally:
        await a.close()
        await b.close()
    again = await Storage.open(path)  # a restart: still claimed
    try:
        assert await again.claim_review_reminder(G1, 1, date(2026, 11, 25), now=T0 + HOUR) is None
    finally:
        await again.close()


async def test_the_next_card_query_reads_an_index(tmp_path: Path) -> None:
    s = await Storage.open(tmp_path / "plan.sqlite3")
    try:
        await answer(s, "a", "C")

        def plan(conn: sqlite3.Connection) -> list[str]:
            statements: list[str] = []
            conn.set_trace_callback(statements.append)
            try:
                sqlite_review.due_cards(conn, G1, 1, int((T0 + DAY).timestamp() * 1000), 1, frozenset())
            finally:
                conn.set_trace_callback(None)
            return [
                " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
                for sql in statements
                if sql.lstrip().upper().startswith("SELECT")
            ]

        plans = await s.run_sync(plan)
        assert plans and all("USING" in p and "SCAN" not in p and "TEMP B-TREE" not in p for p in plans), (
            plans
        )
    finally:
        await s.close()
