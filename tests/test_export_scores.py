"""`quizbot export-scores` against a real SQLite file written by Storage."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import Storage

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
CH = 333_333_333_333_333_333
U = 444_444_444_444_444_400
ROOT = Path(__file__).resolve().parents[1]


async def _seed(path: Path) -> None:
    async with await Storage.open(path) as s:
        dailies = [await s.create_post(G1, CH, "starter/Q-001", "daily", "D") for _ in range(3)]
        answers = [
            (U + 1, "美玲", "DDD"),  # 30 points, 3 of 3
            (U + 2, '=HYPERLINK("x")', "DDA"),  # 20 points: a formula must not survive into the CSV
            (U + 3, "cy", "DAD"),  # 20 points
            (U + 4, None, "A"),  # 0 points, no stored name
        ]
        for user, name, letters in answers:
            for post, letter in zip(dailies, letters, strict=False):
                await s.record_answer(G1, post.post_id, user, letter, display_name=name)
        other = await s.create_post(G2, CH, "starter/Q-001", "daily", "D")
        await s.record_answer(G2, other.post_id, U + 9, "D", display_name="Other Olga")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "quiz.sqlite3"
    asyncio.run(_seed(path))
    monkeypatch.chdir(tmp_path)  # no .env from the work tree
    monkeypatch.setenv("DATABASE_PATH", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["export-scores", *args])
    except SystemExit as exc:  # argparse errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_to_stdout(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--guild", str(G1), "--format", "csv")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "rank", "user_id", "display_name", "points", "answers", "correct", "accuracy",
        "current_streak", "best_streak", "period",
    ]  # fmt: skip
    assert [(r["rank"], r["user_id"], r["display_name"], r["points"]) for r in rows] == [
        ("1", str(U + 1), "美玲", "30"),
        ("2", str(U + 2), '\'=HYPERLINK("x")', "20"),
        ("2", str(U + 3), "cy", "20"),
        ("4", str(U + 4), "", "0"),
    ]
    # always 4 decimals in CSV, as /quizadmin export writes it (bot.core.export)
    assert rows[0]["accuracy"] == "1.0000" and rows[2]["accuracy"] == "0.6667"
    assert (rows[0]["current_streak"], rows[0]["best_streak"], rows[0]["period"]) == ("3", "3", "all")
    assert (rows[2]["current_streak"], rows[2]["best_streak"]) == ("1", "1")
    assert "Other Olga" not in out and str(U + 9) not in out


def test_json_to_a_file_for_this_week(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "scores.json"
    code, out, err = run(
        capsys, "--guild", str(G1), "--format", "json", "--period", "week", "--output", str(target)
    )
    assert (code, out, err) == (0, "", "")
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["guild_id"] == str(G1) and doc["period"].startswith("week:")
    assert [m["display_name"] for m in doc["members"]] == ["美玲", '=HYPERLINK("x")', "cy", None]
    first = doc["members"][0]
    assert first == {
        "rank": 1,
        "user_id": str(U + 1),
        "display_name": "美玲",
        "points": 30,
        "answers": 3,
        "correct": 3,
        "accuracy": 1.0,
        "current_streak": 3,
        "best_streak": 3,
        "period": doc["period"],
    }


def test_csv_file_has_a_bom_for_spreadsheets(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "scores.csv"
    assert run(capsys, "--guild", str(G2), "--format", "csv", "--output", str(target))[0] == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["display_name"] for r in rows] == ["Other Olga"]


def test_a_guild_without_scores_gets_the_header_and_a_note(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--guild", "999999999999999999", "--format", "csv", "--period", "month")
    assert code == 0
    assert out.splitlines() == [
        "rank,user_id,display_name,points,answers,correct,accuracy,current_streak,best_streak,period"
    ]
    assert err.startswith("quizbot: no scores for guild 999999999999999999 (month:") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--guild", str(G1), "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["--guild", "12ab", "--format", "csv"], "argument --guild: must be a Discord id"),
        (["--guild", str(G1), "--format", "csv", "--period", "year"], "argument --period: invalid choice"),
        (["--format", "csv"], "the following arguments are required: --guild"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    db: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("quizbot export-scores: ") and expected in err and err.count("\n") == 1


def test_missing_or_broken_database_is_one_line_and_exit_2(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope" / "quiz.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(missing))
    code, out, err = run(capsys, "--guild", str(G1), "--format", "csv")
    assert (code, out) == (2, "") and err == f"quizbot: database not found: {missing} (set DATABASE_PATH)\n"
    assert not missing.parent.exists()  # nothing created

    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("DATABASE_PATH", str(broken))
    code, out, err = run(capsys, "--guild", str(G1), "--format", "json")
    assert (
        (code, out) == (2, "") and err.startswith(f"quizbot: cannot read {broken}: ") and err.count("\n") == 1
    )

    monkeypatch.setenv("DATABASE_PATH", str(db))
    code, out, err = run(
        capsys, "--guild", str(G1), "--format", "csv", "--output", str(tmp_path / "no" / "x.csv")
    )
    assert code == 2 and err.startswith("quizbot: cannot write ") and err.count("\n") == 1


def test_the_installed_command_runs(db: Path) -> None:
    env = {**os.environ, "DATABASE_PATH": str(db), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "export-scores", "--guild", str(G1), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=db.parent,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["members"][0]["display_name"] == "美玲"
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "export-scores", "--guild", str(G1)],
        capture_output=True,
        text=True,
        env=env,
        cwd=db.parent,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
