"""Reload notices between processes (`Store.notify_reload` / `Store.listen_reload`).

PostgreSQL: two stores on one schema stand for two processes; a notice from one reaches the
listeners of both (each recognises its own by the sender), not those of another schema, and a
listener whose connection is cut connects again and says so (sender ""). SQLite: no-ops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import psycopg
import pytest

from bot.storage import open_store
from bot.storage.postgres import PostgresStore
from tests.conftest import _postgres_url


class Heard:
    """A listener's callback: the senders heard, in order, and a way to wait for the next."""

    def __init__(self) -> None:
        self.senders: list[str] = []
        self._queue: asyncio.Queue[str] = asyncio.Queue()

    async def __call__(self, sender: str) -> None:
        self.senders.append(sender)
        await self._queue.put(sender)

    async def next(self) -> str:
        return await asyncio.wait_for(self._queue.get(), 10)


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_a_notice_on_one_store_reaches_the_listener_of_another(
    store_targets: Callable[[], str],
) -> None:
    target = store_targets()
    one, two = await open_store(target), await open_store(target)
    other = await open_store(store_targets())  # another schema of the same database
    heard_one, heard_two, heard_other = Heard(), Heard(), Heard()
    try:
        await one.listen_reload(heard_one)
        stop_two = await two.listen_reload(heard_two)
        await other.listen_reload(heard_other)

        await one.notify_reload("process-1")
        assert await heard_two.next() == "process-1"
        assert await heard_one.next() == "process-1"  # its own too: the caller compares the sender
        await two.notify_reload("process-2")
        assert await heard_one.next() == "process-2"
        assert await heard_two.next() == "process-2"
        await other.notify_reload("elsewhere")
        assert await heard_other.next() == "elsewhere"  # delivered there, so also sent to all...

        await stop_two()
        await one.notify_reload("process-1 again")
        assert await heard_one.next() == "process-1 again"
        assert heard_two.senders == ["process-1", "process-2"]  # stopped: hears nothing more
        assert heard_one.senders == ["process-1", "process-2", "process-1 again"]  # ...not another schema's
        assert heard_other.senders == ["elsewhere"]
    finally:
        for s in (one, two, other):
            await s.close()


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_a_lost_listening_connection_is_made_again(store_targets: Callable[[], str]) -> None:
    target = store_targets()
    store, sender = await open_store(target), await open_store(target)
    assert isinstance(store, PostgresStore)
    heard = Heard()
    try:
        await store.listen_reload(heard)
        [listener] = store.reload_listeners
        pid = listener.pid
        with psycopg.connect(_postgres_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert await heard.next() == ""  # connected again: a notice may have been missed
        assert listener.pid not in (None, pid)
        await sender.notify_reload("after")
        assert await heard.next() == "after"
    finally:
        await store.close()
        await sender.close()
    assert store.reload_listeners == []


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_a_failing_callback_does_not_stop_the_listener(
    store_targets: Callable[[], str], caplog: pytest.LogCaptureFixture
) -> None:
    target = store_targets()
    store = await open_store(target)
    heard = Heard()

    async def callback(sender: str) -> None:
        await heard(sender)
        if sender == "boom":
            raise RuntimeError("the reload broke")

    try:
        await store.listen_reload(callback)
        await store.notify_reload("boom")
        assert await heard.next() == "boom"
        await store.notify_reload("fine")
        assert await heard.next() == "fine"
    finally:
        await store.close()
    assert "the handler failed" in caplog.text and "the reload broke" in caplog.text


@pytest.mark.parametrize("store_targets", ["sqlite"], indirect=True)
async def test_sqlite_notices_are_no_ops(store_targets: Callable[[], str]) -> None:
    target = store_targets()
    one, two = await open_store(target), await open_store(target)
    heard = Heard()
    try:
        stop = await two.listen_reload(heard)
        await one.notify_reload("process-1")
        await two.notify_reload("process-2")
        await one.flush()
        await stop()
        await stop()  # twice is fine
    finally:
        await one.close()
        await two.close()
    assert heard.senders == []


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_a_connection_dropped_right_after_listen_backs_off(
    store_targets: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that drops the listener as soon as it listens gets growing pauses (0, 1, 2 s…),
    not a tight loop; a connection that was up long enough (STABLE) starts them from 0 again."""
    from bot.storage.postgres import notify

    target = store_targets()
    pauses: list[float] = []

    async def sleep(delay: float) -> None:
        pauses.append(delay)
        await asyncio.sleep(0)

    async def on_notice(payload: dict[str, object]) -> None:
        return None

    async def drop(times: int) -> None:
        with psycopg.connect(_postgres_url(), autocommit=True) as admin:
            for _ in range(times):
                await asyncio.wait_for(listener.wait_until(lambda: listener.pid is not None), 10)
                pid = listener.pid
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                await asyncio.wait_for(listener.wait_until(lambda old=pid: listener.pid != old), 10)

    listener = notify.Listener(target, "quizbot_test_backoff", on_notice, sleep=sleep)
    try:
        await drop(3)
        await asyncio.wait_for(listener.wait_until(lambda: len(pauses) >= 3), 10)
        assert pauses[:3] == [0.0, 1.0, 2.0]
        monkeypatch.setattr(notify, "STABLE", 0.0)  # now every connection counts as long-lived
        pauses.clear()
        await drop(2)
        await asyncio.wait_for(listener.wait_until(lambda: len(pauses) >= 2), 10)
        assert pauses[:2] == [0.0, 0.0]
    finally:
        await listener.stop()
