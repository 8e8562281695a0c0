"""`quizbot bank check|show|export` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.helpers import STRUCTURED, TEST_BANK

ROOT = Path(__file__).resolve().parents[2]


def _bank(tmp_path: Path, broken: bool = False) -> Path:
    (tmp_path / "b1").mkdir()
    (tmp_path / "b1" / "Q-007.md").write_text(STRUCTURED, encoding="utf-8")
    if broken:
        (tmp_path / "b1" / "Q-008.md").write_text(
            STRUCTURED.replace("**正解:** `B`", "**正解:** `F`"), encoding="utf-8"
        )
    (tmp_path / "notes.md").write_text("# Notes\n\nnothing here\n", encoding="utf-8")
    return tmp_path


def test_check_clean_bank(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "check", str(_bank(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "questions: 1 " in out
    assert "notes.md: not a question" in out
    assert "by topic: Delta-Lake 1, Streaming 1" in out


def test_check_reports_path_line_reason_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "check", str(_bank(tmp_path, broken=True))]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "b1/Q-008.md:36: answer F is not among the options ABCD"
    assert "errors: 1;" in out


def test_bank_alone_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank"]) == 2
    out = capsys.readouterr().out
    assert all(command in out for command in ("check", "show", "export", "repair"))


def test_check_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["bank", "check", str(tmp_path / "nope")])
    assert info.value.code == 2
    assert "questions folder not found" in capsys.readouterr().err


def test_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _bank(tmp_path)
    assert main(["bank", "show", "Q-007", "--dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "b1/Q-007" in out and "* B. second" in out and "Answer: B" in out
    assert main(["bank", "show", "Q-070", "--dir", str(root)]) == 1
    assert "Closest: Q-007" in capsys.readouterr().err


def test_export_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "export", "--format", "json", str(_bank(tmp_path))]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    for field in (
        "key",
        "id",
        "collection",
        "path",
        "also_in",
        "difficulty",
        "topics",
        "traps",
        "domain",
        "options",
        "answer",
        "source_answer",
        "community_answer",
        "disputed",
        "section_headings",
        "rationale_letters",
    ):
        assert field in record
    assert record["key"] == "b1/Q-007"
    assert record["path"] == "b1/Q-007.md"
    assert record["answer"] == ["B"]
    assert record["options"]["C"] == "`third`"
    assert record["section_headings"] == ["✅ 正解說明", "❌ 錯誤選項排除", "🎯 考試技巧"]
    assert record["rationale_letters"] == ["A", "B", "C", "D"]


def test_export_the_test_bank_as_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "bank", "export", "--format", "json", str(TEST_BANK)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)
    assert len(records) == 9
    by_key = {r["key"]: r for r in records}
    assert by_key["by-order_b/Q-204"]["answer"] == ["A", "B"]  # choose 2
    assert by_key["by-order_b/Q-204"]["disputed"] is True  # the community voted for another pair
    assert by_key["by-order_a/Q-201"]["also_in"] == ["by-order_a/sample_1.md", "by-topic/Delta-Lake/Q-201.md"]
    assert by_key["by-order_a/Q-203"]["path"] == "by-order_a/Ｑ-203.md"
    assert by_key["by-order_b/Q-201"]["answer"] == ["B"]  # the same id, another question


def test_shipped_questions_pass_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "check", str(ROOT / "questions")]) == 0, capsys.readouterr().out


def test_check_prints_file_names_with_their_control_characters_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named with an ESC sequence or a line break cannot paint the terminal or forge a line."""
    (tmp_path / "e\x1b[2J\x1b[31mred.yaml").write_text("id: [broken\n", encoding="utf-8")
    (tmp_path / "two\nQ-1.md:3: forged.yaml").write_text("stem: 1\n", encoding="utf-8")
    assert main(["bank", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "e\\x1b[2J\\x1b[31mred.yaml:" in out
    assert not any(line.startswith("Q-1.md:3") for line in out.splitlines())
    assert "two\\x0aQ-1.md:3: forged.yaml:" in out


def _apkg_notes(path: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(guid, key field, tags) of each note of an .apkg (Anki's SQLite collection in a zip)."""
    import sqlite3
    import zipfile

    with zipfile.ZipFile(path) as z:
        z.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        rows = conn.execute("SELECT guid, flds, tags FROM notes ORDER BY id").fetchall()
    finally:
        conn.close()
    return [(guid, flds.split("\x1f")[2], tags.strip()) for guid, flds, tags in rows]


def test_export_anki(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.bank.anki import note_guid

    monkeypatch.chdir(tmp_path)
    assert main(["bank", "export", "--format", "anki", str(TEST_BANK)]) == 0  # default file name
    assert "wrote 9 notes to quizbot.apkg" in capsys.readouterr().out
    notes = _apkg_notes(tmp_path / "quizbot.apkg", tmp_path)
    assert len(notes) == 9 and all(guid == note_guid(key) for guid, key, _ in notes)
    out = tmp_path / "decks" / "streaming.apkg"
    out.parent.mkdir()
    args = [
        "bank",
        "export",
        "--format",
        "anki",
        "--topic",
        "structured streaming",
        "-o",
        str(out),
        str(TEST_BANK),
    ]
    assert main(args) == 0
    assert "wrote 2 notes" in capsys.readouterr().out
    got = _apkg_notes(out, tmp_path / "decks")
    assert sorted(key for _, key, _ in got) == ["by-order_a/Q-202", "by-order_b/Q-201"]
    assert all("topic::Structured-Streaming" in tags.split() for _, _, tags in got)
    assert main(args) == 0  # again: the same GUIDs
    assert _apkg_notes(out, tmp_path / "decks") == got


def test_export_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bank", "export", "--format", "anki", "--topic", "no-such-topic", str(TEST_BANK)]) == 2
    assert "there is no topic 'no-such-topic'" in capsys.readouterr().err
    assert main(["bank", "export", "--format", "anki", "-o", str(tmp_path), str(TEST_BANK)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert (
        main(
            [
                "bank",
                "export",
                "--format",
                "anki",
                "-o",
                str(tmp_path / "no" / "dir" / "x.apkg"),
                str(TEST_BANK),
            ]
        )
        == 1
    )
    assert "cannot write" in capsys.readouterr().err
    assert main(["bank", "export", "-o", str(tmp_path / "x.json"), str(TEST_BANK)]) == 2
    assert "--output is for --format anki" in capsys.readouterr().err
    assert main(["bank", "export", "--format", "json", "--topic", "unity catalog", str(TEST_BANK)]) == 0
    assert {r["key"] for r in json.loads(capsys.readouterr().out)} == {"by-order_a/Q-203", "by-order_b/Q-204"}
