"""The backend-independent half of a `Store`'s methods: checking a new post's and a new exam's
arguments, the tag rows of a bank, the clock, and the in-memory set of open daily questions."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from bot.core.exam import ExamItem, ExamResult
from bot.core.rules import POST_KINDS, normalize_letters
from bot.storage.interface import TaggedQuestion


def utcnow() -> datetime:
    return datetime.now(UTC)


def check_post(
    kind: str,
    correct_letters: str | Iterable[str],
    option_letters: str | Iterable[str],
    *,
    private: bool,
    requested_by: int | None,
) -> tuple[str, str]:
    """A new post's (correct letters, option letters), normalised; ValueError if they do not fit."""
    if private and (kind != "practice" or requested_by is None):
        raise ValueError("a private post is a practice post with a requester")
    if kind not in POST_KINDS:
        raise ValueError(f"kind must be 'daily' or 'practice', not {kind!r}")
    correct = normalize_letters("".join(correct_letters))
    options = "".join(sorted({c.upper() for c in option_letters}))
    if options and not set(correct) <= set(options):
        raise ValueError(f"correct letters {correct!r} are not all among the options {options!r}")
    return correct, options


def exam_choice(chosen: str) -> str:
    """A member's letters for an exam item, normalised ("da" -> "AD"); "" (or only blanks) clears.
    ValueError for a character that is not an option letter."""
    if not any(c.strip() and c != "," for c in chosen):
        return ""
    return normalize_letters(chosen)


def check_exam(
    blueprint: str, items: Sequence[ExamItem], started_at: datetime, deadline: datetime, pass_mark: float
) -> list[ExamItem]:
    """A new exam's items by position, letters normalised; ValueError with a one-line reason."""
    if not blueprint:
        raise ValueError("an exam needs a blueprint key")
    if not items:
        raise ValueError("an exam needs at least one question")
    if started_at.tzinfo is None or deadline.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    if deadline <= started_at:
        raise ValueError("an exam's deadline must be after its start")
    if not (isinstance(pass_mark, int | float) and math.isfinite(pass_mark) and 0 <= pass_mark <= 100):
        raise ValueError(f"the pass mark is a percent from 0 to 100, not {pass_mark!r}")
    ordered = sorted(items, key=lambda i: i.position)
    if [i.position for i in ordered] != list(range(len(items))):
        raise ValueError(f"exam positions must be 0..{len(items) - 1}, each once")
    out: list[ExamItem] = []
    for item in ordered:
        where = f"exam question {item.position + 1} ({item.question_key!r})"
        if not item.question_key or not item.section:
            raise ValueError(f"{where} needs a question key and a section")
        options = exam_choice(item.options)
        correct = exam_choice(item.correct)
        chosen = exam_choice(item.chosen)
        if not options or not correct:
            raise ValueError(f"{where} needs option letters and correct letters")
        if not set(correct + chosen) <= set(options):
            raise ValueError(
                f"{where}: letters {correct + chosen!r} are not all among the options {options!r}"
            )
        out.append(dataclasses.replace(item, correct=correct, options=options, chosen=chosen))
    return out


def check_result(result: ExamResult, n_items: int, started_at: datetime, submitted_at: datetime) -> None:
    """ValueError when a result cannot be an exam of `n_items` questions submitted then."""
    if result.total != n_items or not 0 <= result.correct <= result.total:
        raise ValueError(
            f"a result of {result.correct}/{result.total} is not one of this exam's {n_items} questions"
        )
    if submitted_at < started_at:
        raise ValueError("an exam cannot be submitted before it started")


def tag_rows(questions: Iterable[TaggedQuestion]) -> list[tuple[str, str, str]]:
    """(question_key, kind, tag) rows of the bank: kind is topic, trap or domain."""
    rows: list[tuple[str, str, str]] = []
    for q in questions:
        rows.extend((q.key, "topic", t) for t in q.topics if t)
        rows.extend((q.key, "trap", t) for t in q.traps if t)
        domain = getattr(q, "domain", None)
        if domain:
            rows.append((q.key, "domain", str(domain)))
    return rows


class OpenDailyKeys:
    """The question keys of the open daily posts, and the generation they were read at.

    Every call of this process that may add or remove an open daily moves the generation on
    (before and after, `changing`), and so does a notice of another process's change (`changed`:
    PostgreSQL's `quizbot_dailies`), so a door asking about a question that is no open daily costs
    no query. A read that started before a move does not keep what it read: the next call reads
    again. Kept only while `enabled` (set by the bot) and `live` (every change is seen): an SQLite
    store is always live, and the bot enables it only as the one process on the file (another
    process, e.g. `quizbot practice`, would not see the bot's changes and reads every time); a
    PostgreSQL store is live while its listener LISTENs (`suspend` / `resume`). Otherwise every
    call reads the database.
    """

    def __init__(self, *, live: bool = True) -> None:
        self.enabled = False
        self._live = live
        self._generation = 0
        self._cached: tuple[int, frozenset[str]] | None = None
        #: Reads of the database so far (tests, benches).
        self.reads = 0

    @property
    def live(self) -> bool:
        return self._live

    @property
    def active(self) -> bool:
        """Whether a read now may be kept for the next calls."""
        return self.enabled and self._live

    @contextmanager
    def changing(self) -> Iterator[None]:
        self._generation += 1
        try:
            yield
        finally:
            self._generation += 1

    def changed(self) -> None:
        self._generation += 1

    def suspend(self) -> None:
        """Changes may go unseen from now on (the listener lost its connection): read every time."""
        self._live = False
        self._cached = None
        self._generation += 1

    def resume(self) -> None:
        """Every change is seen again (LISTENing again); some may have been missed meanwhile, so
        nothing read before counts."""
        self._generation += 1
        self._cached = None
        self._live = True

    async def get(self, read: Callable[[], Awaitable[Iterable[str]]]) -> frozenset[str]:
        generation = self._generation
        cached = self._cached
        if cached is not None and cached[0] == generation and self.active:
            return cached[1]
        self.reads += 1
        keys = frozenset(await read())
        if self.active and generation == self._generation:  # nothing changed meanwhile
            self._cached = (generation, keys)
        return keys
