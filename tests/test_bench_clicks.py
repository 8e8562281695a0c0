"""The helpers of bench/clicks.py's `--backend postgresql` mode (not its timings): counting stored
answers and their duplicates on both backends, servers made for a given shard, where CPU is read
from (the bots' PostgreSQL backends by application_name), and how the limiting resource is named."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bot.core.shards import owner_shard
from tests.fakediscord import FakeDiscord

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def clicks() -> ModuleType:
    """bench/clicks.py as a module (it puts the repository and bench/ on sys.path to import its
    neighbours; the path is put back after)."""
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("bench_clicks", ROOT / "bench" / "clicks.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path[:] = saved


def _connect(target: str) -> Any:
    if target.startswith("postgresql://"):
        import psycopg

        return psycopg.connect(target, autocommit=True)
    return sqlite3.connect(target, isolation_level=None)


def test_count_answers_sees_duplicates_on_both_backends(
    clicks: ModuleType, store_targets: Callable[[], str]
) -> None:
    conn = _connect(store_targets())
    try:
        # a table without the store's unique key, so a duplicate can be there to be found
        conn.execute("CREATE TABLE answers (post_id BIGINT, user_id BIGINT)")
        assert clicks.count_answers(conn) == (0, 0)
        for post, user in [(1, 10), (1, 11), (2, 10), (1, 11)]:
            conn.execute(f"INSERT INTO answers (post_id, user_id) VALUES ({post}, {user})")
        assert clicks.count_answers(conn) == (4, 3)
    finally:
        conn.close()


@pytest.mark.parametrize("count", [2, 3])
async def test_guild_of_shard_makes_servers_the_shard_owns(clicks: ModuleType, count: int) -> None:
    async with FakeDiscord() as fake:
        made = [clicks.guild_of_shard(fake, shard, count, f"S{shard}") for shard in range(count)]
        assert [owner_shard(g.id, count) for g in made] == list(range(count))
        # the bot is in those alone (servers made for another shard are left without it)
        assert {g.id for g in fake.bot_guilds()} == {g.id for g in made}
    assert all([c.name for c in g.channels.values()] == ["quiz"] for g in made)


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
def test_resources_reads_the_cpu_of_the_bots_backends(
    clicks: ModuleType, store_targets: Callable[[], str]
) -> None:
    import psycopg

    base = store_targets().split("?", 1)[0]  # the database, without the test's search_path
    name = f"quizbot-test-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}?application_name={name}", autocommit=True) as bot_conn:
        row = bot_conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        probe = clicks.Resources(base, name)
        probe.refresh()
        assert probe.backends == [row[0]]  # this connection's backend, and no other client's
        if clicks.cpu_seconds(row[0]) is None:
            pytest.skip("the PostgreSQL server runs on another machine: its CPU can't be read here")
        before = probe.snapshot()
        bot_conn.execute("SELECT count(*) FROM generate_series(1, 2000000)").fetchone()  # CPU in the backend
        after = probe.snapshot()
    use = probe.use(before, after, [0.0], 0.0)
    assert use["pg_ours"] > 0
    assert use["pg_all"] > 0  # every process named postgres: the backend among them
    assert use["machine"] > 0 and 0 <= use["busy"] <= use["machine"]


def _use(bots: list[float], busy: float, *, pg: float | None = 0.1, iowait: float = 0.0) -> dict[str, Any]:
    """A second of bursts on a 2-core machine (/proc/stat: 2 s of CPU time in all)."""
    return {
        "window": 1.0,
        "bots": bots,
        "fake": 0.3,
        "pg_ours": pg,
        "pg_all": pg,
        "busy": busy,
        "iowait": iowait,
        "machine": 2.0,
    }


def test_shares_and_the_limiting_resource(clicks: ModuleType) -> None:
    share = clicks.shares(_use([0.5, 0.45], 1.8), 2)
    assert share["machine"] == pytest.approx(180)
    assert (share["bot0"], share["bot1"], share["fake"], share["pg_all"]) == pytest.approx((50, 45, 30, 10))
    assert share["others"] == pytest.approx(180 - 95 - 30 - 10)
    assert clicks.limiting(share, 2).startswith(
        "CPU: the 2 cores 180% busy (of 200%): bot processes 50% + 45%"
    )

    one = clicks.shares(_use([0.9], 1.2, pg=None), 2)
    named = clicks.limiting(one, 2)
    assert named.startswith("one bot process's core (a process at 90% of a core")
    assert "postgres (not used by these bots) n/a" in named

    assert clicks.limiting(clicks.shares(_use([0.3], 0.8, iowait=0.5), 2), 2).startswith(
        "the disk (iowait 50%)"
    )
    assert clicks.limiting(clicks.shares(_use([0.3], 0.8), 2), 2).startswith(
        "neither the cores nor one process"
    )


def test_add_use_adds_bursts_and_keeps_unreadable_parts_unreadable(clicks: ModuleType) -> None:
    total = clicks.add_use(None, _use([0.5, 0.4], 1.0))
    total = clicks.add_use(total, _use([0.1, 0.2], 0.5, pg=None))
    assert total["bots"] == pytest.approx([0.6, 0.6])
    assert total["window"] == pytest.approx(2.0) and total["busy"] == pytest.approx(1.5)
    assert total["pg_all"] is None and total["pg_ours"] is None
