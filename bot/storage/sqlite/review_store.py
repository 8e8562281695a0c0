"""`ReviewStore`: the spaced-repetition methods of `Storage` (bot/storage/sqlite/store.py): cards,
/review answers, review stats and reminders. Each runs one function of `sqlite/review.py` whole on
the worker thread. The contract is `Store` (bot/storage/interface.py); see docs/review.md."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from typing import Any, TypeVar

from bot.core.review import CardView, Rating, ReminderSetting, ReviewOutcome, ReviewStats

T = TypeVar("T")


class ReviewStore:
    """Cards, reviews and reminders; mixed into `Storage`, which provides `_run`."""

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError  # Storage._run: fn(conn, ...) on the worker thread

    async def record_review(
        self,
        guild_id: int,
        user_id: int,
        question_key: str,
        *,
        correct: bool,
        rating: Rating | None = None,
        reviewed_at: datetime,
        display_name: str | None = None,
    ) -> ReviewOutcome:
        raise NotImplementedError

    async def next_due_card(
        self, guild_id: int, user_id: int, *, now: datetime, exclude: AbstractSet[str] = frozenset()
    ) -> CardView | None:
        raise NotImplementedError

    async def due_cards(
        self,
        guild_id: int,
        user_id: int,
        *,
        now: datetime,
        limit: int = 50,
        exclude: AbstractSet[str] = frozenset(),
    ) -> list[CardView]:
        raise NotImplementedError

    async def get_card(self, guild_id: int, user_id: int, question_key: str) -> CardView | None:
        raise NotImplementedError

    async def member_cards(self, guild_id: int, user_id: int, *, missed_only: bool = False) -> list[CardView]:
        raise NotImplementedError

    async def review_stats(self, guild_id: int, user_id: int, *, now: datetime) -> ReviewStats:
        raise NotImplementedError

    async def fold_reviews(self, *, limit: int = 10_000) -> int:
        raise NotImplementedError

    async def pending_reviews(self) -> int:
        raise NotImplementedError

    async def get_review_reminder(self, guild_id: int, user_id: int) -> ReminderSetting | None:
        raise NotImplementedError

    async def set_review_reminder(
        self, guild_id: int, user_id: int, *, enabled: bool, time: str | None = None, now: datetime
    ) -> ReminderSetting:
        raise NotImplementedError

    async def review_reminders(self) -> list[ReminderSetting]:
        raise NotImplementedError

    async def claim_review_reminder(
        self, guild_id: int, user_id: int, local_day: date, *, now: datetime
    ) -> int | None:
        raise NotImplementedError
