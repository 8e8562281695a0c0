"""`ReviewStore`: the spaced-repetition methods of `Storage` (bot/storage/sqlite/store.py): cards,
/review answers, review stats and reminders. Each runs one function of `sqlite/review.py` whole on
the worker thread. The contract is `Store` (bot/storage/interface.py); see docs/review.md."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from typing import Any, TypeVar

from bot.core.review import CardView, Rating, ReminderSetting, ReviewOutcome, ReviewStats
from bot.storage.sqlite import review
from bot.storage.sqlite.common import to_ms

T = TypeVar("T")


class ReviewStore:
    """Cards, reviews and reminders; mixed into `Storage`, which provides `_run` and
    `open_daily_key_set` (the spoiler rule: open dailies are never served)."""

    async def _run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        raise NotImplementedError  # Storage._run: fn(conn, ...) on the worker thread

    async def open_daily_key_set(self) -> frozenset[str]:
        raise NotImplementedError  # Storage.open_daily_key_set

    async def _hidden(self, exclude: AbstractSet[str] = frozenset()) -> AbstractSet[str]:
        open_dailies = await self.open_daily_key_set()
        return open_dailies | exclude if exclude else open_dailies

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
        """A /review answer: schedules the card at once and logs it; no points, no streak."""
        if not question_key:
            raise ValueError("a review needs a question key")
        if rating is not None:
            rating = Rating(rating)  # ValueError for a number that is no rating
        return await self._run(
            review.record_review,
            guild_id,
            user_id,
            question_key,
            bool(correct),
            rating,
            to_ms(reviewed_at),
            display_name,
        )

    async def next_due_card(
        self, guild_id: int, user_id: int, *, now: datetime, exclude: AbstractSet[str] = frozenset()
    ) -> CardView | None:
        """The most overdue card, not an open daily nor in `exclude`."""
        found = await self.due_cards(guild_id, user_id, now=now, limit=1, exclude=exclude)
        return found[0] if found else None

    async def due_cards(
        self,
        guild_id: int,
        user_id: int,
        *,
        now: datetime,
        limit: int = 50,
        exclude: AbstractSet[str] = frozenset(),
    ) -> list[CardView]:
        """Due cards, most overdue first, open dailies and `exclude` left out."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        hidden = await self._hidden(exclude)
        return await self._run(review.due_cards, guild_id, user_id, to_ms(now), limit, hidden)

    async def get_card(self, guild_id: int, user_id: int, question_key: str) -> CardView | None:
        return await self._run(review.get_card, guild_id, user_id, question_key)

    async def member_cards(self, guild_id: int, user_id: int, *, missed_only: bool = False) -> list[CardView]:
        """Every card (or those ever missed), soonest due first, open dailies left out."""
        hidden = await self._hidden()
        return await self._run(review.member_cards, guild_id, user_id, missed_only, hidden)

    async def review_stats(
        self, guild_id: int, user_id: int, *, now: datetime, exclude: AbstractSet[str] = frozenset()
    ) -> ReviewStats:
        hidden = await self._hidden(exclude)
        return await self._run(review.review_stats, guild_id, user_id, to_ms(now), hidden)

    async def fold_reviews(self, *, limit: int = 10_000) -> int:
        """Fold up to `limit` pending answers, FOLD_BATCH per transaction so that answer batches
        get the worker thread in between."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        done = 0
        while done < limit:
            n = await self._run(review.fold_pending, min(review.FOLD_BATCH, limit - done))
            done += n
            if n < review.FOLD_BATCH:
                break
        return done

    async def pending_reviews(self) -> int:
        return await self._run(review.pending_count)

    async def get_review_reminder(self, guild_id: int, user_id: int) -> ReminderSetting | None:
        return await self._run(review.get_reminder, guild_id, user_id)

    async def set_review_reminder(
        self, guild_id: int, user_id: int, *, enabled: bool, time: str | None = None, now: datetime
    ) -> ReminderSetting:
        """On (at `time`, or the earlier time, or 19:00) or off; on after today's time, today counts as sent."""
        return await self._run(review.set_reminder, guild_id, user_id, bool(enabled), time, to_ms(now))

    async def review_reminders(self) -> list[ReminderSetting]:
        return await self._run(review.reminders)

    async def claim_review_reminder(
        self,
        guild_id: int,
        user_id: int,
        local_day: date,
        *,
        now: datetime,
        exclude: AbstractSet[str] = frozenset(),
    ) -> int | None:
        """The due count when this call claimed `local_day`; None otherwise (see Store)."""
        hidden = await self._hidden(exclude)
        return await self._run(review.claim_reminder, guild_id, user_id, local_day, to_ms(now), hidden)
