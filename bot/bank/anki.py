"""Anki decks (.apkg) from bank questions, with genanki. No Discord, no SQL.

One note per question: the front is the stem and the options, the back the answer, each option's
rationale and the explanation (Markdown turned into HTML by markdown-it with raw HTML off, so text
is escaped and code blocks stay <pre><code>). Tags: topic::…, trap::…, difficulty::… (whitespace
made "_"). The note's GUID comes from the question key, and the model's and deck's ids are fixed,
so importing a newer export updates the notes instead of adding copies. See docs/review.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import genanki
from markdown_it import MarkdownIt

from bot.bank.model import Question

#: Fixed ids (random numbers chosen once): never change them, or imports make new decks and models.
MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
DEFAULT_DECK_NAME = "quizbot"
GUID_NAMESPACE = "quizbot"

# Sections that are not explanation, or that the per-option rationales already say.
_NOT_ON_THE_BACK = ("review",)
_SAID_BY_RATIONALES = ("correct", "wrong_options")

_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_TAG_UNSAFE = re.compile(r"[\s\"]+")

_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
pre { background: #f4f4f4; padding: .5em; overflow-x: auto; }
.options { list-style: none; padding-left: 0; }
.correct { color: #1a7f37; font-weight: bold; }
.key { color: #888; font-size: 12px; }
"""

MODEL = genanki.Model(
    MODEL_ID,
    "quizbot question",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Key"}],
    templates=[
        {
            "name": "Question",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Back}}<p class="key">{{Key}}</p>',
        }
    ],
    css=_CSS,
    sort_field_index=2,
)


@dataclass(frozen=True, slots=True)
class AnkiLabels:
    """The words printed on the cards (English by default; the bot passes the member's language)."""

    answer: str = "Answer"
    options: str = "Why each option"
    explanation: str = "Explanation"


def note_guid(question_key: str) -> str:
    """The note's GUID: the same for the same question key in every export."""
    return str(genanki.guid_for(GUID_NAMESPACE, question_key))


def deck_id(deck_name: str) -> int:
    """DECK_ID for the default name, else a stable id derived from the name."""
    if deck_name == DEFAULT_DECK_NAME:
        return DECK_ID
    return int.from_bytes(hashlib.sha256(deck_name.encode()).digest()[:4], "big") | (1 << 31)


def _tag(prefix: str, value: str) -> str:
    return f"{prefix}::{_TAG_UNSAFE.sub('_', value.strip())}"


def note_tags(question: Question) -> list[str]:
    """topic::…, trap::…, difficulty::… with whitespace made "_" (Anki splits tags on spaces)."""
    tags = [_tag("topic", t) for t in question.topics if t.strip()]
    tags += [_tag("trap", t) for t in question.traps if t.strip()]
    if question.difficulty and question.difficulty.strip():
        tags.append(_tag("difficulty", question.difficulty))
    return list(dict.fromkeys(tags))


def _html(markdown: str) -> str:
    return str(_MD.render(markdown)).strip()


def note_fields(question: Question, labels: AnkiLabels = AnkiLabels()) -> tuple[str, str]:
    """(front, back) as HTML."""
    options = "".join(
        f"<li><b>{escape(letter)}.</b> {_html(text)}</li>" for letter, text in question.options.items()
    )
    front = f'{_html(question.stem)}<ul class="options">{options}</ul>'
    answer = ", ".join(escape(letter) for letter in question.answer)
    back = [f'<p class="correct">{escape(labels.answer)}: {answer}</p>']
    rationales = [(k, v) for k, v in question.rationales.items() if v.strip()]
    if rationales:
        items = "".join(
            f"<li><b>{escape(k)}{' ✓' if k in question.answer else ''}</b> {_html(v)}</li>"
            for k, v in rationales
        )
        back.append(f"<h3>{escape(labels.options)}</h3><ul>{items}</ul>")
    skip = _NOT_ON_THE_BACK + (_SAID_BY_RATIONALES if rationales else ())
    sections = [s for s in question.sections if s.key.split("-")[0] not in skip and s.body.strip()]
    if sections:
        back.append(f"<h3>{escape(labels.explanation)}</h3>")
        for s in sections:
            title = s.title if s.heading else ""
            back.append((f"<h4>{escape(title)}</h4>" if title else "") + _html(s.body))
    return front, "".join(back)


def _deck(questions: Iterable[Question], deck_name: str, labels: AnkiLabels) -> genanki.Deck:
    deck = genanki.Deck(deck_id(deck_name), deck_name)
    seen: set[str] = set()
    for q in questions:
        if q.key in seen:
            continue
        seen.add(q.key)
        front, back = note_fields(q, labels)
        deck.add_note(
            genanki.Note(
                model=MODEL, fields=[front, back, escape(q.key)], tags=note_tags(q), guid=note_guid(q.key)
            )
        )
    if not deck.notes:
        raise ValueError("no questions to export")
    return deck


def write_apkg(
    questions: Iterable[Question],
    path: str | os.PathLike[str],
    *,
    deck_name: str = DEFAULT_DECK_NAME,
    labels: AnkiLabels = AnkiLabels(),
) -> int:
    """Write an .apkg of `questions` (in that order, one note each) to `path`; returns the notes
    written. ValueError with no questions."""
    deck = _deck(questions, deck_name, labels)
    genanki.Package(deck).write_to_file(os.fspath(path))
    return len(deck.notes)


def apkg_bytes(
    questions: Iterable[Question], *, deck_name: str = DEFAULT_DECK_NAME, labels: AnkiLabels = AnkiLabels()
) -> bytes:
    """The same .apkg as bytes (for an upload)."""
    deck = _deck(questions, deck_name, labels)
    with tempfile.TemporaryDirectory(prefix="quizbot-anki-") as folder:
        path = Path(folder) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(path))
        return path.read_bytes()
