"""`ReportStore`: the report and paused-question methods of `Storage` (bot/storage/sqlite/store.py),
kept apart like `ExamStore`. Each runs one function of `sqlite/reports.py` whole on the worker
thread. The contract is `Store` (bot/storage/interface.py); see docs/reports.md."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.core.reports import (
    NOTE_MAX,
    RATE_LIMIT,
    RATE_WINDOW,
    PausedQuestion,
    Report,
    ReportOutcome,
    check_kind,
    check_note,
)
from bot.storage.shared import utcnow
from bot.storage.sqlite import reports
from bot.storage.sqlite.common import to_ms

T = TypeVar("T")


def _key(question_key: str) -> str:
    if not question_key:
        raise ValueError("a question key is needed")
    return question_key


def _text(text: str, what: str) -> str:
    checked, problem = check_note(text)
    if problem == "empty":
        raise ValueError(f"the {what} is empty")
    if problem == "too_long":
        raise ValueError(f"the {what} is longer than {NOTE_MAX} characters")
    return checked


class ReportStore:
    """Reports and paused questions; mixed into `Storage`, which provides `_run`."""

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError  # Storage._run: fn(conn, ...) on the worker thread

    async def add_report(
        self,
        guild_id: int,
        question_key: str,
        user_id: int,
        kind: str,
        note: str,
        *,
        bank_commit: str | None = None,
        display_name: str | None = None,
        notify_dm: bool = False,
        locale: str | None = None,
        now: datetime | None = None,
        limit: int = RATE_LIMIT,
        window: timedelta = RATE_WINDOW,
    ) -> ReportOutcome:
        """File a report (see `Store.add_report`)."""
        checked = check_kind(kind)
        if checked is None:
            raise ValueError(f"unknown report kind {kind!r}")
        if limit < 1 or window <= timedelta(0):
            raise ValueError("the rate limit needs a positive count and window")
        return await self._run(
            reports.add_report,
            guild_id,
            _key(question_key),
            user_id,
            checked,
            _text(note, "note"),
            bank_commit=bank_commit or None,
            display_name=display_name,
            notify_dm=notify_dm,
            locale=locale,
            now_ms=to_ms(now or utcnow()),
            limit=limit,
            window=window,
        )

    async def open_reports(
        self, guild_id: int | None = None, question_key: str | None = None
    ) -> list[Report]:
        return await self._run(reports.open_reports, guild_id, question_key)

    async def report_members(self, guild_id: int | None = None) -> dict[int, dict[str, int]]:
        return await self._run(reports.report_members, guild_id)

    async def resolve_reports(
        self,
        guild_id: int,
        question_key: str,
        *,
        resolved_by: int,
        reply: str,
        now: datetime | None = None,
    ) -> list[Report]:
        return await self._run(
            reports.resolve_reports,
            guild_id,
            _key(question_key),
            resolved_by,
            _text(reply, "reply"),
            to_ms(now or utcnow()),
        )

    async def undelivered_replies(
        self, guild_id: int | None = None, user_id: int | None = None
    ) -> list[Report]:
        return await self._run(reports.undelivered, guild_id, user_id)

    async def mark_delivered(self, report_ids: Iterable[int]) -> int:
        return await self._run(reports.mark_delivered, list(report_ids))

    async def pause_question(
        self,
        guild_id: int,
        question_key: str,
        *,
        paused_by: int | None = None,
        now: datetime | None = None,
    ) -> bool:
        return await self._run(reports.pause, guild_id, _key(question_key), paused_by, to_ms(now or utcnow()))

    async def unpause_question(self, guild_id: int, question_key: str) -> bool:
        return await self._run(reports.unpause, guild_id, _key(question_key))

    async def paused_questions(self, guild_id: int | None = None) -> list[PausedQuestion]:
        return await self._run(reports.paused, guild_id)
