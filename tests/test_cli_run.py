"""`quizbot run` for real: the checks before logging in, the token never in the logs, backups.

Each bad setting is tested through a child process (`python -m bot run`), as a user would meet
it: one line on stderr, exit code 2, no traceback, nothing sent anywhere.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import Storage
from bot.storage.migrate import load_migrations, migrate
from tests.fakediscord import FakeDiscord, build_world
from tests.helpers import Q104, TOKEN, BotProcess, bot_env, run_cli

ROOT = Path(__file__).resolve().parents[1]
SECRET = TOKEN.rsplit(".", 1)[1]  # the HMAC part: the actual secret
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def one_line_error(proc: asyncio.subprocess.Process, stderr: bytes) -> str:
    text = stderr.decode("utf-8", errors="replace")
    assert proc.returncode == 2, text
    assert "Traceback" not in text, text
    assert len(text.strip().splitlines()) == 1, text
    return text


# ----------------------------------------------------------------------------- checks before login


def _file(tmp_path: Path, name: str, data: bytes = b"") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _newer_schema(tmp_path: Path) -> Path:
    path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")
    return path


BAD_SETUPS = {
    "malformed token": (lambda p: {"DISCORD_TOKEN": "not-a-token-secret"}, "DISCORD_TOKEN"),
    "missing questions dir": (lambda p: {"QUESTIONS_DIR": str(p / "nope")}, "QUESTIONS_DIR"),
    "questions dir is a file": (lambda p: {"QUESTIONS_DIR": str(_file(p, "q.md"))}, "QUESTIONS_DIR"),
    "database folder is a file": (
        lambda p: {"DATABASE_PATH": str(_file(p, "plain") / "quizbot.sqlite3")},
        "DATABASE_PATH",
    ),
    "database path is a folder": (lambda p: {"DATABASE_PATH": str(p)}, "DATABASE_PATH"),
    "database is not SQLite": (
        lambda p: {"DATABASE_PATH": str(_file(p, "junk.sqlite3", b"not a database at all\n" * 20))},
        "DATABASE_PATH",
    ),
    "database schema is newer": (
        lambda p: {"DATABASE_PATH": str(_newer_schema(p))},
        "newer than this quizbot",
    ),
    "dashboard bind is not host:port": (
        lambda p: {"DASHBOARD_BIND": "8080", "DASHBOARD_URL": "https://quiz.example.org"},
        "DASHBOARD_BIND",
    ),
    "dashboard url is not a url": (
        lambda p: {"DASHBOARD_BIND": "127.0.0.1:8080", "DASHBOARD_URL": "quiz.example.org"},
        "DASHBOARD_URL",
    ),
    "dashboard url is missing": (lambda p: {"DASHBOARD_BIND": "127.0.0.1:8080"}, "DASHBOARD_URL"),
    "dashboard port is taken": (
        lambda p: {"DASHBOARD_BIND": f"127.0.0.1:{_taken_port()}", "DASHBOARD_URL": "https://q.example.org"},
        "cannot be listened on",
    ),
}
_HELD: list[socket.socket] = []


def _taken_port() -> int:
    """A loopback port another program listens on (held until the tests end)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    _HELD.append(s)
    return int(s.getsockname()[1])


@pytest.mark.parametrize("case", list(BAD_SETUPS))
async def test_a_bad_setup_is_one_line_and_exit_2_before_login(case: str, tmp_path: Path) -> None:
    make, needle = BAD_SETUPS[case]
    env = bot_env(tmp_path, **make(tmp_path))
    proc, err = await run_cli(env, tmp_path, "run")
    text = one_line_error(proc, err)
    assert needle in text
    assert "not-a-token-secret" not in text and SECRET not in text


@pytest.mark.skipif(IS_ROOT, reason="root reads and writes whatever the permissions say")
@pytest.mark.parametrize("case", ["questions unreadable", "database read-only", "database folder read-only"])
def test_permissions_are_checked_before_login(case: str, tmp_path: Path) -> None:
    import subprocess

    env = bot_env(tmp_path)
    if case == "questions unreadable":
        target, needle = Path(env["QUESTIONS_DIR"]), "QUESTIONS_DIR"
        target.chmod(0)
    elif case == "database read-only":
        target, needle = Path(env["DATABASE_PATH"]), "DATABASE_PATH"
        sqlite3.connect(target).close()
        target.chmod(0o444)
    else:
        target, needle = tmp_path / "ro", "DATABASE_PATH"
        target.mkdir()
        env["DATABASE_PATH"] = str(target / "quizbot.sqlite3")
        target.chmod(0o555)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True, timeout=60
        )
    finally:
        target.chmod(0o755)
    text = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in text and len(text.strip().splitlines()) == 1, text
    assert needle in text


