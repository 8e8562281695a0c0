"""Scoring, streak and accuracy rules. Pure functions: no I/O, no clock, no Discord.

See docs/scoring.md for the rules in prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PostKind = Literal["daily", "practice"]
POST_KINDS: tuple[PostKind, ...] = ("daily", "practice")
#: The question levels members filter by (/quiz, the daily's filter, `quizbot practice`).
DIFFICULTY_LEVELS: tuple[str, ...] = ("L1", "L2", "L3")

DAILY_POINTS = 10
PRACTICE_POINTS = 1
# Accuracy ranks and "weakest topic" lists ignore members/tags with fewer answers than this.
LEADERBOARD_MIN_ANSWERS = 10
TAG_MIN_ANSWERS = 3

ALLOWED_LETTERS = "ABCDEFGHIJ"


def normalize_letters(letters: str | tuple[str, ...] | list[str]) -> str:
    """The canonical form of a choice: upper-case, unique, sorted ("da" -> "AD").

    Raises ValueError for an empty choice or a character that is not an option letter.
    """
    chars = {c.strip().upper() for c in letters if c.strip() and c not in ", "}
    if not chars:
        raise ValueError("an answer needs at least one letter")
    bad = sorted(c for c in chars if c not in ALLOWED_LETTERS)
    if bad:
        raise ValueError(f"not option letters: {''.join(bad)!r}")
    return "".join(sorted(chars))


def score_answer(kind: PostKind | str, correct: bool, already_correct_before: bool) -> int:
    """Points for one answer.

    - daily post, correct: DAILY_POINTS (10), every time;
    - practice post, correct: PRACTICE_POINTS (1), but only the first time this member
      answers this question correctly in this guild (`already_correct_before` False);
    - a wrong answer: 0.
    """
    if kind not in POST_KINDS:
        raise ValueError(f"unknown post kind {kind!r}")
    if not correct:
        return 0
    if kind == "daily":
        return DAILY_POINTS
    return 0 if already_correct_before else PRACTICE_POINTS


@dataclass(frozen=True, slots=True)
class StreakState:
    """Consecutive daily posts of one guild answered correctly by one member."""

    current: int = 0
    best: int = 0

    def __post_init__(self) -> None:
        if self.current < 0 or self.best < self.current:
            raise ValueError(f"invalid streak state {self.current}/{self.best}")


def streak_after_daily_answer(state: StreakState, correct: bool) -> StreakState:
    """A member answered a daily post: correct extends the streak, wrong ends it (best is kept)."""
    if correct:
        current = state.current + 1
        return StreakState(current, max(state.best, current))
    return StreakState(0, state.best)


def streak_after_daily_closed(state: StreakState, answered: bool) -> StreakState:
    """A daily post closed. A member who did not answer it loses the current streak."""
    if answered:
        return state
    return StreakState(0, state.best)


def streak_after_answer(state: StreakState, kind: PostKind | str, correct: bool) -> StreakState:
    """Streak transition for any answer: practice answers never change a streak."""
    if kind == "daily":
        return streak_after_daily_answer(state, correct)
    return state


def accuracy(correct: int, answers: int, min_answers: int = 1) -> float | None:
    """correct / answers in [0, 1], or None with fewer than `min_answers` (and at least 1) answers."""
    if correct < 0 or answers < 0 or correct > answers:
        raise ValueError(f"invalid counts {correct}/{answers}")
    if answers < min_answers or answers == 0:
        return None
    return correct / answers
