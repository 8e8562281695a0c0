"""The starter bank shipped in questions/starter meets its coverage and quality rules."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.bank import load_bank
from bot.bank.bank import Bank

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_SECTIONS = {
    "review",
    "concepts",
    "correct",
    "wrong_options",
    "mnemonic",
    "references",
    "notes",
    "exam_tips",
}
OFFICIAL = ("https://docs.databricks.com/", "https://spark.apache.org/docs/", "https://docs.delta.io/")


@pytest.fixture(scope="module")
def starter() -> Bank:
    return load_bank(ROOT / "questions" / "starter")


def test_thirty_clean_questions(starter: Bank) -> None:
    assert len(starter.questions) == 30
    assert starter.problems == []
    assert all(q.key.startswith("Q-") and q.collection == "" for q in starter.questions)
    bank = load_bank(ROOT / "questions")
    assert {q.key for q in bank.questions if q.collection == "starter"} == {
        f"starter/Q-{n:03d}" for n in range(1, 31)
    }


def test_topic_coverage(starter: Bank) -> None:
    counts = starter.topic_counts()
    assert sum(1 for c in counts.values() if c >= 3) >= 10, counts


def test_difficulties_and_traps(starter: Bank) -> None:
    levels = Counter(q.level for q in starter.questions)
    assert set(levels) == {1, 2, 3}
    assert sum(1 for q in starter.questions if q.traps) >= 20


def test_answer_letters_are_balanced(starter: Bank) -> None:
    letters = Counter(q.answer for q in starter.questions)
    assert all(len(a) == 1 for a in letters)
    assert max(letters.values()) <= 9, letters  # no letter above 30%
    assert all(4 <= len(q.options) <= 5 for q in starter.questions)


def test_every_section_and_every_rationale(starter: Bank) -> None:
    for q in starter.questions:
        assert {s.key for s in q.sections} >= REQUIRED_SECTIONS, q.key
        assert set(q.rationales) == set(q.options), q.key
        assert all(len(text) >= 20 for text in q.rationales.values()), q.key


def test_references_are_official(starter: Bank) -> None:
    for q in starter.questions:
        assert q.references, q.key
        assert any(r.url.startswith("https://docs.databricks.com/") for r in q.references), q.key
        assert all(r.url.startswith(OFFICIAL) for r in q.references), (q.key, [r.url for r in q.references])


def test_code_and_tables_exercise_the_renderers(starter: Bank) -> None:
    assert (
        sum(1 for q in starter.questions if "```" in q.stem or any("`" in o for o in q.options.values())) >= 5
    )
    assert any("|---" in s.body or "| ---" in s.body for q in starter.questions for s in q.sections)
