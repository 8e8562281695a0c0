"""A background loop of the bot: a pass, then sleep until the next one is due or something wakes
it; tests wait for a whole pass instead of sleeping. The exam timer and the review reminders are
two (bot/cogs/exam/service.py, bot/cogs/review/service.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import QuizBot

log = logging.getLogger(__name__)


class WakeableLoop:
    """`start()`/`stop()`, `wake()`, and `await run_pending()` (a whole pass that began after the
    call is over). Subclasses implement `run_pass()`, which returns the seconds until the next pass
    is due; a pass that raises is logged and retried after `retry_sleep`."""

    task_name = "loop"
    what = "the loop"  # for the log: "a pass of <what> failed"
    retry_sleep = 30.0
    max_sleep = 3600.0

    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.passes = 0
        self._wake = asyncio.Event()
        self._waiters: list[asyncio.Future[None]] = []
        self._task: asyncio.Task[None] | None = None

    async def run_pass(self) -> float:
        raise NotImplementedError

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for fut in self._waiters:
            if not fut.done():
                fut.cancel()
        self._waiters.clear()

    def wake(self) -> None:
        self._wake.set()

    async def run_pending(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wake the loop and wait until a pass that began after this call is over (tests)."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        self.wake()
        await asyncio.wait_for(fut, timeout)

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self._wake.clear()
            waiters, self._waiters = self._waiters, []
            try:
                delay = await self.run_pass()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a pass of %s failed; trying again in %d s", self.what, self.retry_sleep)
                delay = self.retry_sleep
            self.passes += 1
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)
            await self.pause(max(0.0, min(delay, self.max_sleep)))

    async def pause(self, seconds: float) -> None:
        """Sleep `seconds` between passes, or until woken. Tests replace it with one that moves an
        injected clock instead, to count the loop's wake-ups without waiting."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
