"""The open dailies in memory (`cache_open_dailies`, `open_daily_key_set`) beside other processes.

The spoiler check of every click asks for the question keys of every open daily. A store may keep
them in memory only while it sees every change: SQLite as the one process on its file, PostgreSQL
while its listener hears the `quizbot_dailies` notices that migration 0009's triggers send. Two
`PostgresStore`s on one schema stand for two processes: A keeps the keys, B opens and closes
dailies; A's view follows B's once the notice has arrived (the tests wait on A's listener, never
on a clock). Without its listener (not connected yet, or its connection cut) A reads every time,
and once listening again it starts from nothing. A read that was in flight when a notice arrived
keeps nothing.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
import pytest

from bot.storage import open_store
from bot.storage.postgres import PostgresStore
from bot.storage.postgres.notify import Listener, with_keepalives
from bot.storage.shared import OpenDailyKeys
from bot.storage.sqlite import posts as posts_module
from bot.storage.sqlite.store import Storage
from tests.conftest import _postgres_url

G1 = (1_000 << 22) | 1  # two servers (their shards do not matter here)
G2 = (1_001 << 22) | 2
CH = 77
T0 = datetime(2030, 3, 1, 1, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class Gate:
    """A listener's way to connect that waits while the gate is closed (a server that does not
    answer, without waiting for a timeout); `attempts` counts the connections asked for."""

    def __init__(self, url: str, *, open: bool = True) -> None:
        self.url = url
        self.opened = asyncio.Event()
        if open:
            self.opened.set()
        self.attempts = 0
        self.asked = asyncio.Event()

    async def __call__(self) -> psycopg.AsyncConnection[Any]:
        self.attempts += 1
        self.asked.set()
        await self.opened.wait()
        return await psycopg.AsyncConnection.connect(self.url, autocommit=True)


async def _two(target: str, gate: Gate | None = None) -> tuple[PostgresStore, PostgresStore]:
    a, b = await open_store(target), await open_store(target)
    assert isinstance(a, PostgresStore) and isinstance(b, PostgresStore)
    a.listener_connect = gate
    a.cache_open_dailies = True  # as the bot does
    return a, b


def _listener(store: PostgresStore) -> Listener:
    assert store.dailies_listener is not None
    return store.dailies_listener


async def _until(listener: Listener, condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        await listener.wait_until(condition)


async def _heard(store: PostgresStore, count: int) -> None:
    """Until A's listener has handled `count` notices in all."""
    listener = _listener(store)
    await _until(listener, lambda: listener.notices >= count)


async def _keys(store: Storage) -> tuple[frozenset[str], int]:
    """A's open daily keys, and whether that call read the database (1) or not (0)."""
    before = store.open_daily_reads
    keys = await store.open_daily_key_set()
    return keys, store.open_daily_reads - before


async def _daily(store: PostgresStore, key: str, guild: int = G1) -> int:
    post = await store.create_post(guild, CH, key, "daily", "A", created_at=T0, closes_at=T0 + DAY)
    return post.post_id


postgres_only = pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)


@postgres_only
async def test_a_daily_another_process_opens_or_closes_reaches_the_cache(
    store_targets: Callable[[], str],
) -> None:
    target = store_targets()
    a, b = await _two(target)
    try:
        await _listener(a).started()
        assert await _keys(a) == (frozenset(), 1)
        assert await _keys(a) == (frozenset(), 0)  # kept

        q1 = await _daily(b, "q1")
        await _heard(a, 1)
        assert await _keys(a) == ({"q1"}, 1)  # the notice made it read again
        assert await _keys(a) == ({"q1"}, 0)

        await b.close_post(q1)
        await _heard(a, 2)
        assert await _keys(a) == (frozenset(), 1)

        # Practice posts, opened and closed, change no open daily: no notice. Notices arrive in
        # commit order, so once the daily's has arrived any earlier one would have too.
        practice = await b.create_post(G2, CH, "q2", "practice", "B", created_at=T0, closes_at=T0 + DAY)
        await b.close_post(practice.post_id)
        await b.close_post(q1)  # closed already: nothing changes
        await _daily(b, "q3", G2)
        await _heard(a, 3)
        assert _listener(a).notices == 3
        assert await _keys(a) == ({"q3"}, 1)
    finally:
        await a.close()
        await b.close()


