"""Readiness: how a member (or the group) would do on an exam blueprint, per section, and the
sprint plan that follows from it. Pure: no I/O. See docs/exam.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A prediction shown with fewer answers than this is marked as resting on too little.
MIN_ANSWERS = 20


@dataclass(frozen=True, slots=True)
class SectionReadiness:
    key: str
    weight: float
    answered: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        """0..1, None when nothing in the section was answered."""
        return self.correct / self.answered if self.answered else None

    @property
    def gain(self) -> float:
        """Expected gain from studying it: weight x (1 - accuracy); an unseen section's is its weight."""
        acc = self.accuracy
        return self.weight * (1.0 - (acc if acc is not None else 0.0))


@dataclass(frozen=True, slots=True)
class Readiness:
    sections: tuple[SectionReadiness, ...]  # blueprint order
    answers: int  # answers it rests on (only those that fall in a section)

    @property
    def predicted(self) -> float | None:
        """Predicted score in percent: sum of weight x accuracy over the sections, weights
        normalised to 1; a section with no answers counts at the accuracy over all answered
        sections. None with no answers at all."""
        raise NotImplementedError

    @property
    def enough(self) -> bool:
        return self.answers >= MIN_ANSWERS

    def weakest(self, n: int = 3) -> tuple[SectionReadiness, ...]:
        """Up to n answered sections, lowest accuracy first (ties: larger weight first)."""
        raise NotImplementedError


def readiness(results: Iterable[tuple[str | None, bool]], weights: Mapping[str, float]) -> Readiness:
    """Readiness from (section key or None, correct) per answer; answers outside every section
    (None, or a key not in `weights`) are ignored."""
    raise NotImplementedError


@dataclass(frozen=True, slots=True)
class PlanItem:
    section: str
    count: int  # questions to practise that day
    gain: float  # the section's expected gain (SectionReadiness.gain)
    unseen: bool  # the member never answered a question of it


@dataclass(frozen=True, slots=True)
class PlanDay:
    day: int  # 1-based
    items: tuple[PlanItem, ...]

    @property
    def count(self) -> int:
        return sum(i.count for i in self.items)


def sprint_plan(state: Readiness, days: int, per_day: int = 10) -> list[PlanDay]:
    """A day-by-day plan: days x per_day questions shared among the sections by expected gain
    (largest remainder over the gains; sections with zero gain get none unless every gain is
    zero), ordered unseen sections first (larger weight first), then by gain, and laid out day
    after day, a section split over two days where a day fills up. ValueError when days or
    per_day is not positive."""
    raise NotImplementedError
