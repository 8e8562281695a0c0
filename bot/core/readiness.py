"""Readiness: how a member (or the group) would do on an exam blueprint, per section, and the
sprint plan that follows from it. Pure: no I/O. See docs/exam.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.exam import allocate

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
        sections. None with no answers at all (with every weight zero: the overall accuracy)."""
        answered = sum(s.answered for s in self.sections)
        if not answered:
            return None
        overall = sum(s.correct for s in self.sections) / answered
        total_weight = sum(s.weight for s in self.sections)
        if total_weight <= 0:
            return 100.0 * overall
        score = 0.0
        for s in self.sections:
            acc = s.accuracy
            score += s.weight * (acc if acc is not None else overall)
        return 100.0 * score / total_weight

    @property
    def enough(self) -> bool:
        return self.answers >= MIN_ANSWERS

    def weakest(self, n: int = 3) -> tuple[SectionReadiness, ...]:
        """Up to n answered sections, lowest accuracy first (ties: larger weight first, then
        blueprint order)."""
        answered = [s for s in self.sections if s.answered]
        answered.sort(key=lambda s: (s.correct / s.answered, -s.weight))
        return tuple(answered[: max(n, 0)])


def readiness(results: Iterable[tuple[str | None, bool]], weights: Mapping[str, float]) -> Readiness:
    """Readiness from (section key or None, correct) per answer; answers outside every section
    (None, or a key not in `weights`) are ignored."""
    counts = {key: [0, 0] for key in weights}  # key -> [answered, correct]
    for section, correct in results:
        if section is None:
            continue
        c = counts.get(section)
        if c is not None:
            c[0] += 1
            c[1] += bool(correct)
    sections = tuple(SectionReadiness(k, float(weights[k]), a, c) for k, (a, c) in counts.items())
    return Readiness(sections=sections, answers=sum(s.answered for s in sections))


def readiness_from_counts(
    counts: Iterable[tuple[str | None, int, int]], weights: Mapping[str, float]
) -> Readiness:
    """The same as `readiness` from (section key or None, answers, correct) per group of answers
    (e.g. per question): for figures already summed, such as a whole server's."""
    sums = {key: [0, 0] for key in weights}
    for section, answered, correct in counts:
        c = sums.get(section) if section is not None else None
        if c is not None:
            c[0] += answered
            c[1] += correct
    sections = tuple(SectionReadiness(k, float(weights[k]), a, c) for k, (a, c) in sums.items())
    return Readiness(sections=sections, answers=sum(s.answered for s in sections))


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
    per_day is not positive. Every gain zero: shared by weight."""
    if days <= 0 or per_day <= 0:
        raise ValueError(f"days and questions per day must be positive (got {days} and {per_day})")
    gains = {s.key: max(s.gain, 0.0) for s in state.sections}
    if not any(gains.values()):
        gains = {s.key: s.weight for s in state.sections}
    counts = allocate(gains, days * per_day)
    ranked = sorted(  # stable: blueprint order breaks the remaining ties
        (s for s in state.sections if counts[s.key]),
        key=lambda s: (0, -s.weight) if not s.answered else (1, -s.gain),
    )
    plan: list[list[PlanItem]] = [[] for _ in range(days)]
    day, room = 0, per_day
    for s in ranked:
        left = counts[s.key]
        while left:
            take = min(left, room)
            plan[day].append(PlanItem(s.key, take, s.gain, not s.answered))
            left -= take
            room -= take
            if not room and day + 1 < days:
                day, room = day + 1, per_day
    return [PlanDay(i + 1, tuple(items)) for i, items in enumerate(plan)]
