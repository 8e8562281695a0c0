"""The /explain autocomplete's index (bot/bank/lookup.py): built once per bank, bounded strings."""

from __future__ import annotations

from bot.bank import Bank, Question
from bot.bank.lookup import STEM_PREFIX, search


def question(key: str, stem: str) -> Question:
    collection, _, qid = key.rpartition("/")
    return Question(
        key=key, id=qid, collection=collection, path=f"{key}.md", line=1, stem=stem,
        options={"A": "a", "B": "b"}, answer=("A",),
    )  # fmt: skip


BANK = Bank(
    questions=[
        question("a/Q-1", "Which **CLI** command   lists jobs?"),
        question("b/Q-1", "A different question with the same id about Delta."),
        question("b/Q-2", "Why" + " " * 40_000 + "is this long? " + "x" * 60_000),
    ]
)


def test_search_by_id_key_or_the_start_of_the_stem() -> None:
    assert [e.question.key for e in search(BANK.lookup, "q-1")] == ["a/Q-1", "b/Q-1"]
    assert [e.question.key for e in search(BANK.lookup, "b/q-1")] == ["b/Q-1"]
    assert [e.question.key for e in search(BANK.lookup, "command lists")] == ["a/Q-1"]
    assert [e.question.key for e in search(BANK.lookup, "")] == ["a/Q-1", "b/Q-1", "b/Q-2"]
    assert search(BANK.lookup, "nothing like this") == []


def test_hidden_questions_and_the_limit() -> None:
    assert [e.question.key for e in search(BANK.lookup, "", hidden={"a/Q-1"})] == ["b/Q-1", "b/Q-2"]
    assert len(search(BANK.lookup, "", limit=2)) == 2


def test_entries_are_short_whatever_the_stem_and_shared_ids_are_marked() -> None:
    by_key = {e.question.key: e for e in BANK.lookup}
    assert by_key["b/Q-2"].stem == "Why is this long? " + "x" * (STEM_PREFIX - len("Why is this long? "))
    assert all(len(e.haystack) < 2 * STEM_PREFIX for e in BANK.lookup)
    assert by_key["a/Q-1"].shared_id and not by_key["b/Q-2"].shared_id
    assert by_key["a/Q-1"].stem == "Which **CLI** command lists jobs?"


def test_built_once_per_bank() -> None:
    assert BANK.lookup is BANK.lookup
    assert BANK.by_hash is BANK.by_hash
    assert {q.key for q in BANK.by_hash.values()} == {"a/Q-1", "b/Q-1", "b/Q-2"}
