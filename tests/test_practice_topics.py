"""`quizbot practice --topic` selects topics by the same rule as /quiz topic: (bot/bank/topics.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import practice

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "questions"


def asked(out: str) -> list[str]:
    """The ids of the questions shown, from their head lines (`1/4 · Q-104 · L1-Basic · …`)."""
    return re.findall(r"^\d+/\d+ · (Q-\d+) ·", out, re.M)


def test_topic_cli_is_the_cli_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = practice(
        tmp_path,
        monkeypatch,
        "s\n" * 4,
        "--dir",
        str(SHIPPED),
        "--topic",
        "cli",
        "--count",
        "9",
        "--user",
        "ann",
    )
    assert code == 0, err
    assert "4 questions of 4" in out
    assert sorted(asked(out)) == ["Q-003", "Q-004", "Q-007", "Q-104"]
    assert "Databricks-CLI" in out  # the real tags are shown


def test_exact_tag_and_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = practice(
        tmp_path, monkeypatch, "s\n", "--dir", str(SHIPPED), "--topic", "=CLI", "--user", "ann"
    )
    assert code == 0 and asked(out) == ["Q-104"] and "1 question of 1" in out
    bank = tmp_path / "bank"
    bank.mkdir()
    for name in ("Q-007.md", "Q-008.md", "Q-010.md"):
        (bank / name).write_text((SHIPPED / "starter" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (bank / "topics.yaml").write_text("Ops: {tags: [Databricks-Secrets], names: [維運]}\n", encoding="utf-8")
    code, out, _ = practice(
        tmp_path, monkeypatch, "s\ns\n", "--dir", str(bank), "--topic", "維運", "--user", "ann"
    )
    assert code == 0 and sorted(asked(out)) == ["Q-007", "Q-008"]


def test_an_unknown_topic_suggests_close_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = practice(tmp_path, monkeypatch, "", "--dir", str(SHIPPED), "--topic", "Delta Lak")
    assert code == 2 and "there is no topic 'Delta Lak'" in err and "Delta-Lake" in err
    code, _, err = practice(
        tmp_path, monkeypatch, "", "--dir", str(SHIPPED), "--topic", "z"
    )  # 1 letter: exact only
    assert code == 2 and "there is no topic 'z'" in err
