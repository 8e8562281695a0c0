"""Plain dataclasses returned by bot.storage. No I/O, no Discord."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.core.rules import PostKind

AnswerStatus = Literal["stored", "duplicate", "closed", "unknown_post"]
LeaderboardMetric = Literal["points", "accuracy", "current_streak", "best_streak"]
LEADERBOARD_METRICS: tuple[LeaderboardMetric, ...] = ("points", "accuracy", "current_streak", "best_streak")


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    timezone: str = "UTC"
    locale: str = "en"
    practice_cooldown_s: int = 30
    practice_lifetime_s: int = 86_400
    daily_lifetime_s: int = 86_400
    daily_channel_id: int | None = None
    daily_time: str | None = None  # "HH:MM" local time of the daily post, None = not scheduled
    extra: dict[str, object] = field(default_factory=dict)  # free-form JSON settings


# Settings a caller may change with Storage.set_guild_settings (guild_id is the key).
GUILD_SETTING_FIELDS: tuple[str, ...] = (
    "timezone",
    "locale",
    "practice_cooldown_s",
    "practice_lifetime_s",
    "daily_lifetime_s",
    "daily_channel_id",
    "daily_time",
    "extra",
)


@dataclass(frozen=True, slots=True)
class Post:
    post_id: int  # ours; goes into button custom_ids
    guild_id: int
    channel_id: int
    message_id: int | None  # None until the message is sent
    question_key: str
    kind: PostKind
    correct_letters: str  # sorted, e.g. "AD"
    option_letters: str  # letters offered, e.g. "ABCDE" ("" if unknown)
    created_at: datetime
    posted_at: datetime | None  # when the message id was recorded
    closes_at: datetime
    closed_at: datetime | None
    requested_by: int | None = None  # the member who asked for a practice post
    private: bool = False  # an ephemeral practice post: only its requester sees it

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    answer_id: int
    post_id: int
    guild_id: int
    user_id: int
    question_key: str
    letters: str
    correct: bool
    points: int
    answered_at: datetime
    latency_ms: int


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """What `Storage.record_answer` returns once the answer is durable (or refused).

    - stored: this is the member's answer to the post; `points_awarded` were added.
    - duplicate: the member had already answered; `letters`/`correct` are the earlier answer's,
      nothing changed.
    - closed: the post is closed (or past closes_at); nothing was stored.
    - unknown_post: no such post in that guild; nothing was stored.
    Totals and streaks are the member's in the post's guild after this answer.
    """

    status: AnswerStatus
    answer_id: int | None
    letters: str | None
    correct: bool | None
    points_awarded: int
    total_points: int
    current_streak: int
    best_streak: int
    kind: PostKind | None = None

    @property
    def accepted(self) -> bool:
        return self.status == "stored"


@dataclass(frozen=True, slots=True)
class CloseResult:
    post: Post
    per_letter: dict[str, int]  # letter -> members who ticked it (every option letter present)
    per_choice: dict[str, int]  # exact choice ("AD") -> members
    participants: int
    correct_count: int
    accuracy: float | None  # None with no participant
    streaks_reset: int  # members whose current streak ended because they missed this daily
    newly_closed: bool  # False if the post was already closed (nothing was applied again)


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    rank: int  # competition rank: equal values share a rank (1, 2, 2, 4)
    user_id: int
    display_name: str | None  # last known name; kept after the member leaves
    value: float  # the metric: points, accuracy in [0, 1], or a streak
    points: int
    answers: int
    correct: int


@dataclass(frozen=True, slots=True)
class LeaderboardPage:
    guild_id: int
    metric: LeaderboardMetric
    period_key: str  # "all", "week:YYYY-MM-DD", "month:YYYY-MM-01"; "all" for streaks
    page: int  # 1-based
    page_size: int
    total: int  # members ranked
    entries: list[LeaderboardEntry]
    me: LeaderboardEntry | None  # the caller's own line (None if not ranked)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True, slots=True)
class TagStat:
    kind: str  # "topic" | "trap" | whatever kinds were synced
    tag: str
    answers: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True, slots=True)
class UserStats:
    guild_id: int
    user_id: int
    display_name: str | None
    answers: int
    correct: int
    accuracy: float | None
    points: int
    week_points: int
    month_points: int
    current_streak: int
    best_streak: int
    rank: int | None  # all-time points rank
    topics: list[TagStat]  # sorted by tag
    traps: list[TagStat]
    weakest_topics: list[TagStat]  # lowest accuracy first, >= TAG_MIN_ANSWERS answers


@dataclass(frozen=True, slots=True)
class QuestionStat:
    question_key: str
    answers: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True, slots=True)
class DayParticipation:
    day: date  # local date in the guild's time zone
    participants: int
    answers: int
    correct: int


@dataclass(frozen=True, slots=True)
class ServerStats:
    guild_id: int
    since: date  # first local day covered
    answers: int
    correct: int
    participants: int  # distinct members who answered in the window
    weakest_topics: list[TagStat]
    weakest_traps: list[TagStat]
    hardest_questions: list[QuestionStat]
    per_day: list[DayParticipation]  # oldest first, days without answers omitted


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One member's line in an export (CSV/JSON)."""

    guild_id: int
    user_id: int
    display_name: str | None
    period_key: str
    points: int
    answers: int
    correct: int
    accuracy: float | None
    current_streak: int
    best_streak: int


__all__ = [
    "GUILD_SETTING_FIELDS",
    "LEADERBOARD_METRICS",
    "AnswerOutcome",
    "AnswerStatus",
    "CloseResult",
    "DayParticipation",
    "GuildSettings",
    "LeaderboardEntry",
    "LeaderboardMetric",
    "LeaderboardPage",
    "Post",
    "QuestionStat",
    "ScoreRow",
    "ServerStats",
    "StoredAnswer",
    "TagStat",
    "UserStats",
]


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """One answered question, of any kind, for readiness (Store.recent_results)."""

    user_id: int
    question_key: str
    correct: bool
    answered_at: datetime
    kind: Literal["daily", "practice", "exam"]
