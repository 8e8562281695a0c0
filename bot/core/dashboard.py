"""What the web dashboard (bot/web) shows, as plain data from bot.storage, and its pure rules:
the per-IP rate limit and the choice of a page. No I/O, no Discord. See docs/dashboard.md."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from bot.core.models import TagStat

#: The leaderboard tabs: (period, metric) as the web shows them ("streak" is the current streak).
DASH_PERIODS = ("week", "month", "all")
DASH_METRICS = ("points", "accuracy", "streak")


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """One local week (Monday first) of a guild: answers of every kind, and members who answered."""

    week_start: date
    answers: int
    correct: int
    members: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True, slots=True)
class MissedQuestion:
    """A question the group misses: its answers in the window (every kind) and, from the answers to
    its posts (daily and practice), how many members ticked each letter (`per_letter`) and each
    exact choice (`per_choice`, e.g. "AD")."""

    question_key: str
    answers: int
    correct: int
    per_letter: dict[str, int] = field(default_factory=dict)
    per_choice: dict[str, int] = field(default_factory=dict)

    @property
    def misses(self) -> int:
        return self.answers - self.correct

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True, slots=True)
class TeamWeakness:
    """A guild's weak spots over the local days from `since`: every topic and trap with answers,
    weakest first, its most missed questions (most misses first, open dailies left out), and the
    figures of every question answered then (key -> (answers, correct)), for readiness."""

    since: date
    topics: list[TagStat]
    traps: list[TagStat]
    missed: list[MissedQuestion]
    per_question: dict[str, tuple[int, int]] = field(default_factory=dict)


def weakest_first(stats: list[TagStat]) -> list[TagStat]:
    """Tag figures by accuracy (lowest first), then more answers first, then by tag."""
    return sorted(stats, key=lambda s: (s.correct / s.answers if s.answers else 1.0, -s.answers, s.tag))


class RateLimit:
    """A token bucket per key (an IP address): `rate` requests a second on average, bursts of up to
    `burst`. At most `max_keys` buckets are kept (the least recently used are dropped: a dropped
    key starts again with a full bucket). `now` is any monotonic clock in seconds, passed in."""

    __slots__ = ("_buckets", "burst", "max_keys", "rate")

    def __init__(self, rate: float, burst: int, *, max_keys: int = 10_000) -> None:
        if rate <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate must be positive, burst and max_keys at least 1")
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, key: str, now: float) -> float:
        """Take one token for `key`: 0.0 when allowed, else the seconds until the next one."""
        tokens, at = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + max(now - at, 0.0) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, max(now, at))
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait
