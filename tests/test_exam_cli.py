"""The terminal side of mock exams: `quizbot exam`, `quizbot practice --section` and
`quizbot bank check --exam`, driven in-process with scripted input and an injected clock."""

from __future__ import annotations

import io
import os
import random
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.bank import load_bank
from bot.cli import build_parser, main
from bot.core.exam import ExamItem
from bot.exam_cli import ExamSession, TimeUp, alarm_at, run_exam
from bot.practice_views import PlainScreen
from tests.helpers import CHOOSE2, Clock, practice, question_yaml

MINI = """\
name: Mini exam
name_zh: 迷你模擬考
questions: 4
minutes: 10
sections:
  - {key: spark, name: Spark, name_zh: Spark 運算, weight: 50, topics: [Spark]}
  - {key: delta, name: Delta Lake, weight: 25, topics: [Delta]}
  - {key: jobs, name: Jobs, weight: 25, topics: [Jobs]}
"""
#: question number -> its right answer as typed (3 is answered wrong on purpose: A, not B)
RIGHT = {1: "a", 2: "d a", 3: "b", 4: "c"}
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "questions"
    (root / "b1").mkdir(parents=True)
    (root / "exams").mkdir()
    files = {
        "b1/Q-001.yaml": question_yaml(1, "A", "Spark"),
        "b1/Q-002.yaml": question_yaml(2, "[A, D]", "Spark"),  # choose 2
        "b1/Q-003.yaml": question_yaml(3, "B", "Delta-Lake"),
        "b1/Q-004.yaml": question_yaml(4, "C", "Jobs"),
        "b1/Q-005.yaml": question_yaml(5, "A", "Kafka"),  # in no section of the mini exam
        "exams/mini.yaml": MINI,
    }
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    return root


Step = str | Callable[[str], str]


class Typist:
    """Input for a session: each line a fixed text, or a function of what the screen shows so far."""

    def __init__(self, steps: list[Step], screen: io.StringIO) -> None:
        self.steps = list(steps)
        self.screen = screen

    def readline(self) -> str:
        if not self.steps:
            return ""
        step = self.steps.pop(0)
        return (step(self.screen.getvalue()) if callable(step) else step) + "\n"


def shown(screen: str) -> int:
    """The number of the question shown last."""
    return int(re.findall(r"Daily question number (\d+)", screen)[-1])


def drawn_numbers(out: str) -> set[int]:
    """The questions of an exam submitted unanswered (all of them are in the missed list)."""
    return {int(n) for n in re.findall(r"Q-00(\d) \(b1/Q-00\d\)", out.partition("Missed")[2])}


def answer(screen: str) -> str:
    """Right, except for question 3 (A instead of B)."""
    n = shown(screen)
    return "a" if n == 3 else RIGHT[n]


