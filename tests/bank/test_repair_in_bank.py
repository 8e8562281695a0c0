"""load_bank repairs a double-encoded file with what the bank's clean files teach; `quizbot bank
check` and `bank repair` on such a file. The broken files are made here from our own text
(tests.helpers.corrupt); the seed as it reached us is tests/bank/test_seed.py's."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.bank import load_bank, mojibake
from bot.bank.parse import read_file
from bot.cli import main
from tests.helpers import MOJIBAKE_SOURCE, TEST_BANK, corrupt, lost_bytes, mojibake_copy


def question(n: int, notes: str) -> str:
    return f"""# Question #{n}

## 題目資訊

### 題目編號
**ID:** `Q-{n:03d}`

## 題目內容

### 題幹

Question {n}: where is the identifier number {n} unique?

### 選項

- **A.** In job {n}
- **B.** In workspace {n}
- **C.** In cluster {n}

## 標籤系統
**Topics:** `Jobs`

## 答案與來源
**正解:** `B`

# 題目解析

## 📍 考點識別
{notes}
## ✅ 正解說明
B 正確。
"""


# Our own notes. The shipped word model alone rebuilds 中 as 不, 小 as 對, 低 as 位 here.
CLEAN_NOTES = [
    "- job_id 在 Workspace 中唯一，run_id 也在 Workspace 中唯一。\n- 在 Notebook 中安裝套件用 %pip。\n",
    "- 排名函數回傳小數，由高到低排序。\n- 在 notebook 中顯示串流結果用 display()。\n",
]
DAMAGED_NOTES = "- `run_id` 在整個 Workspace 中唯一\n- 回傳 0 到 1 之間的小數\n- 由高到低排序\n"


def make_bank(root: Path) -> Path:
    for n, notes in enumerate(CLEAN_NOTES, start=1):
        (root / f"Q-{n:03d}.md").write_text(question(n, notes), encoding="utf-8")
    damaged = root / "Q-003.md"
    damaged.write_text(corrupt(question(3, DAMAGED_NOTES), "cp1254"), encoding="utf-8")
    return damaged


def concepts(q) -> str:  # type: ignore[no-untyped-def]
    return q.section("concepts").body


def test_the_damaged_file_is_repaired_with_the_bank_s_vocabulary(tmp_path: Path) -> None:
    damaged = make_bank(tmp_path)
    # Alone (no bank around it) the file comes back with the word model's mistakes.
    (alone,), fixed = read_file(damaged, "Q-003.md")
    assert fixed is not None and fixed[0] > 0
    assert DAMAGED_NOTES.strip() not in concepts(alone)

    bank = load_bank(tmp_path)
    assert bank.errors == []
    assert sorted(bank.repaired) == ["Q-003.md"]
    q = bank.get("Q-003")
    assert q is not None
    assert DAMAGED_NOTES.strip() in concepts(q)
    assert bank.repaired["Q-003.md"][0] == fixed[0]  # the same characters rebuilt, better chosen


def test_worker_processes_leave_the_repair_to_the_bank(tmp_path: Path) -> None:
    make_bank(tmp_path)
    one = load_bank(tmp_path, workers=1)
    two = load_bank(tmp_path, workers=2)
    assert two.questions == one.questions
    assert two.repaired == one.repaired
    assert [str(p) for p in two.problems] == [str(p) for p in one.problems]


def test_a_clean_bank_learns_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n, notes in enumerate(CLEAN_NOTES, start=1):
        (tmp_path / f"Q-{n:03d}.md").write_text(question(n, notes), encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a vocabulary was learned for a bank with no damaged file")

    monkeypatch.setattr(mojibake.Vocabulary, "learn", refuse)
    bank = load_bank(tmp_path)
    assert len(bank.questions) == 2 and not bank.repaired


def test_a_bank_of_only_damaged_files_is_still_repaired(tmp_path: Path) -> None:
    damaged = make_bank(tmp_path)
    for n in (1, 2):
        (tmp_path / f"Q-{n:03d}.md").unlink()
    (alone,), _ = read_file(damaged, "Q-003.md")
    bank = load_bank(tmp_path)
    q = bank.get("Q-003")
    assert q is not None and sorted(bank.repaired) == ["Q-003.md"]
    assert q == alone  # nothing to learn from: the shipped model's repair


def test_a_clean_file_that_vanishes_before_the_repair_is_not_learned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    make_bank(tmp_path)
    learned: list[int] = []
    real_learn = mojibake.Vocabulary.learn

    def learn(self: mojibake.Vocabulary, texts):  # type: ignore[no-untyped-def]
        (tmp_path / "Q-001.md").unlink(missing_ok=True)  # gone between the read and the learning
        texts = list(texts)
        learned.append(len(texts))
        return real_learn(self, texts)

    monkeypatch.setattr(mojibake.Vocabulary, "learn", learn)
    bank = load_bank(tmp_path)
    assert learned == [1]
    assert "not learning from Q-001.md" in caplog.text
    assert bank.get("Q-003") is not None and sorted(bank.repaired) == ["Q-003.md"]


# ------------------------------------------------------------------------------------------ the test bank


@pytest.mark.parametrize("codepage", ["cp1254", "cp1252"])
def test_a_double_encoded_copy_of_a_test_bank_question_loads_as_the_clean_one(
    tmp_path: Path, codepage: str
) -> None:
    broken, clean = mojibake_copy(tmp_path / "bank", codepage)
    text = broken.read_text(encoding="utf-8")
    assert mojibake.needs_repair(text) and "題目資訊" not in text
    bank = load_bank(tmp_path / "bank")
    assert bank.errors == []
    lost = sum(lost_bytes(c, codepage) for c in clean)
    assert list(bank.repaired) == [MOJIBAKE_SOURCE] and bank.repaired[MOJIBAKE_SOURCE][0] == lost
    q, want = bank.get("by-order_a/Q-201"), load_bank(TEST_BANK).get("by-order_a/Q-201")
    assert q is not None and want is not None
    # what the reader takes from the structure comes back exactly: the template's headings and
    # fields, the English stem and options, and the copies found by content
    assert (q.stem, q.options, q.answer, q.topics, q.traps, q.difficulty, q.domain) == (
        want.stem,
        want.options,
        want.answer,
        want.topics,
        want.traps,
        want.difficulty,
        want.domain,
    )
    assert [(s.key, s.heading) for s in q.sections] == [(s.key, s.heading) for s in want.sections]
    assert sorted(q.rationales) == sorted(want.rationales)
    assert q.also_in == want.also_in and q.community_answer == want.community_answer


def test_bank_check_and_repair_on_a_double_encoded_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken, clean = mojibake_copy(tmp_path / "bank")
    before = broken.read_bytes()
    lost = sum(lost_bytes(c, "cp1254") for c in clean)
    assert main(["bank", "check", str(tmp_path / "bank")]) == 0
    out = capsys.readouterr().out
    assert f"{MOJIBAKE_SOURCE}:1: warning: encoding repaired: {lost} characters rebuilt" in out
    assert "repaired encoding: 1" in out

    assert main(["bank", "repair", str(broken)]) == 0
    out = capsys.readouterr().out
    assert "+## 題目資訊" in out and "-## " + corrupt("題目資訊") in out
    assert f"{lost} characters rebuilt" in out
    assert broken.read_bytes() == before  # no --write: nothing changed
    assert main(["bank", "repair", "--write", str(broken)]) == 0
    assert broken.with_name(broken.name + ".bak").read_bytes() == before
    repaired = broken.read_text(encoding="utf-8")
    assert not mojibake.needs_repair(repaired) and len(repaired) == len(clean)
    capsys.readouterr()
    assert main(["bank", "repair", str(broken)]) == 0
    assert "clean, nothing to repair" in capsys.readouterr().out
