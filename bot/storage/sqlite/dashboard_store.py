"""`DashboardStore`: the web dashboard's methods of `Storage` (bot/storage/sqlite/store.py), each
one function of `sqlite/dashboard.py` run whole on the worker thread. The contract is `Store`
(bot/storage/interface.py); see docs/dashboard.md."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from bot.core.dashboard import TeamWeakness, WeekActivity
from bot.storage.shared import utcnow
from bot.storage.sqlite import dashboard
from bot.storage.sqlite.common import to_ms

T = TypeVar("T")


class DashboardStore:
    """Mixed into `Storage`, which provides `_run`."""

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError  # Storage._run: fn(conn, ...) on the worker thread

    async def activity_by_week(
        self, guild_id: int, *, weeks: int = 12, at: datetime | None = None
    ) -> list[WeekActivity]:
        return await self._run(dashboard.activity_by_week, guild_id, weeks, to_ms(at or utcnow()))

    async def team_weakness(
        self,
        guild_id: int,
        *,
        days: int = 30,
        at: datetime | None = None,
        questions: int = 10,
        min_answers: int = 3,
        hide: Iterable[str] = (),
    ) -> TeamWeakness:
        return await self._run(
            dashboard.team_weakness,
            guild_id,
            days,
            to_ms(at or utcnow()),
            questions,
            min_answers,
            list(hide),
        )