@postgres_only
async def test_every_way_a_daily_opens_or_goes_is_heard(store_targets: Callable[[], str]) -> None:
    """The scheduler's claim, giving a claimed daily up, deleting an unsent post, the close sweep's
    close_post, and anyone's SQL (an admin in psql): each is one notice, at its commit."""
    target = store_targets()
    a, b = await _two(target)
    heard = 0

    async def step(expected: Iterable[str]) -> None:
        nonlocal heard
        heard += 1
        await _heard(a, heard)
        assert await _keys(a) == (frozenset(expected), 1)

    try:
        await _listener(a).started()
        assert await _keys(a) == (frozenset(), 1)
        await b.set_daily_schedule(G1, channel_id=CH, time="09:00", timezone="Asia/Taipei", now=T0)
        candidates = {"d1": ("A", "ABCD"), "d2": ("B", "ABCD")}

        async def claim(day: int) -> Any:
            claimed = await b.claim_daily(
                G1,
                date(2030, 3, 1 + day),
                scheduled=True,
                due_at=T0 + day * DAY,
                now=T0 + day * DAY,
                channel_id=CH,
                role_id=None,
                candidates=candidates,
                closes_at=T0 + (day + 1) * DAY,
                rng=random.Random(day),
            )
            assert claimed is not None and claimed[1] is not None
            return claimed

        run, post = await claim(0)
        await step([post.question_key])
        await b.fail_daily_run(run.run_id, "failed", "Missing Access", now=T0)  # its unsent post goes
        await step([])
        run, post = await claim(1)
        await step([post.question_key])
        assert await b.delete_unsent_post(post.post_id)
        await step([])
        run, post = await claim(2)
        await step([post.question_key])
        await b.complete_daily_run(run.run_id, 900_001, now=T0 + 2 * DAY)  # sent: still open
        await b.close_post(post.post_id)
        await step([])

        await b.set_guild_settings(G2, practice_cooldown_s=0)  # a server for the posts below
        with psycopg.connect(target, autocommit=True) as admin:  # the schema's URL
            with admin.transaction():  # three rows, one transaction: one notice
                for key in ("s1", "s2", "s3"):
                    admin.execute(
                        "INSERT INTO posts (guild_id, channel_id, question_key, kind, correct_letters, "
                        "created_at, closes_at) VALUES (%s, %s, %s, 'daily', 'A', 0, 1)",
                        (G2, CH, key),
                    )
            await step(["s1", "s2", "s3"])
            admin.execute("UPDATE posts SET closed_at = 5 WHERE question_key = 's2'")
            await step(["s1", "s3"])
            admin.execute("DELETE FROM posts WHERE question_key = 's1'")
            await step(["s3"])
            admin.execute("TRUNCATE posts CASCADE")
            await step([])
        assert _listener(a).notices == heard
    finally:
        await a.close()
        await b.close()


@postgres_only
async def test_without_its_listener_a_store_reads_every_time(store_targets: Callable[[], str]) -> None:
    target = store_targets()
    gate = Gate(target, open=False)  # the server "does not answer" the listener yet
    a, b = await _two(target, gate)
    listener = _listener(a)
    try:
        async with asyncio.timeout(10):
            await gate.asked.wait()
        assert not listener.listening.is_set()
        assert await _keys(a) == (frozenset(), 1)
        assert await _keys(a) == (frozenset(), 1)  # not listening: read every time
        q1 = await _daily(b, "q1")
        assert await _keys(a) == ({"q1"}, 1)  # B's change seen at once, no notice needed

        gate.opened.set()
        await listener.started()
        assert await _keys(a) == ({"q1"}, 1)
        assert await _keys(a) == ({"q1"}, 0)  # listening: kept

        gate.opened.clear()  # the connection is cut, and the next one waits
        with psycopg.connect(_postgres_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (listener.pid,))
        await _until(listener, lambda: not listener.listening.is_set())
        assert await _keys(a) == ({"q1"}, 1)  # off at once: read every time
        await b.close_post(q1)  # its notice is lost: nobody of A listens
        assert await _keys(a) == (frozenset(), 1)
        q2 = await _daily(b, "q2")
        assert await _keys(a) == ({"q2"}, 1)
        assert await _keys(a) == ({"q2"}, 1)

        gate.opened.set()
        await _until(listener, lambda: listener.listening.is_set())
        assert gate.attempts == 2
        assert await _keys(a) == ({"q2"}, 1)  # starts from nothing, then keeps again
        assert await _keys(a) == ({"q2"}, 0)
        await b.close_post(q2)
        await _heard(a, 1)
        assert await _keys(a) == (frozenset(), 1)
    finally:
        gate.opened.set()
        await a.close()
        await b.close()
    assert not listener.listening.is_set()  # closed: stopped


