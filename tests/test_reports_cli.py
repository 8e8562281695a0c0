"""`quizbot reports export` and `quizbot bank check --reports` in-process (bot/reports_cli.py): a bank
folder of our test bank, reports stored through the `Store`, and the errors a user can make.
The Git side (each report's commit) is in tests/e2e/test_reports_git.py."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import open_store
from tests.helpers import TEST_BANK

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
T0 = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


async def _seed(path: Path) -> None:
    async with await open_store(path) as s:
        await s.add_report(G1, "raw/Q-031", 7, "unclear", "Typo in B.", display_name="bob", now=T0)
        await s.add_report(G1, "gone/Q-404", 8, "outdated", "Old API.", display_name="mei", now=T0)
        await s.add_report(G1, "by-order_a/Q-205", 8, "wrong_answer", "+1 for B", display_name="mei", now=T0)
        await s.add_report(G2, "raw/Q-031", 9, "other", "Elsewhere.", display_name="cam", now=T0)
        await s.add_report(G1, "yaml/Y-301", 7, "other", "fixed already", now=T0 - timedelta(days=1))
        await s.resolve_reports(G1, "yaml/Y-301", resolved_by=1, reply="Fixed.")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DATABASE_PATH with reports, QUESTIONS_DIR a copy of the test bank; the database."""
    db = tmp_path / "quizbot.sqlite3"
    asyncio.run(_seed(db))
    bank = tmp_path / "questions"
    shutil.copytree(TEST_BANK, bank)
    monkeypatch.chdir(tmp_path)  # no .env from the work tree
    monkeypatch.setenv("DATABASE_PATH", str(db))
    monkeypatch.setenv("QUESTIONS_DIR", str(bank))
    monkeypatch.delenv("QUESTIONS_GIT", raising=False)
    return db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_markdown_groups_by_file_and_line_with_gone_questions_last(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "reports", "export", "--guild", str(G1))
    assert code == 0 and err == ""
    assert out.startswith("# Open reports: 3 on 3 question(s)")  # G1's open ones (Y-301 is resolved)
    heads = [line for line in out.splitlines() if line.startswith("#")]
    assert heads[1:] == [
        "## `by-order_a/sample_1.md`",
        "### line 42 · Q-205 (`by-order_a/Q-205`) · 1 member(s)",
        "## `raw/Q-031.md`",
        "### line 1 · Q-031 (`raw/Q-031`) · 1 member(s)",
        "## Not in the bank any more",
        "### Q-404 (`gone/Q-404`) · 1 member(s)",
    ]
    assert "- [ ] **Unclear or typo** · bob (7) · server 111111111111111111 · 2030-03-01 09:00 UTC" in out
    assert "Elsewhere." not in out  # the other server's
    code, out, _ = run(capsys, "reports", "export")
    assert out.startswith("# Open reports: 4 on 3 question(s)") and "Elsewhere." in out


def test_csv_neutralises_formulas_and_writes_a_bom_to_files(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.csv"
    code, out, _ = run(
        capsys, "reports", "export", "--format", "csv", "--guild", str(G1), "--output", str(target)
    )
    assert code == 0 and out == ""
    rows = target.read_bytes().decode("utf-8-sig").splitlines()
    assert rows[0] == (
        "path,line,question_id,question_key,guild_id,report_id,created_at,kind,member,user_id,bank_commit,note"
    )
    assert rows[1].startswith("by-order_a/sample_1.md,42,Q-205,by-order_a/Q-205,111111111111111111,")
    assert rows[1].endswith(",wrong_answer,mei,8,,'+1 for B")
    assert rows[3].startswith(",,Q-404,gone/Q-404,")


def test_bank_check_prints_reports_beside_the_files_problems(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "bank", "check", "--reports", "--guild", str(G1))
    assert code == 0  # reports are not errors
    lines = out.splitlines()
    assert (
        lines[0]
        == "by-order_a/sample_1.md:42: report: Wrong answer by mei (8), 2030-03-01 09:00 UTC: +1 for B"
    )
    assert lines[1].startswith("raw/Q-031.md:1: report: Unclear or typo by bob (7)")
    assert lines[2].startswith("(not in the bank) gone/Q-404:0: report: Outdated by mei (8)")
    assert "  open reports: 3 on 3 question(s) (1 not in the bank any more)" in out
    code, out, _ = run(capsys, "bank", "check")
    assert ": report:" not in out and "open reports" not in out  # only when asked


def test_mistakes_get_one_line_and_exit_2(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "reports")
    assert code == 2 and "export" in out  # the usage
    code, _, err = run(capsys, "reports", "export", "--guild", "abc")
    assert code == 2 and "must be a Discord id" in err
    code, _, err = run(capsys, "reports", "export", "--format", "pdf")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "reports", "export", "--output", str(tmp_path / "no/such/dir/x.md"))
    assert code == 2 and err.startswith("quizbot: cannot write")
    code, _, err = run(capsys, "reports", "export", "--guild", "333333333333333333")
    assert code == 0 and "no open report in guild 333333333333333333" in err
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "missing.sqlite3"))
    code, out, err = run(capsys, "reports", "export")
    assert (code, out) == (
        2,
        "",
    ) and err == f"quizbot: database not found: {tmp_path / 'missing.sqlite3'} (set DATABASE_PATH)\n"
    code, _, err = run(capsys, "bank", "check", "--reports")
    assert code == 2 and "database not found" in err
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database at all" * 100)
    monkeypatch.setenv("DATABASE_PATH", str(broken))
    code, _, err = run(capsys, "reports", "export")
    assert code == 2 and err.startswith(f"quizbot: cannot read {broken}:") and len(err.splitlines()) == 1
