"""What changed between two loads of a bank (`/quizadmin reload` reports it). No discord imports."""

from __future__ import annotations

from typing import Any, NamedTuple

from bot.bank.bank import Bank
from bot.bank.model import Question


class BankDiff(NamedTuple):
    """Question keys, each list sorted."""

    added: list[str]
    changed: list[str]  # in both banks, with a different content
    removed: list[str]


def content(q: Question) -> tuple[Any, ...]:
    """What members see of a question and what scores it: two copies with the same content are
    the same question, wherever and however they were read (path, line, format and the reader's
    notes do not count)."""
    return (
        q.stem,
        tuple(q.options.items()),
        q.answer,
        q.difficulty,
        q.topics,
        q.traps,
        q.domain,
        q.sections,
        tuple(sorted(q.rationales.items())),
        q.disputed,
        q.dispute_note,
        q.disagreement,
        q.references,
    )


def diff_banks(old: Bank, new: Bank) -> BankDiff:
    """The keys added, changed (by `content`) and removed from `old` to `new`."""
    old_keys = {q.key for q in old.questions}
    new_keys = {q.key for q in new.questions}
    changed = []
    for key in sorted(old_keys & new_keys):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and content(a) != content(b):
            changed.append(key)
    return BankDiff(sorted(new_keys - old_keys), changed, sorted(old_keys - new_keys))
