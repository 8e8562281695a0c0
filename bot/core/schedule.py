"""The daily question's rules: when it is due, which day it belongs to, and which question comes next.

Pure functions and data types: no I/O, no clock (the caller passes `now`), no Discord.
See docs/daily.md for the rules in prose.

Times of day
    A schedule is a local wall time (`HH:MM`, 24-hour) in an IANA time zone. `due_at(day, at, tz)`
    is the instant it happens on a local date. Daylight-saving changes:
    - a wall time that does not exist that day (the spring-forward gap, e.g. 02:30 in New York on
      the second Sunday of March) is moved forward by the length of the gap (03:30 local);
    - a wall time that happens twice (fall back, e.g. 01:30 in New York on the first Sunday of
      November) is the first of the two.
    So every local day has exactly one due instant, and it always belongs to that local day.

Catching up
    Only *today's* slot (in the server's time zone) is ever posted late: a bot that was down at
    09:00 posts on start if the local day is not over, and skips the slot otherwise. A slot that
    came due before the schedule was set (or turned back on) is not posted.

Rotation
    Each server walks its own shuffled order of the (filtered) bank: every question gets a random
    position; the next question is the unused one with the lowest position. When every available
    question has been used, a new cycle starts with a fresh shuffle (whose first question is not
    the one just asked). A question new to the bank gets a random position among the ones still
    to come in the current cycle; a question no longer in the bank (or outside the filter) is
    skipped, and keeps its state in case it comes back.
"""

from __future__ import annotations

import random
import re
import zoneinfo
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_HHMM = re.compile(r"^\s*(\d{1,2})\s*[:：]\s*(\d{2})\s*$")

# Offered first by the time zone autocomplete (the study groups are mostly in East Asia).
COMMON_TIMEZONES: tuple[str, ...] = (
    "Asia/Taipei",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Pacific/Auckland",
    "UTC",
)


