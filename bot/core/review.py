"""Spaced repetition (/review): ratings, a card's FSRS state, what storage returns. Pure: no I/O.

Every question a member answers becomes a card for that member in that server, scheduled with
FSRS through the `fsrs` package (py-fsrs 6): a wrong answer is rated Again, a right one Good; in
/review a member may say Hard or Easy (or Again) after a right answer. Cards are scheduled in whole
days (no same-day learning steps, no fuzz), so a missed question is due the next day. The card's
state is `fsrs.Card.to_dict()` as compact JSON (orjson: ~10x faster than the json module, and the
answers' fold runs it once per answer). See docs/review.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from typing import Literal
from zoneinfo import ZoneInfo

import fsrs
import orjson

from bot.core.schedule import due_at, local_day, parse_hhmm

#: Where an answer that scheduled a card came from.
ReviewSource = Literal["daily", "practice", "exam", "review"]
REVIEW_SOURCES: tuple[ReviewSource, ...] = ("daily", "practice", "exam", "review")

#: Retention and review counts in ReviewStats look back this many days.
RETENTION_DAYS = 30


class Rating(IntEnum):
    """FSRS's four ratings (the same numbers as `fsrs.Rating`)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


def rating_for_answer(correct: bool) -> Rating:
    """The rating of an answer outside /review: wrong → Again, right → Good."""
    return Rating.GOOD if correct else Rating.AGAIN


def rating_for_review(correct: bool, chosen: Rating | None = None) -> Rating:
    """The rating of a /review answer: wrong is always Again; right is what the member chose
    (Again, Hard, Good or Easy), Good when they chose nothing."""
    if not correct:
        return Rating.AGAIN
    return Rating.GOOD if chosen is None else Rating(chosen)


@dataclass(frozen=True, slots=True)
class CardState:
    """A card's FSRS state as stored: `state_json` is `fsrs.Card.to_dict()` as JSON; `due` is
    the same instant as in the JSON (kept beside it for the index)."""

    state_json: str
    due: datetime
    last_review: datetime | None


_SCHEDULER = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def new_card() -> fsrs.Card:
    """A card never reviewed (its `card_id` is not used: cards are keyed by member and question)."""
    return fsrs.Card(card_id=0)


def load_card(state_json: str) -> fsrs.Card:
    """The fsrs card of a stored state; ValueError when the JSON is not one."""
    try:
        return fsrs.Card.from_dict(orjson.loads(state_json))
    except (TypeError, KeyError, ValueError) as exc:  # orjson.JSONDecodeError is a ValueError
        raise ValueError(f"not an FSRS card state: {exc}") from None


def schedule(state_json: str | None, rating: Rating, at: datetime) -> CardState:
    """Review a card (None: a new one) with `rating` at `at` (aware). A review dated before the
    card's last one is taken as at that last one (FSRS needs reviews in order)."""
    card = new_card() if state_json is None else load_card(state_json)
    if card.last_review is not None and at < card.last_review:
        at = card.last_review
    card, _log = _SCHEDULER.review_card(card, fsrs.Rating(int(rating)), at)
    return CardState(orjson.dumps(card.to_dict()).decode(), card.due, card.last_review)


def retrievability(state_json: str, at: datetime) -> float:
    """FSRS's probability that the member recalls the card at `at` (0..1)."""
    return float(_SCHEDULER.get_card_retrievability(load_card(state_json), at))


@dataclass(frozen=True, slots=True)
class CardView:
    """A member's card as /review, /stats and the exports see it."""

    guild_id: int
    user_id: int
    question_key: str
    due: datetime
    last_review: datetime
    reps: int  # answers that scheduled it (every kind)
    lapses: int  # of those, rated Again
    last_rating: Rating
    stability: float | None  # FSRS stability in days

    def is_due(self, now: datetime) -> bool:
        return self.due <= now

    def overdue(self, now: datetime) -> timedelta:
        """How long past due (negative when not due yet)."""
        return now - self.due

    @property
    def missed(self) -> bool:
        """Answered wrong at least once (the `missed` export)."""
        return self.lapses > 0


#: A card served by /review (due now): the same fields.
DueCard = CardView


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """What recording a /review answer did."""

    card: CardView  # the card after the review (its next due date)
    rating: Rating
    correct: bool
    previous_due: datetime | None  # None when the card was new


@dataclass(frozen=True, slots=True)
class ReviewStats:
    """A member's review figures in a server. Days are local days in the server's time zone."""

    cards: int
    due_now: int  # due at `now` (open dailies excluded)
    due_today: int  # due before the end of today (includes due_now)
    due_week: int  # due before the end of the 7th local day from today (includes due_today)
    next_due: datetime | None  # the earliest due instant of any card
    recalls: int  # /review answers in the last RETENTION_DAYS days to cards the member had already
    recalled: int  # of those, right
    reviews: int  # every /review answer in the last RETENTION_DAYS days

    @property
    def retention(self) -> float | None:
        """Share of recall attempts in /review answered right (None without any)."""
        return self.recalled / self.recalls if self.recalls else None


@dataclass(frozen=True, slots=True)
class ReminderSetting:
    """A member's /review reminder: one message a day at `time` (local, `timezone` is the
    server's) when cards are due. `last_sent_day` is the last local day one was claimed."""

    guild_id: int
    user_id: int
    enabled: bool
    time: str  # "HH:MM"
    timezone: str  # the server's IANA zone, read when the setting is read
    last_sent_day: date | None = None

    def due_at(self, day: date) -> datetime:
        """The reminder's instant on a local day (DST rules as the daily's: bot.core.schedule)."""
        return due_at(day, parse_hhmm(self.time), ZoneInfo(self.timezone))


def review_windows(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The ends of "today" and of "this week" (today and the next 6 local days) in `tz`, as
    instants: a card due before them is due today / this week."""
    today = local_day(now, tz)
    return (
        due_at(today + timedelta(days=1), time(0, 0), tz),
        due_at(today + timedelta(days=7), time(0, 0), tz),
    )


def next_reminder_at(setting: ReminderSetting, now: datetime) -> datetime | None:
    """When the reminder is next due: today's slot if it has not been claimed yet (even if it
    has passed, so a restart catches it up the same local day), else tomorrow's; None when off.
    (Turning a reminder on after today's time marks today as sent: see Store.set_review_reminder.)"""
    if not setting.enabled:
        return None
    today = local_day(now, ZoneInfo(setting.timezone))
    if setting.last_sent_day is None or setting.last_sent_day < today:
        return setting.due_at(today)
    return setting.due_at(today + timedelta(days=1))
