"""Exam blueprints: YAML files naming an exam's size, time, estimated pass mark and weighted
sections, and which questions of the bank fall in each section. See docs/exam.md.

Built-in blueprints ship with the bot (`bot/bank/blueprints/*.yaml`); a bank adds its own, or
replaces a built-in one with the same file name, in `exams/*.yaml` at its root. No discord, no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bank.bank import Problem

if TYPE_CHECKING:
    from bot.bank.model import Question
    from bot.bank.topics import TopicIndex

EXAMS_DIR = "exams"  # at the bank root; the loader reads no questions from it
BUILTIN_DIR = Path(__file__).with_name("blueprints")


@dataclass(frozen=True, slots=True)
class BlueprintSection:
    key: str  # a slug, unique in its blueprint, e.g. "developing-code"
    name: str  # as shown, e.g. "Developing Code (Python/SQL)"
    weight: float  # percent of the exam (the weights of a blueprint sum to 100, within 0.5)
    topics: tuple[str, ...] = ()  # topic tags, matched like /quiz topic: (bot.bank.topics)
    folders: tuple[str, ...] = ()  # bank folders (relative to the root); a copy there places a question
    name_zh: str | None = None  # 繁體中文 name, when it differs


@dataclass(frozen=True, slots=True)
class Blueprint:
    key: str  # the file name without .yaml, e.g. "professional"
    name: str
    questions: int  # scored questions of the real exam
    minutes: int
    pass_mark: float  # percent; an estimate unless the source says otherwise
    pass_mark_estimated: bool
    source: str  # where the figures come from
    sections: tuple[BlueprintSection, ...]
    path: str  # where it was read from (for messages)
    name_zh: str | None = None

    @property
    def weights(self) -> dict[str, float]:
        """Section key -> weight, in blueprint order (what bot.core.exam and readiness take)."""
        return {s.key: s.weight for s in self.sections}

    def section(self, key: str) -> BlueprintSection | None:
        return next((s for s in self.sections if s.key == key), None)


def parse_blueprint(text: str, path: str) -> tuple[Blueprint | None, list[Problem]]:
    """Read one blueprint file's text; every problem is a `path:line: reason`."""
    raise NotImplementedError


def read_blueprints(root: Path | None) -> tuple[list[Blueprint], list[Problem]]:
    """The built-in blueprints, then the bank's `exams/*.yaml` (same key: the bank's wins)."""
    raise NotImplementedError


class SectionIndex:
    """Which section of one blueprint each question of a bank falls in."""

    def __init__(self, blueprint: Blueprint, questions: Iterable[Question], topics: TopicIndex) -> None:
        raise NotImplementedError

    def section_of(self, key: str) -> str | None:
        """The section key of a question (by its key or a copy's key), None when it falls in none."""
        raise NotImplementedError

    @property
    def pools(self) -> Mapping[str, Sequence[str]]:
        """Section key -> question keys (every section present, possibly empty)."""
        raise NotImplementedError

    @property
    def unplaced(self) -> Sequence[str]:
        """Keys of the questions in no section."""
        raise NotImplementedError