def parse_hhmm(text: str) -> time:
    """`"09:00"` -> time(9, 0). ValueError for anything that is not a 24-hour HH:MM ("25:00", "9am")."""
    m = _HHMM.match(text or "")
    if not m:
        raise ValueError(f"{text!r} is not a time of day as HH:MM")
    hour, minute = int(m[1]), int(m[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute)


def format_hhmm(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """casefolded name -> canonical name, for every zone the tz database knows."""
    names = set(zoneinfo.available_timezones()) | {"UTC"}
    return {n.casefold(): n for n in names}


def resolve_timezone(name: str) -> str:
    """The canonical IANA name for `name` (case-insensitive: "asia/taipei" -> "Asia/Taipei").

    ValueError when the tz database has no such zone. Only names from the database are accepted
    (no file paths, no POSIX TZ strings).
    """
    wanted = (name or "").strip().replace(" ", "_")
    found = _zones().get(wanted.casefold())
    if found is None:
        raise ValueError(f"{name!r} is not an IANA time zone (like Asia/Taipei or Europe/London)")
    ZoneInfo(found)  # loadable
    return found


def timezone_choices(typed: str, limit: int = 25) -> list[str]:
    """Autocomplete: the common zones first when nothing is typed, else zones containing the text."""
    needle = (typed or "").strip().replace(" ", "_").casefold()
    if not needle:
        return list(COMMON_TIMEZONES[:limit])
    zones = _zones()
    common = [z for z in COMMON_TIMEZONES if needle in z.casefold()]
    starts = sorted(n for k, n in zones.items() if n not in common and k.startswith(needle))
    inside = sorted(
        n for k, n in zones.items() if n not in common and not k.startswith(needle) and needle in k
    )
    return (common + starts + inside)[:limit]


def close_timezones(typed: str, n: int = 3) -> list[str]:
    """Zones that look like what was typed, for a "did you mean"."""
    import difflib

    needle = (typed or "").strip().replace(" ", "_").casefold()
    zones = _zones()
    hits = difflib.get_close_matches(needle, list(zones), n=n, cutoff=0.6)
    if not hits:
        city = needle.rsplit("/", 1)[-1]
        hits = [k for k in zones if city and k.rsplit("/", 1)[-1] == city][:n]
    return [zones[h] for h in hits]


# ------------------------------------------------------------------------------------------
# due instants


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(UTC)


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    """The local date of an instant in `tz`."""
    return _utc(instant).astimezone(tz).date()


def due_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) of the wall time `at` on the local date `day` in `tz`.

    A wall time inside a spring-forward gap is moved forward by the gap (fold=0 takes the offset
    in force before the change: 02:30 in a one-hour gap reads back as 03:30); an ambiguous
    wall time (fall back) is its first occurrence.
    """
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def next_due(after: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The first due instant strictly after `after`."""
    day = local_day(after, tz)
    for offset in range(3):
        due = due_at(day + timedelta(days=offset), at, tz)
        if due > after:
            return due
    raise AssertionError("unreachable: a local day has one due instant")  # pragma: no cover


def day_over(day: date, now: datetime, tz: ZoneInfo) -> bool:
    """True once the local date `day` has ended in `tz`."""
    return local_day(now, tz) > day


def slot_due(
    now: datetime, at: time, tz: ZoneInfo, active_since: datetime | None = None
) -> tuple[date, datetime] | None:
    """Today's slot, as (local date, due instant), if it should be posted now.

    That is: today's due instant has come, and it came while the schedule was active (at or after
    `active_since`). Yesterday's slot is never returned: once the local day is over, a missed slot
    stays missed.
    """
    today = local_day(now, tz)
    due = due_at(today, at, tz)
    if due > _utc(now):
        return None
    if active_since is not None and due < _utc(active_since):
        return None
    return today, due


def closes_at(day: date, at: time, tz: ZoneInfo, now: datetime) -> datetime:
    """When the daily of local date `day` closes: at the next day's due instant (when the next
    daily replaces it), and never less than a minute from `now`."""
    nxt = due_at(day + timedelta(days=1), at, tz)
    return max(nxt, _utc(now) + timedelta(minutes=1))


#: How many local days the slot searches look ahead: a year of days posted or skipped, and more.
SLOT_HORIZON_DAYS = 400


def next_post_at(
    now: datetime, at: time, tz: ZoneInfo, taken: Container[str], active_since: datetime | None = None
) -> datetime | None:
    """When a schedule's next daily goes out, for `/quizadmin daily show`.

    `now` when today's slot is due and its day not `taken` (the scheduler is catching up), else
    the first due instant after `now` whose local day (ISO date) is not `taken` (posted or
    skipped); None when none is free within SLOT_HORIZON_DAYS days.
    """
    slot = slot_due(now, at, tz, active_since)
    if slot is not None and slot[0].isoformat() not in taken:
        return now
    day = local_day(now, tz)
    for offset in range(SLOT_HORIZON_DAYS):
        d = day + timedelta(days=offset)
        due = due_at(d, at, tz)
        if due > _utc(now) and d.isoformat() not in taken:
            return due
    return None


def skippable_slots(
    today: date, at: time, tz: ZoneInfo, taken: Container[str], active_since: datetime
) -> Iterator[tuple[date, datetime]]:
    """The slots `/quizadmin skip` may skip, nearest first, as (local date, due instant): from
    `today` on, for SLOT_HORIZON_DAYS days, every day not `taken` (ISO dates posted or skipped
    already) whose slot is not due before the schedule was set (`active_since`)."""
    for offset in range(SLOT_HORIZON_DAYS):
        day = today + timedelta(days=offset)
        due = due_at(day, at, tz)
        if day.isoformat() in taken or due < _utc(active_since):
            continue
        yield day, due


#: What separates the topics typed in one option: ASCII and full-width commas, 、 and semicolons.
TOPIC_SEPARATORS = ",;，、；"


def split_topics(text: str | None) -> list[str]:
    """`"Spark, Delta-Lake、Jobs"` -> ["Spark", "Delta-Lake", "Jobs"] (empty parts dropped)."""
    if not text:
        return []
    for sep in TOPIC_SEPARATORS[1:]:
        text = text.replace(sep, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


# ------------------------------------------------------------------------------------------
# rotation


@dataclass(frozen=True, slots=True)
class RotationEntry:
    pos: int  # random shuffle position in the current cycle
    used: bool  # asked in the current cycle


@dataclass(frozen=True, slots=True)
class RotationStep:
    key: str  # the question to ask
    updates: dict[str, RotationEntry]  # entries to store (new, reshuffled, or now used)
    new_cycle: bool  # every available question had been used: a fresh shuffle began


def _shuffle_pos(rng: random.Random) -> int:
    return rng.getrandbits(62)


def rotation_step(
    entries: Mapping[str, RotationEntry],
    available: Iterable[str],
    rng: random.Random,
    *,
    last: str | None = None,
) -> RotationStep | None:
    """The next question of a server's rotation, and the entries to store; None if none is available.

    `entries` is the stored state (question key -> entry, possibly holding keys no longer in the
    bank), `available` the keys of the (filtered) bank now, `last` the question asked last.
    """
    avail = sorted(set(available))
    if not avail:
        return None
    current = dict(entries)
    updates: dict[str, RotationEntry] = {}
    for key in avail:
        if key not in current:  # new to the bank: joins the rest of this cycle at a random place
            current[key] = updates[key] = RotationEntry(_shuffle_pos(rng), False)
    unused = [k for k in avail if not current[k].used]
    new_cycle = not unused
    if new_cycle:
        for key in sorted(current):
            current[key] = updates[key] = RotationEntry(_shuffle_pos(rng), False)
        unused = avail
        if last is not None and len(unused) > 1:
            order = sorted(unused, key=lambda k: (current[k].pos, k))
            if order[0] == last:  # do not ask the same question twice in a row across cycles
                a, b = order[0], order[1]
                current[a], current[b] = (
                    RotationEntry(current[b].pos, False),
                    RotationEntry(current[a].pos, False),
                )
                updates[a], updates[b] = current[a], current[b]
    key = min(unused, key=lambda k: (current[k].pos, k))
    updates[key] = RotationEntry(current[key].pos, True)
    return RotationStep(key, updates, new_cycle)


def rotation_progress(entries: Mapping[str, RotationEntry], available: Iterable[str]) -> tuple[int, int]:
    """(asked in this cycle, total) over the available questions."""
    avail = set(available)
    used = sum(1 for k in avail if (e := entries.get(k)) is not None and e.used)
    return used, len(avail)


# ------------------------------------------------------------------------------------------
# stored state (what bot.storage returns)

TimeOfDay = time  # (DailySchedule has a field named `time`)


@dataclass(frozen=True, slots=True)
class DailySchedule:
    guild_id: int
    channel_id: int
    time: str  # "HH:MM" local
    timezone: str  # the server's IANA zone (guild_settings.timezone)
    topics: tuple[str, ...]  # any of these topics; () = every question
    difficulty: str | None  # "L1".."L3" or None
    role_id: int | None  # role mentioned by each post
    enabled: bool
    active_since: datetime  # slots due before this are not posted (set or turned on then)
    last_error: str | None  # "<kind>|<detail>" of the last failure, cleared by a good post
    last_error_at: datetime | None
    updated_at: datetime

    @property
    def at(self) -> TimeOfDay:
        return parse_hhmm(self.time)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


RunStatus = str  # "claimed" | "sent" | "failed" | "missed" | "skipped"


@dataclass(frozen=True, slots=True)
class DailyRun:
    """One daily post (or skipped slot) of a server, recorded before anything is sent.

    `scheduled` runs are the day's scheduled daily: at most one per (guild, local_day).
    Extra posts (`/quizadmin post-now` when today's daily is out already) have scheduled=False.
    """

    run_id: int
    guild_id: int
    local_day: date
    scheduled: bool
    status: RunStatus
    question_key: str | None
    post_id: int | None
    channel_id: int | None
    role_id: int | None
    due_at: datetime
    claimed_at: datetime
    attempts: int  # sends started (recorded before each send)
    attempt_at: datetime | None
    sent_at: datetime | None
    error: str | None
