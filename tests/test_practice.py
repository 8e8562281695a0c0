"""`quizbot practice`: the quiz engine in a terminal, driven through stdin."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.practice import LOCAL_GUILD_ID, local_user_id
from tests.helpers import CHOOSE2, Q104, practice

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "questions"
    (root / "community").mkdir(parents=True)
    (root / "raw").mkdir()
    (root / "community" / "Q-104.md").write_text(Q104, encoding="utf-8")
    (root / "raw" / "Q-023.md").write_text(CHOOSE2, encoding="utf-8")
    return root


def answers(db: Path) -> list[tuple[int, int, str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT guild_id, user_id, letters, correct FROM answers ORDER BY answer_id"
        ).fetchall()


# ----------------------------------------------------------------------------- through a real process


def test_answers_typed_on_stdin_are_stored(bank: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "QUESTIONS_", "DISCORD_"))}
    env.update(
        DATABASE_PATH=str(tmp_path / "quizbot.sqlite3"),
        QUESTIONS_DIR=str(bank),
        PYTHONPATH=str(ROOT),
    )

    def run(typed: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "bot", "practice", "--topic", "cli", "--count", "1", "--user", "Alice"],
            input=typed,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=tmp_path,
            env=env,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        return proc.stdout

    out = run("a\n\n")  # no Discord token anywhere: none is needed
    assert "Q-104" in out and "**E.** The globally unique ID of the newly triggered run." in out
    assert "Not quite: you chose **A**" in out
    assert "Why A is wrong" in out and "`run_id` 不是 `job_id` 的組合或衍生" in out
    assert "ID-Type-Confusion" in out  # the traps
    assert "1 answered, 0 right" in out
    user = local_user_id("alice")
    assert answers(tmp_path / "quizbot.sqlite3") == [(LOCAL_GUILD_ID, user, "A", 0)]

    out = run("E\n")  # the same question again (only one matches), answered right; EOF ends it
    assert "Right: **E**" in out
    assert answers(tmp_path / "quizbot.sqlite3")[-1] == (LOCAL_GUILD_ID, user, "E", 1)
    with sqlite3.connect(tmp_path / "quizbot.sqlite3") as conn:  # each question's post is closed
        assert conn.execute("SELECT COUNT(*) FROM posts WHERE closed_at IS NULL").fetchone() == (0,)


# ----------------------------------------------------------------------------- the dialogue


def test_bad_input_is_asked_again_and_explanation_and_quit(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = practice(tmp_path, monkeypatch, "\nz\nab\n?\nq\n", "--topic", "CLI", "--user", "bob")
    assert code == 0
    assert "Z: not an option" in out
    assert "Choose 1 different letter." in out
    assert "# Q-104 · Question and answer" in out and "## 📍 考點識別" in out  # the explanation
    assert "0 answered, 0 right" in out
    assert answers(tmp_path / "quizbot.sqlite3") == []


def test_e_is_the_answer_e_when_there_is_an_option_e(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = practice(tmp_path, monkeypatch, "e\n\n", "--topic", "cli", "--user", "bob")
    assert code == 0 and "Right: **E**" in out
    assert "Your answer (A–E) · ? explanation" in out
    assert [a[2] for a in answers(tmp_path / "quizbot.sqlite3")] == ["E"]


def test_the_engine_prefers_questions_not_yet_answered_right(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = practice(tmp_path, monkeypatch, "E\n", "--topic", "cli", "--user", "ann")
    assert code == 0 and "Right: **E**" in out
    # Two questions in the bank, Q-104 already solved by ann: the next pick is Q-023, whose
    # options are A-D, so `e` shows its explanation; then a choose-2 answer.
    code, out, _ = practice(tmp_path, monkeypatch, "e\na\nd, a\n\n", "--count", "1", "--user", "ann")
    assert code == 0
    assert "Q-023" in out and "Q-104" not in out
    assert "Your answer (A–D) · e explanation" in out
    assert "Both tasks need ingestion upstream" in out  # the explanation
    assert "Choose 2 different letters." in out
    assert "Right: **A, D**" in out
    rows = answers(tmp_path / "quizbot.sqlite3")
    assert [(r[2], r[3]) for r in rows] == [("E", 1), ("AD", 1)]
    assert {r[1] for r in rows} == {local_user_id("ann")}


def test_problems_are_one_line_and_exit_2(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = practice(tmp_path, monkeypatch, "", "--topic", "clii")
    assert code == 2 and "no topic 'clii'" in err and "CLI" in err
    code, _, err = practice(tmp_path, monkeypatch, "", "--dir", str(tmp_path / "nope"))
    assert code == 2 and "questions folder not found" in err
    assert len(err.strip().splitlines()) == 1


def test_local_user_ids() -> None:
    assert local_user_id("Alice") == local_user_id(" alice ") == local_user_id("ＡＬＩＣＥ")
    assert local_user_id("alice") != local_user_id("bob")
    assert 0 < local_user_id("alice") < 2**62


def test_an_open_daily_on_discord_is_held_back(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal shares the bot's database: an open daily (in any server) is not practised
    before it closes (the spoiler rule, bot/core/spoiler.py)."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from bot.storage import Storage

    async def open_daily() -> int:
        async with await Storage.open(tmp_path / "quizbot.sqlite3") as s:
            now = datetime.now(UTC)
            post = await s.create_post(
                555_555_555_555_555_555, 1, "community/Q-104", "daily", "E", closes_at=now + timedelta(days=1)
            )
            return post.post_id

    post_id = asyncio.run(open_daily())
    code, out, _ = practice(tmp_path, monkeypatch, "a\n\na\n\n", "--count", "2", "--user", "ann")
    assert code == 0
    assert "1 question is held back" in out and "Q-023" in out and "Q-104" not in out
    code, out, _ = practice(tmp_path, monkeypatch, "", "--topic", "cli", "--user", "ann")
    assert code == 0 and "Q-104" not in out and "0 answered" in out  # nothing else matches

    async def close_it() -> None:
        async with await Storage.open(tmp_path / "quizbot.sqlite3") as s:
            await s.close_post(post_id)

    asyncio.run(close_it())
    code, out, _ = practice(tmp_path, monkeypatch, "e\n", "--topic", "cli", "--user", "ann")
    assert code == 0 and "Q-104" in out and "Right: **E**" in out
