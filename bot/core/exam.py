"""Mock exams: how many questions each section gets, drawing them, grading. Pure: no I/O.

A blueprint's sections arrive here as an ordered `Mapping[str, float]` (section key -> weight, any
positive scale: the shipped blueprints use percents). See docs/exam.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class ExamItem:
    """One question of a mock exam, as stored."""

    position: int  # 0-based, the order the member sees
    question_key: str
    section: str  # the blueprint section key it was drawn for
    correct: str  # sorted correct letters, e.g. "AD"
    options: str  # the option letters offered, e.g. "ABCDE"
    chosen: str = ""  # sorted letters the member picked; "" = not answered
    flagged: bool = False  # marked for review

    @property
    def answered(self) -> bool:
        return bool(self.chosen)

    @property
    def is_correct(self) -> bool:
        return self.chosen == self.correct


@dataclass(frozen=True, slots=True)
class Exam:
    """A member's mock exam (open until `submitted_at` is set)."""

    exam_id: int
    guild_id: int
    user_id: int
    blueprint: str  # the blueprint's key (its file stem, e.g. "professional")
    started_at: datetime
    deadline: datetime  # the bot submits it by itself at this instant
    pass_mark: float  # percent, as the blueprint said when the exam started
    items: tuple[ExamItem, ...]
    current: int = 0  # position the member last looked at
    submitted_at: datetime | None = None
    auto_submitted: bool = False  # submitted by the time limit, not by the member

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    def remaining(self, now: datetime) -> timedelta:
        """Time left (never negative)."""
        return max(self.deadline - now, timedelta(0))


@dataclass(frozen=True, slots=True)
class SectionScore:
    key: str
    weight: float
    correct: int
    total: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.correct / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class ExamResult:
    correct: int
    total: int
    pass_mark: float  # percent
    sections: tuple[SectionScore, ...]  # in blueprint order, only sections that had questions
    weakest: tuple[str, ...]  # up to three section keys, lowest percent first (ties: larger weight first)
    missed: tuple[int, ...]  # positions answered wrong or not answered, in order
    time_used: timedelta

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_mark


@dataclass(frozen=True, slots=True)
class ExamSummary:
    """One line of `/exam history`."""

    exam_id: int
    blueprint: str
    started_at: datetime
    submitted_at: datetime
    correct: int
    total: int
    pass_mark: float
    auto_submitted: bool

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_mark


def _largest_remainder(weights: Mapping[str, Fraction], n: int) -> dict[str, int]:
    """`n` seats shared by largest remainder (exact arithmetic); ties go to the earlier key. Equal
    shares when every weight is zero."""
    keys = list(weights)
    if not keys:
        return {}
    total = sum(weights.values(), Fraction(0))
    if total == 0:
        weights, total = dict.fromkeys(keys, Fraction(1)), Fraction(len(keys))
    quotas = {k: n * weights[k] / total for k in keys}
    seats = {k: math.floor(q) for k, q in quotas.items()}
    left = n - sum(seats.values())
    by_remainder = sorted(range(len(keys)), key=lambda i: (-(quotas[keys[i]] - seats[keys[i]]), i))
    for i in by_remainder[:left]:
        seats[keys[i]] += 1
    return seats


def allocate(
    weights: Mapping[str, float], n: int, available: Mapping[str, int] | None = None
) -> dict[str, int]:
    """How many of `n` questions each section gets: largest remainder over the weights. With
    `available`, no section gets more than it has (a key missing from it has none); the shortfall
    goes to the other sections (again by largest remainder), so the total is min(n, sum of
    available). Every key of `weights` is in the result (0 when it gets none). Ties in the
    remainders go to the earlier section. ValueError on a negative `n`, a negative or non-finite
    weight, or a negative availability."""
    if n < 0:
        raise ValueError(f"cannot draw a negative number of questions ({n})")
    exact: dict[str, Fraction] = {}
    for key, w in weights.items():
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"section {key!r}: weight must be a finite number >= 0, not {w!r}")
        exact[key] = Fraction(w)
    if available is None:
        return _largest_remainder(exact, n)
    cap = {k: available.get(k, 0) for k in exact}
    bad = [k for k, c in cap.items() if c < 0]
    if bad:
        raise ValueError(f"section {bad[0]!r}: negative number of questions available ({cap[bad[0]]})")
    target = min(n, sum(cap.values()))
    fixed: dict[str, int] = {}
    while True:  # each round fixes at least one section at its cap, so it ends
        open_ = {k: w for k, w in exact.items() if k not in fixed}
        seats = _largest_remainder(open_, target - sum(fixed.values()))
        over = [k for k, c in seats.items() if c > cap[k]]
        if not over:
            break
        fixed.update((k, cap[k]) for k in over)
    return {k: fixed[k] if k in fixed else seats[k] for k in exact}


def draw(
    weights: Mapping[str, float],
    pools: Mapping[str, Sequence[str]],
    n: int,
    *,
    rng: random.Random,
    seen: AbstractSet[str] = frozenset(),
    excluded: AbstractSet[str] = frozenset(),
) -> list[tuple[str, str]]:
    """Draw an exam: (question key, section key) pairs, `n` of them when the pools allow. Counts per
    section come from `allocate` over what each pool holds outside `excluded` (open dailies);
    within a section, questions not in `seen` come first, picked at random; a key is drawn once
    even when two pools hold it (it counts for the first such section in `weights` order). The
    result is shuffled (sections mixed) with `rng`. Pools of keys not in `weights` are ignored."""
    taken: set[str] = set()
    usable: dict[str, list[str]] = {}
    for section in weights:
        keys = [k for k in dict.fromkeys(pools.get(section, ())) if k not in excluded and k not in taken]
        taken.update(keys)
        usable[section] = keys
    counts = allocate(weights, n, {s: len(keys) for s, keys in usable.items()})
    drawn: list[tuple[str, str]] = []
    for section, keys in usable.items():
        want = counts[section]
        if not want:
            continue
        fresh = [k for k in keys if k not in seen]
        if want <= len(fresh):
            picked = rng.sample(fresh, want)
        else:
            picked = fresh + rng.sample([k for k in keys if k in seen], want - len(fresh))
        drawn.extend((k, section) for k in picked)
    rng.shuffle(drawn)
    return drawn


def grade(
    items: Sequence[ExamItem],
    weights: Mapping[str, float],
    *,
    pass_mark: float,
    started_at: datetime,
    submitted_at: datetime,
) -> ExamResult:
    """Grade an exam: an item is right when its chosen letters equal the correct ones exactly
    (choose-N included); unanswered is wrong. A section missing from `weights` (a blueprint edited
    since the exam started) is scored after the blueprint's sections, with weight 0."""
    tally: dict[str, list[int]] = {}  # section -> [correct, total]
    missed: list[int] = []
    correct = 0
    for item in sorted(items, key=lambda i: i.position):
        right = item.answered and item.is_correct
        counts = tally.setdefault(item.section, [0, 0])
        counts[0] += right
        counts[1] += 1
        correct += right
        if not right:
            missed.append(item.position)
    order = [k for k in weights if k in tally] + [k for k in tally if k not in weights]
    sections = tuple(SectionScore(k, float(weights.get(k, 0.0)), *tally[k]) for k in order)
    ranked = sorted(sections, key=lambda s: (s.correct / s.total, -s.weight))  # stable: blueprint order
    return ExamResult(
        correct=correct,
        total=len(items),
        pass_mark=pass_mark,
        sections=sections,
        weakest=tuple(s.key for s in ranked[:3]),
        missed=tuple(missed),
        time_used=max(submitted_at - started_at, timedelta(0)),
    )
