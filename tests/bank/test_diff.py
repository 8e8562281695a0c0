"""What `/quizadmin reload` reports as added, changed and removed (bot/bank/diff.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.bank import Bank, Question
from bot.bank.diff import BankDiff, diff_banks


def question(key: str, **changes: object) -> Question:
    collection, _, qid = key.rpartition("/")
    base = Question(
        key=key,
        id=qid,
        collection=collection,
        path=f"{key}.md",
        line=1,
        stem="Which option?",
        options={"A": "one", "B": "two"},
        answer=("A",),
        topics=("Spark",),
        rationales={"B": "not two"},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_added_changed_and_removed_keys_sorted() -> None:
    old = Bank(questions=[question("a/Q-2"), question("a/Q-1"), question("b/Q-9"), question("c/Q-5")])
    new = Bank(
        questions=[
            question("a/Q-1"),
            question("a/Q-2", answer=("B",)),
            question("c/Q-5", topics=("Spark", "Delta")),
            question("d/Q-7"),
            question("a/Q-0"),
        ]
    )
    assert diff_banks(old, new) == BankDiff(
        added=["a/Q-0", "d/Q-7"], changed=["a/Q-2", "c/Q-5"], removed=["b/Q-9"]
    )


def test_what_members_see_or_what_scores_is_a_change() -> None:
    old = Bank(questions=[question("a/Q-1")])
    for change in (
        {"stem": "Which one?"},
        {"options": {"A": "one", "B": "three"}},
        {"options": {"B": "two", "A": "one"}},  # the order of the options is shown
        {"difficulty": "L2"},
        {"traps": ("Trap",)},
        {"rationales": {"B": "not two at all"}},
        {"disputed": True},
    ):
        assert diff_banks(old, Bank(questions=[question("a/Q-1", **change)])).changed == ["a/Q-1"], change


def test_where_and_how_a_question_was_read_is_not_a_change() -> None:
    old = Bank(questions=[question("a/Q-1")])
    moved = question("a/Q-1", path="elsewhere/Q-1.yaml", line=40, format="yaml", notes=("a remark",))
    assert diff_banks(old, Bank(questions=[moved])) == BankDiff([], [], [])
    assert diff_banks(Bank(), Bank()) == BankDiff([], [], [])


def test_a_bank_of_many_questions_sharing_one_id_is_built_without_comparing_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bank's id index is linear: 4,000 questions named Q-1 (a folder of copies that are not copies)
    used to cost a list scan each, 10 s at 8,000 (and a reload ran it on the event loop)."""
    compared = 0
    original = Question.__eq__

    def counting_eq(self: Question, other: object) -> bool:
        nonlocal compared
        compared += 1
        return original(self, other)  # type: ignore[no-any-return]

    questions = [
        Question(
            key=f"c/f{i}/Q-1",
            id="Q-1",
            collection="c",
            path=f"c/f{i}.md",
            line=1,
            stem=f"stem {i}",
            options={"A": "a", "B": "b"},
            answer=("A",),
            aliases=("q-1", "Q-1"),
        )
        for i in range(4000)
    ]
    monkeypatch.setattr(Question, "__eq__", counting_eq)
    bank = Bank(questions=questions)
    assert compared == 0
    assert len(bank.find("Q-1")) == 4000
