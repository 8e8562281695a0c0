from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

GOOD_TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults_without_env(tmp_path: Path) -> None:
    s = load_settings({}, dotenv_path=tmp_path / "missing.env")
    assert s.token is None
    assert s.database_path == Path("data/quizbot.sqlite3")
    assert s.log_level == "INFO"


def test_env_wins_over_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=debug\nDATABASE_PATH=from-file.db\nOWNER_IDS=123456789012345678\n")
    s = load_settings({"DATABASE_PATH": "from-env.db"}, dotenv_path=env_file)
    assert s.database_path == Path("from-env.db")
    assert s.log_level == "DEBUG"
    assert s.owner_ids == frozenset({123456789012345678})


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"DEV_GUILD_ID": "abc"}, "DEV_GUILD_ID"),
        ({"OWNER_IDS": "1,2"}, "OWNER_IDS"),
        ({"DISCORD_API_BASE": "ftp://x"}, "DISCORD_API_BASE"),
        ({"DASHBOARD_BIND": "localhost", "DASHBOARD_URL": "https://q.example.org"}, "DASHBOARD_BIND"),
        ({"DASHBOARD_BIND": "::1:8080", "DASHBOARD_URL": "https://q.example.org"}, "DASHBOARD_BIND"),
        ({"DASHBOARD_BIND": "127.0.0.1:65536", "DASHBOARD_URL": "https://q.example.org"}, "DASHBOARD_BIND"),
        (
            {"DASHBOARD_BIND": "127.0.0.1:8080", "DASHBOARD_URL": "https://q.example.org/?a=1"},
            "DASHBOARD_URL",
        ),
        ({"DASHBOARD_BIND": "127.0.0.1:8080"}, "DASHBOARD_URL must be set"),
        ({"DASHBOARD_URL": "https://q.example.org"}, "DASHBOARD_BIND is not"),
        ({"DASHBOARD_SECRET": "short"}, "DASHBOARD_SECRET"),
    ],
)
def test_malformed_settings_name_the_variable(env: dict[str, str], needle: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=needle):
        load_settings(env, dotenv_path=None)


def test_token_checks_never_echo_the_token() -> None:
    with pytest.raises(SettingsError, match="not set"):
        load_settings({}, dotenv_path=None).require_token()
    bad = load_settings({"DISCORD_TOKEN": "not-a-token-secret"}, dotenv_path=None)
    with pytest.raises(SettingsError) as info:
        bad.require_token()
    assert "not-a-token-secret" not in str(info.value)
    good = load_settings({"DISCORD_TOKEN": GOOD_TOKEN}, dotenv_path=None)
    assert good.require_token() == GOOD_TOKEN
    assert GOOD_TOKEN not in repr(good)


def test_run_without_token_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "DISCORD_TOKEN is not set" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_dashboard_settings(tmp_path: Path) -> None:
    s = load_settings(
        {
            "DASHBOARD_BIND": "[::1]:8080",
            "DASHBOARD_URL": "https://q.example.org/quiz/",
            "DASHBOARD_SECRET": "s" * 40,
        },
        dotenv_path=None,
    )
    assert (s.dashboard_bind, s.dashboard_url, s.dashboard_secret) == (
        ("::1", 8080),
        "https://q.example.org/quiz",
        "s" * 40,
    )
    assert "s" * 40 not in repr(s) and "dashboard_secret=set" in repr(s)
    off = load_settings({}, dotenv_path=None)
    assert (off.dashboard_bind, off.dashboard_url, off.dashboard_secret) == (None, None, None)


def test_database_url_selects_postgresql_and_is_never_printed() -> None:
    assert load_settings({}, dotenv_path=None).database_target == Path("data/quizbot.sqlite3")
    url = "postgresql://bot:hunter2@db.example.org/quizbot"
    s = load_settings({"DATABASE_URL": url, "DATABASE_PATH": "x.db"}, dotenv_path=None)
    assert s.database_target == url
    assert "hunter2" not in repr(s)
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings({"DATABASE_URL": "mysql://db/quizbot"}, dotenv_path=None)
