"""The backend-independent half of a `Store`'s methods: checking a new post's arguments, the tag
rows of a bank, the clock, and the in-memory set of open daily questions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

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

    Every call that may add or remove an open daily moves the generation on (before and after,
    `changing`), so a door asking about a question that is no open daily costs no query. Only for
    the process that writes the dailies (`enabled`, set by the bot); another process (`quizbot
    practice`) cannot see the bot's changes and reads the database every time.
    """

    def __init__(self) -> None:
        self.enabled = False
        self._generation = 0
        self._cached: tuple[int, frozenset[str]] | None = None

    @contextmanager
    def changing(self) -> Iterator[None]:
        self._generation += 1
        try:
            yield
        finally:
            self._generation += 1

    def changed(self) -> None:
        self._generation += 1

    async def get(self, read: Callable[[], Awaitable[Iterable[str]]]) -> frozenset[str]:
        generation = self._generation
        cached = self._cached
        if cached is not None and cached[0] == generation:
            return cached[1]
        keys = frozenset(await read())
        if self.enabled and generation == self._generation:  # nothing changed meanwhile
            self._cached = (generation, keys)
        return keys
