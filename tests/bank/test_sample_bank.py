"""The users' real bank sample (../shared/bank-sample) loads completely and correctly.

About their own files, so it reads ../shared: fails in CI when it is missing, skips elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import load_bank
from bot.bank.bank import Bank


@pytest.fixture(scope="module")
def sample(users_bank: Path) -> tuple[Path, Bank]:
    return users_bank, load_bank(users_bank)


def test_every_file_is_accounted_for(sample: tuple[Path, Bank]) -> None:
    root, bank = sample
    files = {p.relative_to(root).as_posix() for p in root.rglob("*.md")}
    question_files = {f for f in files if f.startswith("by-order_")}
    assert len(question_files) == 180
    loaded = {q.path for q in bank.questions} | {c.split(":")[0] for q in bank.questions for c in q.also_in}
    skipped = {s.path for s in bank.skipped}
    assert question_files <= loaded, sorted(question_files - loaded)
    assert skipped == {"_template/analysis-template.md", "_template/question-template.md"}
    assert bank.errors == []


def test_counts_and_identity(sample: tuple[Path, Bank]) -> None:
    _, bank = sample
    # 120 + 59 one-question files; the 59 questions of the dump sample_1.md are copies of b1's files.
    assert len(bank.questions) == 179
    assert bank.copies_merged == 59
    assert len({q.key for q in bank.questions}) == 179
    # the same id in two folders names two different questions, both reachable
    both = bank.find("Q-044")
    assert {q.key for q in both} == {"by-order_b1/Q-044", "by-order_v1/Q-044"}
    assert bank.find("b1/Q-044")[0].key == "by-order_b1/Q-044"
    # a fullwidth letter in the file name is folded
    assert bank.find("Ｑ-106")[0].path == "by-order_v1/Ｑ-106.md"
    # v1's ids are written Q-01-001 in the files; the file name still finds them
    assert bank.find("by-order_v1/Q-01-001")[0].aliases == ("Q-001",)
    assert "by-order_v1/Q-01-001" in {q.key for q in bank.find("Q-001")}


def test_every_answer_is_among_the_options(sample: tuple[Path, Bank]) -> None:
    _, bank = sample
    for q in bank.questions:
        assert 2 <= len(q.options) <= 6, q.key
        assert q.answer and set(q.answer) <= set(q.options), q.key
        assert q.stem.strip(), q.key
        assert all(text.strip() for text in q.options.values()), q.key
        assert q.topics, q.key
        assert q.difficulty in {"L1-Basic", "L2-Intermediate", "L3-Advanced"}, q.key


def test_defective_files_are_reported_with_the_reason(sample: tuple[Path, Bank]) -> None:
    _, bank = sample
    reasons = {(p.path, p.reason) for p in bank.problems}
    assert (
        "by-order_v1/Q-062.md",
        "the answer is C but the explanation explains why B is correct",
    ) in reasons


@pytest.mark.parametrize(
    ("key", "answer", "disputed", "source_answer", "community"),
    [
        ("by-order_b1/Q-044", ("B", "C"), False, "B, C", "B, C"),  # choose 2
        ("by-order_v1/Q-083", ("D",), True, None, "E (83%)"),  # 官方正確答案 vs 社群投票結果
        ("by-order_v1/Q-084", ("D",), True, "E", "D (100%)"),  # answer only in `為什麼 D 是正確的`
        (
            "by-order_v1/Q-106",
            ("B",),
            True,
            "C",
            "A (55%) / B (45%)",
        ),  # `B` (社群共識) / `C` (來源標註，有爭議)
        ("by-order_v1/Q-113", ("E",), True, "E", "E"),  # `E` (官方答案) / `A` (實務上也可行)
        ("by-order_v1/Q-111", ("C",), True, "D (錯誤)", "C (100% 投票)"),
        ("by-order_v1/Q-104", ("E",), False, "E", "E (100%)"),
    ],
)
def test_answers_and_disputes(
    sample: tuple[Path, Bank],
    key: str,
    answer: tuple[str, ...],
    disputed: bool,
    source_answer: str | None,
    community: str | None,
) -> None:
    _, bank = sample
    q = bank.get(key)
    assert q is not None
    assert q.answer == answer
    assert q.disputed is disputed, q.dispute_note
    assert q.source_answer == source_answer
    assert q.community_answer == community
    if disputed:
        assert q.dispute_note


def test_template_variants(sample: tuple[Path, Bank]) -> None:
    _, bank = sample
    # tags as bullet lists, options as bold paragraphs without list markers, answer only in 題目回顧
    q = bank.get("by-order_v1/Q-080")
    assert q is not None
    assert q.topics == ("Views", "Data-Governance", "Delta-Lake")
    assert q.traps == ("Concept-Confusion",)
    assert q.difficulty == "L2-Intermediate"
    assert q.answer == ("A",)
    assert q.options["A"].startswith("Create a view on the marketing table")
    assert q.options["E"].startswith("Instruct the marketing team")
    # analysis first, the question at the end of the file
    q = bank.get("by-order_v1/Q-054")
    assert q is not None
    assert q.stem.startswith("Which Python variable contains a list of directories")
    assert q.options["B"] == "`sys.path`"
    assert q.answer == ("B",)
    assert set(q.rationales) >= {"A", "C", "D", "E"}
    # no options heading: `**選項：**` and `- A. sbt` lines under `### 原文題目`
    q = bank.get("by-order_v1/Q-053")
    assert q is not None
    assert q.options == {"A": "sbt", "B": "CRAN", "C": "npm", "D": "Wheels", "E": "jars"}
    assert q.answer == ("D",)
    # a question with only a link to a missing analysis file has no explanation
    q = bank.get("by-order_v1/Q-01-001")
    assert q is not None
    assert not q.has_explanation
    assert q.references and q.references[0].url.startswith("https://docs.databricks.com/")


def test_rationales_come_from_the_wrong_option_sections(sample: tuple[Path, Bank]) -> None:
    _, bank = sample
    q = bank.get("by-order_v1/Q-104")
    assert q is not None
    assert sorted(q.rationales) == ["A", "B", "C", "D", "E"]
    assert "run_id" in q.rationales["A"] and "job_id" in q.rationales["A"]
    assert q.rationales["E"].startswith("**技術原理:**")
    # `### A - post_time (TIMESTAMP)` headings without 選項
    q = bank.get("by-order_v1/Q-109")
    assert q is not None
    assert set(q.rationales) == {"A", "B", "C", "D", "E"}
    # `- **B / C / E**：...` bullets under a `### 錯誤選項排除` inside another section
    q = bank.get("by-order_v1/Q-071")
    assert q is not None
    assert set(q.rationales) == {"A", "B", "C", "D", "E"}
    assert q.rationales["B"] == q.rationales["E"]


def test_raw_dump_questions_are_copies_of_the_structured_files(sample: tuple[Path, Bank]) -> None:
    _, bank = sample
    q = bank.get("by-order_b1/Q-001")
    assert q is not None
    assert q.format == "markdown"
    assert q.also_in == ("by-order_b1/sample_1.md",)
    assert bank.get("by-order_b1/Q-044").also_in == ("by-order_b1/sample_1.md:2013",)  # type: ignore[union-attr]


def test_parallel_load_gives_the_same_bank(sample: tuple[Path, Bank]) -> None:
    root, bank = sample
    parallel = load_bank(root, workers=2)
    assert [q.key for q in parallel.questions] == [q.key for q in bank.questions]
    assert parallel.questions == bank.questions
    assert [str(p) for p in parallel.problems] == [str(p) for p in bank.problems]
    assert parallel.skipped == bank.skipped
