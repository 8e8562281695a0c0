"""The pure rules of bot.core: points, streaks, periods, accuracy. No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import (
    DAILY_POINTS,
    PRACTICE_POINTS,
    StreakState,
    accuracy,
    bucket_keys,
    normalize_letters,
    parse_timezone,
    period_key,
    period_start,
    score_answer,
    streak_after_answer,
    streak_after_daily_answer,
    streak_after_daily_closed,
)
from bot.core.periods import local_midnight_utc

TAIPEI = ZoneInfo("Asia/Taipei")
NEW_YORK = ZoneInfo("America/New_York")

# ------------------------------------------------------------------------------ points


@pytest.mark.parametrize(
    ("kind", "correct", "already", "points"),
    [
        ("daily", True, False, DAILY_POINTS),
        ("daily", True, True, DAILY_POINTS),  # every correct daily scores
        ("daily", False, False, 0),
        ("daily", False, True, 0),
        ("practice", True, False, PRACTICE_POINTS),
        ("practice", True, True, 0),  # no farming: only the first correct answer to a question
        ("practice", False, False, 0),
        ("practice", False, True, 0),
    ],
)
def test_score_answer(kind: str, correct: bool, already: bool, points: int) -> None:
    assert score_answer(kind, correct, already) == points


def test_points_values() -> None:
    assert (DAILY_POINTS, PRACTICE_POINTS) == (10, 1)


def test_score_answer_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        score_answer("weekly", True, False)


@pytest.mark.parametrize(
    ("raw", "norm"), [("E", "E"), ("da", "AD"), ("D,A", "AD"), ("AAD", "AD"), (["C", "b"], "BC")]
)
def test_normalize_letters(raw: str, norm: str) -> None:
    assert normalize_letters(raw) == norm


@pytest.mark.parametrize("raw", ["", " ", "A1", "Z", "?"])
def test_normalize_letters_rejects(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_letters(raw)


# ------------------------------------------------------------------------------ streaks


def test_streak_correct_extends_and_wrong_ends() -> None:
    s = StreakState()
    s = streak_after_daily_answer(s, True)
    s = streak_after_daily_answer(s, True)
    assert s == StreakState(2, 2)
    s = streak_after_daily_answer(s, False)
    assert s == StreakState(0, 2)  # best is kept
    s = streak_after_daily_answer(s, True)
    assert s == StreakState(1, 2)


def test_streak_missed_daily_ends_it() -> None:
    s = StreakState(3, 5)
    assert streak_after_daily_closed(s, answered=False) == StreakState(0, 5)
    assert streak_after_daily_closed(s, answered=True) == s


def test_practice_never_changes_a_streak() -> None:
    s = StreakState(2, 4)
    assert streak_after_answer(s, "practice", True) == s
    assert streak_after_answer(s, "practice", False) == s
    assert streak_after_answer(s, "daily", True) == StreakState(3, 4)


def test_streak_state_is_validated() -> None:
    with pytest.raises(ValueError):
        StreakState(3, 2)
    with pytest.raises(ValueError):
        StreakState(-1, 0)


@given(st.lists(st.sampled_from(["right", "wrong", "missed", "practice"]), max_size=60))
def test_streak_matches_a_direct_count(events: list[str]) -> None:
    """current = correct dailies since the last wrong/missed one; best = the longest such run."""
    s = StreakState()
    run = best = 0
    for e in events:
        if e == "right":
            s = streak_after_daily_answer(s, True)
            run += 1
        elif e == "wrong":
            s = streak_after_daily_answer(s, False)
            run = 0
        elif e == "missed":
            s = streak_after_daily_closed(s, answered=False)
            run = 0
        else:
            s = streak_after_answer(s, "practice", True)
        best = max(best, run)
        assert s == StreakState(run, best)


# ------------------------------------------------------------------------------ accuracy


def test_accuracy_with_minimum() -> None:
    assert accuracy(0, 0) is None
    assert accuracy(3, 4) == 0.75
    assert accuracy(9, 9, min_answers=10) is None
    assert accuracy(5, 10, min_answers=10) == 0.5
    with pytest.raises(ValueError):
        accuracy(5, 4)


# ------------------------------------------------------------------------------ periods


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize("tz", [TAIPEI, NEW_YORK])
def test_sunday_late_and_monday_early_are_different_weeks(tz: ZoneInfo) -> None:
    sunday = local(tz, 2026, 11, 29, 23, 30)  # Sunday 23:30 local
    monday = local(tz, 2026, 11, 30, 0, 10)  # Monday 00:10 local
    w1 = period_start("week", sunday, tz)
    w2 = period_start("week", monday, tz)
    assert w1.key == "week:2026-11-23"
    assert w2.key == "week:2026-11-30"
    assert w1.end_utc == w2.start_utc == local(tz, 2026, 11, 30, 0, 0)
    assert w1.contains(sunday) and not w1.contains(monday) and w2.contains(monday)


def test_week_boundary_is_local_not_utc() -> None:
    # Monday 00:10 in Taipei is still Sunday 16:10 UTC: a UTC week would put it a week earlier.
    monday_taipei = local(TAIPEI, 2026, 11, 30, 0, 10)
    assert monday_taipei.weekday() == 6
    assert period_start("week", monday_taipei, TAIPEI).key == "week:2026-11-30"
    assert period_start("week", monday_taipei, ZoneInfo("UTC")).key == "week:2026-11-23"
    assert period_start("week", monday_taipei, TAIPEI).start_utc == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)


def test_month_boundary_in_new_york() -> None:
    last = local(NEW_YORK, 2026, 10, 31, 23, 59)  # still October in New York, November in UTC
    first = local(NEW_YORK, 2026, 11, 1, 0, 0)
    assert last.month == 11  # UTC says November already
    m1 = period_start("month", last, NEW_YORK)
    m2 = period_start("month", first, NEW_YORK)
    assert (m1.key, m2.key) == ("month:2026-10-01", "month:2026-11-01")
    assert m1.end_utc == m2.start_utc == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # EDT, UTC-4
    assert m1.label == "2026-10"


def test_week_across_dst_change_in_new_york() -> None:
    # DST ends Sunday 2026-11-01 02:00: the week of Oct 26 is 7 days + 1 hour long in UTC.
    w = period_start("week", local(NEW_YORK, 2026, 10, 28, 12, 0), NEW_YORK)
    assert w.start_utc == datetime(2026, 10, 26, 4, 0, tzinfo=UTC)  # EDT
    assert w.end_utc == datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # EST
    assert w.end_utc - w.start_utc == timedelta(days=7, hours=1)


def test_midnight_in_a_dst_gap() -> None:
    # Santiago skips 00:00-01:00 on 2026-09-06: the day starts at 01:00 local.
    santiago = ZoneInfo("America/Santiago")
    start = local_midnight_utc(date(2026, 9, 6), santiago)
    assert start.astimezone(santiago).hour == 1
    assert (start - timedelta(seconds=1)).astimezone(santiago).date() == date(2026, 9, 5)


def test_all_time_period() -> None:
    p = period_start("all", datetime(2026, 1, 1, tzinfo=UTC), TAIPEI)
    assert (p.key, p.start_utc, p.end_utc, p.label) == ("all", None, None, "all time")
    assert p.contains(datetime(1999, 1, 1, tzinfo=UTC))


def test_periods_need_aware_instants() -> None:
    with pytest.raises(ValueError):
        period_start("week", datetime(2026, 1, 1), TAIPEI)
    with pytest.raises(ValueError):
        period_start("year", datetime(2026, 1, 1, tzinfo=UTC), TAIPEI)  # type: ignore[arg-type]


def test_parse_timezone() -> None:
    assert parse_timezone("Asia/Taipei") == TAIPEI
    with pytest.raises(ValueError, match="time zone"):
        parse_timezone("Mars/Olympus")


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["Asia/Taipei", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]),
)
def test_period_contains_its_instant(instant: datetime, tzname: str) -> None:
    tz = ZoneInfo(tzname)
    for kind in ("week", "month"):
        p = period_start(kind, instant, tz)  # type: ignore[arg-type]
        assert p.start_utc is not None and p.end_utc is not None and p.local_start is not None
        assert p.start_utc <= instant < p.end_utc
        assert p.start_utc.astimezone(tz).date() == p.local_start
        if kind == "week":
            assert p.local_start.weekday() == 0
        else:
            assert p.local_start.day == 1
    day = instant.astimezone(tz).date()
    assert bucket_keys(day) == ("all", period_key("week", day), period_key("month", day))
