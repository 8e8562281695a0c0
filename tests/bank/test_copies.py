"""Copies that are not copies, and copies that disagree (issue 15 part 2); keeping the last good file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.bank import Bank, load_bank
from bot.bank.identity import FINGERPRINT_CHARS, _shingles, merge_copies
from bot.bank.model import Question
from bot.cli import main
from tests.helpers import SCD_OPTIONS, SCD_TYPE1, SCD_TYPE2, structured

CODE_A = "Which write mode does this use?\n\n```python\ndf.write.mode('append').saveAsTable('t')\n```"
CODE_B = "Which write mode does this use?\n\n```python\ndf.write.mode('overwrite').saveAsTable('t')\n```"
NUM_A = "A table has 3 partitions and a job writes 400 files into each. How many files are there in all?"
NUM_B = "A table has 5 partitions and a job writes 400 files into each. How many files are there in all?"
STEM = "A streaming query must not lose its progress across restarts. What must the engineer give it?"
SWAP_A = (
    "A table has these properties:\n\n"
    "- delta.logRetentionDuration = interval 30 days\n"
    "- delta.deletedFileRetentionDuration = interval 7 days\n\n"
    "How far back can time travel reach after a VACUUM with the default retention?"
)
SWAP_B = SWAP_A.replace("30 days", "X days").replace("7 days", "30 days").replace("X days", "7 days")


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("stem_a", "stem_b", "answer_b"),
    [(SCD_TYPE2, SCD_TYPE1, "B"), (CODE_A, CODE_B, "A"), (NUM_A, NUM_B, "A"), (SWAP_A, SWAP_B, "B")],
    ids=["tables", "code", "numbers", "numbers swapped between lines"],
)
def test_same_words_different_data_are_two_questions(
    tmp_path: Path, stem_a: str, stem_b: str, answer_b: str
) -> None:
    options = SCD_OPTIONS if "SCD" in stem_a else ["1,200 files", "2,000 files", "append", "overwrite"]
    # in two batches: each in its own collection, nothing merged
    write(tmp_path, "batch1/Q-050.md", structured("Q-050", stem_a, options, "C"))
    write(tmp_path, "batch2/Q-050.md", structured("Q-050", stem_b, options, answer_b))
    bank = load_bank(tmp_path)
    assert sorted(q.key for q in bank.questions) == ["batch1/Q-050", "batch2/Q-050"]
    assert bank.copies_merged == 0 and not any(q.disputed for q in bank.questions)
    # in one folder, under one id: both kept, the second under a key of its own
    other = tmp_path / "other"
    write(other, "same/Q-050.md", structured("Q-050", stem_a, options, "C"))
    write(other, "same/Q-050b.md", structured("Q-050", stem_b, options, answer_b))
    bank = load_bank(other)
    assert any("duplicate key same/Q-050" in p.reason for p in bank.problems)
    assert {q.key for q in bank.questions} == {"same/Q-050", "same/Q-050b/Q-050"}
    assert bank.get("same/Q-050").stem == stem_a  # type: ignore[union-attr]
    assert bank.get("same/Q-050b/Q-050").stem == stem_b  # type: ignore[union-attr]


@pytest.mark.parametrize("written", ["1,000", "１０００", "1 000"])
def test_a_number_written_another_way_is_still_a_copy(tmp_path: Path, written: str) -> None:
    """`1,000`, `１０００` and `1 000` are `1000`: a by-topic copy that writes it so is a copy."""
    stem = "A job retries 1000 times and waits 5 seconds between tries. What is the longest wait?"
    options = ["5,000 seconds", "4,995 seconds", "1,000 seconds", "5 seconds"]
    write(tmp_path, "by-order_v1/Q-070.md", structured("Q-070", stem, options, "B"))
    write(
        tmp_path,
        "by-topic/Jobs/Q-070.md",
        structured("Q-070", stem.replace("1000", written), options, "B"),
    )
    bank = load_bank(tmp_path)
    assert [q.key for q in bank.questions] == ["by-order_v1/Q-070"]
    assert bank.copies_merged == 1


def test_a_copy_that_lost_its_table_or_fences_is_still_a_copy(tmp_path: Path) -> None:
    """The raw dumps lose tables and turn code blocks into inline code: still the same question."""
    lost_table = SCD_TYPE2.split("\n\n")[0]  # the words only
    write(tmp_path, "b1/Q-057.md", structured("Q-057", SCD_TYPE2, SCD_OPTIONS, "C"))
    write(
        tmp_path,
        "b1/dump.md",
        structured("Q-057", lost_table, SCD_OPTIONS, "C").replace("`Q-057`", "`Q-057`"),
    )
    inline = "Which write mode does this use?\n\n`df.write.mode('append').saveAsTable('t')`"
    write(tmp_path, "b2/Q-026.md", structured("Q-026", CODE_A, ["append", "overwrite"], "A"))
    write(tmp_path, "b2/dump.md", structured("Q-026", inline, ["append", "overwrite"], "A"))
    bank = load_bank(tmp_path)
    assert sorted(q.key for q in bank.questions) == ["b1/Q-057", "b2/Q-026"]
    assert bank.get("b1/Q-057").also_in == ("b1/dump.md",)  # type: ignore[union-attr]
    assert bank.get("b2/Q-026").also_in == ("b2/dump.md",)  # type: ignore[union-attr]
    assert not any(q.disputed for q in bank.questions)


def test_a_group_never_takes_in_conflicting_data_through_a_copy_without_it(tmp_path: Path) -> None:
    words = SCD_TYPE2.split("\n\n")[0]
    write(tmp_path, "b/Q-1.md", structured("Q-1", SCD_TYPE2, SCD_OPTIONS, "C"))
    write(tmp_path, "b/Q-1-dump.md", structured("Q-1", words, SCD_OPTIONS, "C"))  # a copy of both
    write(tmp_path, "b/Q-1-other.md", structured("Q-1", SCD_TYPE1, SCD_OPTIONS, "B"))
    bank = load_bank(tmp_path)
    stems = sorted(q.stem for q in bank.questions)
    assert stems == sorted([SCD_TYPE2, SCD_TYPE1])


def test_copies_that_disagree_make_one_disputed_question(tmp_path: Path) -> None:
    write(
        tmp_path,
        "by-order_v1/Q-070.md",
        structured("Q-070", STEM, ["a checkpoint", "a trigger", "a sink"], "A"),
    )
    # filed by topic: options shuffled, and its answer is another option's text
    write(
        tmp_path,
        "by-topic/Streaming/Q-070.md",
        structured("Q-070", STEM, ["a sink", "a trigger", "a checkpoint"], "A"),
    )
    # a third copy that agrees, with letters shuffled: not a dissent
    write(
        tmp_path,
        "by-order_b2/Q-070.md",
        structured("Q-070", STEM, ["a trigger", "a checkpoint", "a sink"], "B"),
    )
    bank = load_bank(tmp_path)
    (q,) = bank.questions
    assert q.key == "by-order_b2/Q-070"  # the primary copy: not by topic, then the first by path
    assert q.answer == ("B",) and q.options["B"] == "a checkpoint"  # scoring keeps its answer
    assert q.disputed and q.dispute_note is None
    # what the dissenting copy says, in the primary's letters ("a sink" is C here)
    assert q.disagreement == (("by-order_b2", "B"), ("by-topic/Streaming", "C"))
    assert set(q.also_in) == {"by-order_v1/Q-070.md", "by-topic/Streaming/Q-070.md"}
    warnings = [p.reason for p in bank.problems if "copy of" in p.reason]
    assert warnings == [
        "copy of by-order_b2/Q-070.md but its answer is A (“a sink”), not B (“a checkpoint”) "
        "(using by-order_b2/Q-070.md; members see both)"
    ]
    assert [p.path for p in bank.problems if "copy of" in p.reason] == ["by-topic/Streaming/Q-070.md"]


def test_two_copies_in_one_folder_are_named_by_file(tmp_path: Path) -> None:
    write(tmp_path, "b1/Q-9.md", structured("Q-9", STEM, ["a checkpoint", "a trigger"], "A"))
    write(tmp_path, "b1/sample.md", structured("Q-9", STEM, ["a checkpoint", "a trigger"], "B"))
    (q,) = load_bank(tmp_path).questions
    assert q.disagreement == (("b1/Q-9.md", "A"), ("b1/sample.md", "B"))


def test_a_copy_with_a_typo_in_its_options_agrees() -> None:
    a = structured("Q-1", STEM, ["It monitors DBU use per user.", "It monitors DBU use per workspace."], "A")
    b = a.replace("DBU", "DUB")
    from bot.bank.markdown_reader import read_markdown

    (qa,) = read_markdown(a, "b/Q-1.md", collection="b")
    (qb,) = read_markdown(b, "b/dump.md", collection="b")
    merged, copies, problems = merge_copies([qa, qb])
    assert copies == 1 and not merged[0].disputed and problems == []


def test_export_show_and_check_carry_the_dispute(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "by-order_v1/Q-070.md", structured("Q-070", STEM, ["a checkpoint", "a trigger"], "A"))
    write(tmp_path, "by-topic/S/Q-070.md", structured("Q-070", STEM, ["a trigger", "a checkpoint"], "A"))
    assert main(["bank", "export", "--format", "json", str(tmp_path)]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["disputed"] is True
    assert record["copies_disagree"] == [
        {"where": "by-order_v1", "answer": ["A"]},
        {"where": "by-topic/S", "answer": ["B"]},
    ]
    assert record["dispute_note"] == (
        "Copies of this question in the bank disagree: by-order_v1 says A, by-topic/S says B. Scored with the first."
    )
    assert main(["bank", "check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (
        "by-topic/S/Q-070.md:1: warning: copy of by-order_v1/Q-070.md but its answer is A (“a trigger”)"
        in out
    )
    assert "1 disputed" in out
    assert main(["bank", "show", "Q-070", "--dir", str(tmp_path)]) == 0
    assert "Disputed: Copies of this question in the bank disagree" in capsys.readouterr().out


def test_copy_comparison_reads_bounded_fingerprints() -> None:
    """60 KB stems (the ~95 s case): fingerprints never exceed FINGERPRINT_CHARS shingles."""
    stem = " ".join(f"word{i}" for i in range(9_000))
    assert len(stem) > 60_000
    assert len(_shingles(stem.replace(" ", ""))) <= FINGERPRINT_CHARS
    q = Question(
        key="d/Q-1",
        id="Q-1",
        collection="d",
        path="d/a.md",
        line=1,
        stem=stem,
        options={"A": "x", "B": "y"},
        answer=("A",),
    )
    merged, copies, _ = merge_copies([q, replace(q, path="d/b.md", stem=stem + " tail")])
    assert copies == 1 and len(merged) == 1


# ------------------------------------------------------------------------------------ last good version


def test_keeping_the_last_good_version_of_a_broken_file(tmp_path: Path) -> None:
    write(tmp_path, "c/Q-1.md", structured("Q-1", "First?", ["a", "b"], "A"))
    write(tmp_path, "c/Q-2.md", structured("Q-2", "Second?", ["a", "b"], "B"))
    before = load_bank(tmp_path)
    write(tmp_path, "c/Q-2.md", structured("Q-2", "Second?", ["a"], "A"))  # one option: an error
    write(tmp_path, "c/Q-3.md", structured("Q-3", "Third?", ["a", "b"], "A"))
    now = load_bank(tmp_path)
    assert sorted(q.key for q in now.questions) == ["c/Q-1", "c/Q-3"]
    kept = now.keeping_last_good(before)
    assert sorted(q.key for q in kept.questions) == ["c/Q-1", "c/Q-2", "c/Q-3"]
    assert kept.get("c/Q-2") is before.get("c/Q-2")
    assert kept.kept == {"c/Q-2.md": ("c/Q-2",)}
    assert [str(p) for p in kept.problems if p.severity == "warning"] == [
        "c/Q-2.md:1: kept the last good version of this file (c/Q-2) until it is fixed"
    ]
    assert kept.errors == now.errors  # still reported as broken
    # and again on the next reload, as long as the file stays broken
    again = load_bank(tmp_path).keeping_last_good(kept)
    assert again.get("c/Q-2") is before.get("c/Q-2")
    # fixed: the new version, nothing kept
    write(tmp_path, "c/Q-2.md", structured("Q-2", "Second, fixed?", ["a", "b"], "B"))
    fixed = load_bank(tmp_path).keeping_last_good(again)
    assert fixed.get("c/Q-2").stem == "Second, fixed?" and fixed.kept == {}  # type: ignore[union-attr]


def test_keys_stay_put_when_the_first_of_two_files_with_one_id_breaks(tmp_path: Path) -> None:
    """c/Q-A.md and c/Q-B.md both say Q-9: they load as c/Q-9 and c/Q-B/Q-9. When Q-A.md breaks,
    Q-B's question must not take c/Q-9 (posts stored under it mean Q-A's question), and Q-A's last
    good version stays."""
    write(tmp_path, "c/Q-A.md", structured("Q-9", "The first question?", ["a", "b"], "A"))
    write(tmp_path, "c/Q-B.md", structured("Q-9", "A different second question?", ["c", "d"], "B"))
    before = load_bank(tmp_path)
    assert {q.key: q.path for q in before.questions} == {"c/Q-9": "c/Q-A.md", "c/Q-B/Q-9": "c/Q-B.md"}
    write(tmp_path, "c/Q-A.md", structured("Q-9", "The first question?", ["a"], "A"))  # broken
    now = load_bank(tmp_path).keeping_last_good(before)
    assert {q.key: q.path for q in now.questions} == {"c/Q-9": "c/Q-A.md", "c/Q-B/Q-9": "c/Q-B.md"}
    assert now.get("c/Q-9") is before.get("c/Q-9")
    assert now.kept == {"c/Q-A.md": ("c/Q-9",)}
    # a question that is new under the key of a broken file's question: nothing is kept
    write(tmp_path, "d/Q-1.md", structured("Q-1", "Old?", ["a", "b"], "A"))
    prev = load_bank(tmp_path)
    write(tmp_path, "d/Q-1.md", structured("Q-1", "Old?", ["a"], "A"))
    write(tmp_path, "d/Q-0.md", structured("Q-1", "Its new home, reworded?", ["a", "b"], "A"))
    moved = load_bank(tmp_path).keeping_last_good(prev)
    assert moved.get("d/Q-1").path == "d/Q-0.md" and "d/Q-1.md" not in moved.kept  # type: ignore[union-attr]


def test_nothing_is_kept_for_deleted_files_or_questions_served_by_a_copy(tmp_path: Path) -> None:
    write(tmp_path, "b/Q-1.md", structured("Q-1", STEM, ["a checkpoint", "a trigger"], "A"))
    write(tmp_path, "by-topic/x/Q-1.md", structured("Q-1", STEM, ["a checkpoint", "a trigger"], "A"))
    write(tmp_path, "b/Q-2.md", structured("Q-2", "Second?", ["a", "b"], "B"))
    before = load_bank(tmp_path)
    assert before.get("b/Q-1").also_in == ("by-topic/x/Q-1.md",)  # type: ignore[union-attr]
    write(tmp_path, "b/Q-1.md", structured("Q-1", STEM, ["a checkpoint"], "A"))  # broken
    (tmp_path / "b" / "Q-2.md").unlink()  # deleted
    now = load_bank(tmp_path).keeping_last_good(before)
    assert [q.key for q in now.questions] == ["by-topic/x/Q-1"]
    assert now.kept == {}
    assert Bank().keeping_last_good(before).questions == []
