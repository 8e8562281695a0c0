"""Mock exams: how many questions each section gets, drawing them, grading. Pure: no I/O.

A blueprint's sections arrive here as an ordered `Mapping[str, float]` (section key -> weight, any
positive scale: the shipped blueprints use percents). See docs/exam.md.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta


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


def allocate(
    weights: Mapping[str, float], n: int, available: Mapping[str, int] | None = None
) -> dict[str, int]:
    """How many of `n` questions each section gets: largest remainder over the weights. With
    `available`, no section gets more than it has; the shortfall goes to the other sections (again
    by largest remainder), so the total is min(n, sum of available). Every key of `weights` is in
    the result (0 when it gets none). Ties in the remainders go to the earlier section."""
    raise NotImplementedError


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
    even when two pools hold it. The result is shuffled (sections mixed) with `rng`."""
    raise NotImplementedError


def grade(
    items: Sequence[ExamItem],
    weights: Mapping[str, float],
    *,
    pass_mark: float,
    started_at: datetime,
    submitted_at: datetime,
) -> ExamResult:
    """Grade an exam: an item is right when its chosen letters equal the correct ones exactly
    (choose-N included); unanswered is wrong."""
    raise NotImplementedError
