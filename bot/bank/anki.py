"""Anki decks (.apkg) from bank questions, with genanki. No Discord, no SQL.

One note per question: the front is the stem and the options, the back the answer, each option's
rationale and the explanation (Markdown turned into HTML: text escaped, code blocks kept as
<pre><code>). Tags: topic::…, trap::…, difficulty::… (spaces made "_"). The note's GUID comes from
the question key, and the model's and deck's ids are fixed, so importing a newer export updates
the notes instead of adding copies. See docs/review.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from bot.bank.model import Question

#: Fixed ids (random numbers chosen once): never change them, or imports make new decks and models.
MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
DEFAULT_DECK_NAME = "quizbot"


@dataclass(frozen=True, slots=True)
class AnkiLabels:
    """The words printed on the cards (English by default; the bot passes the member's language)."""

    answer: str = "Answer"
    options: str = "Why each option"
    explanation: str = "Explanation"


def note_guid(question_key: str) -> str:
    """The note's GUID: the same for the same question key in every export."""
    raise NotImplementedError


def deck_id(deck_name: str) -> int:
    """DECK_ID for the default name, else a stable id derived from the name."""
    raise NotImplementedError


def note_tags(question: Question) -> list[str]:
    """topic::…, trap::…, difficulty::… with whitespace made "_" (Anki splits tags on spaces)."""
    raise NotImplementedError


def note_fields(question: Question, labels: AnkiLabels = AnkiLabels()) -> tuple[str, str]:
    """(front, back) as HTML."""
    raise NotImplementedError


def write_apkg(
    questions: Iterable[Question],
    path: str | os.PathLike[str],
    *,
    deck_name: str = DEFAULT_DECK_NAME,
    labels: AnkiLabels = AnkiLabels(),
) -> int:
    """Write an .apkg of `questions` (in that order, one note each) to `path`; returns the notes
    written. ValueError with no questions."""
    raise NotImplementedError


def apkg_bytes(
    questions: Iterable[Question], *, deck_name: str = DEFAULT_DECK_NAME, labels: AnkiLabels = AnkiLabels()
) -> bytes:
    """The same .apkg as bytes (for an upload)."""
    raise NotImplementedError