@postgres_only
async def test_a_lost_listener_with_the_real_connect_comes_back_empty(
    store_targets: Callable[[], str],
) -> None:
    """The store's own way to connect (keepalives and all): cut, it connects again by itself."""
    target = store_targets()
    a, b = await _two(target)
    listener = _listener(a)
    try:
        await listener.started()
        assert await _keys(a) == (frozenset(), 1)
        assert await _keys(a) == (frozenset(), 0)
        pid = listener.pid
        with psycopg.connect(_postgres_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        await _until(listener, lambda: listener.listening.is_set() and listener.pid not in (None, pid))
        assert await _keys(a) == (frozenset(), 1)  # whatever was kept before the cut is gone
        assert await _keys(a) == (frozenset(), 0)
        await _daily(b, "q1")
        await _heard(a, 1)
        assert await _keys(a) == ({"q1"}, 1)
    finally:
        await a.close()
        await b.close()


@postgres_only
async def test_a_read_in_flight_when_a_notice_arrives_keeps_nothing(
    store_targets: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = await _two(store_targets())
    read = posts_module.open_daily_key_set
    reached, release = threading.Event(), threading.Event()
    held = [True]

    def slow_read(conn: Any) -> set[str]:  # on A's worker thread
        keys = read(conn)
        if held[0]:
            held[0] = False
            reached.set()
            release.wait(10)  # what it read is stale by the time it returns
        return keys

    try:
        await _listener(a).started()
        monkeypatch.setattr(posts_module, "open_daily_key_set", slow_read)
        in_flight = asyncio.create_task(a.open_daily_key_set())
        assert await asyncio.to_thread(reached.wait, 10)  # A read: no daily open
        await _daily(b, "q1")  # B opens one meanwhile
        await _heard(a, 1)  # and A hears of it before its read returns
        release.set()
        assert await in_flight == frozenset()  # the read returns what it read...
        assert await _keys(a) == ({"q1"}, 1)  # ...but keeps nothing: the next call reads
        assert await _keys(a) == ({"q1"}, 0)
    finally:
        release.set()
        await a.close()
        await b.close()


@pytest.mark.parametrize("store_targets", ["sqlite"], indirect=True)
async def test_sqlite_keeps_them_only_as_the_bot_sets_it(store_targets: Callable[[], str]) -> None:
    target = store_targets()
    bot, cli = await open_store(target), await open_store(target)
    assert isinstance(bot, Storage) and isinstance(cli, Storage)
    try:
        assert bot.hears_daily_changes is False  # the bot enables it only as the one process on the file
        bot.cache_open_dailies = True
        assert await _keys(bot) == (frozenset(), 1)
        assert await _keys(bot) == (frozenset(), 0)
        await bot.create_post(G1, CH, "q1", "daily", "A", created_at=T0, closes_at=T0 + DAY)
        assert await _keys(bot) == ({"q1"}, 1)
        assert await _keys(cli) == ({"q1"}, 1)
        assert await _keys(cli) == ({"q1"}, 1)  # not asked: reads each time
    finally:
        await bot.close()
        await cli.close()


# ---------------------------------------------------------------- OpenDailyKeys alone


class Reads:
    """A read of the open dailies that returns `keys` and can be held in flight."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.count = 0
        self.hold: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def __call__(self) -> set[str]:
        self.count += 1
        keys = set(self.keys)
        if self.hold is not None:
            self.started.set()
            await self.hold.wait()
        return keys


def _move(cache: OpenDailyKeys, move: str) -> None:
    if move == "changing":  # a local call that may open or close a daily
        with cache.changing():
            pass
    elif move == "changed":  # a notice, or a daily closed here
        cache.changed()
    elif move == "suspend":  # the listener lost, and back
        cache.suspend()
        cache.resume()
    else:  # LISTENing again
        cache.resume()


async def test_a_read_in_flight_across_a_change_keeps_nothing() -> None:
    for move in ("changed", "changing", "suspend", "resume"):
        cache, reads = OpenDailyKeys(), Reads()
        cache.enabled = True
        reads.keys = {"old"}
        reads.hold = asyncio.Event()  # a read in flight...
        task = asyncio.create_task(cache.get(reads))
        async with asyncio.timeout(10):
            await reads.started.wait()
        reads.keys.add("new")  # ...what it read goes stale, and the cache hears of it
        _move(cache, move)
        reads.hold.set()
        assert "new" not in await task
        reads.hold = None
        before = reads.count
        assert "new" in await cache.get(reads), move  # read again: nothing was kept
        assert reads.count == before + 1
        assert "new" in await cache.get(reads)
        assert reads.count == before + 1  # and now kept


async def test_without_a_live_view_every_call_reads() -> None:
    cache, reads = OpenDailyKeys(live=False), Reads()
    cache.enabled = True
    for n in range(3):
        await cache.get(reads)
        assert reads.count == n + 1
    cache.resume()
    await cache.get(reads)
    await cache.get(reads)
    assert reads.count == 4
    cache.suspend()  # what was kept is not served any more
    reads.keys = {"q"}
    assert await cache.get(reads) == {"q"} and reads.count == 5
    cache.enabled = False
    cache.resume()
    await cache.get(reads)
    await cache.get(reads)
    assert reads.count == 7  # not asked for: read every time


def test_a_listening_connection_sends_keepalives_unless_the_url_says_otherwise() -> None:
    def params(conninfo: str) -> dict[str, Any]:
        return psycopg.conninfo.conninfo_to_dict(conninfo)

    got = params(with_keepalives("postgresql://bot@db.example/quizbot?options=-c%20search_path%3Dq"))
    assert (got["keepalives"], got["keepalives_idle"], got["keepalives_count"]) == ("1", "10", "3")
    assert got["options"] == "-c search_path=q" and got["dbname"] == "quizbot"
    got = params(with_keepalives("host=db keepalives_idle=60"))
    assert (got["keepalives_idle"], got["keepalives_interval"]) == ("60", "5")
