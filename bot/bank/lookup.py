"""Looking questions up by what a member types (the /explain autocomplete): an index built once per
bank, so a keystroke scans short prepared strings, never the stems themselves (a stem may be
64,000 characters; a bank 5,000 questions)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from bot.bank.model import Question

#: Characters of a stem that are searched and shown (collapsed whitespace); longer stems are cut.
STEM_PREFIX = 200
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Entry:
    question: Question
    stem: str  # the stem's first STEM_PREFIX characters, whitespace collapsed
    haystack: str  # id, key and stem prefix, casefolded
    shared_id: bool  # another question has the same id: show and pick it by key


def build_index(questions: list[Question]) -> tuple[Entry, ...]:
    ids = Counter(q.id for q in questions)
    out = []
    for q in questions:
        stem = _start(q.stem)
        haystack = "\n".join((q.id.casefold(), q.key.casefold(), stem.casefold()))
        out.append(Entry(q, stem, haystack, ids[q.id] > 1))
    return tuple(out)


def _start(stem: str) -> str:
    """The stem's first STEM_PREFIX characters with whitespace collapsed; reads only that far."""
    words: list[str] = []
    size = 0
    for match in _WORD.finditer(stem):
        words.append(match.group())
        size += len(match.group()) + 1
        if size > STEM_PREFIX:
            break
    return " ".join(words)[:STEM_PREFIX]


def search(
    index: tuple[Entry, ...], typed: str, *, hidden: Collection[str] = (), limit: int = 25
) -> list[Entry]:
    """The first `limit` entries whose id, key or stem start holds what was typed (all, when nothing
    was), questions whose key is in `hidden` left out."""
    needle = typed.strip().casefold()[:STEM_PREFIX]
    out: list[Entry] = []
    for entry in index:
        if entry.question.key in hidden or (needle and needle not in entry.haystack):
            continue
        out.append(entry)
        if len(out) == limit:
            break
    return out
