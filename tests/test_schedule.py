"""The daily question's pure rules (bot/core/schedule.py): times of day, time zones, DST, catching up,
and the rotation."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.schedule import (
    RotationEntry,
    closes_at,
    day_over,
    due_at,
    format_hhmm,
    local_day,
    next_due,
    parse_hhmm,
    resolve_timezone,
    rotation_progress,
    rotation_step,
    slot_due,
    timezone_choices,
)

TAIPEI = ZoneInfo("Asia/Taipei")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
NINE = time(9, 0)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9)),
        ("9:05", time(9, 5)),
        (" 23:59 ", time(23, 59)),
        ("00:00", time(0)),
        ("21：30", time(21, 30)),
    ],
)
def test_parse_hhmm_accepts_24_hour_times(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected
    assert parse_hhmm(format_hhmm(expected)) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "12:60", "9am", "0900", "", "12:5", "-1:00", "12:00:00"])
def test_parse_hhmm_refuses_what_is_not_a_time_of_day(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hhmm(text)


def test_time_zones_are_iana_names_only() -> None:
    assert resolve_timezone("Asia/Taipei") == "Asia/Taipei"
    assert resolve_timezone("asia/taipei") == "Asia/Taipei"
    assert resolve_timezone("America/New York") == "America/New_York"
    assert resolve_timezone("UTC") == "UTC"
    for bad in ("Mars/Base", "Taipei", "/etc/localtime", "../../etc/passwd", "", "EST5EDT,M3.2.0,M11.1.0"):
        with pytest.raises(ValueError):
            resolve_timezone(bad)


def test_time_zone_autocomplete() -> None:
    assert timezone_choices("")[0] == "Asia/Taipei" and len(timezone_choices("")) <= 25
    assert timezone_choices("taip") == ["Asia/Taipei"]
    assert timezone_choices("new_y")[0] == "America/New_York"
    assert "Europe/London" in timezone_choices("lond")
    assert all(len(timezone_choices(x)) <= 25 for x in ("a", "e", "/"))


# ------------------------------------------------------------------------------------------ due instants


def test_0900_in_taipei_is_0100_utc_every_day() -> None:
    for day in (date(2030, 1, 1), date(2030, 3, 10), date(2030, 7, 1), date(2030, 11, 3)):
        assert due_at(day, NINE, TAIPEI) == datetime.combine(day, time(1, 0), tzinfo=UTC)
    assert next_due(utc(2030, 3, 1, 0, 59), NINE, TAIPEI) == utc(2030, 3, 1, 1, 0)
    assert next_due(utc(2030, 3, 1, 1, 0), NINE, TAIPEI) == utc(2030, 3, 2, 1, 0)  # strictly after
    # 23:00 UTC is already tomorrow morning (07:00) in Taipei
    assert next_due(utc(2030, 3, 1, 23, 0), NINE, TAIPEI) == utc(2030, 3, 2, 1, 0)


def test_new_york_across_both_switches() -> None:
    # 2030: DST starts Sunday 10 March, ends Sunday 3 November.
    assert due_at(date(2030, 3, 9), NINE, NEW_YORK) == utc(2030, 3, 9, 14, 0)  # EST, UTC-5
    assert due_at(date(2030, 3, 10), NINE, NEW_YORK) == utc(2030, 3, 10, 13, 0)  # EDT, UTC-4
    assert next_due(utc(2030, 3, 9, 14, 0), NINE, NEW_YORK) == utc(2030, 3, 10, 13, 0)  # a 23-hour gap
    assert due_at(date(2030, 11, 2), NINE, NEW_YORK) == utc(2030, 11, 2, 13, 0)
    assert due_at(date(2030, 11, 3), NINE, NEW_YORK) == utc(2030, 11, 3, 14, 0)
    assert next_due(utc(2030, 11, 2, 13, 0), NINE, NEW_YORK) == utc(2030, 11, 3, 14, 0)  # 25 hours
    # 02:30 does not exist on 10 March: moved forward by the gap, to 03:30 EDT
    skipped = due_at(date(2030, 3, 10), time(2, 30), NEW_YORK)
    assert skipped == utc(2030, 3, 10, 7, 30)
    assert skipped.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:30 EDT"
    # 01:30 happens twice on 3 November: the first one (EDT)
    twice = due_at(date(2030, 11, 3), time(1, 30), NEW_YORK)
    assert twice == utc(2030, 11, 3, 5, 30)
    assert twice.astimezone(NEW_YORK).strftime("%H:%M %Z") == "01:30 EDT"


def test_london_across_both_switches() -> None:
    # 2030: BST starts Sunday 31 March (01:00 GMT), ends Sunday 27 October (02:00 BST).
    assert due_at(date(2030, 3, 30), NINE, LONDON) == utc(2030, 3, 30, 9, 0)
    assert due_at(date(2030, 3, 31), NINE, LONDON) == utc(2030, 3, 31, 8, 0)
    assert due_at(date(2030, 10, 26), NINE, LONDON) == utc(2030, 10, 26, 8, 0)
    assert due_at(date(2030, 10, 27), NINE, LONDON) == utc(2030, 10, 27, 9, 0)
    assert due_at(date(2030, 3, 31), time(1, 30), LONDON) == utc(2030, 3, 31, 1, 30)  # 02:30 BST
    assert due_at(date(2030, 10, 27), time(1, 30), LONDON) == utc(2030, 10, 27, 0, 30)  # first 01:30


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(["Asia/Taipei", "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"]),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2035, 1, 1)),
)
def test_every_local_day_has_exactly_one_due_instant(
    zone: str, hour: int, minute: int, start: datetime
) -> None:
    tz, at = ZoneInfo(zone), time(hour, minute)
    now = start.replace(tzinfo=UTC)
    first = next_due(now, at, tz)
    second = next_due(first, at, tz)
    assert now < first < second
    assert local_day(second, tz) == local_day(first, tz) + timedelta(days=1)
    assert first == due_at(local_day(first, tz), at, tz)
    # the local wall time is the scheduled one, or later by a DST gap (never earlier)
    wall = first.astimezone(tz).replace(tzinfo=None)
    scheduled = datetime.combine(wall.date(), at)
    assert timedelta(0) <= wall - scheduled <= timedelta(hours=1)


# ------------------------------------------------------------------------------------------ catching up


def test_slot_is_due_from_its_time_until_the_local_day_is_over() -> None:
    since = utc(2030, 2, 28, 0, 0)
    assert slot_due(utc(2030, 3, 1, 0, 59), NINE, TAIPEI, since) is None  # 08:59
    assert slot_due(utc(2030, 3, 1, 1, 0), NINE, TAIPEI, since) == (date(2030, 3, 1), utc(2030, 3, 1, 1, 0))
    # down from 08:00 to 10:00: at 10:00 today's 09:00 is still due
    assert slot_due(utc(2030, 3, 1, 2, 0), NINE, TAIPEI, since) == (date(2030, 3, 1), utc(2030, 3, 1, 1, 0))
    # 23:59 local still counts; 00:00 the next day it does not (that day's own slot is not due yet)
    assert slot_due(utc(2030, 3, 1, 15, 59), NINE, TAIPEI, since) is not None
    assert slot_due(utc(2030, 3, 1, 16, 0), NINE, TAIPEI, since) is None
    assert not day_over(date(2030, 3, 1), utc(2030, 3, 1, 15, 59), TAIPEI)
    assert day_over(date(2030, 3, 1), utc(2030, 3, 1, 16, 0), TAIPEI)


def test_a_slot_due_before_the_schedule_was_set_is_not_posted() -> None:
    # set at 10:00 local for 09:00: the first post is tomorrow's
    assert slot_due(utc(2030, 3, 1, 2, 0), NINE, TAIPEI, utc(2030, 3, 1, 1, 30)) is None
    assert slot_due(utc(2030, 3, 2, 1, 0), NINE, TAIPEI, utc(2030, 3, 1, 1, 30)) is not None
    # set at exactly the due time: posted
    assert slot_due(utc(2030, 3, 1, 1, 0), NINE, TAIPEI, utc(2030, 3, 1, 1, 0)) is not None


def test_a_daily_closes_when_the_next_one_is_due() -> None:
    assert closes_at(date(2030, 3, 1), NINE, TAIPEI, utc(2030, 3, 1, 1, 0)) == utc(2030, 3, 2, 1, 0)
    assert closes_at(date(2030, 3, 9), NINE, NEW_YORK, utc(2030, 3, 9, 14, 0)) == utc(2030, 3, 10, 13, 0)
    # never in the past
    late = utc(2030, 3, 2, 1, 0)
    assert closes_at(date(2030, 3, 1), NINE, TAIPEI, late) == late + timedelta(minutes=1)


# ------------------------------------------------------------------------------------------ rotation


def walk(
    keys: list[str], steps: int, rng: random.Random, entries: dict[str, RotationEntry] | None = None
) -> tuple[list[str], dict[str, RotationEntry]]:
    state = dict(entries or {})
    asked: list[str] = []
    for _ in range(steps):
        step = rotation_step(state, keys, rng, last=asked[-1] if asked else None)
        assert step is not None
        state.update(step.updates)
        asked.append(step.key)
    return asked, state


def test_rotation_asks_every_question_once_per_round_in_a_shuffled_order() -> None:
    keys = [f"community/Q-{i:03d}" for i in range(1, 21)]
    asked, _ = walk(keys, 60, random.Random(7))
    for r in range(3):
        assert sorted(asked[20 * r : 20 * (r + 1)]) == keys
    assert asked[:20] != keys  # shuffled
    assert asked[:20] != asked[20:40]  # a fresh shuffle each round
    assert asked[19] != asked[20] and asked[39] != asked[40]  # no back-to-back repeat across rounds


def test_servers_walk_their_own_orders() -> None:
    keys = [f"k/Q-{i}" for i in range(30)]
    one, _ = walk(keys, 30, random.Random(1))
    two, _ = walk(keys, 30, random.Random(2))
    assert one != two and sorted(one) == sorted(two) == sorted(keys)


def test_new_questions_join_the_current_round_and_removed_ones_are_skipped() -> None:
    keys = [f"k/Q-{i}" for i in range(10)]
    rng = random.Random(3)
    asked, state = walk(keys, 4, rng)
    bank = [k for k in keys if k != asked[0]]  # one asked question left the bank ...
    removed = next(k for k in keys if k not in asked)  # ... and one not asked yet
    bank = [k for k in bank if k != removed] + ["k/Q-new1", "k/Q-new2"]
    rest, state = walk(bank, len(bank) - 3, rng, state)
    # the rest of the round: everything in the bank not asked yet, the new ones included
    assert sorted(rest) == sorted(set(bank) - set(asked))
    assert removed not in rest
    assert rotation_progress(state, bank) == (len(bank), len(bank))
    nxt = rotation_step(state, bank, rng, last=rest[-1])
    assert nxt is not None and nxt.new_cycle
    # a question that comes back joins again
    back = rotation_step(state, [*bank, removed], rng)
    assert back is not None and not back.new_cycle and back.key == removed


def test_rotation_edge_cases() -> None:
    rng = random.Random(0)
    assert rotation_step({}, [], rng) is None
    one, _ = walk(["only/Q-1"], 3, rng)
    assert one == ["only/Q-1"] * 3  # a bank of one repeats it (nothing else to ask)
    assert rotation_progress({}, ["a", "b"]) == (0, 2)
