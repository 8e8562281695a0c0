"""Shards over processes: the owner rule, SHARD_IDS / SHARD_COUNT and `quizbot run --shards`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.shards import ShardFilter, owner_shard, owns, parse_shard_ids, shard_filter
from bot.settings import SettingsError, load_settings

PG = "postgresql://postgres@127.0.0.1:5432/test"


def test_owner_shard_is_discords_rule() -> None:
    # 41771983423143937 = 9959 << 22 | 1 (Discord's documented example): 9959 % 2 = 1, % 3 = 2
    gid = (9959 << 22) | 1
    assert owner_shard(gid, 1) == 0
    assert owner_shard(gid, 2) == 1
    assert owner_shard(gid, 3) == 2
    assert owner_shard((9960 << 22) | 4_194_303, 2) == 0  # the low 22 bits do not count
    with pytest.raises(ValueError, match="at least 1"):
        owner_shard(gid, 0)


def test_every_server_has_exactly_one_owner() -> None:
    for gid in [(n << 22) | 7 for n in range(50)]:
        holders = [ids for ids in ((0, 1), (2,), (3,)) if owns(gid, ids, 4)]
        assert len(holders) == 1
    assert owns(123 << 22, None, 8) and owns(123 << 22, (5,), None) and owns(123 << 22, (0,), 1)


def test_a_shard_filter_is_a_processs_part_of_the_servers() -> None:
    f = ShardFilter((0, 2), 4)
    assert [f.owns(n << 22) for n in range(6)] == [True, False, True, False, True, False]
    for gid in [(n << 22) | 99 for n in range(40)]:
        assert f.owns(gid) == owns(gid, (0, 2), 4)  # the same rule as the in-memory one
    assert shard_filter([2, 0, 2], 4) == f  # sorted, once each
    # None: this process owns every server, and the queries need no filter
    assert shard_filter(None, 4) is None and shard_filter((0,), None) is None
    assert shard_filter((0,), 1) is None and shard_filter((0, 1, 2, 3), 4) is None
    for ids, count, reason in [
        ((), 2, "at least one"),
        ((2,), 2, "within"),
        ((1, 0), 2, "sorted"),
        ((0,), 0, "from 1"),
    ]:
        with pytest.raises(ValueError, match=reason):
            ShardFilter(ids, count)
    with pytest.raises(ValueError):
        shard_filter((0, 5), 2)


def test_parse_shard_ids() -> None:
    assert parse_shard_ids("0-3", 8) == (0, 1, 2, 3)
    assert parse_shard_ids("5, 0-1,1", 8) == (0, 1, 5)
    for bad, reason in [("0-8", "does not exist"), ("3-1", "backwards"), ("a", "numbers"), ("", "numbers")]:
        with pytest.raises(ValueError, match=reason):
            parse_shard_ids(bad, 8)


def test_settings_shards() -> None:
    s = load_settings({"SHARD_IDS": "0-3", "SHARD_COUNT": "8", "DATABASE_URL": PG}, dotenv_path=None)
    assert (s.shard_ids, s.shard_count, s.sharded_across_processes) == ((0, 1, 2, 3), 8, True)
    assert s.owns(4 << 22) is False and s.owns(3 << 22) is True
    assert s.shard_filter == ShardFilter((0, 1, 2, 3), 8)
    every = load_settings({"SHARD_COUNT": "4"}, dotenv_path=None)  # one process, every shard: SQLite is fine
    assert (every.shard_ids, every.shard_count, every.sharded_across_processes) == (None, 4, False)
    assert every.shard_filter is None and load_settings({}, dotenv_path=None).shard_filter is None
    assert load_settings({"SHARD_IDS": "0-1", "SHARD_COUNT": "2"}, dotenv_path=None).shard_ids == (0, 1)
    assert load_settings({}, dotenv_path=None).shard_count is None


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT: the shard count must be a number from 1"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT"),
        ({"SHARD_IDS": "2", "SHARD_COUNT": "2", "DATABASE_URL": PG}, "shard 2 does not exist"),
        ({"SHARD_IDS": "0", "SHARD_COUNT": "2"}, "set DATABASE_URL to a PostgreSQL server"),
    ],
)
def test_bad_shard_settings_are_one_line(env: dict[str, str], needle: str) -> None:
    with pytest.raises(SettingsError, match=needle) as err:
        load_settings(env, dotenv_path=None)
    assert "\n" not in str(err.value)


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "DISCORD_TOKEN": "A" * 24 + "." + "B" * 6 + "." + "C" * 27}
    (tmp_path / "questions").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", *args],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (("--shards", "0-3", "--shard-count", "2"), {"DATABASE_URL": PG}, "--shards: shard 3 does not exist"),
        (("--shards", "0"), {}, "--shards needs --shard-count"),
        (("--shards", "0", "--shard-count", "2"), {}, "set DATABASE_URL"),
        ((), {"SHARD_IDS": "1", "SHARD_COUNT": "2"}, "SHARD_IDS 1 holds only some of the 2 shards"),
    ],
)
def test_run_refuses_bad_shards_with_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], needle: str
) -> None:
    proc = _run(tmp_path, *args, **env)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
