"""Leaderboard periods in a guild's time zone.

A week starts on Monday 00:00 local time, a month on its 1st at 00:00 local time. A period is
identified by a key that storage uses as its totals bucket: "all", "week:2026-11-23" (the local
date of the Monday) or "month:2026-11-01" (the local date of the 1st).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PeriodKind = Literal["week", "month", "all"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month", "all")
ALL_KEY = "all"


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    key: str  # "all" | "week:YYYY-MM-DD" | "month:YYYY-MM-01"
    local_start: date | None  # None for "all"
    start_utc: datetime | None  # first instant of the period (aware, UTC); None for "all"
    end_utc: datetime | None  # first instant of the next period; None for "all"

    @property
    def label(self) -> str:
        """A local date label: "2026-11-23" for a week, "2026-11" for a month, "all time"."""
        if self.local_start is None:
            return "all time"
        if self.kind == "month":
            return self.local_start.strftime("%Y-%m")
        return self.local_start.isoformat()

    def contains(self, instant: datetime) -> bool:
        if self.start_utc is None or self.end_utc is None:
            return True
        return self.start_utc <= _as_utc(instant) < self.end_utc


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware (UTC)")
    return instant.astimezone(UTC)


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of the local `day`, in UTC.

    Where midnight does not exist (a DST gap at 00:00) this is the first local time after the gap.
    """
    naive = datetime.combine(day, time(0))
    local = naive.replace(tzinfo=tz)
    utc = local.astimezone(UTC)
    # A non-existent wall time maps to an instant that reads back as a different wall time;
    # with fold=0 zoneinfo uses the offset from before the gap, which is the gap's end. Check it.
    if utc.astimezone(tz).replace(tzinfo=None) < naive:
        utc = local.replace(fold=1).astimezone(UTC)
    return utc


def local_date(instant_utc: datetime, tz: ZoneInfo) -> date:
    return _as_utc(instant_utc).astimezone(tz).date()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def period_key(kind: PeriodKind, local_day: date) -> str:
    """The bucket key of the period of `kind` containing the local date `local_day`."""
    if kind == "week":
        return f"week:{week_start(local_day).isoformat()}"
    if kind == "month":
        return f"month:{month_start(local_day).isoformat()}"
    if kind == "all":
        return ALL_KEY
    raise ValueError(f"unknown period kind {kind!r}")


def period_start(kind: PeriodKind, instant_utc: datetime, tz: ZoneInfo) -> Period:
    """The period of `kind` that contains `instant_utc`, in the time zone `tz`."""
    if kind == "all":
        return Period("all", ALL_KEY, None, None, None)
    day = local_date(instant_utc, tz)
    if kind == "week":
        start = week_start(day)
        end = start + timedelta(days=7)
    elif kind == "month":
        start = month_start(day)
        end = _next_month(start)
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    return Period(
        kind, period_key(kind, start), start, local_midnight_utc(start, tz), local_midnight_utc(end, tz)
    )


def bucket_keys(local_day: date) -> tuple[str, str, str]:
    """("all", week key, month key) for an answer given on the local date `local_day`."""
    return (ALL_KEY, period_key("week", local_day), period_key("month", local_day))


def parse_timezone(name: str) -> ZoneInfo:
    """A ZoneInfo for an IANA name; ValueError (one line) if unknown."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as e:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {name!r} (use an IANA name like 'Asia/Taipei')") from e
