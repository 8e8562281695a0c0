"""bot.core.review: ratings, FSRS scheduling in whole days, reminder times. The intervals are
checked against FSRS-6's formulas written out here with its default parameters (w0..w20)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.review import (
    Rating,
    ReminderSetting,
    load_card,
    next_reminder_at,
    rating_for_answer,
    rating_for_review,
    retrievability,
    review_windows,
    schedule,
)

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
DAY = timedelta(days=1)
# FSRS-6's default parameters (py-fsrs 6.x): initial stabilities w0..w3, initial difficulty w4, w5.
W = (0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835)
DECAY = -0.1542  # -w20
FACTOR = 0.9 ** (1 / DECAY) - 1


def test_ratings_of_answers() -> None:
    assert rating_for_answer(False) is Rating.AGAIN
    assert rating_for_answer(True) is Rating.GOOD
    assert rating_for_review(False) is Rating.AGAIN
    assert rating_for_review(False, Rating.EASY) is Rating.AGAIN  # a wrong answer cannot be Easy
    assert rating_for_review(True) is Rating.GOOD
    assert [rating_for_review(True, r) for r in Rating] == list(Rating)
    assert [int(r) for r in Rating] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("rating", "stability", "days"),
    [
        # a new card's stability is w[rating-1]; at desired retention 0.9 the interval is the
        # stability itself, rounded to whole days, at least one
        (Rating.AGAIN, W[0], 1),
        (Rating.HARD, W[1], 1),
        (Rating.GOOD, W[2], 2),
        (Rating.EASY, W[3], 8),
    ],
)
def test_a_new_card_is_due_after_its_initial_stability(rating: Rating, stability: float, days: int) -> None:
    state = schedule(None, rating, T0)
    assert state.due == T0 + days * DAY
    assert state.last_review == T0
    card = json.loads(state.state_json)
    assert card["stability"] == pytest.approx(stability)
    assert card["difficulty"] == pytest.approx(max(1.0, W[4] - math.exp(W[5] * (int(rating) - 1)) + 1))
    assert load_card(state.state_json).due == state.due


def test_a_wrong_answer_is_due_the_next_day_and_a_right_one_moves_it_out() -> None:
    missed = schedule(None, Rating.AGAIN, T0)
    assert missed.due == T0 + DAY
    # Reviewed right when due: FSRS-6's stability after a successful recall, by hand.
    s, d, t = W[0], W[4], 1.0
    r = (1 + FACTOR * t / s) ** DECAY
    s_next = s * (math.exp(W[8]) * (11 - d) * s ** -W[9] * (math.exp(W[10] * (1 - r)) - 1) + 1)
    good = schedule(missed.state_json, Rating.GOOD, missed.due)
    assert json.loads(good.state_json)["stability"] == pytest.approx(s_next)
    assert good.due == missed.due + round(s_next) * DAY == T0 + 3 * DAY
    # and again right when due: further out still
    again = schedule(good.state_json, Rating.GOOD, good.due)
    assert again.due - good.due > good.due - missed.due


def test_a_review_dated_before_the_last_one_is_taken_at_the_last_one() -> None:
    first = schedule(None, Rating.GOOD, T0)
    earlier = schedule(first.state_json, Rating.AGAIN, T0 - DAY)
    assert earlier.last_review == T0
    assert earlier.due == T0 + DAY


def test_retrievability_falls_with_time() -> None:
    state = schedule(None, Rating.GOOD, T0)
    assert retrievability(state.state_json, T0) == pytest.approx(1.0)
    # FSRS counts whole days since the last review: R(t) = (1 + FACTOR * t / S) ** DECAY
    two_days = (1 + FACTOR * 2 / W[2]) ** DECAY
    assert retrievability(state.state_json, T0 + 2 * DAY + timedelta(hours=5)) == pytest.approx(two_days)
    assert retrievability(state.state_json, T0 + 30 * DAY) < 0.9


@pytest.mark.parametrize("bad", ["", "{", "[]", '{"state": 2}', "null"])
def test_a_broken_state_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        load_card(bad)
    with pytest.raises(ValueError):
        schedule(bad, Rating.GOOD, T0)


def test_review_windows_are_local_days() -> None:
    taipei = ZoneInfo("Asia/Taipei")  # UTC+8: 09:30 UTC is 17:30 local on the 25th
    end_today, end_week = review_windows(T0, taipei)
    assert end_today == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # midnight of the 26th, local
    assert end_week == end_today + 6 * DAY
    ny = ZoneInfo("America/New_York")  # the week that holds the fall-back day is an hour longer
    end_today, end_week = review_windows(datetime(2026, 10, 30, 12, 0, tzinfo=UTC), ny)
    assert end_today == datetime(2026, 10, 31, 4, 0, tzinfo=UTC)
    assert end_week - end_today == 6 * DAY + timedelta(hours=1)


def test_next_reminder_at() -> None:
    s = ReminderSetting(1, 2, True, "08:15", "Asia/Taipei")
    today = datetime(2026, 11, 25, 0, 15, tzinfo=UTC)  # 08:15 in Taipei
    assert next_reminder_at(s, T0) == today  # not sent today yet: today's slot, even if it passed
    sent = ReminderSetting(1, 2, True, "08:15", "Asia/Taipei", date(2026, 11, 25))
    assert next_reminder_at(sent, T0) == today + DAY
    assert next_reminder_at(ReminderSetting(1, 2, False, "08:15", "Asia/Taipei"), T0) is None
    # spring forward in New York: 02:30 does not exist on 2026-03-08 and becomes 03:30 EDT
    ny = ReminderSetting(1, 2, True, "02:30", "America/New_York", date(2026, 3, 7))
    assert next_reminder_at(ny, datetime(2026, 3, 8, 5, 0, tzinfo=UTC)) == datetime(
        2026, 3, 8, 7, 30, tzinfo=UTC
    )
