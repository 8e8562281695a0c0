"""`quizbot practice`: the quiz engine in a terminal, driven through stdin."""

from __future__ import annotations

import io
import os
import re
import select
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.bank import load_bank
from bot.practice import LOCAL_GUILD_ID, local_user_id
from bot.practice_views import RULE, PlainScreen, RichScreen, render_question, screen_for
from tests.helpers import CHOOSE2, Q104, TEST_BANK, practice, strip_ansi, terminal_console

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


# ----------------------------------------------------------------------------- a terminal, or not


def test_plain_output_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    """Pipes, files and this StringIO get the Markdown as text, as before rich came in."""
    assert type(screen_for(io.StringIO())) is PlainScreen
    q = load_bank(TEST_BANK).get("raw/Q-031")
    assert q is not None
    assert render_question(q, 2, 5, "en") == (
        f"{RULE}\n2/5 · Q-031 · —\n{RULE}\n"
        "A Delta table `events` receives a small append every minute, and queries on it have become slow "
        "because it now holds many thousands of small files.\n\n"
        "Which statement rewrites the small files into fewer, larger ones without changing the data?\n\n"
        "**A.**\n```\nVACUUM events\n```\n"
        "**B.**\n```\nOPTIMIZE events\n```\n"
        "**C.** ANALYZE TABLE events COMPUTE STATISTICS\n"
        "**D.** REFRESH TABLE events"
    )


def test_a_terminal_gets_bold_tables_and_highlighted_code() -> None:
    bank = load_bank(TEST_BANK)
    out = io.StringIO()
    screen = RichScreen(terminal_console(out))
    q201, q202 = bank.get("by-order_a/Q-201"), bank.get("by-order_a/Q-202")
    assert q201 is not None and q202 is not None
    screen.question(q201, 1, 2, "en")
    screen.explanation(q201, "en")
    screen.explanation(q202, "zh-TW")
    ansi = out.getvalue()
    text = strip_ansi(ansi)
    assert "\x1b[1mA.\x1b[0m" in ansi  # the option letters are bold: no `**A.**`
    assert "**" not in text and "|---|" not in text
    # the stem's table is drawn: its header on one line, a rule under it, each row on its line
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "version" in line and "operation" in line)
    assert "timestamp" in lines[header] and "|" not in lines[header]
    assert set(lines[header + 1].strip()) in ({"─"}, {"━"}, {"═"})  # a rule (its weight varies by version)
    assert lines[header + 2].split() == ["57", "MERGE", "2025-03-02", "02:10"]
    # the explanation's SQL is highlighted: keywords and names in different colours
    code = next(line for line in ansi.splitlines() if "DESCRIBE" in line and "48;2;" in line)
    assert len(set(re.findall(r"\x1b\[38;2;(\d+;\d+;\d+)", code))) >= 2
    # what only a page needs is gone: in-page links keep their text, `<br>` in a cell is ` · `
    assert "#question-20" not in ansi and "點此返回題目" in text
    assert "<br>" not in text and "新欄位加入 schema ·" in text


def test_a_practice_session_in_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = practice(
        tmp_path,
        monkeypatch,
        "c\n?\nq\n",
        "--dir",
        str(TEST_BANK),
        "--topic",
        "=Time-Travel",
        "--user",
        "ann",
        terminal=True,
    )
    assert code == 0, err
    text = strip_ansi(out)
    assert "1/1 · Q-201 · L2-Intermediate" in text
    assert "Not quite: you chose C" in text and "Why C is wrong" in text  # the feedback, drawn
    assert "Q-201 · Question and answer" in text and "考點識別" in text  # the explanation
    assert "\x1b[1m" in out and "**" not in text
    assert "0 right" in text


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_quizbot_practice_on_a_real_terminal_is_drawn_by_rich(tmp_path: Path) -> None:
    """`python -m bot practice` with its stdout on a pseudo-terminal: rich draws it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "QUESTIONS_", "DISCORD_"))}
    env.pop("NO_COLOR", None)
    env.update(
        DATABASE_PATH=str(tmp_path / "quizbot.sqlite3"),
        QUESTIONS_DIR=str(TEST_BANK),
        PYTHONPATH=str(ROOT),
        TERM="xterm-256color",
        COLUMNS="100",
    )
    primary, secondary = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "practice", "--topic", "=Time-Travel", "--user", "ann"],
        stdin=subprocess.PIPE,
        stdout=secondary,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    os.close(secondary)
    assert proc.stdin is not None
    proc.stdin.write(b"a\n\n")
    proc.stdin.close()
    chunks = []
    while True:  # read as it comes, or the child blocks on a full terminal buffer
        ready, _, _ = select.select([primary], [], [], 60)
        assert ready, "no output from quizbot practice within 60 s"
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    out = b"".join(chunks).decode("utf-8", errors="replace")
    assert "\x1b[1m" in out  # bold: rich drew it
    text = strip_ansi(out)
    assert "Q-201" in text and "Right: A" in text and "**" not in text
