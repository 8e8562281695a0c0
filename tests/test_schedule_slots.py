"""The slot searches of bot/core/schedule.py (`/quizadmin daily show`'s next post, `/quizadmin skip`)
and the topics option's parsing: pure, so tested here without Discord."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.schedule import (
    SLOT_HORIZON_DAYS,
    due_at,
    local_day,
    next_post_at,
    skippable_slots,
    split_topics,
)

TAIPEI = ZoneInfo("Asia/Taipei")
NEW_YORK = ZoneInfo("America/New_York")
NINE = time(9, 0)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ next post


def test_the_next_post_is_todays_slot_until_it_is_due() -> None:
    # 09:00 in Taipei is 01:00 UTC
    assert next_post_at(utc(2030, 3, 1, 0, 30), NINE, TAIPEI, {}) == utc(2030, 3, 1, 1, 0)
    # due and not posted yet: the scheduler is catching up, so "now"
    now = utc(2030, 3, 1, 2, 0)
    assert next_post_at(now, NINE, TAIPEI, {}, active_since=utc(2030, 3, 1)) == now
    # posted today: tomorrow's
    assert next_post_at(now, NINE, TAIPEI, {"2030-03-01": "sent"}) == utc(2030, 3, 2, 1, 0)


def test_a_slot_due_before_the_schedule_was_set_is_not_now() -> None:
    now = utc(2030, 3, 1, 2, 0)  # set at 10:00 Taipei, after today's 09:00
    assert next_post_at(now, NINE, TAIPEI, {}, active_since=now) == utc(2030, 3, 2, 1, 0)


def test_skipped_days_are_passed_over() -> None:
    taken = {"2030-03-02": "skipped", "2030-03-03": "skipped"}
    assert next_post_at(utc(2030, 3, 1, 2, 0), NINE, TAIPEI, {"2030-03-01": "sent", **taken}) == utc(
        2030, 3, 4, 1, 0
    )


def test_nothing_free_within_the_horizon_is_none() -> None:
    start = date(2030, 3, 1)
    taken = {(start + timedelta(days=i)).isoformat(): "skipped" for i in range(SLOT_HORIZON_DAYS + 1)}
    assert next_post_at(utc(2030, 3, 1, 0, 0), NINE, TAIPEI, taken) is None


def test_the_next_post_across_a_dst_switch_is_the_local_time() -> None:
    # 02:30 does not exist in New York on 2030-03-10 (spring forward): moved to 03:30 EDT = 07:30 UTC
    nxt = next_post_at(utc(2030, 3, 10, 5, 0), time(2, 30), NEW_YORK, {})
    assert nxt == utc(2030, 3, 10, 7, 30)


# ------------------------------------------------------------------------------------------ skip


def test_skip_offers_the_free_days_nearest_first() -> None:
    today = date(2030, 3, 1)
    since = utc(2030, 2, 1)
    slots = skippable_slots(today, NINE, TAIPEI, {"2030-03-01": "sent", "2030-03-02": "skipped"}, since)
    assert [next(slots), next(slots)] == [
        (date(2030, 3, 3), utc(2030, 3, 3, 1, 0)),
        (date(2030, 3, 4), utc(2030, 3, 4, 1, 0)),
    ]


def test_skip_does_not_offer_a_slot_due_before_the_schedule_was_set() -> None:
    today = date(2030, 3, 1)
    first = next(skippable_slots(today, NINE, TAIPEI, {}, utc(2030, 3, 1, 2, 0)))
    assert first == (date(2030, 3, 2), utc(2030, 3, 2, 1, 0))


def test_skip_looks_no_further_than_the_horizon() -> None:
    slots = list(skippable_slots(date(2030, 3, 1), NINE, TAIPEI, {}, utc(2030, 1, 1)))
    assert len(slots) == SLOT_HORIZON_DAYS
    assert slots[-1][0] == date(2030, 3, 1) + timedelta(days=SLOT_HORIZON_DAYS - 1)


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    ),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 59]),
    taken_offsets=st.sets(st.integers(-1, 20), max_size=15),
    zone=st.sampled_from(["Asia/Taipei", "America/New_York", "Europe/London", "Pacific/Auckland"]),
)
def test_the_next_post_is_the_first_free_slot_after_now(
    start: datetime, hour: int, minute: int, taken_offsets: set[int], zone: str
) -> None:
    tz, at = ZoneInfo(zone), time(hour, minute)
    today = local_day(start, tz)
    taken = {(today + timedelta(days=i)).isoformat(): "sent" for i in taken_offsets}
    nxt = next_post_at(start, at, tz, taken)  # no active_since: today's slot counts when due
    assert nxt is not None
    if nxt == start:  # catching up: today's slot is due and free
        assert due_at(today, at, tz) <= start
        assert today.isoformat() not in taken
        return
    day = local_day(nxt, tz)
    assert nxt == due_at(day, at, tz)
    assert nxt > start
    assert day.isoformat() not in taken
    # no free slot in between
    d = today
    while d < day:
        assert due_at(d, at, tz) <= start or d.isoformat() in taken
        d += timedelta(days=1)


# ------------------------------------------------------------------------------------------ topics


def test_split_topics_takes_every_separator_people_type() -> None:
    typed = "Spark, Delta-Lake；Jobs、Unity Catalog，CLI;"
    assert split_topics(typed) == [
        "Spark",
        "Delta-Lake",
        "Jobs",
        "Unity Catalog",
        "CLI",
    ]
    assert [split_topics(None), split_topics(""), split_topics(" , ;")] == [[], [], []]