def exam(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    steps: list[Step],
    *args: str,
    clock: Callable[[], datetime] | None = None,
    seed: int = 7,
) -> tuple[int, str, str]:
    """`quizbot exam ARGS` in-process: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "quizbot.sqlite3"))
    monkeypatch.setenv("QUESTIONS_DIR", str(tmp_path / "questions"))
    parsed = build_parser().parse_args(["exam", *args])
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    code = run_exam(
        parsed, inp=Typist(steps, out), out=out, clock=clock or Clock(T0), rng=random.Random(seed)
    )
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------------------------------ quizbot exam


def test_an_exam_answered_navigated_flagged_and_submitted(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[Step] = [
        answer,  # question 1 of 4 -> shows 2
        "m",  # flag 2
        answer,  # -> 3
        "p",  # back to 2: answered, flagged
        "x",  # clear it
        "l",  # the list: 1 answered, 2 flagged and empty
        answer,  # answer 2 again -> 3
        answer,  # -> 4
        answer,  # the last one
        "9",
        "s",
        "n",  # not yet
        "s",
        "y",
    ]
    code, out, err = exam(tmp_path, monkeypatch, steps, "--blueprint", "mini")
    assert code == 0, err
    before, _, result = out.partition("Result:")
    assert "Mock exam: Mini exam · 4 questions · 10 minutes" in before
    assert "Question 1 of 4 · " in before and "Question 4 of 4 · " in before
    assert "Not answered · ⚑ flagged" in before  # 2 after x
    assert re.search(r">  2 ·⚑", before) and re.search(r"   1 ✓ ", before)  # the list
    assert "There is no question 9: type 1–4." in before
    assert "Not submitted: go on." in before and "4 of 4 answered, 1 flagged. Submit now?" in before
    assert "Choose 2" in before  # the choose-2 question says so
    assert "right:" not in before and "Right" not in before and "✅" not in before  # no feedback before
    assert " 3/4 (75%) · pass mark 70% (estimated): passed" in result
    assert "Databricks does not publish the pass mark: 70% is the usual estimate." in result
    assert "Time used: 0:00 of 10:00" in result and "time ran out" not in result
    assert re.search(r"Spark\s+██████████  100%  2/2  · weight 50%", result)
    assert re.search(r"Delta Lake\s+░░░░░░░░░░    0%  0/1  · weight 25%", result)
    assert "Weakest: Delta Lake (0%), Spark (100%), Jobs (100%)" in result
    assert re.search(r"Missed \(1\):\n  #\d\s+ Q-003 \(b1/Q-003\) · Delta Lake · you: A · right: B", result)


def test_choose_2_is_graded_on_the_exact_pair(tmp_path: Path) -> None:
    (tmp_path / "Q-023.md").write_text(CHOOSE2, encoding="utf-8")  # the raw format: A and D
    bank = load_bank(tmp_path)
    q = bank.questions[0]
    bp = bank.blueprints[0]
    items = [ExamItem(0, q.key, bp.sections[0].key, "AD", "ABCD")]
    out = io.StringIO()
    session = ExamSession(
        bp,
        items,
        {q.key: q},
        deadline=T0 + timedelta(minutes=5),
        clock=Clock(T0),
        inp=Typist(["a", "a,b", "d a", "s", "y"], out),
        screen=PlainScreen(out),
    )
    outcome = session.run()
    assert outcome is not None
    answered, submitted_at, auto = outcome
    assert [i.chosen for i in answered] == ["AD"] and answered[0].is_correct
    assert (submitted_at, auto) == (T0, False)
    text = out.getvalue()
    assert "Choose 2 different letters." in text and "(choose 2)" in text
    assert "Your answer: A, D" in text


def test_the_time_limit_submits_and_a_late_answer_does_not_count(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(T0)

    def late(screen: str) -> str:
        clock.set(T0 + timedelta(minutes=10, seconds=1))  # typed after the limit
        return answer(screen)

    code, out, _ = exam(tmp_path, monkeypatch, [answer, late, answer], "--blueprint", "mini", clock=clock)
    assert code == 0
    assert "Time is up: the exam is submitted with the answers given in time." in out
    assert " 1/4 (25%) · pass mark 70% (estimated): not passed" in out
    assert "Time used: 10:00 of 10:00 · submitted when time ran out" in out
    assert len(re.findall(r"you: — \(not answered\)", out)) == 3  # the late one too


def test_the_time_left_is_shown_and_counts_down(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(T0)

    def later(text: str) -> str:
        clock.set(T0 + timedelta(minutes=7, seconds=30))
        return text

    code, out, _ = exam(tmp_path, monkeypatch, [lambda s: later("n")], "--blueprint", "mini", clock=clock)
    assert code == 0
    assert "0/4 answered · 0 flagged · 10:00 left" in out and "0/4 answered · 0 flagged · 2:30 left" in out
    assert "Input ended: the exam is submitted." in out and "Time used: 7:30 of 10:00" in out


def test_quitting_leaves_no_result(bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = exam(tmp_path, monkeypatch, ["q", "n", "q", "y"], "--blueprint", "mini")
    assert code == 0
    assert "Go on." in out and "No result: the exam was left." in out and "Result:" not in out


def test_fewer_questions_take_proportional_time_and_zh_names(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = exam(
        tmp_path, monkeypatch, [], "--blueprint", "迷你模擬考", "--questions", "2", "--lang", "zh-TW"
    )
    assert code == 0
    assert "Mock exam: 迷你模擬考 · 2 questions · 5 minutes" in out
    assert "Spark 運算" in out  # 2 questions: one of them Spark's (weight 50)
    code, out, _ = exam(
        tmp_path, monkeypatch, [], "--blueprint", "mini", "--questions", "9", "--minutes", "3"
    )
    assert (
        "4 questions · 3 minutes" in out
        and "The bank has only 4 questions in this blueprint's sections." in out
    )


def test_questions_answered_in_practice_are_drawn_last(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ann practises one of the two Spark questions (--section: the pool the exam draws Spark from)
    code, out, err = practice(
        tmp_path, monkeypatch, "a d\na\n", "--section", "mini:spark", "--user", "ann", "--count", "1"
    )
    assert code == 0 and "1 answered" in out, err
    practised = shown(out)
    # an exam of 2 questions has one Spark question: always the one she has not seen
    for seed in range(6):
        code, out, _ = exam(
            tmp_path, monkeypatch, [], "--blueprint", "mini", "--questions", "2", "--user", "ann", seed=seed
        )
        assert code == 0
        spark = drawn_numbers(out) & {1, 2}
        assert spark == {3 - practised}
    # bob has seen nothing: across seeds he gets either
    drawn = set()
    for seed in range(12):
        _, out, _ = exam(
            tmp_path, monkeypatch, [], "--blueprint", "mini", "--questions", "2", "--user", "bob", seed=seed
        )
        drawn |= drawn_numbers(out) & {1, 2}
    assert drawn == {1, 2}


def test_exam_problems_are_one_line(bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = exam(tmp_path, monkeypatch, [], "--blueprint", "nope")
    assert (
        code == 2
        and err.strip()
        == "quizbot: there is no exam blueprint 'nope'; this bank has: mini, professional, associate, study-plan"
    )
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["exam", "--questions", "0"])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["exam", "--minutes", "601"])


def test_the_default_blueprint_is_the_bank_s_own(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = exam(tmp_path, monkeypatch, [])
    assert code == 0 and "Mock exam: Mini exam" in out


@pytest.mark.skipif(
    not hasattr(__import__("signal"), "setitimer"), reason="no interval timer on this platform"
)
def test_the_alarm_ends_a_wait_for_input() -> None:
    """In a terminal the time limit interrupts the wait for a line (the exam then submits)."""
    import signal

    before = signal.getsignal(signal.SIGALRM)
    read_end, write_end = os.pipe()
    try:
        now = datetime.now(UTC)
        with pytest.raises(TimeUp), alarm_at(now + timedelta(milliseconds=50), lambda: now):
            os.read(read_end, 1)  # nothing is ever written: only the alarm ends this
    finally:
        os.close(read_end)
        os.close(write_end)
    assert signal.getsignal(signal.SIGALRM) == before


# ------------------------------------------------------------------------------------------ practice --section


def test_practice_section(bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = practice(tmp_path, monkeypatch, "c\n\n", "--section", "mini:jobs", "--count", "5")
    assert code == 0, err
    assert "1 question of 1" in out and "Daily question number 4" in out and "1 answered, 1 right" in out
    code, out, _ = practice(tmp_path, monkeypatch, "", "--section", "Delta Lake", "--count", "1")
    assert code == 0 and "Daily question number 3" in out  # a bare name: the default (the bank's own)
    code, _, err = practice(tmp_path, monkeypatch, "", "--section", "professional:governance")
    assert code == 2 and err.strip() == "quizbot: no question matches these filters"
    code, _, err = practice(tmp_path, monkeypatch, "", "--section", "nope")
    assert (
        code == 2
        and err.strip()
        == "quizbot: there is no exam section 'nope'; try one of: mini:spark, mini:delta, mini:jobs"
    )


# ------------------------------------------------------------------------------------------ bank check --exam


def test_bank_check_exam(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "check", str(bank), "--exam", "mini"]) == 0
    out = capsys.readouterr().out
    report = out[out.index("Exam blueprint mini") :]
    assert report.splitlines()[:2] == [
        "Exam blueprint mini: Mini exam (exams/mini.yaml)",
        "  4 questions, 10 minutes, pass mark 70% (an estimate: Databricks does not publish the pass mark)",
    ]
    assert re.search(r"\n    spark    50%      2    2  Spark\n", report)
    assert re.search(r"\n    delta    25%      1    1  Delta Lake\n", report)
    assert "placed: 4 of 5 questions (80%)" in report
    assert "in no section: 1\n    b1/Q-005 (b1/Q-005.yaml:1) · Kafka" in report
    assert "too small for a full exam of 4: none" in report
    assert "exam blueprints: mini (exams/mini.yaml), professional (built-in)" in out


def test_bank_check_exam_lists_sections_too_small(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "exams" / "mini.yaml").write_text(MINI.replace("questions: 4", "questions: 12"), encoding="utf-8")
    assert main(["bank", "check", str(bank), "--exam", "Mini exam"]) == 0
    report = capsys.readouterr().out.partition("Exam blueprint mini")[2]
    # 12 questions: spark 6 (has 2), delta 3 (has 1), jobs 3 (has 1)
    assert re.search(r"\n    spark    50%      2    6  Spark  ← too small: 2 of 6\n", report)
    assert "too small for a full exam of 12: spark (2 of 6), delta (1 of 3), jobs (1 of 3)" in report


def test_bank_check_exam_of_a_built_in_one_names_what_matches_nothing(
    bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bank", "check", str(bank), "--exam", "study-plan"]) == 0
    report = capsys.readouterr().out.partition("Exam blueprint study-plan")[2]
    assert "placed: 5 of 5 questions (100%)" in report  # Kafka is an ingestion tag of the study plan
    assert "topic entries that no question's tag matches: " in report
    assert (
        "folders with no question file under them: by-topic/01-核心開發與轉換-32pct (core-development)"
        in report
    )


def test_bank_check_unknown_exam(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "check", str(bank), "--exam", "nope"]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "quizbot: no exam blueprint 'nope'; this bank has: mini, professional, associate, study-plan"
    )


def test_a_broken_blueprint_fails_the_check(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (bank / "exams" / "mini.yaml").write_text(
        MINI.replace("weight: 25, topics: [Jobs]", "weight: 20, topics: [Jobs]")
    )
    assert main(["bank", "check", str(bank)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "exams/mini.yaml:5: the section weights sum to 95, not 100 (within 0.5); blueprint not loaded"
    )
