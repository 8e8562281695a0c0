"""The seed Q-104, double-encoded as it reached us, reads exactly; the shipped copy is clean.

The seed is the users' file, read in place from ../shared (the `seed_path` fixture): these tests
fail in CI when it is missing and skip elsewhere. The same repair on our own text is tested in
tests/bank/test_repair_in_bank.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.bank import load_bank, mojibake
from bot.bank.parse import read_file
from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "questions" / "community" / "Q-104.md"

SECTIONS = [
    ("review", "", "題目回顧"),
    ("concepts", "📍", "考點識別"),
    ("correct", "✅", "正解說明"),
    ("wrong_options", "❌", "錯誤選項排除"),
    ("mnemonic", "🧠", "記憶法"),
    ("references", "📚", "官方文件與參考資源"),
    ("notes", "💡", "補充說明"),
    ("exam_tips", "🎯", "考試技巧"),
]


def _check_q104(q) -> None:  # type: ignore[no-untyped-def]
    assert q.id == "Q-104"
    assert q.source == "Mock Exam / Community Contributed"
    assert q.difficulty == "L1-Basic"
    assert q.stem.startswith(
        "The Databricks CLI is used to trigger a run of an existing job by passing the `job_id`"
    )
    assert q.stem.endswith("Which statement describes what the number alongside this field represents?")
    assert q.options == {
        "A": "The job_id and number of times the job has been run are concatenated and returned.",
        "B": "The total number of jobs that have been run in the workspace.",
        "C": "The number of times the job definition has been run in this workspace.",
        "D": "The job_id is returned in this field.",
        "E": "The globally unique ID of the newly triggered run.",
    }
    assert q.answer == ("E",)
    assert q.source_answer == "E"
    assert q.community_answer == "E (100%)"
    assert not q.disputed
    assert q.topics == ("Jobs", "CLI", "Automation")
    assert q.traps == ("ID-Type-Confusion", "Scope-Misunderstanding")
    assert q.domain == "Data Engineering / Operations & Automation"
    assert [(s.key, s.emoji, s.heading) for s in q.sections] == SECTIONS
    assert [s.heading for s in q.section("wrong_options").subsections] == [
        '選項 A - "The job_id and number of times the job has been run are concatenated and returned"',
        '選項 B - "The total number of jobs that have been run in the workspace"',
        '選項 C - "The number of times the job definition has been run in this workspace"',
        '選項 D - "The job_id is returned in this field"',
    ]
    assert sorted(q.rationales) == ["A", "B", "C", "D", "E"]
    assert "`run_id` 不是 `job_id` 的組合或衍生" in q.rationales["A"]
    assert "`run_id` 不是「總執行次數」的計數器" in q.rationales["B"]
    assert "number_in_job" in q.rationales["C"]
    assert q.rationales["D"]
    assert [r.url for r in q.references][:1] == ["https://docs.databricks.com/api/workspace/jobs/runnow"]


def test_seed_as_it_reached_us_parses_exactly(seed_path: Path) -> None:
    (q,), fixed = read_file(seed_path, "seed/Q-104.md")
    assert fixed is not None and fixed[0] == 434  # characters rebuilt from dropped bytes
    _check_q104(q)
    text = "\n".join([q.stem, *q.options.values(), *(s.heading + s.body for s in q.sections)])
    assert "\ufffd" not in text
    assert not mojibake.needs_repair(text)


def test_shipped_seed_is_clean_and_complete() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert not mojibake.needs_repair(text)
    assert "\ufffd" not in text
    bank = load_bank(ROOT / "questions")
    q = bank.get("community/Q-104")
    assert q is not None
    _check_q104(q)
    assert bank.errors == [] and not bank.repaired


def test_bank_check_reports_the_repair(
    seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(seed_path, tmp_path / "Q-104.md")
    assert main(["bank", "check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Q-104.md:1: warning: encoding repaired: 434 characters rebuilt, 48 uncertain" in out
    assert "repaired encoding: 1" in out


def test_bank_repair_shows_a_diff_and_writes_with_a_backup(
    seed_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "Q-104.md"
    shutil.copy(seed_path, target)
    assert main(["bank", "repair", str(target)]) == 0
    out = capsys.readouterr().out
    assert "+### 來源" in out and "-### ä¾†æº" in out
    assert "434 characters rebuilt, 48 uncertain" in out
    assert target.read_bytes() == seed_path.read_bytes()  # no --write: nothing changed
    assert main(["bank", "repair", "--write", str(target)]) == 0
    assert (tmp_path / "Q-104.md.bak").read_bytes() == seed_path.read_bytes()
    assert not mojibake.needs_repair(target.read_text(encoding="utf-8"))
    assert main(["bank", "repair", str(target)]) == 0
    assert "clean, nothing to repair" in capsys.readouterr().out
