"""`ExamStore`: the mock-exam methods of `Storage` (bot/storage/sqlite/store.py), kept apart so
that store.py stays one screenful per concern. Each runs one function of `sqlite/exams.py` whole
on the worker thread. The contract is `Store` (bot/storage/interface.py); see docs/storage.md."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from bot.core.exam import Exam, ExamItem, ExamResult, ExamSummary
from bot.core.models import AnswerResult
from bot.core.shards import ShardFilter
from bot.storage.shared import check_exam, exam_choice
from bot.storage.sqlite import exams
from bot.storage.sqlite.common import from_ms, to_ms

T = TypeVar("T")


class ExamStore:
    """Mock exams and `recent_results`; mixed into `Storage`, which provides `_run`."""

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError  # Storage._run: fn(conn, ...) on the worker thread

    async def start_exam(
        self,
        guild_id: int,
        user_id: int,
        blueprint: str,
        items: Sequence[ExamItem],
        *,
        started_at: datetime,
        deadline: datetime,
        pass_mark: float,
        display_name: str | None = None,
    ) -> Exam | None:
        """Start a mock exam; None when the member already has an open one in this guild.
        ValueError with a one-line reason for items or instants that do not make an exam."""
        checked = check_exam(blueprint, items, started_at, deadline, pass_mark)
        return await self._run(
            exams.start_exam,
            guild_id,
            user_id,
            blueprint,
            checked,
            to_ms(started_at),
            to_ms(deadline),
            float(pass_mark),
            display_name,
        )

    async def open_exam(self, guild_id: int, user_id: int) -> Exam | None:
        return await self._run(exams.open_exam, guild_id, user_id)

    async def get_exam(self, exam_id: int) -> Exam | None:
        return await self._run(exams.get_exam, exam_id)

    async def set_exam_answer(self, exam_id: int, position: int, chosen: str) -> Exam | None:
        """Set (with "" clear) an item's letters; None when the exam is unknown or submitted."""
        return await self._run(exams.set_exam_answer, exam_id, position, exam_choice(chosen))

    async def set_exam_flag(self, exam_id: int, position: int, flagged: bool) -> Exam | None:
        return await self._run(exams.set_exam_flag, exam_id, position, flagged)

    async def set_exam_position(self, exam_id: int, position: int) -> Exam | None:
        return await self._run(exams.set_exam_position, exam_id, position)

    async def submit_exam(
        self, exam_id: int, result: ExamResult, *, submitted_at: datetime, auto: bool
    ) -> Exam | None:
        """Submit once (None when unknown or already submitted); its items then count in accuracy,
        without points or streaks. ValueError for a result of another number of questions."""
        return await self._run(exams.submit_exam, exam_id, result, to_ms(submitted_at), auto)

    async def exam_result(self, exam_id: int) -> ExamResult | None:
        """The result stored by `submit_exam` (None while open or unknown)."""
        return await self._run(exams.exam_result, exam_id)

    async def due_exams(
        self, *, now: datetime, limit: int = 50, shards: ShardFilter | None = None
    ) -> list[Exam]:
        """Open exams whose deadline has passed (of the servers of `shards`; None: any guild),
        oldest deadline first."""
        return await self._run(exams.due_exams, to_ms(now), _limit(limit), shards)

    async def next_exam_deadline(self, *, shards: ShardFilter | None = None) -> datetime | None:
        ms = await self._run(exams.next_exam_deadline, shards)
        return None if ms is None else from_ms(ms)

    async def exam_history(self, guild_id: int, user_id: int, *, limit: int = 10) -> list[ExamSummary]:
        """Submitted exams, newest first."""
        return await self._run(exams.exam_history, guild_id, user_id, _limit(limit))

    async def recent_results(
        self,
        guild_id: int,
        user_id: int | None = None,
        *,
        since: datetime | None = None,
        limit: int = 1000,
    ) -> list[AnswerResult]:
        """Answered questions of every kind (daily, practice, exam), newest first; see `Store`."""
        since_ms = None if since is None else to_ms(since)
        return await self._run(exams.recent_results, guild_id, user_id, since_ms, _limit(limit))


def _limit(limit: int) -> int:
    """A row limit as given; ValueError when negative (SQLite would read it as "no limit")."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    return limit