def test_permission_problems_read_as_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same checks in-process, with the OS saying no (the tests above skip when run as root)."""
    from bot import runner
    from bot.settings import SettingsError

    def refuse(path: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(runner.os, "scandir", refuse)
    with pytest.raises(SettingsError, match=r"QUESTIONS_DIR .* cannot be read: Permission denied"):
        runner.check_questions_dir(tmp_path)
    monkeypatch.undo()

    monkeypatch.setattr(runner.os, "access", lambda path, mode: False)
    with pytest.raises(SettingsError, match=r"DATABASE_PATH .*folder .* is not writable"):
        runner.check_database_path(tmp_path / "quizbot.sqlite3")


def test_with_questions_git_the_folder_may_be_missing_but_creatable(tmp_path: Path) -> None:
    from bot.runner import check_questions_dir
    from bot.settings import SettingsError

    check_questions_dir(tmp_path / "bank" / "clone", git=True)  # to be cloned there
    check_questions_dir(tmp_path, git=True)  # already there
    with pytest.raises(SettingsError, match="QUESTIONS_GIT"):
        check_questions_dir(_file(tmp_path, "plain") / "clone", git=True)
    with pytest.raises(SettingsError, match="does not exist"):
        check_questions_dir(tmp_path / "bank" / "clone")  # without Git it must be there


async def test_sync_checks_the_same_way(tmp_path: Path) -> None:
    env = bot_env(tmp_path, QUESTIONS_DIR=str(tmp_path / "nope"))
    proc, err = await run_cli(env, tmp_path, "sync")
    assert "QUESTIONS_DIR" in one_line_error(proc, err)


def test_the_quizbot_script_checks_too(tmp_path: Path) -> None:
    import subprocess

    script = Path(sys.executable).with_name("quizbot")
    if not script.exists():
        pytest.skip("the quizbot console script is not installed in this environment")
    env = bot_env(tmp_path, DATABASE_PATH=str(tmp_path))
    proc = subprocess.run([str(script), "run"], cwd=tmp_path, env=env, capture_output=True, timeout=60)
    assert proc.returncode == 2
    assert "DATABASE_PATH" in proc.stderr.decode() and b"Traceback" not in proc.stderr


# ----------------------------------------------------------------------------- the token and the logs


async def test_debug_logs_never_contain_the_token(tmp_path: Path) -> None:
    """The real bot at LOG_LEVEL=DEBUG: login, sync, gateway, a question, a click, SIGTERM."""
    async with FakeDiscord(token=TOKEN) as fake:
        w = build_world(fake)
        env = bot_env(tmp_path, fake, LOG_LEVEL="DEBUG", DEV_GUILD_ID=str(w.guild.id))
        (tmp_path / "questions" / "Q-104.md").write_text(Q104, encoding="utf-8")
        async with await BotProcess.start(env, tmp_path) as bot:
            identify = await fake.gateway.wait_identify(timeout=30)
            assert identify.d["token"] == TOKEN  # the bot did use it
            await fake.wait_call(
                "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", guild_id=w.guild.id
            )
            await fake.gateway.sync(timeout=15)
            h = await fake.invoke(w.guild, w.quiz, w.member, "quiz", {"topic": "cli"})
            assert h.message is not None
            click = await fake.click(h.message, h.message.custom_ids()[4], w.member)
            assert click.answered
            bot.signal(signal.SIGTERM)
            rc = await bot.wait_exit()
        output = bot.output
    assert rc == 0, output
    assert "DEBUG" in output and "discord.http" in output  # debug logging was on
    assert TOKEN not in output
    assert SECRET not in output
    assert "Traceback" not in output


def test_redaction_filter_hides_a_token_a_library_might_log() -> None:
    import logging

    from bot.runner import RedactSecret

    record = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, "headers %s", ({"Authorization": TOKEN},), None
    )
    assert RedactSecret(TOKEN).filter(record)
    assert TOKEN not in record.getMessage() and "[DISCORD_TOKEN]" in record.getMessage()


# ----------------------------------------------------------------------------- backup


async def _database_with_an_answer(path: Path) -> None:
    async with await Storage.open(path) as storage:
        post = await storage.create_post(123456789012345678, 2, "community/Q-104", "practice", "E")
        await storage.record_answer(123456789012345678, post.post_id, 42, "E", display_name="bob")


async def test_backup_copies_the_database_while_it_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "quizbot.sqlite3"
    await _database_with_an_answer(db)
    monkeypatch.chdir(tmp_path)  # no .env from elsewhere
    monkeypatch.setenv("DATABASE_PATH", str(db))
    out = tmp_path / "backups" / "copy.sqlite3"
    async with await Storage.open(db) as live:  # the bot is running
        post = await live.create_post(123456789012345678, 2, "community/Q-104", "practice", "E")
        await live.record_answer(123456789012345678, post.post_id, 43, "A", display_name="mei")
        assert await asyncio.to_thread(main, ["backup", str(out)]) == 0
    assert "backup written" in capsys.readouterr().out
    with sqlite3.connect(out) as copy:
        rows = copy.execute("SELECT user_id, letters FROM answers ORDER BY user_id").fetchall()
    assert rows == [(42, "E"), (43, "A")]
    assert not out.with_name("copy.sqlite3.partial").exists()

    assert main(["backup", str(out)]) == 2  # exists
    assert "--force" in capsys.readouterr().err
    assert main(["backup", str(out), "--force"]) == 0


def test_backup_does_not_migrate_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A backup before an upgrade must be of the old schema: the copy is made without migrating."""
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, load_migrations()[:1])
    conn.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(db))
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 0
    for path in (db, tmp_path / "b.sqlite3"):
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_backup_without_a_database_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "missing.sqlite3"))
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert "DATABASE_PATH" in err and len(err.strip().splitlines()) == 1
