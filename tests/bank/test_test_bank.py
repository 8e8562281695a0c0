"""Our own test bank (tests/data/bank) loads completely and as its README says: the suite's
stand-in for the users' bank, so what it must stand for is checked here."""

from __future__ import annotations

import pytest

from bot.bank import load_bank
from bot.bank.bank import Bank
from tests.helpers import TEST_BANK


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(TEST_BANK)


def test_every_file_is_accounted_for(bank: Bank) -> None:
    files = {
        p.relative_to(TEST_BANK).as_posix() for p in TEST_BANK.rglob("*") if p.suffix in (".md", ".yaml")
    }
    loaded = {q.path for q in bank.questions} | {c.split(":")[0] for q in bank.questions for c in q.also_in}
    skipped = {s.path for s in bank.skipped}
    assert skipped == {"README.md", "_template/question-template.md"}
    assert loaded | skipped == files
    assert bank.problems == []
    assert len(bank.questions) == 9 and bank.copies_merged == 3


def test_formats_and_identity(bank: Bank) -> None:
    assert {q.format for q in bank.questions} == {"markdown", "raw", "yaml"}
    # the same id in two folders names two different questions, both reachable
    assert {q.key for q in bank.find("Q-201")} == {"by-order_a/Q-201", "by-order_b/Q-201"}
    assert bank.find("b/Q-201")[0].key == "by-order_b/Q-201"
    # a fullwidth letter in the file name is folded
    assert bank.find("Ｑ-203")[0].path == "by-order_a/Ｑ-203.md"
    # the raw dump: one question of its own, the others copies of the structured files
    q205 = bank.get("by-order_a/Q-205")
    assert q205 is not None and (q205.path, q205.line, q205.format) == ("by-order_a/sample_1.md", 42, "raw")
    assert bank.get("by-order_a/Q-203").also_in == ("by-order_a/sample_1.md:24",)  # type: ignore[union-attr]


def test_the_copies_of_q201(bank: Bank) -> None:
    q = bank.get("by-order_a/Q-201")
    assert q is not None
    # the dump's copy lost the stem's table, the by-topic copy shuffled the options: still copies
    assert q.also_in == ("by-order_a/sample_1.md", "by-topic/Delta-Lake/Q-201.md")
    assert q.answer == ("A",) and not q.disputed and q.disagreement == ()


def test_the_structured_template_in_full(bank: Bank) -> None:
    q = bank.get("by-order_a/Q-201")
    assert q is not None
    assert [s.key for s in q.sections] == [
        "review",
        "concepts",
        "correct",
        "wrong_options",
        "mnemonic",
        "references",
        "notes",
        "exam_tips",
    ]
    assert sorted(q.rationales) == ["A", "B", "C", "D", "E"]
    assert q.source_answer == "A" and q.community_answer == "A (96%)"
    assert all(r.url.startswith("https://docs.databricks.com/") for r in q.references)


def test_choose_two_and_a_dispute(bank: Bank) -> None:
    q = bank.get("by-order_b/Q-204")
    assert q is not None
    assert q.answer == ("A", "B") and q.choose == 2
    assert q.disputed and q.community_answer == "A, D (60%)"
    raw = bank.get("raw/Q-032")
    assert raw is not None and raw.answer == ("A", "B") and raw.choose == 2


def test_every_file_names_its_source() -> None:
    for path in TEST_BANK.rglob("*"):
        if path.suffix in (".md", ".yaml") and "_template" not in path.parts and path.name != "README.md":
            text = path.read_text(encoding="utf-8")
            assert "quizbot test bank (original)" in text and "https://docs.databricks.com/" in text, path
