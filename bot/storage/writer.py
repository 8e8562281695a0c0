"""The group-commit answer writer, the same for every backend.

Answers are queued in memory; one drain task at a time hands everything queued (up to
`max_batch`) to the backend's `write_batch`, which writes it in ONE transaction and returns an
outcome (or an exception) per request. Answers that arrive while a batch is being written form
the next batch, so the batch size follows the load with no timer. Each caller's future is
resolved only after its batch is committed: when it is done, the answer is durable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.core.answers import AnswerRequest
from bot.core.models import AnswerOutcome

log = logging.getLogger(__name__)

WriteBatch = Callable[[Sequence[AnswerRequest]], Awaitable[Sequence[AnswerOutcome | Exception]]]


class AnswerWriter:
    def __init__(self, write_batch: WriteBatch, max_batch: int = 4096) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write_batch = write_batch
        self._max_batch = max_batch
        self._pending: list[tuple[AnswerRequest, asyncio.Future[AnswerOutcome]]] = []
        self._drainer: asyncio.Task[None] | None = None
        # Figures for tests and the bench: batches written, answers in them.
        self.batches_written = 0
        self.answers_written = 0

    def submit(self, req: AnswerRequest) -> asyncio.Future[AnswerOutcome]:
        """Queue `req`; the future resolves to its outcome once its batch is committed (or to its
        error). A plain function returning the future: no coroutine per answer on the hot path."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[AnswerOutcome] = loop.create_future()
        self._pending.append((req, fut))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        return fut

    async def flush(self) -> None:
        """Wait until every answer queued so far is written."""
        while self._drainer is not None and not self._drainer.done():
            await asyncio.shield(self._drainer)

    async def _drain(self) -> None:
        # Let the other submitters that are ready in this loop iteration queue up first.
        await asyncio.sleep(0)
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                outcomes = await self._write_batch([r for r, _ in batch])
            except BaseException as e:  # the whole batch failed: every caller gets the error
                log.exception("writing %d answers failed", len(batch))
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(e if isinstance(e, Exception) else RuntimeError(repr(e)))
                if not isinstance(e, Exception):
                    raise
                continue
            self.batches_written += 1
            self.answers_written += len(batch)
            for (_, fut), outcome in zip(batch, outcomes, strict=True):
                if fut.done():  # the caller gave up waiting; the answer is stored all the same
                    continue
                if isinstance(outcome, Exception):
                    fut.set_exception(outcome)
                else:
                    fut.set_result(outcome)
